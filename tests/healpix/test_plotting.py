"""Figures of HEALPix maps: Mollweide and cartesian views with region outlines."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hpx_helpers import hpx_dataset
from regions import CircleSkyRegion

from fluxprofile import make_orthogonal_rectangle_sky_regions
from fluxprofile.plotting.healpix import region_outlines
from fluxprofile.plotting.regions import plot_regions


@pytest.mark.parametrize("projection", ["mollweide", "cartesian"])
def test_map_view_with_regions(projection, tmp_path):
    image = hpx_dataset(32, edges_gev=(10, 2000)).counts.sum_over_axes()
    start = SkyCoord(0, 0, unit="deg", frame="galactic")
    boxes = make_orthogonal_rectangle_sky_regions(
        start, start, wcs=None, height="10 deg", nbin=36
    )
    ax = image.plot(projection=projection, add_cbar=True)
    n_lines = len(ax.lines)
    plot_regions(boxes, ax=ax, color="C0")
    assert len(ax.lines) == n_lines + 36
    path = tmp_path / f"{projection}.png"
    ax.figure.savefig(path)
    # the ridge is drawn: the figure is not one colour
    pixels = plt.imread(path)
    assert pixels.reshape(-1, pixels.shape[-1]).std(axis=0).max() > 0.05
    plt.close(ax.figure)


def test_outlines_follow_the_region_edges():
    circle = CircleSkyRegion(
        SkyCoord(30, 60, unit="deg", frame="icrs"),
        5 * SkyCoord(0, 0, unit="deg").ra.unit,
    )
    ((lon, lat),) = region_outlines([circle], frame="icrs")
    sep = circle.center.separation(SkyCoord(lon, lat, unit="deg", frame="icrs")).deg
    np.testing.assert_allclose(sep, 5, atol=1e-9)
