"""Region centres and the projected distances of the profile axis, as Gammapy defines
them (docs/regions.rst)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from regions import (
    CircleAnnulusSkyRegion,
    PixCoord,
    PolygonPixelRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

from .checks import SKY_TYPES, as_region_list, check_type
from .coords import (
    CoordBatch,
    celestial_wcs,
    describe_coord,
    lonlat,
    lonlat_in,
    polygon_center,
    skycoord,
)
from .to_pixel import sky_regions_to_pixel_shapes

__all__ = ["projected_distance_edges", "projected_distances", "region_centers"]


def region_centers(regions: Any, wcs: Any = None) -> SkyCoord:
    """Centres of regions as one `~astropy.coordinates.SkyCoord`.

    The result is in the frame of the first region's centre (the others are transformed
    to it, as ``SkyCoord.separation`` would). A polygon's centre is the direction of the
    mean of its vertex unit vectors (Gammapy has no polygon centre).

    Parameters
    ----------
    regions : list of `~regions.Region`
        Supported sky regions, or pixel regions when ``wcs`` is given.
    wcs : `~astropy.wcs.WCS`, optional
        Needed only to convert the centres of pixel regions. Default is None.

    Returns
    -------
    centers : `~astropy.coordinates.SkyCoord`
        Array of shape ``(n,)``.

    Raises
    ------
    TypeError
        For an unsupported region type, or a pixel region without ``wcs``.
    ValueError
        For an empty list or a non-finite centre.
    """
    regions = as_region_list(regions)
    batch = CoordBatch()
    for i, region in enumerate(regions):
        check_type(region, i)
        if isinstance(region, PolygonSkyRegion):
            center = polygon_center(region.vertices)
        elif isinstance(region, SKY_TYPES):
            center = region.center
        else:
            if wcs is None:
                msg = (
                    f"regions[{i}]: {type(region).__name__} is a pixel region; pass wcs "
                    "to get its sky centre"
                )
                raise TypeError(msg)
            if isinstance(region, PolygonPixelRegion):
                shapes = sky_regions_to_pixel_shapes([region])
                pix = PixCoord(shapes.x[0], shapes.y[0])  # the mean vertex
            else:
                pix = region.center
            center = celestial_wcs(wcs).pixel_to_world(pix.x, pix.y)
        lon, lat = lonlat(center)
        if not (np.isfinite(lon) and np.isfinite(lat)):
            msg = f"regions[{i}] ({type(region).__name__}): center must be finite, got {describe_coord(center)}"
            raise ValueError(msg)
        batch.add(center)
    groups = batch.groups()
    common = groups[0][0].frame  # the first region's frame: its group comes first
    return skycoord(common, *lonlat_in(groups, common, len(batch)))


def _stored_distances(regions: list[Any]) -> u.Quantity | None:
    """``meta["projected_distance"]`` of all regions (deg), or None if one has none."""
    values = []
    for i, region in enumerate(regions):
        meta = getattr(region, "meta", None)
        if not isinstance(meta, Mapping) or "projected_distance" not in meta:
            return None
        value = meta["projected_distance"]
        try:
            q = u.Quantity(value)
            ok = (
                q.isscalar
                and q.unit.physical_type == "angle"
                and math.isfinite(q.value)
            )
        except (TypeError, ValueError):
            ok = False
        if not ok:
            msg = (
                f"regions[{i}] ({type(region).__name__}): meta['projected_distance'] must be "
                f"a finite scalar angle, got {value!r}"
            )
            raise ValueError(msg)
        values.append(q.to_value(u.deg))
    return u.Quantity(np.array(values, dtype=np.float64), u.deg)


def projected_distances(
    regions: Any, wcs: Any = None, centers: SkyCoord | None = None
) -> u.Quantity:
    """Projected distance of every region, as Gammapy's profile axis defines it.

    If every region carries ``meta["projected_distance"]`` (as the boxes of
    `make_path_sky_regions` do: the arc length along the path), those values are
    returned. Otherwise a `~regions.CircleAnnulusSkyRegion` gets
    ``(inner_radius + outer_radius) / 2``; any other region gets the great-circle
    separation of its centre from the centre of ``regions[0]``
    (`~astropy.coordinates.SkyCoord.separation`).

    Parameters
    ----------
    regions : list of `~regions.Region`
        Supported sky regions (pixel regions need ``wcs``).
    wcs : `~astropy.wcs.WCS`, optional
        Only used for pixel regions. Default is None.
    centers : `~astropy.coordinates.SkyCoord`, optional
        The regions' centres as `region_centers` returns them, when already at hand.
        Default is None (computed here).

    Returns
    -------
    distances : `~astropy.units.Quantity`
        Shape ``(n,)``, in deg.

    Raises
    ------
    TypeError
        For an unsupported region type, or a pixel region without ``wcs``.
    ValueError
        For an empty list, a non-finite centre or radius, or a stored
        ``meta["projected_distance"]`` that is not a finite scalar angle.
    """
    regions = as_region_list(regions)
    stored = _stored_distances(regions)
    if stored is not None:
        return stored
    if centers is None:
        centers = region_centers(regions, wcs=wcs)
    elif len(centers) != len(regions):
        msg = f"centers must have one entry per region, got {len(centers)} for {len(regions)} regions"
        raise ValueError(msg)
    distance = centers[0].separation(centers).to_value(u.deg)
    distance = np.array(distance, dtype=np.float64, ndmin=1)
    for i, region in enumerate(regions):
        if isinstance(region, CircleAnnulusSkyRegion):
            mean = ((region.inner_radius + region.outer_radius) / 2.0).to_value(u.deg)
            if not math.isfinite(mean):
                msg = f"regions[{i}] ({type(region).__name__}): radii must be finite"
                raise ValueError(msg)
            distance[i] = mean
    return u.Quantity(distance, u.deg)


def projected_distance_edges(regions: Any) -> u.Quantity | None:
    """Bin edges of the projected distances of contiguous path boxes, else None.

    For the boxes of `make_path_sky_regions` the profile bins are known exactly: box
    ``i`` spans ``projected_distance ± width / 2`` along the path, and consecutive boxes
    touch. A distance axis built from these edges (``MapAxis.from_edges``) has the box
    centres as bin centres, so that the ``x_ref = (x_min + x_max) / 2`` column of profile
    tables is the arc length of each box even where the box length changes between
    segments (a centre-node axis puts the edges half-way between the centres instead).

    Parameters
    ----------
    regions : list of `~regions.Region`
        Regions.

    Returns
    -------
    edges : `~astropy.units.Quantity` or None
        Shape ``(n + 1,)`` in deg, or None unless every region is a
        `~regions.RectangleSkyRegion` with ``meta["projected_distance"]`` and the boxes
        are contiguous along the path (to 1e-9 deg).

    Raises
    ------
    ValueError
        For an empty list or an invalid stored distance (see `projected_distances`).
    """
    regions = as_region_list(regions)
    centres = _stored_distances(regions)
    if centres is None or not all(isinstance(r, RectangleSkyRegion) for r in regions):
        return None
    centre = centres.to_value(u.deg)
    half = 0.5 * np.array([r.width.to_value(u.deg) for r in regions])
    lower, upper = centre - half, centre + half
    if not np.allclose(lower[1:], upper[:-1], rtol=0, atol=1e-9):
        return None
    inner = 0.5 * (lower[1:] + upper[:-1])
    return u.Quantity(np.concatenate([lower[:1], inner, upper[-1:]]), u.deg)
