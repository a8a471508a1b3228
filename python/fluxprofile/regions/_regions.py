"""Profile regions: Gammapy's region generators and their vectorised conversion to pixels.

On a standard pixel grid (square pixels, longitude increasing to the left) the pixel
conversion follows the rule Gammapy 2.1 uses through ``regions`` 0.10
(``region.to_pixel(wcs)`` followed by a pixel-centre containment test):

* the region centre goes through ``wcs.world_to_pixel``;
* the local pixel scale and the direction of North come from the point 1 arcsec due
  North of the centre (``SkyCoord.directional_offset_by``), also through the WCS;
* sizes are divided by that scale, and the pixel angle of a rectangle is its sky angle
  plus (north angle - 90 deg);
* polygon vertices go through the WCS one by one.

On any other grid, rectangles, circles and annuli go through the local Jacobian of the
projection at their centre instead (parallelograms and ellipses in pixels), and a region
whose outline crosses the projection seam, or does not project, is selected by testing
pixel centres on the sky: see ``docs/sky_geometry.rst`` and `fluxprofile._sky_geometry`.

Here all regions are converted together: one ``world_to_pixel`` call for all centres,
polygon vertices and outline checks, and one for all the offset points.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import (
    Angle,
    BaseCoordinateFrame,
    SkyCoord,
    SphericalRepresentation,
    UnitSphericalRepresentation,
)
from astropy.wcs import WCS
from astropy.wcs.utils import wcs_to_celestial_frame
from regions import (
    CircleAnnulusPixelRegion,
    CircleAnnulusSkyRegion,
    CirclePixelRegion,
    CircleSkyRegion,
    PixCoord,
    PolygonPixelRegion,
    PolygonSkyRegion,
    RectanglePixelRegion,
    RectangleSkyRegion,
    Region,
    RegionMeta,
)

from .sky_geometry import (
    affine_rows,
    great_circle_samples,
    jumps,
    local_jacobian,
    offset_points,
    outline_offsets,
    pixel_runs,
    sky_contains,
    standard_pixel_grid,
    unit_vectors,
    vector_lonlat,
)

__all__ = [
    "SHAPE_ANNULUS",
    "SHAPE_CIRCLE",
    "SHAPE_ELLIPSE",
    "SHAPE_PARALLELOGRAM",
    "SHAPE_PIXEL_RUNS",
    "SHAPE_POLYGON",
    "SHAPE_RECTANGLE",
    "PathRegionMeta",
    "PixelShapes",
    "make_concentric_annulus_sky_regions",
    "make_orthogonal_rectangle_sky_regions",
    "make_path_sky_regions",
    "plot_regions",
    "projected_distance_edges",
    "projected_distances",
    "region_centers",
    "sky_regions_to_pixel_shapes",
]

#: Shape kinds, column 0 of `PixelShapes.table` (the layout is stated once, in
#: ``cpp/include/fluxprofile/shapes.hpp``; `PixelShapes` summarises it).
SHAPE_RECTANGLE = 0
SHAPE_CIRCLE = 1
SHAPE_ANNULUS = 2
SHAPE_POLYGON = 3
SHAPE_PARALLELOGRAM = 4
SHAPE_ELLIPSE = 5
SHAPE_PIXEL_RUNS = 6
_KINDS = {
    "rectangle": SHAPE_RECTANGLE,
    "circle": SHAPE_CIRCLE,
    "annulus": SHAPE_ANNULUS,
    "polygon": SHAPE_POLYGON,
    "parallelogram": SHAPE_PARALLELOGRAM,
    "ellipse": SHAPE_ELLIPSE,
}

_SKY_TYPES = (
    RectangleSkyRegion,
    CircleSkyRegion,
    CircleAnnulusSkyRegion,
    PolygonSkyRegion,
)
_PIXEL_TYPES = (
    RectanglePixelRegion,
    CirclePixelRegion,
    CircleAnnulusPixelRegion,
    PolygonPixelRegion,
)
_SUPPORTED = ", ".join(t.__name__ for t in _SKY_TYPES + _PIXEL_TYPES)
# Offset towards North used to measure the local pixel scale and orientation (regions 0.10);
# also the offset towards East of the local Jacobian.
_NORTH_OFFSET_ARCSEC = 1.0
# Outline points of every rectangle / circle / annulus compared with its pixel shape, the
# denser outline of those that deviate (checked for jumps across the seam), and the outline
# of those selected on the sky (the pixels tested lie around it).
_OUTLINE_CHECK = 16
_OUTLINE_JUMPS = 64
_OUTLINE_DENSE = 256
# Points per great-circle polygon edge checked for jumps, and used for the sky fallback.
_EDGE_CHECK = 16
_EDGE_DENSE = 64
# An outline point deviating from its linearised pixel position by more than this fraction
# of its distance from the centre (plus 2 pixels) sends the region to the dense check.
_DEVIATION = 0.5
# Largest number of candidate pixels tested on the sky for one region.
_MAX_SKY_CANDIDATES = 2e7


# --------------------------------------------------------------------------------------
# Region generators (SEMANTICS §5.1 / §5.2)
# --------------------------------------------------------------------------------------


def _scalar_skycoord(value: Any, name: str) -> SkyCoord:
    if not isinstance(value, SkyCoord):
        msg = f"{name} must be a scalar SkyCoord, got {type(value).__name__}"
        raise TypeError(msg)
    if not value.isscalar:
        msg = f"{name} must be a scalar SkyCoord, got shape {value.shape}"
        raise ValueError(msg)
    lon, lat = _lonlat(value)
    if not (np.isfinite(lon) and np.isfinite(lat)):
        msg = f"{name} must be finite, got {_fmt(value)}"
        raise ValueError(msg)
    return value


def _angle(value: Any, name: str, *, positive: bool = True) -> u.Quantity:
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


def _nbin(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be an integer, got {value!r}"
        raise TypeError(msg)
    if value < minimum:
        msg = f"{name} must be >= {minimum}, got {value}"
        raise ValueError(msg)
    return int(value)


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
    wcs : `~astropy.wcs.WCS`
        Celestial WCS used to place the centres.
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
    start_pos = _scalar_skycoord(start_pos, "start_pos")
    end_pos = _scalar_skycoord(end_pos, "end_pos")
    nbin = _nbin(nbin, "nbin", 1)
    height_q = _angle(height, "height")
    wcs = _celestial_wcs(wcs)

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
        msg = f"start_pos and end_pos must differ, got {_fmt(start_pos)} twice"
        raise ValueError(msg)
    width = separation.to("rad") / nbin
    angle = end_pos.position_angle(start_pos) - 90 * u.deg
    return [
        RectangleSkyRegion(center=center, width=width, height=height_q, angle=angle)
        for center in coords
    ]


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
    center = _scalar_skycoord(center, "center")
    nbin = _nbin(nbin, "nbin", 2)
    r_max = _angle(radius_max, "radius_max")
    r_min = _angle(radius_min, "radius_min")
    if not r_min < r_max:
        msg = f"radius_min must be < radius_max, got {r_min} and {r_max}"
        raise ValueError(msg)
    edges = np.linspace(r_min, r_max, nbin)
    return [
        CircleAnnulusSkyRegion(center=center, inner_radius=r_in, outer_radius=r_out)
        for r_in, r_out in itertools.pairwise(edges)
    ]


class PathRegionMeta(RegionMeta):
    """Region meta data that can also hold a box's position along a path.

    `~regions.RegionMeta` accepts only the keys of the region file formats; this
    subclass adds ``"projected_distance"`` (an `~astropy.coordinates.Angle`, read by
    `projected_distances`) and ``"path_segment"`` (int, index of the path segment the
    box belongs to). It behaves like `~regions.RegionMeta` otherwise: region copies keep
    it, and the region file writers ignore the extra keys.
    """

    valid_keys = [*RegionMeta.valid_keys, "projected_distance", "path_segment"]


def _path_coords(path: Any) -> SkyCoord:
    if not isinstance(path, SkyCoord):
        msg = f"path must be a SkyCoord of at least 2 positions, got {type(path).__name__}"
        raise TypeError(msg)
    if path.ndim != 1 or path.size < 2:
        msg = f"path must be a 1-D SkyCoord of at least 2 positions, got shape {path.shape}"
        raise ValueError(msg)
    lon, lat = _lonlat(path)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        bad = int(np.argmax(~(np.isfinite(lon) & np.isfinite(lat))))
        msg = f"path positions must be finite, got path[{bad}] = {_fmt(path[bad])}"
        raise ValueError(msg)
    return path


def _unit_vectors(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    lon, lat = np.deg2rad(lon_deg), np.deg2rad(lat_deg)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)


def _boxes_per_segment(
    lengths: np.ndarray, nbin: int | None, bin_size: u.Quantity | None
) -> np.ndarray:
    """Number of equal boxes on each segment (see `make_path_sky_regions`)."""
    n_seg = lengths.size
    if bin_size is not None:
        ratio = lengths / bin_size.to_value(u.deg)
        # ceil, tolerant to rounding: a segment of exactly k * bin_size gets k boxes
        return np.maximum(1, np.ceil(ratio * (1 - 1e-12))).astype(np.int64)
    assert nbin is not None
    if nbin < n_seg:
        msg = (
            f"nbin must be >= the number of path segments ({n_seg}): every segment gets "
            f"at least one box, got nbin={nbin}"
        )
        raise ValueError(msg)
    # Start with one box per segment and give each further box to the segment with the
    # longest boxes (ties: the first one): box lengths as equal as possible.
    counts = np.ones(n_seg, dtype=np.int64)
    for _ in range(nbin - n_seg):
        counts[int(np.argmax(lengths / counts))] += 1
    return counts


def make_path_sky_regions(
    path: SkyCoord,
    width: u.Quantity | str,
    nbin: int | None = None,
    bin_size: u.Quantity | str | None = None,
    wcs: Any = None,
) -> list[RectangleSkyRegion]:
    """Boxes following a polyline of sky positions (a jet, a shell, an arm).

    The path is a sequence of great-circle segments between consecutive positions.
    Each segment is cut into boxes of equal length (great-circle arc length); box
    edges fall on the vertices, so no box spans a vertex. Each box is a
    `~regions.RectangleSkyRegion` centred on the segment, its ``width`` along the path
    (the box length), its ``height`` across it (the ``width`` argument) and its angle
    given by the local direction of the segment at the box centre: the position angle
    of the segment start seen from the box centre, minus 90 deg (the convention of
    `make_orthogonal_rectangle_sky_regions`, which takes it at the end of the line).

    The projected distance of a box is the arc length along the path from the centre
    of the first box to the centre of the box (the first box is at 0, as in Gammapy's
    profiles; add half the first box length for the distance from the path start). It
    is stored as ``region.meta["projected_distance"]`` (`~astropy.coordinates.Angle`,
    deg) together with ``region.meta["path_segment"]`` (segment index), see
    `PathRegionMeta`; `projected_distances` and hence `FluxProfileEstimator` use it.
    For a straight path along a great circle of constant position angle (e.g. along
    the equator of the frame) the boxes are those of
    `make_orthogonal_rectangle_sky_regions` with the same ends and ``nbin``.

    Parameters
    ----------
    path : `~astropy.coordinates.SkyCoord`
        Vertices of the polyline, shape ``(n,)`` with ``n >= 2``. Consecutive vertices
        must differ and must not be antipodal.
    width : `~astropy.units.Quantity` or str
        Extent of every box perpendicular to the path, e.g. ``"0.5 deg"``.
    nbin : int, optional
        Total number of boxes. They are distributed over the segments so that the box
        lengths are as equal as possible: every segment gets one box, then each further
        box goes to the segment whose boxes are currently the longest. Must be at least
        the number of segments. Default is None.
    bin_size : `~astropy.units.Quantity` or str, optional
        Maximum box length: each segment gets the smallest number of equal boxes not
        longer than ``bin_size`` (at least one). Default is None. Exactly one of
        ``nbin`` and ``bin_size`` must be given.
    wcs : `~astropy.wcs.WCS`, optional
        Celestial WCS of the map. If given, the path is expressed in the WCS frame
        first (so that the boxes are in the frame of the map, as with
        `make_orthogonal_rectangle_sky_regions`) and its vertices must project to
        finite pixels. Default is None (the frame of ``path``).

    Returns
    -------
    regions : list of `~regions.RectangleSkyRegion`
        Boxes ordered along the path, their meta a `PathRegionMeta`.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the path has fewer than 2 positions, non-finite, repeated or antipodal
        consecutive positions, or vertices outside the WCS projection; if not exactly
        one of ``nbin`` and ``bin_size`` is given, ``nbin`` is smaller than the number
        of segments, or ``width``/``bin_size`` is not a positive finite angle.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.coordinates import SkyCoord
    >>> from fluxprofile.regions import make_path_sky_regions, projected_distances
    >>> path = SkyCoord([0, 2, 2], [0, 0, 1], unit="deg", frame="galactic")
    >>> boxes = make_path_sky_regions(path, width="0.5 deg", bin_size="0.5 deg")
    >>> len(boxes)
    6
    >>> projected_distances(boxes).to_value("deg").round(6).tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    """
    path = _path_coords(path)
    height = _angle(width, "width")
    if (nbin is None) == (bin_size is None):
        msg = (
            "exactly one of nbin and bin_size must be given, got "
            f"nbin={nbin!r} and bin_size={bin_size!r}"
        )
        raise ValueError(msg)
    size_q = None
    if bin_size is not None:
        size_q = _angle(bin_size, "bin_size")
    else:
        nbin = _nbin(nbin, "nbin", 1)

    if wcs is not None:
        wcs = _celestial_wcs(wcs)
        common = _common_frame(wcs, path)
        if not path.frame.is_equivalent_frame(common):
            path = path.transform_to(common)
        x, y = (np.asarray(v, dtype=np.float64) for v in wcs.world_to_pixel(path))
        bad = ~(np.isfinite(x) & np.isfinite(y))
        if np.any(bad):
            i = int(np.argmax(bad))
            msg = f"path[{i}] = {_fmt(path[i])} falls outside the WCS projection"
            raise ValueError(msg)
    frame = path.frame.replicate_without_data()

    vec = _unit_vectors(*_lonlat(path))
    start, end = vec[:-1], vec[1:]
    cross = np.cross(start, end)
    sin_len = np.linalg.norm(cross, axis=-1)
    lengths = np.rad2deg(np.arctan2(sin_len, np.einsum("ij,ij->i", start, end)))
    for k, length in enumerate(lengths):
        if not length > 0:
            msg = (
                "consecutive path positions must differ, got "
                f"path[{k}] == path[{k + 1}] = {_fmt(path[k])}"
            )
            raise ValueError(msg)
        if not sin_len[k] > 1e-12:
            msg = (
                f"path[{k}] and path[{k + 1}] are antipodal: the great circle between them "
                "is undefined (add a vertex in between)"
            )
            raise ValueError(msg)
    counts = _boxes_per_segment(lengths, nbin, size_q)

    segment = np.repeat(np.arange(lengths.size), counts)
    index = np.arange(segment.size) - np.repeat(np.cumsum(counts) - counts, counts)
    frac = (index + 0.5) / counts[segment]
    omega = np.deg2rad(lengths[segment])
    # great-circle interpolation between the segment ends
    a = np.sin((1 - frac) * omega) / np.sin(omega)
    b = np.sin(frac * omega) / np.sin(omega)
    centre = a[:, None] * start[segment] + b[:, None] * end[segment]
    centre /= np.linalg.norm(centre, axis=-1, keepdims=True)
    # direction of travel at the centre: (pole of the segment's great circle) x centre
    pole = cross[segment] / sin_len[segment, None]
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
    # Gammapy's box angle is the position angle of the start as seen from the end, minus
    # 90 deg; here seen from the box centre: (direction of travel + 180 deg) - 90 deg.
    angles = np.rad2deg(position_angle) + 90.0

    box_length = lengths / counts
    path_start = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    distance = path_start[segment] + (index + 0.5) * box_length[segment]
    distance -= distance[0]
    centres = _skycoord(frame, np.rad2deg(lon) % 360.0, np.rad2deg(lat))
    return [
        RectangleSkyRegion(
            center=centres[i],
            width=box_length[segment[i]] * u.deg,
            height=height,
            angle=angles[i] * u.deg,
            meta=PathRegionMeta(
                projected_distance=Angle(distance[i], u.deg),
                path_segment=int(segment[i]),
            ),
        )
        for i in range(segment.size)
    ]


# --------------------------------------------------------------------------------------
# Pixel shapes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PixelShapes:
    """Pixel-space parameters of a list of regions, in the layout of the C++ core.

    Attributes
    ----------
    table : `~numpy.ndarray`
        ``(n, 7)`` float64 rows ``[kind, x, y, c3, c4, c5, c6]`` in 0-based pixel
        coordinates, as stated in ``cpp/include/fluxprofile/shapes.hpp``. ``kind`` 0:
        rectangle (c3, c4 = full width and height, c5, c6 = cos and sin of the angle);
        1: circle (c3 = radius, c5 = 1); 2: annulus (c3, c4 = inner and outer radius,
        c5 = 1); 3: polygon (x, y = mean of the vertices, c3 ... c6 = 0);
        4: parallelogram (c3 ... c6 = the matrix taking pixel offsets to the unit square);
        5: ellipse (c3, c4, c5 = q00, q01, q11 of the form that is 1 on the outer edge,
        c6 = squared inner/outer ratio, 0 for a full ellipse); 6: pixel runs (an explicit
        pixel set in the vertex arrays). Unused entries are 0.
    vertices_x, vertices_y : `~numpy.ndarray`
        ``(m,)`` float64 vertices of all polygons and pixel runs, concatenated.
    vertex_offsets : `~numpy.ndarray`
        ``(n + 1,)`` int64: region ``i`` owns vertices ``vertex_offsets[i]`` to
        ``vertex_offsets[i + 1]`` (empty for other kinds).
    """

    table: npt.NDArray[np.float64]
    vertices_x: npt.NDArray[np.float64]
    vertices_y: npt.NDArray[np.float64]
    vertex_offsets: npt.NDArray[np.int64]

    def __len__(self) -> int:
        """Return the number of regions."""
        return int(self.table.shape[0])

    @property
    def kind(self) -> npt.NDArray[np.int64]:
        """Shape kind of every region (0 rectangle ... 6 pixel runs, see `table`)."""
        return self.table[:, 0].astype(np.int64)

    @property
    def angle(self) -> u.Quantity:
        """Pixel angle of every region (counter-clockwise from +x), in deg.

        NaN for parallelograms, ellipses and pixel runs, which have no single angle.
        """
        angle = np.rad2deg(np.arctan2(self.table[:, 6], self.table[:, 5]))
        angle[self.table[:, 0] >= SHAPE_PARALLELOGRAM] = np.nan
        return u.Quantity(angle, u.deg)


def _celestial_wcs(wcs: Any) -> Any:
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


def _fmt(coord: SkyCoord) -> str:
    """One-line description of a coordinate for error messages."""
    lon, lat = (np.array2string(np.asarray(v)) for v in _lonlat(coord))
    return f"{coord.frame.name}({lon}, {lat}) deg"


def _lonlat(coord: SkyCoord) -> tuple[Any, Any]:
    """Longitude and latitude values in deg (no copy of the stored representation)."""
    data = coord.data
    if not isinstance(data, (UnitSphericalRepresentation, SphericalRepresentation)):
        data = data.represent_as(UnitSphericalRepresentation)
    return data.lon.to_value(u.deg), data.lat.to_value(u.deg)


def _common_frame(wcs: Any, first: SkyCoord) -> BaseCoordinateFrame:
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


class _CoordBatch:
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


def _lonlat_in(
    groups: list[tuple[SkyCoord, np.ndarray]], common: BaseCoordinateFrame, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (deg, original order) of frame groups in ``common``."""
    lon = np.empty(n)
    lat = np.empty(n)
    for coord, index in groups:
        if not coord.frame.is_equivalent_frame(common):
            coord = coord.transform_to(common)  # what world_to_pixel would do
        lon[index], lat[index] = _lonlat(coord)
    return lon, lat


