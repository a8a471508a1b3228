"""Profile boxes defined on the sphere rather than on a projection: the rectangles of
`~fluxprofile.make_orthogonal_rectangle_sky_regions` with ``wcs=None``, along a great
circle, up to a full ring (docs/healpix.rst)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import Angle, SkyCoord
from regions import RectangleSkyRegion

from .coords import describe_coord, lonlat, skycoord
from .paths import PathRegionMeta

__all__ = ["sphere_rectangles"]

# Latitudes below this (deg) put a start on the frame's equator.
_ON_EQUATOR = 1e-9


def _vector(lon_deg: float, lat_deg: float) -> np.ndarray:
    lon, lat = np.deg2rad(lon_deg), np.deg2rad(lat_deg)
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _path(start: SkyCoord, end: SkyCoord) -> tuple[np.ndarray, np.ndarray, float]:
    """Start vector, pole of the great circle (travel = pole x position) and arc length
    (deg) of the path from ``start`` to ``end`` in the start's frame."""
    frame = start.frame.replicate_without_data()
    lon_s, lat_s = (float(v) for v in lonlat(start))
    if end.frame.name == start.frame.name:
        lon_e, lat_e = (float(v) for v in lonlat(end))
    else:
        lon_e, lat_e = (float(v) for v in lonlat(end.transform_to(frame)))
    a = _vector(lon_s, lat_s)
    b = _vector(lon_e, lat_e)
    if float(np.linalg.norm(np.cross(a, b))) < 1e-12 and float(a @ b) > 0:
        if abs(lat_s) < _ON_EQUATOR:
            # l = 0 and l = 360 are one point: the full ring, towards increasing longitude.
            return a, np.array([0.0, 0.0, 1.0]), 360.0
        msg = (
            "start_pos and end_pos coincide off the frame's equator (only a start on the "
            f"equator makes a full ring), got {describe_coord(start)} twice"
        )
        raise ValueError(msg)
    cross = np.cross(a, b)
    sin_len = float(np.linalg.norm(cross))
    length = float(np.rad2deg(np.arctan2(sin_len, float(a @ b))))
    if sin_len < 1e-12:
        msg = (
            "start_pos and end_pos must not be antipodal (the great circle between them "
            f"is then undefined), got {describe_coord(start)} and "
            f"{describe_coord(end)}"
        )
        raise ValueError(msg)
    return a, cross / sin_len, length


def sphere_rectangles(
    start_pos: SkyCoord, end_pos: SkyCoord, height: u.Quantity, nbin: int
) -> list[RectangleSkyRegion]:
    """``nbin`` boxes of equal arc length along the great circle from ``start_pos`` to
    ``end_pos``, each ``height`` wide across it.

    The path is the shorter great-circle arc (as a straight line on a map centred between
    the ends), except when the ends coincide on the equator of the start's frame
    (latitude 0, e.g. l = 0 and l = 360 deg): then it is the full ring, towards increasing
    longitude. Each box carries ``meta["projected_distance"]``, the arc length
    from the first box centre along the path (the profile's distance axis).

    Parameters
    ----------
    start_pos, end_pos : `~astropy.coordinates.SkyCoord`
        Path ends (scalars).
    height : `~astropy.units.Quantity`
        Box size across the path.
    nbin : int
        Number of boxes.

    Returns
    -------
    regions : list of `~regions.RectangleSkyRegion`
        In the frame of ``start_pos``, ordered along the path.

    Raises
    ------
    ValueError
        For antipodal ends, or ends that coincide off the equator.
    """
    a, pole, length = _path(start_pos, end_pos)
    step = length / nbin
    along = np.deg2rad((np.arange(nbin) + 0.5) * step)
    # Rodrigues' rotation of the start about the pole (a is perpendicular to it).
    b = np.cross(pole, a)
    centre = np.cos(along)[:, None] * a + np.sin(along)[:, None] * b
    tangent = np.cross(pole, centre)
    lon = np.arctan2(centre[:, 1], centre[:, 0])
    lat = np.arctan2(centre[:, 2], np.hypot(centre[:, 0], centre[:, 1]))
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], -1)
    north = np.stack(
        [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], -1
    )
    position_angle = np.arctan2(
        np.einsum("ij,ij->i", tangent, east), np.einsum("ij,ij->i", tangent, north)
    )
    # As make_path_sky_regions and Gammapy: the position angle of the travel plus 90 deg.
    angles = np.rad2deg(position_angle) + 90.0
    frame = start_pos.frame.replicate_without_data()
    centres = skycoord(frame, np.rad2deg(lon) % 360.0, np.rad2deg(lat))
    height = u.Quantity(height)
    return [
        RectangleSkyRegion(
            center=centres[i],
            width=step * u.deg,
            height=height,
            angle=angles[i] * u.deg,
            meta=PathRegionMeta(
                projected_distance=Angle(i * step, u.deg), path_segment=0
            ),
        )
        for i in range(nbin)
    ]
