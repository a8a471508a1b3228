"""Sky coordinates in bulk for the region modules: longitudes and latitudes without
copies, the celestial WCS and its frame, and batches of SkyCoords transformed per frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import astropy.units as u
import numpy as np
from astropy.coordinates import (
    BaseCoordinateFrame,
    SkyCoord,
    SphericalRepresentation,
    UnitSphericalRepresentation,
)
from astropy.wcs import WCS
from astropy.wcs.utils import wcs_to_celestial_frame

__all__ = [
    "CoordBatch",
    "celestial_wcs",
    "common_frame",
    "describe_coord",
    "lonlat",
    "lonlat_in",
    "polygon_center",
    "skycoord",
]


def celestial_wcs(wcs: Any) -> Any:
    """Return a 2-D celestial WCS (``wcs.celestial`` for an astropy WCS with more axes)."""
    if wcs is None:
        msg = "wcs must be given to convert sky regions to pixels, got None"
        raise TypeError(msg)
    if not hasattr(wcs, "world_to_pixel"):
        msg = f"wcs must be a WCS object, got {type(wcs).__name__}"
        raise TypeError(msg)
    naxis = getattr(wcs, "naxis", 2)
    if naxis != 2:
        celestial = getattr(wcs, "celestial", None)
        if celestial is None or celestial.naxis != 2:
            msg = f"wcs must have two celestial axes, got {naxis} axes"
            raise ValueError(msg)
        return celestial
    return wcs


def describe_coord(coord: SkyCoord) -> str:
    """One-line description of a coordinate for error messages."""
    lon, lat = (np.array2string(np.asarray(v)) for v in lonlat(coord))
    return f"{coord.frame.name}({lon}, {lat}) deg"


def lonlat(coord: SkyCoord) -> tuple[Any, Any]:
    """Longitude and latitude values in deg (no copy of the stored representation)."""
    data = coord.data
    if not isinstance(data, (UnitSphericalRepresentation, SphericalRepresentation)):
        data = data.represent_as(UnitSphericalRepresentation)
    return data.lon.to_value(u.deg), data.lat.to_value(u.deg)


def common_frame(wcs: Any, first: SkyCoord) -> BaseCoordinateFrame:
    """Frame in which all coordinates are concatenated: the WCS frame if known."""
    if isinstance(wcs, WCS):
        try:
            return wcs_to_celestial_frame(wcs)
        except ValueError:  # pragma: no cover - a celestial frame astropy cannot name
            pass
    return first.frame.replicate_without_data()


@dataclass
class _FrameGroup:
    """Coordinates of one frame and angle units, with their output positions.

    Values are kept in their stored units: converting (say) rad to deg and back changes
    the last bit, which the 1 arcsec finite difference amplifies to ~1e-9 pixel.
    """

    frame: BaseCoordinateFrame
    units: tuple[u.UnitBase, u.UnitBase]
    lon: list[np.ndarray] = field(default_factory=list)
    lat: list[np.ndarray] = field(default_factory=list)
    index: list[np.ndarray] = field(default_factory=list)


class CoordBatch:
    """Collects SkyCoords, grouped by frame, to transform them in bulk."""

    def __init__(self) -> None:
        self._groups: list[_FrameGroup] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def _group_of(
        self, frame: BaseCoordinateFrame, units: tuple[u.UnitBase, u.UnitBase]
    ) -> _FrameGroup:
        for group in self._groups:
            if group.units == units and group.frame.is_equivalent_frame(frame):
                return group
        group = _FrameGroup(frame.replicate_without_data(), units)
        self._groups.append(group)
        return group

    def add(self, coord: SkyCoord) -> slice:
        """Queue ``coord`` and return its slice in the concatenated output."""
        data = coord.data
        if not isinstance(data, (UnitSphericalRepresentation, SphericalRepresentation)):
            data = data.represent_as(UnitSphericalRepresentation)
        lon = np.atleast_1d(data.lon.value)
        lat = np.atleast_1d(data.lat.value)
        out = slice(self._n, self._n + lon.size)
        group = self._group_of(coord.frame, (data.lon.unit, data.lat.unit))
        group.lon.append(lon)
        group.lat.append(lat)
        group.index.append(np.arange(out.start, out.stop))
        self._n = out.stop
        return out

    def groups(self) -> list[tuple[SkyCoord, np.ndarray]]:
        """One SkyCoord per group (in its frame and units) and its output positions."""
        out = []
        for group in self._groups:
            lon_unit, lat_unit = group.units
            rep = UnitSphericalRepresentation(
                np.concatenate(group.lon) * lon_unit,
                np.concatenate(group.lat) * lat_unit,
                copy=False,
            )
            coord = SkyCoord(group.frame.realize_frame(rep), copy=False)
            out.append((coord, np.concatenate(group.index)))
        return out


def lonlat_in(
    groups: list[tuple[SkyCoord, np.ndarray]], common: BaseCoordinateFrame, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (deg, original order) of frame groups in ``common``."""
    lon = np.empty(n)
    lat = np.empty(n)
    for coord, index in groups:
        if not coord.frame.is_equivalent_frame(common):
            coord = coord.transform_to(common)  # what world_to_pixel would do
        lon[index], lat[index] = lonlat(coord)
    return lon, lat


def skycoord(frame: BaseCoordinateFrame, lon: np.ndarray, lat: np.ndarray) -> SkyCoord:
    """A SkyCoord of ``frame`` at longitudes and latitudes in deg."""
    rep = UnitSphericalRepresentation(lon * u.deg, lat * u.deg)
    return SkyCoord(frame.realize_frame(rep))


def polygon_center(vertices: SkyCoord) -> SkyCoord:
    """Direction of the mean of the vertex unit vectors."""
    xyz = vertices.cartesian.xyz.value.reshape(3, -1).mean(axis=1)
    rep = UnitSphericalRepresentation.from_cartesian(
        vertices.cartesian.__class__(*(xyz * u.one))
    )
    return SkyCoord(vertices.frame.realize_frame(rep))