def _skycoord(frame: BaseCoordinateFrame, lon: np.ndarray, lat: np.ndarray) -> SkyCoord:
    rep = UnitSphericalRepresentation(lon * u.deg, lat * u.deg)
    return SkyCoord(frame.realize_frame(rep))


def _positive_finite(values: dict[str, float], index: int, type_name: str) -> None:
    for name, value in values.items():
        if not math.isfinite(value):
            msg = f"regions[{index}] ({type_name}): {name} must be finite, got {value}"
            raise ValueError(msg)
        if not value > 0:
            msg = f"regions[{index}] ({type_name}): {name} must be > 0, got {value}"
            raise ValueError(msg)


def _as_region_list(regions: Any) -> list[Any]:
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


def _check_type(region: Any, index: int) -> None:
    if not isinstance(region, _SKY_TYPES + _PIXEL_TYPES):
        msg = (
            f"regions[{index}]: unsupported region type {type(region).__name__}; "
            f"supported types are {_SUPPORTED}"
        )
        raise TypeError(msg)


def sky_regions_to_pixel_shapes(regions: Any, wcs: Any = None) -> PixelShapes:
    """Convert regions to pixel shapes for the C++ core, all at once.

    Sky regions are converted as ``docs/sky_geometry.rst`` states: on a standard pixel
    grid (square pixels, longitude increasing to the left) with the rule of ``regions``
    0.10 ``to_pixel`` (the one behind Gammapy 2.1's region masks, see the module
    docstring), on any other grid through the local Jacobian of the projection
    (parallelograms and ellipses); polygons by their projected vertices. A region whose
    outline crosses the projection seam, or that does not project, is selected on the sky
    and becomes explicit pixel runs (no run at all if no pixel of the map is inside it).
    Pixel regions are taken as they are.

    Parameters
    ----------
    regions : list of `~regions.Region`
        `~regions.RectangleSkyRegion`, `~regions.CircleSkyRegion`,
        `~regions.CircleAnnulusSkyRegion`, `~regions.PolygonSkyRegion` or the
        corresponding pixel regions (a single region is accepted too).
    wcs : `~astropy.wcs.WCS`, optional
        Celestial WCS of the map; required when there is a sky region. A WCS with more
        than two axes is reduced to its celestial part. Default is None.

    Returns
    -------
    shapes : `PixelShapes`
        One row per region, in order.

    Raises
    ------
    TypeError
        If ``regions`` is not a list of supported regions (the message names the index
        and the type), or if ``wcs`` is missing for sky regions.
    ValueError
        If the list is empty, a size is zero, negative or not finite, an annulus has
        inner radius >= outer radius, a polygon has fewer than 3 vertices, a position is
        not finite, or a region across the seam is too large to be selected on the sky
        (a polygon beyond a hemisphere, or more than 2e7 pixels to test).
    """
    regions = _as_region_list(regions)
    n = len(regions)
    table = np.zeros((n, 7), dtype=np.float64)
    table[:, 5] = 1.0

    centres = _CoordBatch()  # centres of non-polygon sky regions
    vertices = _CoordBatch()  # vertices of sky polygons
    sky_rows: list[int] = []
    sizes: list[tuple[float, float, float]] = []  # (w or r_in, h or r_out) arcsec, deg
    poly_slices: dict[int, slice] = {}
    pixel_vertices: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    for i, region in enumerate(regions):
        _check_type(region, i)
        if isinstance(region, PolygonSkyRegion):
            table[i, 0] = SHAPE_POLYGON
            table[i, 5] = 0.0
            _check_sky_polygon(region, i)
            poly_slices[i] = vertices.add(region.vertices)
        elif isinstance(region, _SKY_TYPES):
            table[i, 0], size = _sky_size(region, i)
            sizes.append(size)
            sky_rows.append(i)
            centres.add(region.center)
        else:
            _fill_pixel_row(table, i, region, pixel_vertices)

    if len(centres) or len(vertices):
        _convert_sky_rows(
            table, regions, wcs, centres, vertices, np.asarray(sky_rows, dtype=np.int64),
            sizes, poly_slices, pixel_vertices,
        )

    counts = np.zeros(n + 1, dtype=np.int64)
    for i, (vx, _) in pixel_vertices.items():
        counts[i + 1] = vx.size
    vertex_offsets = np.cumsum(counts).astype(np.int64)
    vertices_x = np.zeros(int(vertex_offsets[-1]), dtype=np.float64)
    vertices_y = np.zeros_like(vertices_x)
    for i, (vx, vy) in pixel_vertices.items():
        lo, hi = vertex_offsets[i], vertex_offsets[i + 1]
        vertices_x[lo:hi] = vx
        vertices_y[lo:hi] = vy
        if vx.size:
            table[i, 1] = vx.mean()
            table[i, 2] = vy.mean()
    return PixelShapes(
        np.ascontiguousarray(table),
        np.ascontiguousarray(vertices_x),
        np.ascontiguousarray(vertices_y),
        np.ascontiguousarray(vertex_offsets),
    )


