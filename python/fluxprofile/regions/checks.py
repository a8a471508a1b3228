"""Argument checks of the region modules: supported region types, region lists, angles,
bin counts and sizes, each failing with a message naming the argument or region."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import astropy.units as u
import numpy as np
from astropy.coordinates import (
    FK4,
    FK5,
    ICRS,
    BaseCoordinateFrame,
    Galactic,
    SkyCoord,
    UnitSphericalRepresentation,
)
from regions import (
    CircleAnnulusPixelRegion,
    CircleAnnulusSkyRegion,
    CirclePixelRegion,
    CircleSkyRegion,
    PolygonPixelRegion,
    PolygonSkyRegion,
    RectanglePixelRegion,
    RectangleSkyRegion,
    Region,
)

from .coords import describe_coord, lonlat

__all__ = [
    "PIXEL_TYPES",
    "SKY_TYPES",
    "SUPPORTED_TYPES",
    "angle_quantity",
    "as_region_list",
    "bin_count",
    "check_frame",
    "check_type",
    "positive_finite",
    "scalar_skycoord",
]

#: The sky regions the package converts, and their pixel counterparts.
SKY_TYPES = (
    RectangleSkyRegion,
    CircleSkyRegion,
    CircleAnnulusSkyRegion,
    PolygonSkyRegion,
)
PIXEL_TYPES = (
    RectanglePixelRegion,
    CirclePixelRegion,
    CircleAnnulusPixelRegion,
    PolygonPixelRegion,
)
SUPPORTED_TYPES = ", ".join(t.__name__ for t in SKY_TYPES + PIXEL_TYPES)


def scalar_skycoord(value: Any, name: str) -> SkyCoord:
    """Return ``value`` if it is a finite scalar `~astropy.coordinates.SkyCoord`.

    Parameters
    ----------
    value : object
        The argument.
    name : str
        Its name, for the error message.

    Returns
    -------
    coord : `~astropy.coordinates.SkyCoord`
        ``value`` itself.

    Raises
    ------
    TypeError
        If it is not a SkyCoord.
    ValueError
        If it is not scalar or not finite.
    """
    if not isinstance(value, SkyCoord):
        msg = f"{name} must be a scalar SkyCoord, got {type(value).__name__}"
        raise TypeError(msg)
    if not value.isscalar:
        msg = f"{name} must be a scalar SkyCoord, got shape {value.shape}"
        raise ValueError(msg)
    lon, lat = lonlat(value)
    if not (np.isfinite(lon) and np.isfinite(lat)):
        msg = f"{name} must be finite, got {describe_coord(value)}"
        raise ValueError(msg)
    return value


def angle_quantity(value: Any, name: str, *, positive: bool = True) -> u.Quantity:
    """The argument as a finite scalar angle (positive unless said otherwise).

    Parameters
    ----------
    value : `~astropy.units.Quantity` or str
        The argument, e.g. ``"3 deg"``.
    name : str
        Its name, for the error message.
    positive : bool, optional
        Whether the angle must be > 0. Default is True.

    Returns
    -------
    angle : `~astropy.units.Quantity`
        The angle, in its own unit.

    Raises
    ------
    TypeError
        If it is not a quantity.
    ValueError
        If it is not a scalar angle, not finite or (with ``positive``) not > 0.
    """
    try:
        q = u.Quantity(value)
    except (TypeError, ValueError) as err:
        msg = f"{name} must be an angle, got {value!r}"
        raise TypeError(msg) from err
    if q.unit.physical_type != "angle" or not q.isscalar:
        msg = f"{name} must be a scalar angle, got {value!r}"
        raise ValueError(msg)
    if not np.isfinite(q.value) or (positive and not q.value > 0):
        msg = f"{name} must be a finite{' positive' if positive else ''} angle, got {q}"
        raise ValueError(msg)
    return q


def bin_count(value: Any, name: str, minimum: int) -> int:
    """The argument as an integer of at least ``minimum``.

    Parameters
    ----------
    value : int
        The argument (bool is refused).
    name : str
        Its name, for the error message.
    minimum : int
        Smallest allowed value.

    Returns
    -------
    count : int

    Raises
    ------
    TypeError
        If it is not an integer.
    ValueError
        If it is smaller than ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be an integer, got {value!r}"
        raise TypeError(msg)
    if value < minimum:
        msg = f"{name} must be >= {minimum}, got {value}"
        raise ValueError(msg)
    return int(value)


