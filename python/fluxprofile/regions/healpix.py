"""Sky regions on HEALPix maps: every region becomes a shape on the sphere in its own
local frame (`fluxprofile._core.SphereShapes`), and the compiled core picks the pixel
centres inside it (docs/healpix.rst).

The local frame of a region has its x axis at the region centre, its y axis along the
region's width direction (east turned towards south by the region angle, the
regions package's convention) and its z axis
along the height direction. Circles and annuli are caps and rings of angular radius;
rectangles are boxes ``|lon'| < width / 2, |lat'| < height / 2`` in that frame (their
width runs along the great circle through the centre, so boxes along a great circle tile
it exactly); polygons have great-circle edges. Rectangles and polygons larger than a
hemisphere are refused. Python picks the candidate pixels of each region (the children
of the coarse NESTED pixels near a cone around it, with astropy-healpix for the indexing)
and hands their centre unit vectors to the core.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import astropy.units as u
import numpy as np
from astropy.coordinates import CartesianRepresentation, SkyCoord
from regions import (
    CircleAnnulusSkyRegion,
    CircleSkyRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

from .. import _core
from .checks import SUPPORTED_TYPES, as_region_list
from .coords import lonlat, polygon_center
from .pixel_shapes import PixelShapes

if TYPE_CHECKING:
    from ..datamodel.hpx_geom import HpxGeom

__all__ = [
    "frame_rotation",
    "healpix_pixel_lists",
    "local_frame",
    "placeholder_shapes",
    "sphere_shapes",
]

_HEMISPHERE = 0.5 * np.pi
# Vertices closer than this to the far edge of the centre's hemisphere are refused: their
# gnomonic coordinates would blow up.
_MIN_COS = 1e-9


def frame_rotation(from_frame: Any, to_frame: Any) -> np.ndarray:
    """The 3x3 matrix turning unit vectors of ``from_frame`` into ``to_frame`` ones.

    Parameters
    ----------
    from_frame, to_frame : str or frame
        Celestial frames (e.g. "icrs", "galactic", or a region centre's frame).

    Returns
    -------
    matrix : `~numpy.ndarray`
        (3, 3), ``v_to = matrix @ v_from``.
    """
    basis = CartesianRepresentation(np.eye(3) * u.one)
    coords = SkyCoord(basis, frame=from_frame, representation_type="cartesian")
    turned = coords.transform_to(
        to_frame
    ).cartesian.xyz.value  # (3 components, 3 vectors)
    return np.ascontiguousarray(turned, dtype=np.float64)


def _unit_vector(lon: float, lat: float) -> np.ndarray:
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def local_frame(center: SkyCoord, angle: u.Quantity | float = 0.0) -> np.ndarray:
    """Rows (centre, width direction, height direction) of a region's local frame, as
    unit vectors of the centre's own frame.

    Parameters
    ----------
    center : `~astropy.coordinates.SkyCoord`
        Region centre (scalar).
    angle : `~astropy.units.Quantity` or float, optional
        The region's angle (rad if a float), as the regions package defines it: the
        width axis is east turned towards south by ``angle``.
        Default is 0.

    Returns
    -------
    frame : `~numpy.ndarray`
        (3, 3).
    """
    lon, lat = (float(np.deg2rad(v)) for v in lonlat(center))
    theta = u.Quantity(angle, u.rad).to_value(u.rad)
    c = _unit_vector(lon, lat)
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    north = np.array(
        [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)]
    )
    # The regions package's angle turns the width axis from the pixel +x axis (west on a
    # standard sky image) towards north: on the sky, from east towards south.
    width = np.cos(theta) * east - np.sin(theta) * north
    height = np.sin(theta) * east + np.cos(theta) * north
    return np.stack([c, width, height])


def _angle_rad(value: Any, what: str, i: int, region: Any) -> float:
    q = u.Quantity(value)
    if q.unit.physical_type != "angle" or not np.isfinite(q.value):
        msg = f"regions[{i}] ({type(region).__name__}): {what} must be a finite angle, got {value!r}"
        raise ValueError(msg)
    return float(q.to_value(u.rad))


def _refuse(i: int, region: Any, what: str) -> None:
    msg = (
        f"regions[{i}] ({type(region).__name__}): {what} is larger than a hemisphere; "
        "regions on HEALPix maps must fit in the hemisphere around their centre"
    )
    raise ValueError(msg)


class SphereTable:
    """The regions as shapes on the sphere in one map frame, with the cone (centre unit
    vector and radius) that holds each."""

    def __init__(
        self,
        shapes: _core.SphereShapes,
        cone_vectors: np.ndarray,
        cone_radius: np.ndarray,
    ) -> None:
        self.shapes = shapes
        self.cone_vectors = cone_vectors
        self.cone_radius = cone_radius

    def __len__(self) -> int:
        return len(self.shapes)


def sphere_shapes(regions: Any, frame: str) -> SphereTable:
    """The regions as `fluxprofile._core.SphereShapes` for a HEALPix map in ``frame``.

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        Rectangle, circle, annulus or polygon sky regions (any frames).
    frame : str
        The map's frame.

    Returns
    -------
    table : `SphereTable`

    Raises
    ------
    TypeError
        For pixel regions or unsupported types.
    ValueError
        For rectangles or polygons larger than a hemisphere, radii above 180 deg, or
        non-finite sizes.
    """
    regions = as_region_list(regions)
    n = len(regions)
    kind = np.zeros(n, dtype=np.int64)
    rotation = np.zeros((n, 3, 3))
    p0, p1 = np.zeros(n), np.zeros(n)
    cone_vectors, cone_radius = np.zeros((n, 3)), np.zeros(n)
    vu: list[np.ndarray] = []
    vv: list[np.ndarray] = []
    offsets = [0]
    turns: dict[str, np.ndarray] = {}

    def to_map(center_frame: Any) -> np.ndarray:
        bare = center_frame.replicate_without_data()
        key = repr(bare)
        if key not in turns:
            turns[key] = frame_rotation(bare, frame)
        return turns[key]

    for i, region in enumerate(regions):
        if isinstance(region, PolygonSkyRegion):
            vertices = region.vertices
            center = polygon_center(vertices)
            local = local_frame(center)
            xyz = local @ vertices.cartesian.xyz.value.reshape(3, -1)
            if np.any(xyz[0] <= _MIN_COS):
                _refuse(i, region, "the polygon")
            kind[i] = 3
            vu.append(xyz[1] / xyz[0])
            vv.append(xyz[2] / xyz[0])
            radius = float(np.max(np.arccos(np.clip(xyz[0], -1, 1))))
        elif isinstance(
            region, (RectangleSkyRegion, CircleSkyRegion, CircleAnnulusSkyRegion)
        ):
            center = region.center
            if isinstance(region, RectangleSkyRegion):
                local = local_frame(center, u.Quantity(region.angle))
                hw = 0.5 * _angle_rad(region.width, "width", i, region)
                hh = 0.5 * _angle_rad(region.height, "height", i, region)
                if not (hw > 0 and hh > 0):
                    msg = f"regions[{i}] (RectangleSkyRegion): width and height must be > 0"
                    raise ValueError(msg)
                if hw > _HEMISPHERE or hh > _HEMISPHERE:
                    _refuse(i, region, "the rectangle")
                kind[i], p0[i], p1[i] = 2, hw, hh
                radius = float(np.arccos(np.cos(hw) * np.cos(hh)))
            elif isinstance(region, CircleSkyRegion):
                local = local_frame(center)
                kind[i] = 0
                p0[i] = radius = _angle_rad(region.radius, "radius", i, region)
            else:
                local = local_frame(center)
                kind[i] = 1
                p0[i] = _angle_rad(region.inner_radius, "inner_radius", i, region)
                p1[i] = radius = _angle_rad(
                    region.outer_radius, "outer_radius", i, region
                )
            vu.append(np.zeros(0))
            vv.append(np.zeros(0))
        else:
            kind_name = type(region).__name__
            hint = (
                " (pixel regions have no sky position on a HEALPix map)"
                if "Pixel" in kind_name
                else ""
            )
            msg = f"regions[{i}]: {kind_name} is not supported on HEALPix maps{hint}; supported: {SUPPORTED_TYPES}"
            raise TypeError(msg)
        turn = to_map(center.frame)  # region frame -> map frame
        rotation[i] = local @ turn.T  # map frame -> local frame
        cone_vectors[i] = turn @ local[0]
        cone_radius[i] = radius
        offsets.append(offsets[-1] + vu[-1].size)
    try:
        shapes = _core.SphereShapes(
            kind, np.ascontiguousarray(rotation), p0, p1,
            np.concatenate(vu), np.concatenate(vv), np.asarray(offsets, dtype=np.int64),
        )  # fmt: skip
    except _core.InvalidInput as err:
        msg = f"regions on HEALPix: {err}"
        raise ValueError(msg) from None
    return SphereTable(shapes, cone_vectors, cone_radius)


def _coarse_nside(nside: int, radius: float) -> int:
    """NSIDE of the coarse grid searched for a cone of ``radius`` rad: pixels of about a
    quarter of the radius, at most the map's NSIDE, at least 1."""
    coarse = 1
    while coarse < nside and np.sqrt(4 * np.pi / (12 * coarse**2)) > radius / 4:
        coarse *= 2
    return coarse


@functools.lru_cache(maxsize=8)
def _coarse_vectors(coarse: int) -> np.ndarray:
    """Centre unit vectors (n, 3) of the NESTED pixels of a coarse grid (read-only)."""
    from astropy_healpix import HEALPix

    hp = HEALPix(nside=coarse, order="nested")
    lon, lat = hp.healpix_to_lonlat(np.arange(hp.npix))
    lon, lat = lon.to_value(u.rad), lat.to_value(u.rad)
    out = np.stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1
    )
    out.setflags(write=False)
    return out