def _convert_sky_rows(
    table: np.ndarray,
    regions: list[Any],
    wcs: Any,
    centres: _CoordBatch,
    vertices: _CoordBatch,
    sky_rows: np.ndarray,
    sizes: list[tuple[float, float, float]],
    poly_slices: dict[int, slice],
    pixel_vertices: dict[int, tuple[np.ndarray, np.ndarray]],
) -> None:
    """Fill the rows of the sky regions (docs/sky_geometry.rst).

    Rectangles, circles and annuli get Gammapy's rule on a standard grid and their local
    Jacobian elsewhere; polygons their projected vertices. A region whose outline does not
    project continuously becomes pixel runs selected on the sky.
    """
    wcs = _celestial_wcs(wcs)
    standard = standard_pixel_grid(wcs)
    kind = table[sky_rows, 0].astype(np.int64)
    size = np.asarray(sizes, dtype=np.float64).reshape(-1, 3)
    poly_items = list(poly_slices.items())
    proj = _project(
        centres, vertices, wcs, standard, kind, size, [sl for _, sl in poly_items]
    )
    common = proj.common
    fallback: list[int] = []

    if sky_rows.size:
        _fill_sky_rows(table, sky_rows, size, proj, standard)
        projects = _projects(proj)
        fallback.extend(int(i) for i in sky_rows[~projects])
        suspect = np.flatnonzero(projects & _deviating_outlines(proj, kind, size))
        if suspect.size:
            # a dense outline tells a seam (a jump) from mere distortion
            where = np.full(kind.size, -1)
            where[suspect] = np.arange(suspect.size)
            groups = []
            for coord, index in proj.centre_groups:
                keep = where[index] >= 0
                if np.any(keep):
                    groups.append((coord[keep], where[index[keep]]))
            pa, dist = outline_offsets(kind[suspect], size[suspect], _OUTLINE_JUMPS, _KINDS)
            lon, lat = _group_outlines(groups, common, pa, dist)
            xyz = unit_vectors(lon, lat)
            nxt = np.roll(xyz, -1, axis=1)
            steps = np.arctan2(
                np.linalg.norm(np.cross(xyz, nxt), axis=-1), np.einsum("nij,nij->ni", xyz, nxt)
            )
            px, py = (
                np.asarray(v, dtype=np.float64).reshape(lon.shape)
                for v in wcs.world_to_pixel(_skycoord(common, lon.ravel(), lat.ravel()))
            )
            broken = np.any(jumps(px, py, steps), axis=1)
            fallback.extend(int(i) for i in sky_rows[suspect[broken]])

    for i, sl in poly_items:
        vx, vy = proj.vx[sl], proj.vy[sl]
        esl = slice(sl.start * _EDGE_CHECK, sl.stop * _EDGE_CHECK)
        finite = np.all(np.isfinite(vx)) and np.all(np.isfinite(vy))
        if finite and not np.any(jumps(proj.edge_x[esl], proj.edge_y[esl], proj.edge_steps[esl])):
            pixel_vertices[i] = (vx, vy)
        else:
            fallback.append(i)

    for i in sorted(fallback):
        runs = _sky_fallback(regions[i], i, wcs, common)
        table[i, 0] = SHAPE_PIXEL_RUNS
        table[i, 1:7] = 0.0
        pixel_vertices[i] = runs


