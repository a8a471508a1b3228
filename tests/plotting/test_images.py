"""What Map.plot draws (fluxprofile.plotting.images): a sky image with its stretch, colour
bar, axis labels and region overlays.
"""

from __future__ import annotations

import astropy.units as u
import matplotlib
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from fluxprofile import (
    Map,
    MapAxis,
    MapDataset,
    WcsGeom,
    make_concentric_annulus_sky_regions,
    plot_regions,
)


# ---- sky images -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def counts_image(fermi_gc_path):
    return MapDataset.read(fermi_gc_path).counts.sum_over_axes()


def test_map_plot_sqrt_stretch_with_regions(counts_image, figure):
    from astropy.visualization import SqrtStretch
    from astropy.visualization.wcsaxes import WCSAxes

    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    image = counts_image.cutout(center, 3 * u.deg).smooth("0.1 deg")
    ax = image.plot(stretch="sqrt", add_cbar=True)
    assert isinstance(ax, WCSAxes)
    (im,) = ax.get_images()
    np.testing.assert_array_equal(im.get_array(), image.data)
    assert isinstance(im.norm.stretch, SqrtStretch)
    assert (im.norm.vmin, im.norm.vmax) == (image.data.min(), image.data.max())
    assert im.get_cmap().name == "afmhot"
    assert ax.coords["glon"].get_axislabel() == "Galactic Longitude"
    assert ax.coords["glat"].get_axislabel() == "Galactic Latitude"
    assert len(ax.figure.axes) == 2  # colour bar

    regions = make_concentric_annulus_sky_regions(
        center=center, radius_max="1.5 deg", nbin=11
    )
    plot_regions(regions, ax=ax, color="w")
    assert len(ax.patches) == len(regions) == 10
    assert all(
        matplotlib.colors.to_hex(p.get_edgecolor()) == "#ffffff" for p in ax.patches
    )


def test_map_plot_needs_an_image():
    geom = WcsGeom.create(
        npix=(4, 3), binsz=0.1, axes=[MapAxis.from_energy_edges([1, 2, 3] * u.TeV)]
    )
    cube = Map.from_geom(geom)
    with pytest.raises(TypeError, match="sum_over_axes"):
        cube.plot()
