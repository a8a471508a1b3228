"""`plot_regions`: one patch per region, with Gammapy's default colours."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from regions import (
    CircleSkyRegion,
    PixCoord,
    PolygonSkyRegion,
    RectanglePixelRegion,
)

from fluxprofile import plot_regions
from fluxprofile.regions import (
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
)


def fermi_like_wcs() -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["GLON-CAR", "GLAT-CAR"]
    wcs.wcs.crval = [0.0, 0.0]
    wcs.wcs.crpix = [200.5, 100.5]
    wcs.wcs.cdelt = [-0.05, 0.05]
    return wcs


def test_plot_regions_one_patch_per_region():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    wcs = fermi_like_wcs()
    regions = make_orthogonal_rectangle_sky_regions(
        SkyCoord(3, 0, unit="deg", frame="galactic"),
        SkyCoord(-3, 0, unit="deg", frame="galactic"),
        wcs,
        "2 deg",
        nbin=5,
    )
    regions += make_concentric_annulus_sky_regions(
        SkyCoord(0, 0, unit="deg", frame="galactic"), 1 * u.deg, nbin=4
    )
    regions += [
        CircleSkyRegion(SkyCoord(1, 1, unit="deg", frame="galactic"), 0.3 * u.deg),
        PolygonSkyRegion(SkyCoord([1, 2, 2], [0, 0, 1], unit="deg", frame="galactic")),
        RectanglePixelRegion(PixCoord(50, 50), 10, 5),
    ]
    try:
        fig = plt.figure()
        ax = fig.add_subplot(projection=wcs)
        out = plot_regions(regions, ax=ax)
        assert out is ax
        assert len(ax.patches) == len(regions) == 11
        for patch in ax.patches:
            assert patch.get_edgecolor() == to_rgba("C0")
            assert patch.get_facecolor()[3] == 0  # facecolor "none"
        plot_regions(regions[:2], ax=ax, color="red", lw=2)
        assert len(ax.patches) == 13
        assert ax.patches[-1].get_edgecolor() == to_rgba("red")
        assert ax.patches[-1].get_linewidth() == 2
        plot_regions(regions[:1], ax=ax, c="k")
        assert ax.patches[-1].get_edgecolor() == to_rgba("k")

        ax2 = plot_regions(regions[:3], wcs=wcs)
        assert len(ax2.patches) == 3
        assert ax2.wcs is not None
        ax3 = plot_regions(regions[5:10])  # no ax, no wcs: a WCS around the regions
        assert len(ax3.patches) == 5
        assert ax3.wcs.wcs.ctype[0] == "GLON-TAN"
        xs = [p.get_path().vertices for p in ax3.patches]
        assert all(np.all(np.isfinite(v)) for v in xs)
    finally:
        plt.close("all")