def _fill_pixel_row(
    table: np.ndarray,
    i: int,
    region: Any,
    pixel_vertices: dict[int, tuple[np.ndarray, np.ndarray]],
) -> None:
    """Copy the parameters of a pixel region into row ``i`` (with validation)."""
    name = type(region).__name__
    if isinstance(region, PolygonPixelRegion):
        table[i, 0] = SHAPE_POLYGON
        table[i, 5] = 0.0
        vx = np.array(region.vertices.x, dtype=np.float64, ndmin=1)
        vy = np.array(region.vertices.y, dtype=np.float64, ndmin=1)
        if vx.size < 3:
            msg = f"regions[{i}] ({name}): a polygon needs >= 3 vertices, got {vx.size}"
            raise ValueError(msg)
        if not (np.all(np.isfinite(vx)) and np.all(np.isfinite(vy))):
            msg = (
                f"regions[{i}] ({name}): vertices must be finite, got {region.vertices}"
            )
            raise ValueError(msg)
        pixel_vertices[i] = (vx, vy)
        return
    x, y = float(region.center.x), float(region.center.y)
    if not (math.isfinite(x) and math.isfinite(y)):
        msg = f"regions[{i}] ({name}): center must be finite, got ({x}, {y})"
        raise ValueError(msg)
    table[i, 1:3] = x, y
    if isinstance(region, RectanglePixelRegion):
        w, h = float(region.width), float(region.height)
        _positive_finite({"width": w, "height": h}, i, name)
        angle = region.angle.to_value(u.rad)
        if not math.isfinite(angle):
            msg = f"regions[{i}] ({name}): angle must be finite, got {region.angle}"
            raise ValueError(msg)
        table[i, 0] = SHAPE_RECTANGLE
        table[i, 3:7] = w, h, math.cos(angle), math.sin(angle)
    elif isinstance(region, CirclePixelRegion):
        r = float(region.radius)
        _positive_finite({"radius": r}, i, name)
        table[i, 0] = SHAPE_CIRCLE
        table[i, 3] = r
    else:
        r_in, r_out = float(region.inner_radius), float(region.outer_radius)
        _positive_finite({"inner_radius": r_in, "outer_radius": r_out}, i, name)
        if not r_in < r_out:
            msg = (
                f"regions[{i}] ({name}): inner_radius must be < outer_radius, got "
                f"{r_in} and {r_out}"
            )
            raise ValueError(msg)
        table[i, 0] = SHAPE_ANNULUS
        table[i, 3:5] = r_in, r_out


