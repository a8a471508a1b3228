"""Boxes following a polyline of sky positions (jets, shells, arms), with their position
along the path (docs/regions.rst)."""

from __future__ import annotations

from typing import Any, ClassVar

import astropy.units as u
import numpy as np
from astropy.coordinates import Angle, SkyCoord
from regions import RectangleSkyRegion, RegionMeta

from .checks import angle_quantity, bin_count
from .coords import celestial_wcs, common_frame, describe_coord, lonlat, skycoord
from .sky_geometry import unit_vectors

__all__ = ["PathRegionMeta", "make_path_sky_regions"]


class PathRegionMeta(RegionMeta):
    """Region meta data that can also hold a box's position along a path.

    `~regions.RegionMeta` accepts only the keys of the region file formats; this
    subclass adds ``"projected_distance"`` (an `~astropy.coordinates.Angle`, read by
    `projected_distances`) and ``"path_segment"`` (int, index of the path segment the
    box belongs to). It behaves like `~regions.RegionMeta` otherwise: region copies keep
    it, and the region file writers ignore the extra keys.
    """

    valid_keys: ClassVar[list[str]] = [
        *RegionMeta.valid_keys,
        "projected_distance",
        "path_segment",
    ]


def _path_coords(path: Any) -> SkyCoord:
    if not isinstance(path, SkyCoord):
        msg = f"path must be a SkyCoord of at least 2 positions, got {type(path).__name__}"
        raise TypeError(msg)
    if path.ndim != 1 or path.size < 2:
        msg = f"path must be a 1-D SkyCoord of at least 2 positions, got shape {path.shape}"
        raise ValueError(msg)
    lon, lat = lonlat(path)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        bad = int(np.argmax(~(np.isfinite(lon) & np.isfinite(lat))))
        msg = f"path positions must be finite, got path[{bad}] = {describe_coord(path[bad])}"
        raise ValueError(msg)
    return path


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
    height = angle_quantity(width, "width")
    if (nbin is None) == (bin_size is None):
        msg = (
            "exactly one of nbin and bin_size must be given, got "
            f"nbin={nbin!r} and bin_size={bin_size!r}"
        )
        raise ValueError(msg)
    size_q = None
    if bin_size is not None:
        size_q = angle_quantity(bin_size, "bin_size")
    else:
        nbin = bin_count(nbin, "nbin", 1)

    if wcs is not None:
        wcs = celestial_wcs(wcs)
        common = common_frame(wcs, path)
        if not path.frame.is_equivalent_frame(common):
            path = path.transform_to(common)
        x, y = (np.asarray(v, dtype=np.float64) for v in wcs.world_to_pixel(path))
        bad = ~(np.isfinite(x) & np.isfinite(y))
        if np.any(bad):
            i = int(np.argmax(bad))
            msg = f"path[{i}] = {describe_coord(path[i])} falls outside the WCS projection"
            raise ValueError(msg)
    frame = path.frame.replicate_without_data()

    vec = unit_vectors(*lonlat(path))
    start, end = vec[:-1], vec[1:]
    cross = np.cross(start, end)
    sin_len = np.linalg.norm(cross, axis=-1)
    lengths = np.rad2deg(np.arctan2(sin_len, np.einsum("ij,ij->i", start, end)))
    for k, length in enumerate(lengths):
        if not length > 0:
            msg = (
                "consecutive path positions must differ, got "
                f"path[{k}] == path[{k + 1}] = {describe_coord(path[k])}"
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
    centres = skycoord(frame, np.rad2deg(lon) % 360.0, np.rad2deg(lat))
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