def _cone_candidates(
    nside: int, nest: bool, vector: np.ndarray, radius: float
) -> np.ndarray:
    """HEALPix indices (map ordering) of every pixel whose centre may lie within
    ``radius`` of ``vector``: the children of the coarse pixels near the cone.

    A coarse pixel is kept when its centre is within ``radius`` plus twice its size (more
    than its centre-to-corner distance anywhere on the sphere), so every fine pixel with
    a centre in the cone is among the children.
    """
    from astropy_healpix import HEALPix

    coarse = _coarse_nside(nside, radius)
    dots = _coarse_vectors(coarse) @ vector
    margin = 2 * np.sqrt(4 * np.pi / (12 * coarse**2))
    keep = np.flatnonzero(dots >= np.cos(min(np.pi, radius + margin)))
    factor = (nside // coarse) ** 2
    children = (keep[:, None] * factor + np.arange(factor)[None, :]).ravel()
    if not nest:
        ring = HEALPix(nside=nside, order="nested").nested_to_ring(children)
        children = np.sort(np.asarray(ring, dtype=np.int64))
    return children.astype(np.int64, copy=False)


def _candidates(geom: HpxGeom, table: SphereTable) -> tuple[np.ndarray, np.ndarray]:
    """HEALPix indices of the candidate pixels of each region, and their offsets."""
    everything = None
    chunks, offsets = [], [0]
    for v, radius in zip(table.cone_vectors, table.cone_radius, strict=True):
        if radius >= np.pi - 1e-12:
            if everything is None:
                everything = np.arange(geom.npix_sky, dtype=np.int64)
            pix = everything
        else:
            pix = _cone_candidates(geom.nside, geom.nest, v, radius)
        chunks.append(pix)
        offsets.append(offsets[-1] + pix.size)
    pixels = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    return pixels, np.asarray(offsets, dtype=np.int64)


def healpix_pixel_lists(
    regions: Any, geom: HpxGeom, n_threads: int = 0, table: SphereTable | None = None
) -> _core.PixelLists:
    """The stored pixels of a HEALPix map whose centre is inside each region.

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        The regions.
    geom : `~fluxprofile.HpxGeom`
        The map's geometry.
    n_threads : int, optional
        Threads for the core (0 = all cores). Default is 0.
    table : `SphereTable`, optional
        ``sphere_shapes(regions, geom.frame)`` when already at hand.

    Returns
    -------
    pixels : `fluxprofile._core.PixelLists`
        On a (1, n_columns) grid: ``flat_index`` are stored columns, ``total[r]`` counts
        every pixel of the sphere inside region r (on the map or not).
    """
    if table is None:
        table = sphere_shapes(regions, geom.frame)
    pixels, offsets = _candidates(geom, table)
    vectors = geom.pixel_vectors(pixels)
    columns = geom.healpix_to_column(pixels)
    return _core.sphere_region_pixels(
        table.shapes, vectors, columns, offsets, geom.npix[0], n_threads
    )


def placeholder_shapes(n: int) -> PixelShapes:
    """A pixel-shape table of ``n`` entries for `fluxprofile._core.ReduceInputs` on a
    HEALPix map: the reduction reads the pixel lists, the table only gives the count."""
    builder = _core.ShapeTableBuilder(n)
    rows = np.arange(n, dtype=np.int64)
    builder.set_circles(rows, np.zeros(n), np.zeros(n), np.ones(n))
    return PixelShapes(builder)