def _check_sky_polygon(region: PolygonSkyRegion, i: int) -> None:
    name = type(region).__name__
    if region.vertices.size < 3:
        msg = f"regions[{i}] ({name}): a polygon needs >= 3 vertices, got {region.vertices.size}"
        raise ValueError(msg)
    lon, lat = _lonlat(region.vertices)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        msg = f"regions[{i}] ({name}): vertices must be finite, got {_fmt(region.vertices)}"
        raise ValueError(msg)


def _sky_size(region: Any, i: int) -> tuple[int, tuple[float, float, float]]:
    """Validated kind and (size1 arcsec, size2 arcsec, angle deg) of a sky region."""
    name = type(region).__name__
    lon, lat = _lonlat(region.center)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        msg = f"regions[{i}] ({name}): center must be finite, got {_fmt(region.center)}"
        raise ValueError(msg)
    if isinstance(region, RectangleSkyRegion):
        w = region.width.to_value(u.arcsec)
        h = region.height.to_value(u.arcsec)
        _positive_finite({"width": w, "height": h}, i, name)
        angle = region.angle.to_value(u.deg)
        if not math.isfinite(angle):
            msg = f"regions[{i}] ({name}): angle must be finite, got {region.angle}"
            raise ValueError(msg)
        return SHAPE_RECTANGLE, (w, h, angle)
    if isinstance(region, CircleSkyRegion):
        r = region.radius.to_value(u.arcsec)
        _positive_finite({"radius": r}, i, name)
        return SHAPE_CIRCLE, (r, 0.0, 0.0)
    r_in = region.inner_radius.to_value(u.arcsec)
    r_out = region.outer_radius.to_value(u.arcsec)
    _positive_finite({"inner_radius": r_in, "outer_radius": r_out}, i, name)
    if not r_in < r_out:
        msg = (
            f"regions[{i}] ({name}): inner_radius must be < outer_radius, got "
            f"{region.inner_radius} and {region.outer_radius}"
        )
        raise ValueError(msg)
    return SHAPE_ANNULUS, (r_in, r_out, 0.0)


