"""Gammapy's profile region generators: boxes along a line and concentric annuli
(docs/regions.rst)."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from regions import CircleAnnulusSkyRegion, RectangleSkyRegion, RegionMeta, RegionVisual

from .checks import angle_quantity, bin_count, scalar_skycoord
from .coords import celestial_wcs, describe_coord
from .sphere import sphere_rectangles

__all__ = [
    "make_concentric_annulus_sky_regions",
    "make_orthogonal_rectangle_sky_regions",
]


def make_orthogonal_rectangle_sky_regions(
    start_pos: SkyCoord,
    end_pos: SkyCoord,
    wcs: Any,
    height: u.Quantity | str,
    nbin: int = 1,
) -> list[RectangleSkyRegion]:
    """Boxes along the line from ``start_pos`` to ``end_pos``, as Gammapy makes them.

    The ``nbin + 1`` box edges are spaced linearly in pixel space between the two end
    points; the box centres (midpoints) are converted back to the sky in the WCS frame.
    All boxes share the width ``separation(start_pos, end_pos) / nbin`` (a Quantity in
    rad) and the angle ``end_pos.position_angle(start_pos) - 90 deg``.

    Parameters
    ----------
    start_pos : `~astropy.coordinates.SkyCoord`
        First end of the line (scalar).
    end_pos : `~astropy.coordinates.SkyCoord`
        Second end of the line (scalar).
    wcs : `~astropy.wcs.WCS` or None
        Celestial WCS used to place the centres. None defines the boxes on the sphere
        instead: equal arcs of the great circle from ``start_pos`` to ``end_pos`` (along
        the equator from the start to the end longitude when both have latitude 0, so
        l = 0 to 360 deg is a full ring), with ``meta["projected_distance"]`` the arc
        length from the first box (`fluxprofile.regions.sphere.sphere_rectangles`,
        docs/healpix.rst).
    height : `~astropy.units.Quantity` or str
        Height of every box, e.g. ``"3 deg"``.
    nbin : int, optional
        Number of boxes. Default is 1.

    Returns
    -------
    regions : list of `~regions.RectangleSkyRegion`
        Boxes ordered from ``start_pos`` to ``end_pos``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``nbin < 1``, the height is not a positive finite angle, the two end points
        coincide or fall outside the projection.
    """
    start_pos = scalar_skycoord(start_pos, "start_pos")
    end_pos = scalar_skycoord(end_pos, "end_pos")
    nbin = bin_count(nbin, "nbin", 1)
    height_q = angle_quantity(height, "height")
    if wcs is None:
        # Boxes defined on the sphere (HEALPix maps, full rings): regions/sphere.py.
        return sphere_rectangles(start_pos, end_pos, height_q, nbin)
    wcs = celestial_wcs(wcs)

    pix_start = start_pos.to_pixel(wcs)
    pix_stop = end_pos.to_pixel(wcs)
    if not np.all(np.isfinite(pix_start + pix_stop)):
        msg = (
            f"start_pos and end_pos must project to finite pixels, got {pix_start} and "
            f"{pix_stop}"
        )
        raise ValueError(msg)
    points = np.linspace(start=pix_start, stop=pix_stop, num=nbin + 1).T
    centers = 0.5 * (points[:, :-1] + points[:, 1:])
    coords = SkyCoord.from_pixel(centers[0], centers[1], wcs)

    separation = start_pos.separation(end_pos)
    if not separation.value > 0:
        msg = (
            f"start_pos and end_pos must differ, got {describe_coord(start_pos)} twice"
        )
        raise ValueError(msg)
    width = separation.to("rad") / nbin
    angle = end_pos.position_angle(start_pos) - 90 * u.deg
    centers_list = list(coords)
    first = RectangleSkyRegion(
        center=centers_list[0], width=width, height=height_q, angle=angle
    )
    return [first, *(_with_center(first, center) for center in centers_list[1:])]


def _with_center(region: Any, center: SkyCoord) -> Any:
    """A copy of ``region`` at ``center`` (its own meta and visual attributes).

    The shape parameters were validated when ``region`` was made; the regions package
    validates them again in every constructor (~0.1 ms of astropy comparisons per box),
    which dominated building a profile's estimator. The centre is still validated.
    """
    new = copy.copy(region)
    new.meta = RegionMeta()
    new.visual = RegionVisual()
    new.center = center
    return new


def make_concentric_annulus_sky_regions(
    center: SkyCoord,
    radius_max: u.Quantity | str,
    radius_min: u.Quantity | str = 1e-5 * u.deg,
    nbin: int = 11,
) -> list[CircleAnnulusSkyRegion]:
    """Concentric annuli with radii ``linspace(radius_min, radius_max, nbin)``.

    As in Gammapy, ``nbin`` counts the radius *edges*, so ``nbin - 1`` annuli are made.

    Parameters
    ----------
    center : `~astropy.coordinates.SkyCoord`
        Common centre (scalar).
    radius_max : `~astropy.units.Quantity` or str
        Outer radius of the last annulus.
    radius_min : `~astropy.units.Quantity` or str, optional
        Inner radius of the first annulus. Default is 1e-5 deg.
    nbin : int, optional
        Number of radius edges. Default is 11.

    Returns
    -------
    regions : list of `~regions.CircleAnnulusSkyRegion`
        ``nbin - 1`` annuli ordered by radius.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``nbin < 2``, a radius is not a positive finite angle or
        ``radius_min >= radius_max``.
    """
    center = scalar_skycoord(center, "center")
    nbin = bin_count(nbin, "nbin", 2)
    r_max = angle_quantity(radius_max, "radius_max")
    r_min = angle_quantity(radius_min, "radius_min")
    if not r_min < r_max:
        msg = f"radius_min must be < radius_max, got {r_min} and {r_max}"
        raise ValueError(msg)
    edges = np.linspace(r_min, r_max, nbin)
    return [
        CircleAnnulusSkyRegion(center=center, inner_radius=r_in, outer_radius=r_out)
        for r_in, r_out in itertools.pairwise(edges)
    ]
