"""`plot_regions`: sky and pixel regions drawn on WCS axes, as Gammapy draws them."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
from astropy.wcs import WCS
from regions import PolygonSkyRegion

from ..regions.checks import SKY_TYPES, as_region_list, check_type
from ..regions.coords import celestial_wcs, lonlat, polygon_center
from ..regions.distances import region_centers

__all__ = ["plot_regions"]


def _auto_wcs(regions: list[Any]) -> Any:
    """A TAN WCS of about 200 pixels covering the centres of sky regions."""
    centers = region_centers(regions)
    mean = polygon_center(centers)
    extent = float(np.max(mean.separation(centers).deg)) if len(centers) > 1 else 0.0
    for region in regions:
        for attr in ("width", "height", "radius", "outer_radius"):
            if hasattr(region, attr):
                extent = max(
                    extent,
                    float(mean.separation(region.center).deg)
                    + getattr(region, attr).to_value(u.deg),
                )
        if isinstance(region, PolygonSkyRegion):
            extent = max(extent, float(np.max(mean.separation(region.vertices).deg)))
    extent = max(extent, 1e-3) * 1.1
    npix = 200
    binsz = 2 * extent / npix
    frame = mean.frame.name
    lon_name, lat_name = ("GLON", "GLAT") if frame == "galactic" else ("RA--", "DEC-")
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = [f"{lon_name}-TAN", f"{lat_name}-TAN"]
    lon, lat = lonlat(mean)
    wcs.wcs.crval = [float(lon), float(lat)]
    wcs.wcs.crpix = [(npix + 1) / 2, (npix + 1) / 2]
    wcs.wcs.cdelt = [-binsz, binsz]
    if frame != "galactic":
        wcs.wcs.radesys = "ICRS"
    wcs.pixel_shape = (npix, npix)
    return wcs


def plot_regions(regions: Any, ax: Any = None, wcs: Any = None, **kwargs: Any) -> Any:
    """Draw regions on a `~astropy.visualization.wcsaxes.WCSAxes`, as Gammapy does.

    Each region is converted with ``region.to_pixel(ax.wcs)`` (pixel regions are drawn
    as they are) and added as ``region.as_artist(**kwargs)``.

    Parameters
    ----------
    regions : list of `~regions.Region`
        Regions to draw (a single region is accepted too).
    ax : `~astropy.visualization.wcsaxes.WCSAxes`, optional
        Axes to draw on. Without it, a new figure with a WCSAxes on ``wcs`` (or, if
        ``wcs`` is None too, a TAN WCS around the regions) is made. Default is None.
    wcs : `~astropy.wcs.WCS`, optional
        WCS of the new axes when ``ax`` is None, or of ``ax`` if it has none.
        Default is None.
    **kwargs : dict
        Passed to ``as_artist`` (matplotlib patch properties). ``facecolor`` defaults
        to ``"none"`` and ``edgecolor`` to ``"C0"``; ``color`` or ``c`` set the edge
        colour.

    Returns
    -------
    ax : `~astropy.visualization.wcsaxes.WCSAxes`
        The axes drawn on.

    Raises
    ------
    TypeError
        For an unsupported region type, or when no WCS is available for sky regions.
    ValueError
        For an empty list.
    """
    import matplotlib.pyplot as plt

    regions = as_region_list(regions)
    for i, region in enumerate(regions):
        check_type(region, i)
    if ax is not None and hasattr(ax, "fluxprofile_sky_view"):
        # axes of a HEALPix map view: outlines along the regions' edges on the sphere
        from .healpix import plot_sphere_regions

        edge = kwargs.pop("edgecolor", kwargs.pop("color", kwargs.pop("c", "C0")))
        kwargs.pop("facecolor", None)
        return plot_sphere_regions(regions, ax, color=edge, **kwargs)
    if ax is None:
        sky = [r for r in regions if isinstance(r, SKY_TYPES)]
        if wcs is None and sky:
            wcs = _auto_wcs(sky)
        fig = plt.figure()
        if wcs is None:  # pixel regions only: plain axes in pixel coordinates
            ax = fig.add_subplot()
        else:
            wcs = celestial_wcs(wcs)
            ax = fig.add_subplot(projection=wcs)
            shape = getattr(wcs, "pixel_shape", None)
            if shape is not None:
                ax.set_xlim(-0.5, shape[0] - 0.5)
                ax.set_ylim(-0.5, shape[1] - 0.5)
    plot_wcs = getattr(ax, "wcs", None)
    if plot_wcs is None:
        plot_wcs = wcs

    kwargs.setdefault("facecolor", "none")
    kwargs.setdefault("edgecolor", "C0")
    for key in ("color", "c"):
        if key in kwargs:
            kwargs["edgecolor"] = kwargs.pop(key)

    for i, region in enumerate(regions):
        if isinstance(region, SKY_TYPES):
            if plot_wcs is None:
                msg = f"regions[{i}]: a WCS is needed to draw {type(region).__name__}; ax has none"
                raise TypeError(msg)
            region = region.to_pixel(plot_wcs)
        ax.add_patch(region.as_artist(**kwargs))
    if plot_wcs is None:
        ax.autoscale_view()
    return ax