def positive_finite(values: dict[str, float], index: int, type_name: str) -> None:
    """Check that the sizes of region ``index`` are finite and > 0.

    Parameters
    ----------
    values : dict of str to float
        The sizes by name (``{"width": w, "height": h}``).
    index : int
        The region's index in its list.
    type_name : str
        The region's class name.

    Raises
    ------
    ValueError
        For the first size that is not finite or not > 0.
    """
    for name, value in values.items():
        if not math.isfinite(value):
            msg = f"regions[{index}] ({type_name}): {name} must be finite, got {value}"
            raise ValueError(msg)
        if not value > 0:
            msg = f"regions[{index}] ({type_name}): {name} must be > 0, got {value}"
            raise ValueError(msg)


def as_region_list(regions: Any) -> list[Any]:
    """A non-empty list of the given regions (a single region is accepted too).

    Parameters
    ----------
    regions : `~regions.Region` or iterable of `~regions.Region`
        The regions.

    Returns
    -------
    regions : list

    Raises
    ------
    TypeError
        If ``regions`` is a string or not iterable.
    ValueError
        If it is empty.
    """
    if isinstance(regions, Region):
        return [regions]
    if isinstance(regions, (str, bytes)):
        msg = f"regions must be a list of regions, got {type(regions).__name__}"
        raise TypeError(msg)
    if not isinstance(regions, (Sequence, np.ndarray)):
        try:
            regions = list(regions)
        except TypeError as err:
            msg = f"regions must be a list of regions, got {type(regions).__name__}"
            raise TypeError(msg) from err
    regions = list(regions)
    if not regions:
        msg = "regions must contain at least one region, got an empty list"
        raise ValueError(msg)
    return regions


# Frames that always transform to the maps' frames (no observer, time or distance needed).
_PLAIN_FRAMES = (ICRS, Galactic, FK5, FK4)
# Frames (by their repr without data) already found to transform, or the error they gave.
_FRAME_CHECKS: dict[str, str | None] = {}


def _frame_problem(frame: BaseCoordinateFrame) -> str | None:
    """Why a direction in ``frame`` cannot be transformed to ICRS (None if it can)."""
    if isinstance(frame, _PLAIN_FRAMES):
        return None
    key = repr(frame.replicate_without_data())
    if key not in _FRAME_CHECKS:
        probe = SkyCoord(
            frame.realize_frame(UnitSphericalRepresentation(0 * u.deg, 0 * u.deg))
        )
        try:
            probe.transform_to(ICRS())
        except Exception as err:  # noqa: BLE001 - astropy raises many kinds here
            _FRAME_CHECKS[key] = f"{type(err).__name__}: {err}"
        else:
            _FRAME_CHECKS[key] = None
    return _FRAME_CHECKS[key]


def check_frame(region: Any, index: int) -> None:
    """Check that a sky region's coordinates can be transformed to a map's frame.

    Directions without distance in HCRS, or in AltAz / HADec without an observer
    location or time, cannot be: astropy then fails deep inside the transformation
    (``UnitsError``, ``AttributeError``) without naming the region.

    Parameters
    ----------
    region : object
        The region (pixel regions and other objects are not checked).
    index : int
        Its index in its list, for the error message.

    Raises
    ------
    ValueError
        Naming the region, its frame and astropy's reason.
    """
    coord = getattr(region, "center", None)
    if coord is None:
        coord = getattr(region, "vertices", None)
    if not isinstance(coord, SkyCoord):
        return
    problem = _frame_problem(coord.frame)
    if problem is not None:
        msg = (
            f"regions[{index}] ({type(region).__name__}): its coordinates in frame "
            f"{coord.frame.name!r} cannot be transformed to the map's frame ({problem}); "
            "give the region in ICRS or Galactic coordinates, or the frame's missing "
            "attributes (e.g. location and obstime of AltAz)"
        )
        raise ValueError(msg)


def check_type(region: Any, index: int) -> None:
    """Check that ``region`` is one of the supported sky or pixel region types.

    Parameters
    ----------
    region : object
        The region.
    index : int
        Its index in its list, for the error message.

    Raises
    ------
    TypeError
        For any other type, naming the supported ones.
    ValueError
        For a sky region whose frame cannot be transformed to a map's (`check_frame`).
    """
    if not isinstance(region, SKY_TYPES + PIXEL_TYPES):
        msg = (
            f"regions[{index}]: unsupported region type {type(region).__name__}; "
            f"supported types are {SUPPORTED_TYPES}"
        )
        raise TypeError(msg)
    check_frame(region, index)