@dataclass
class _Projected:
    """Pixels of everything projected for the sky regions (see `_project`)."""

    x0: np.ndarray  # centres
    y0: np.ndarray
    jac: np.ndarray  # (n, 2, 2) local Jacobians, pixels per arcsec towards East, North
    x1: np.ndarray  # the points 1 arcsec North of the centres (Gammapy's rule)
    y1: np.ndarray
    vx: np.ndarray  # polygon vertices
    vy: np.ndarray
    outline_lon: np.ndarray  # (n, _OUTLINE_CHECK) outline points, WCS frame, deg
    outline_lat: np.ndarray
    outline_x: np.ndarray
    outline_y: np.ndarray
    edge_x: np.ndarray  # polygon edge samples, _EDGE_CHECK per vertex
    edge_y: np.ndarray
    edge_steps: np.ndarray  # great-circle length (rad) of the step after each edge sample
    common: BaseCoordinateFrame  # the frame of the WCS (or of the first region)
    centre_groups: list[tuple[SkyCoord, np.ndarray]]  # the centres by frame, batch positions


def _group_outlines(
    centre_groups: list[tuple[SkyCoord, np.ndarray]],
    common: BaseCoordinateFrame,
    pa: np.ndarray,
    dist: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Outline points at (pa, dist) from each centre, in its frame, expressed in ``common``."""
    lon = np.empty(pa.shape)
    lat = np.empty(pa.shape)
    for coord, index in centre_groups:
        clon, clat = (np.atleast_1d(v) for v in _lonlat(coord))
        olon, olat = offset_points(clon[:, None], clat[:, None], pa[index], dist[index])
        points = _skycoord(coord.frame, olon.ravel(), olat.ravel())
        if not points.frame.is_equivalent_frame(common):
            points = points.transform_to(common)
        plon, plat = _lonlat(points)
        lon[index] = np.reshape(plon, olon.shape)
        lat[index] = np.reshape(plat, olat.shape)
    return lon, lat


def _project(
    centres: _CoordBatch,
    vertices: _CoordBatch,
    wcs: Any,
    standard: bool,
    kind: np.ndarray,
    size: np.ndarray,
    polygon_slices: list[slice],
) -> _Projected:
    """Pixels of the centres, their offset points, polygon vertices and outline checks.

    Two ``world_to_pixel`` calls in all. The offsets (1 arcsec North, and East on a
    non-standard grid) are taken in each centre's own frame (as regions does), then
    everything is expressed in the WCS frame.
    """
    centre_groups = centres.groups()
    vertex_groups = vertices.groups()
    common = _common_frame(wcs, (centre_groups or vertex_groups)[0][0])
    nc, nv = len(centres), len(vertices)
    lon_c, lat_c = _lonlat_in(centre_groups, common, nc)
    lon_v, lat_v = _lonlat_in(vertex_groups, common, nv)
    pa, dist = outline_offsets(kind, size, _OUTLINE_CHECK, _KINDS)
    out_lon, out_lat = _group_outlines(centre_groups, common, pa, dist)
    # _EDGE_CHECK samples per polygon vertex (vertex slice sl -> samples sl * _EDGE_CHECK)
    vertex_xyz = unit_vectors(lon_v, lat_v)
    edge_parts = [great_circle_samples(vertex_xyz[sl], _EDGE_CHECK) for sl in polygon_slices]
    edge_xyz = np.concatenate([p[0] for p in edge_parts]) if edge_parts else np.zeros((0, 3))
    edge_steps = np.concatenate([p[1] for p in edge_parts]) if edge_parts else np.zeros(0)
    edge_lon, edge_lat = vector_lonlat(edge_xyz)
    points = _skycoord(
        common,
        np.concatenate([lon_c, lon_v, out_lon.ravel(), edge_lon]),
        np.concatenate([lat_c, lat_v, out_lat.ravel(), edge_lat]),
    )
    x, y = (
        np.asarray(v, dtype=np.float64).reshape(-1) for v in wcs.world_to_pixel(points)
    )
    n_out = out_lon.size
    sl = [0, nc, nc + nv, nc + nv + n_out, x.size]
    parts_x = [x[a:b] for a, b in itertools.pairwise(sl)]
    parts_y = [y[a:b] for a, b in itertools.pairwise(sl)]
    x0, y0 = parts_x[0], parts_y[0]
    jac = np.zeros((nc, 2, 2))
    x1 = y1 = np.zeros(nc)
    if nc:
        offset = _NORTH_OFFSET_ARCSEC * u.arcsec
        directions = [0.0 * u.deg] if standard else [0.0 * u.deg, 90.0 * u.deg]
        offset_lon, offset_lat = [], []
        for direction in directions:
            groups = [
                (coord.directional_offset_by(direction, offset), index)
                for coord, index in centre_groups
            ]
            olon, olat = _lonlat_in(groups, common, nc)
            offset_lon.append(olon)
            offset_lat.append(olat)
        xo, yo = (
            np.asarray(v, dtype=np.float64).reshape(-1)
            for v in wcs.world_to_pixel(
                _skycoord(common, np.concatenate(offset_lon), np.concatenate(offset_lat))
            )
        )
        x1, y1 = xo[:nc], yo[:nc]
        east = None if standard else (xo[nc:], yo[nc:])
        jac = local_jacobian(x0, y0, (x1, y1), east, _NORTH_OFFSET_ARCSEC)
    shape = out_lon.shape
    return _Projected(
        x0, y0, jac, x1, y1, parts_x[1], parts_y[1], out_lon, out_lat,
        parts_x[2].reshape(shape), parts_y[2].reshape(shape), parts_x[3], parts_y[3],
        edge_steps, common, centre_groups,
    )


def _projects(proj: _Projected) -> np.ndarray:
    """Whether each centre and its local Jacobian project (finite, invertible)."""
    jac = proj.jac
    with np.errstate(invalid="ignore", over="ignore"):
        det = jac[:, 0, 0] * jac[:, 1, 1] - jac[:, 0, 1] * jac[:, 1, 0]
        return (
            np.isfinite(proj.x0)
            & np.isfinite(proj.y0)
            & np.all(np.isfinite(jac), axis=(1, 2))
            & (np.abs(det) > 0)
        )


def _fill_sky_rows(
    table: np.ndarray,
    rows: np.ndarray,
    size: np.ndarray,
    proj: _Projected,
    standard: bool,
) -> None:
    """Pixel shapes of the sky rows that project: Gammapy's rule, or the local Jacobian.

    Rows whose centre or Jacobian is not finite are left alone (the caller sends them to
    the sky fallback).
    """
    ok = _projects(proj)
    kind = table[rows, 0]
    if standard:
        # regions 0.10: one scale and one angle from the North offset.
        dx = proj.x1 - proj.x0
        dy = proj.y1 - proj.y0
        hyp = np.hypot(dx, dy)  # pixels per offset (1 arcsec)
        with np.errstate(divide="ignore", invalid="ignore"):
            pixscale = _NORTH_OFFSET_ARCSEC / hyp  # arcsec per pixel
        north_deg = np.rad2deg(np.arctan2(dy, dx))
        r, k, sz, ps, nd = rows[ok], kind[ok], size[ok], pixscale[ok], north_deg[ok]
        table[r, 1] = proj.x0[ok]
        table[r, 2] = proj.y0[ok]
        table[r, 3] = sz[:, 0] / ps
        two_sizes = k != SHAPE_CIRCLE
        table[r[two_sizes], 4] = sz[two_sizes, 1] / ps[two_sizes]
        # Sky angles of regions are measured from the longitude axis; adding
        # (north angle - 90 deg) turns them into pixel angles.
        is_rect = k == SHAPE_RECTANGLE
        angle_rad = np.deg2rad(sz[is_rect, 2] + (nd[is_rect] - 90.0))
        table[r[is_rect], 5] = np.cos(angle_rad)
        table[r[is_rect], 6] = np.sin(angle_rad)
        return
    affine = affine_rows(kind[ok], size[ok], proj.jac[ok], _KINDS)
    table[rows[ok], 0] = affine[:, 0]
    table[rows[ok], 1] = proj.x0[ok]
    table[rows[ok], 2] = proj.y0[ok]
    table[rows[ok], 3:7] = affine[:, 1:5]


def _deviating_outlines(proj: _Projected, kind: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Rows whose outline points stray from their linearised pixels (or do not project)."""
    pa, dist = outline_offsets(kind, size, _OUTLINE_CHECK, _KINDS)
    t_e = dist * 3600.0 * np.sin(np.deg2rad(pa))
    t_n = dist * 3600.0 * np.cos(np.deg2rad(pa))
    lin_x = proj.x0[:, None] + proj.jac[:, 0, 0, None] * t_e + proj.jac[:, 0, 1, None] * t_n
    lin_y = proj.y0[:, None] + proj.jac[:, 1, 0, None] * t_e + proj.jac[:, 1, 1, None] * t_n
    reach = np.hypot(lin_x - proj.x0[:, None], lin_y - proj.y0[:, None])
    deviation = np.hypot(proj.outline_x - lin_x, proj.outline_y - lin_y)
    with np.errstate(invalid="ignore"):
        bad = ~(deviation <= _DEVIATION * reach + 2.0)
    return np.any(bad, axis=1)


def _dense_outline(region: Any, common: BaseCoordinateFrame) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (WCS frame) of a dense closed outline and the length of each step (rad)."""
    if isinstance(region, PolygonSkyRegion):
        verts = region.vertices
        if not verts.frame.is_equivalent_frame(common):
            verts = verts.transform_to(common)
        return great_circle_samples(unit_vectors(*_lonlat(verts)), _EDGE_DENSE)
    kind, size = _sky_size(region, 0)
    pa, dist = outline_offsets(
        np.array([kind]), np.array([size], dtype=np.float64), _OUTLINE_DENSE, _KINDS
    )
    groups = [(SkyCoord(region.center), np.array([0]))]
    lon, lat = _group_outlines(groups, common, pa, dist)
    xyz = unit_vectors(lon[0], lat[0])
    nxt = np.roll(xyz, -1, axis=0)
    steps = np.arctan2(np.linalg.norm(np.cross(xyz, nxt), axis=-1), np.einsum("ij,ij->i", xyz, nxt))
    return xyz, steps


def _candidate_boxes(px: np.ndarray, py: np.ndarray, broken: np.ndarray) -> list[tuple[int, ...]]:
    """Pixel boxes ``(x0, x1, y0, y1)`` around the continuous runs of a closed outline."""
    finite = np.isfinite(px) & np.isfinite(py)
    if not np.any(finite):
        return []
    n = px.size
    # cut after every broken step; runs are cyclic
    cuts = np.flatnonzero(broken)
    if cuts.size == 0:
        runs = [np.arange(n)]
    else:
        start = (cuts[-1] + 1) % n
        order = np.roll(np.arange(n), -start)
        is_cut = np.zeros(n, dtype=bool)
        is_cut[cuts] = True
        runs, current = [], []
        for k in order:
            current.append(k)
            if is_cut[k]:
                runs.append(np.array(current))
                current = []
        if current:
            runs.append(np.array(current))
    runs = [r[finite[r]] for r in runs]
    runs = [r for r in runs if r.size]
    if len(runs) > 2:  # several pieces on one side may enclose more than their outlines
        runs = [np.concatenate(runs)]
    # The region may reach one outline step beyond a run's last sample (up to the seam).
    step = np.hypot(np.roll(px, -1) - px, np.roll(py, -1) - py)
    good = np.isfinite(step) & ~broken
    margin = 2 + (math.ceil(float(step[good].max())) if np.any(good) else 0)
    boxes = []
    for r in runs:
        boxes.append(
            (
                math.floor(px[r].min()) - margin,
                math.ceil(px[r].max()) + margin,
                math.floor(py[r].min()) - margin,
                math.ceil(py[r].max()) + margin,
            )
        )
    return boxes


def _clip_boxes(boxes: list[tuple[int, ...]], wcs: Any) -> list[tuple[int, ...]]:
    """Boxes limited to the map, when the WCS knows its size (``pixel_shape``)."""
    shape = getattr(wcs, "pixel_shape", None)
    if shape is None:
        return boxes
    nx, ny = (int(v) for v in shape)
    clipped = []
    for x0, x1, y0, y1 in boxes:
        x0, x1, y0, y1 = max(x0, 0), min(x1, nx - 1), max(y0, 0), min(y1, ny - 1)
        if x0 <= x1 and y0 <= y1:
            clipped.append((x0, x1, y0, y1))
    return clipped


def _sky_fallback(region: Any, index: int, wcs: Any, common: BaseCoordinateFrame) -> tuple[np.ndarray, np.ndarray]:
    """Pixel runs of a region selected on the sky: pixel centres -> sky -> inside?

    Candidates are the pixels around the continuous pieces of the projected outline, within
    the map when the WCS knows its size; a candidate counts if its sky position is inside
    the region (`_sky_geometry.sky_contains`) and projects back onto the same pixel (so that
    a pixel beyond the seam, which shows a sky position that has its own pixel elsewhere,
    is not counted twice).
    """
    name = type(region).__name__
    xyz, steps = _dense_outline(region, common)
    lon, lat = vector_lonlat(xyz)
    px, py = (
        np.asarray(v, dtype=np.float64).reshape(-1)
        for v in wcs.world_to_pixel(_skycoord(common, lon, lat))
    )
    broken = jumps(px, py, steps)
    boxes = _clip_boxes(_candidate_boxes(px, py, broken), wcs)
    n_candidates = sum((b[1] - b[0] + 1) * (b[3] - b[2] + 1) for b in boxes)
    if n_candidates > _MAX_SKY_CANDIDATES:
        msg = (
            f"regions[{index}] ({name}): its outline crosses the projection seam or leaves "
            f"the projection, and the pixels to test on the sky ({n_candidates:.3g}) exceed "
            f"{_MAX_SKY_CANDIDATES:.0e}; use a smaller region or a WCS on which it is continuous"
        )
        raise ValueError(msg)
    if not boxes:
        return np.zeros(0), np.zeros(0)
    grids = [
        np.meshgrid(np.arange(b[0], b[1] + 1), np.arange(b[2], b[3] + 1), indexing="xy")
        for b in boxes
    ]
    cx = np.concatenate([g[0].ravel() for g in grids])
    cy = np.concatenate([g[1].ravel() for g in grids])
    flat = np.unique(np.stack([cy, cx], axis=1), axis=0)  # boxes may overlap
    cy, cx = flat[:, 0], flat[:, 1]
    sky = wcs.pixel_to_world(cx.astype(np.float64), cy.astype(np.float64))
    bx, by = (np.asarray(v, dtype=np.float64).reshape(-1) for v in wcs.world_to_pixel(sky))
    with np.errstate(invalid="ignore"):
        canonical = (np.abs(bx - cx) < 1e-3) & (np.abs(by - cy) < 1e-3)
    if isinstance(region, PolygonSkyRegion):
        frame_of = region.vertices
    else:
        frame_of = region.center
    inside = np.zeros(cx.size, dtype=bool)
    if np.any(canonical):
        own = SkyCoord(sky[canonical]).transform_to(frame_of)
        points = unit_vectors(*_lonlat(own))
        if isinstance(region, PolygonSkyRegion):
            verts = unit_vectors(*_lonlat(region.vertices))
            try:
                inside[canonical] = sky_contains(SHAPE_POLYGON, None, (), points, _KINDS, verts)
            except ValueError as err:
                msg = f"regions[{index}] ({name}): {err} is not supported across the projection seam"
                raise ValueError(msg) from None
        else:
            kind, size = _sky_size(region, index)
            centre = unit_vectors(*_lonlat(region.center))
            inside[canonical] = sky_contains(kind, centre, size, points, _KINDS)
    return pixel_runs(cx[inside], cy[inside])


# --------------------------------------------------------------------------------------
# Centres and projected distances (SEMANTICS §1.5)
# --------------------------------------------------------------------------------------


def _polygon_center(vertices: SkyCoord) -> SkyCoord:
    """Direction of the mean of the vertex unit vectors."""
    xyz = vertices.cartesian.xyz.value.reshape(3, -1).mean(axis=1)
    rep = UnitSphericalRepresentation.from_cartesian(
        vertices.cartesian.__class__(*(xyz * u.one))
    )
    return SkyCoord(vertices.frame.realize_frame(rep))


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
    regions = _as_region_list(regions)
    batch = _CoordBatch()
    for i, region in enumerate(regions):
        _check_type(region, i)
        if isinstance(region, PolygonSkyRegion):
            center = _polygon_center(region.vertices)
        elif isinstance(region, _SKY_TYPES):
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
                pix = PixCoord(shapes.table[0, 1], shapes.table[0, 2])
            else:
                pix = region.center
            center = _celestial_wcs(wcs).pixel_to_world(pix.x, pix.y)
        lon, lat = _lonlat(center)
        if not (np.isfinite(lon) and np.isfinite(lat)):
            msg = f"regions[{i}] ({type(region).__name__}): center must be finite, got {_fmt(center)}"
            raise ValueError(msg)
        batch.add(center)
    groups = batch.groups()
    common = groups[0][0].frame  # the first region's frame: its group comes first
    return _skycoord(common, *_lonlat_in(groups, common, len(batch)))


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
            ok = q.isscalar and q.unit.physical_type == "angle" and math.isfinite(q.value)
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


def projected_distances(regions: Any, wcs: Any = None, centers: SkyCoord | None = None) -> u.Quantity:
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
    regions = _as_region_list(regions)
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
    regions = _as_region_list(regions)
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


# --------------------------------------------------------------------------------------
# Plotting (SEMANTICS §5.3)
# --------------------------------------------------------------------------------------


def _auto_wcs(regions: list[Any]) -> Any:
    """A TAN WCS of about 200 pixels covering the centres of sky regions."""
    centers = region_centers(regions)
    mean = _polygon_center(centers)
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
    lon, lat = _lonlat(mean)
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

    regions = _as_region_list(regions)
    for i, region in enumerate(regions):
        _check_type(region, i)
    if ax is None:
        sky = [r for r in regions if isinstance(r, _SKY_TYPES)]
        if wcs is None and sky:
            wcs = _auto_wcs(sky)
        fig = plt.figure()
        if wcs is None:  # pixel regions only: plain axes in pixel coordinates
            ax = fig.add_subplot()
        else:
            wcs = _celestial_wcs(wcs)
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
        if isinstance(region, _SKY_TYPES):
            if plot_wcs is None:
                msg = f"regions[{i}]: a WCS is needed to draw {type(region).__name__}; ax has none"
                raise TypeError(msg)
            region = region.to_pixel(plot_wcs)
        ax.add_patch(region.as_artist(**kwargs))
    if plot_wcs is None:
        ax.autoscale_view()
    return ax
