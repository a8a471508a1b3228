"""Sky geometry on any WCS: local Jacobians, outline continuity and the seam fallback.

The rules are written down in ``docs/sky_geometry.rst``. In short:

* on a *standard* pixel grid (square pixels, longitude increasing to the left) a
  rectangle, circle or annulus keeps Gammapy's rule (one scale and one angle from the point
  1 arcsec North of its centre);
* on any other grid it is mapped through the local Jacobian of the projection at its
  centre (pixels per arcsec towards East and towards North), which gives a parallelogram or
  an ellipse in pixels;
* a region whose outline does not project continuously (it crosses the projection seam,
  reaches where the projection is undefined, or its centre does not project) is selected
  by testing map pixel centres on the sky, and reaches the core as explicit pixel runs.

All functions work on plain NumPy arrays in degrees (or arcsec where said) and unit vectors.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from .._core import ShapeKind

__all__ = [
    "JUMP_RATIO",
    "AffineShapes",
    "affine_shapes",
    "great_circle_samples",
    "jumps",
    "local_jacobian",
    "offset_points",
    "outline_offsets",
    "pixel_runs",
    "sky_contains",
    "standard_pixel_grid",
    "unit_vectors",
    "vector_lonlat",
]

#: A step of an outline's projection is a jump (a seam) when its pixels per degree exceed
#: this many times the median over the outline. Away from a seam the ratio varies only as
#: much as the scale of the projection does over the region (1/cos(b) on a CAR map).
JUMP_RATIO = 20.0
# Steps shorter than this (pixels) are never jumps, whatever their ratio.
_JUMP_MIN_PIXELS = 2.0
# Relative tolerance for "square pixels" in the WCS pixel scale matrix.
_SQUARE_RTOL = 1e-10


def standard_pixel_grid(wcs: Any) -> bool:
    """Whether a WCS has square pixels and longitude increasing to the left.

    Decided on the linear part of the WCS (``pixel_scale_matrix``, CDELT times PC): its
    columns must be orthogonal and of equal length, and its handedness that of a map with
    CDELT1 < 0 and CDELT2 > 0 (rotations allowed). A WCS object without a pixel scale matrix
    counts as standard.

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        Two-dimensional celestial WCS.

    Returns
    -------
    standard : bool
        True for a standard grid.
    """
    matrix = getattr(wcs, "pixel_scale_matrix", None)
    if matrix is None:
        return True
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape != (2, 2) or not np.all(np.isfinite(m)):
        return True
    inner = m.T @ m
    scale2 = 0.5 * (inner[0, 0] + inner[1, 1])
    square = (
        abs(inner[0, 0] - inner[1, 1]) <= _SQUARE_RTOL * scale2
        and abs(inner[0, 1]) <= _SQUARE_RTOL * scale2
    )
    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    if getattr(getattr(wcs, "wcs", None), "lng", 0) == 1:
        det = -det  # latitude first: the world axes are swapped
    return bool(square and det < 0)


def unit_vectors(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Unit vectors of positions.

    Parameters
    ----------
    lon_deg, lat_deg : `~numpy.ndarray`
        Longitudes and latitudes in deg (broadcast together).

    Returns
    -------
    xyz : `~numpy.ndarray`
        Shape ``(..., 3)``.
    """
    lon, lat = np.deg2rad(lon_deg), np.deg2rad(lat_deg)
    return np.stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1
    )


def vector_lonlat(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes (in [0, 360)) and latitudes (deg) of unit vectors ``(..., 3)``.

    Parameters
    ----------
    xyz : `~numpy.ndarray`
        Unit vectors.

    Returns
    -------
    lon, lat : `~numpy.ndarray`
        Angles in deg.
    """
    lon = np.rad2deg(np.arctan2(xyz[..., 1], xyz[..., 0])) % 360.0
    lat = np.rad2deg(np.arctan2(xyz[..., 2], np.hypot(xyz[..., 0], xyz[..., 1])))
    return lon, lat


def _east_north(
    lon_deg: np.ndarray, lat_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.deg2rad(lon_deg), np.deg2rad(lat_deg)
    zero = np.zeros_like(lon)
    east = np.stack([-np.sin(lon), np.cos(lon), zero], axis=-1)
    north = np.stack(
        [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], axis=-1
    )
    return east, north


def offset_points(
    lon_deg: np.ndarray, lat_deg: np.ndarray, pa_deg: np.ndarray, dist_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions at a position angle and great-circle distance from others.

    Parameters
    ----------
    lon_deg, lat_deg : `~numpy.ndarray`
        Starting positions (deg).
    pa_deg : `~numpy.ndarray`
        Position angles (deg, North through East).
    dist_deg : `~numpy.ndarray`
        Distances (deg). All four arrays broadcast together.

    Returns
    -------
    lon, lat : `~numpy.ndarray`
        The positions reached (deg, longitude in [0, 360)).
    """
    lat1 = np.deg2rad(lat_deg)
    pa, d = np.deg2rad(pa_deg), np.deg2rad(dist_deg)
    sin_lat2 = np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(pa)
    lat2 = np.arcsin(np.clip(sin_lat2, -1.0, 1.0))
    dlon = np.arctan2(
        np.sin(pa) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * sin_lat2
    )
    return (lon_deg + np.rad2deg(dlon)) % 360.0, np.rad2deg(lat2)


def local_jacobian(
    x0: np.ndarray,
    y0: np.ndarray,
    north: tuple[np.ndarray, np.ndarray],
    east: tuple[np.ndarray, np.ndarray] | None,
    offset_arcsec: float,
) -> np.ndarray:
    """Pixels per arcsec towards East (column 0) and North (column 1).

    Without the East offset the map is taken as conformal with standard handedness (East
    is North turned 90 deg counter-clockwise), Gammapy's assumption.

    Parameters
    ----------
    x0, y0 : `~numpy.ndarray`
        Pixels of the centres, shape ``(n,)``.
    north : tuple of `~numpy.ndarray`
        Pixels ``(x, y)`` of the points ``offset_arcsec`` North of the centres.
    east : tuple of `~numpy.ndarray` or None
        Pixels of the points ``offset_arcsec`` East of the centres, or None.
    offset_arcsec : float
        Length of the offsets.

    Returns
    -------
    jac : `~numpy.ndarray`
        Shape ``(n, 2, 2)``: ``jac[:, :, 0]`` per arcsec East, ``jac[:, :, 1]`` North.
    """
    jn = np.stack([north[0] - x0, north[1] - y0], axis=-1) / offset_arcsec
    if east is None:
        je = np.stack([-jn[:, 1], jn[:, 0]], axis=-1)
    else:
        je = np.stack([east[0] - x0, east[1] - y0], axis=-1) / offset_arcsec
    return np.stack([je, jn], axis=-1)


def _axis_directions(angle_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(East, North) components of a sky rectangle's width and height axes.

    A sky angle theta (``regions``: counter-clockwise from the longitude axis of a standard
    image) puts the width along position angle theta - 90 deg and the height along theta.
    """
    t = np.deg2rad(angle_deg)
    width = np.stack([-np.cos(t), np.sin(t)], axis=-1)
    height = np.stack([np.sin(t), np.cos(t)], axis=-1)
    return width, height


class AffineShapes(NamedTuple):
    """Parallelograms and ellipses in pixels of sky regions (see `affine_shapes`)."""

    is_parallelogram: np.ndarray  # bool (n,): a parallelogram, else an ellipse
    m00: (
        np.ndarray
    )  # parallelograms: the matrix taking pixel offsets to the unit square
    m01: np.ndarray
    m10: np.ndarray
    m11: np.ndarray
    q00: np.ndarray  # ellipses: the form that is 1 on the outer edge
    q01: np.ndarray
    q11: np.ndarray
    inner2: np.ndarray  # ellipses: squared inner / outer ratio (0 for a full ellipse)


def affine_shapes(kind: np.ndarray, size: np.ndarray, jac: np.ndarray) -> AffineShapes:
    """Parallelograms (rectangles) and ellipses (circles, annuli) in pixels of sky regions.

    Parameters
    ----------
    kind : `~numpy.ndarray`
        Region kinds (`fluxprofile._core.ShapeKind` rectangle, circle or annulus).
    size : `~numpy.ndarray`
        ``(n, 3)``: width / radius / inner radius (arcsec), height / outer radius (arcsec),
        angle (deg).
    jac : `~numpy.ndarray`
        ``(n, 2, 2)`` local Jacobians (`local_jacobian`).

    Returns
    -------
    shapes : `AffineShapes`
        The parameters of every row (0 in the fields of the other kind), as
        ``ShapeTableBuilder.set_parallelograms`` and ``set_ellipses`` take them.
    """
    n = kind.size
    out = AffineShapes(np.zeros(n, dtype=bool), *(np.zeros(n) for _ in range(8)))
    rect = kind == ShapeKind.rectangle
    out.is_parallelogram[:] = rect
    if np.any(rect):
        w_dir, h_dir = _axis_directions(size[rect, 2])
        a = np.einsum("nij,nj->ni", jac[rect], w_dir) * size[rect, 0:1]
        b = np.einsum("nij,nj->ni", jac[rect], h_dir) * size[rect, 1:2]
        det = a[:, 0] * b[:, 1] - b[:, 0] * a[:, 1]
        out.m00[rect] = b[:, 1] / det
        out.m01[rect] = -b[:, 0] / det
        out.m10[rect] = -a[:, 1] / det
        out.m11[rect] = a[:, 0] / det
    disk = ~rect
    if np.any(disk):
        j = jac[disk]
        det = j[:, 0, 0] * j[:, 1, 1] - j[:, 0, 1] * j[:, 1, 0]
        inv = (
            np.stack(
                [
                    np.stack([j[:, 1, 1], -j[:, 0, 1]], -1),
                    np.stack([-j[:, 1, 0], j[:, 0, 0]], -1),
                ],
                axis=-2,
            )
            / det[:, None, None]
        )
        is_annulus = kind[disk] == ShapeKind.annulus
        r_out = np.where(is_annulus, size[disk, 1], size[disk, 0])
        q = np.einsum("nki,nkj->nij", inv, inv) / (r_out**2)[:, None, None]
        out.q00[disk] = q[:, 0, 0]
        out.q01[disk] = 0.5 * (q[:, 0, 1] + q[:, 1, 0])
        out.q11[disk] = q[:, 1, 1]
        out.inner2[disk] = np.where(is_annulus, (size[disk, 0] / r_out) ** 2, 0.0)
    return out


def outline_offsets(
    kind: np.ndarray, size: np.ndarray, n_samples: int
) -> tuple[np.ndarray, np.ndarray]:
    """Position angles and distances (deg) of points on the outline of sky regions.

    Circles and annuli: the outer circle. Rectangles: the four sides, great-circle arcs
    whose midpoints lie half the width / height from the centre (the gnomonic rectangle of
    `sky_contains`), ``n_samples // 4`` points each from corner to corner.

    Parameters
    ----------
    kind : `~numpy.ndarray`
        Region kinds (`fluxprofile._core.ShapeKind` values), shape ``(n,)``.
    size : `~numpy.ndarray`
        ``(n, 3)`` sizes as in `affine_shapes`.
    n_samples : int
        Points per outline (a multiple of 4).

    Returns
    -------
    pa, dist : `~numpy.ndarray`
        Shape ``(n, n_samples)``, in outline order.
    """
    n = kind.size
    pa = np.zeros((n, n_samples))
    dist = np.zeros((n, n_samples))
    rect = kind == ShapeKind.rectangle
    if np.any(~rect):
        r_out = np.where(kind == ShapeKind.annulus, size[:, 1], size[:, 0]) / 3600.0
        angles = np.arange(n_samples) * (360.0 / n_samples)
        pa[~rect] = angles[None, :]
        dist[~rect] = r_out[~rect, None]
    if np.any(rect):
        per_side = n_samples // 4
        s = (np.arange(per_side) + 0.0) / per_side * 2.0 - 1.0  # -1 ... <1 along a side
        ones = np.ones_like(s)
        # (U, V) on the unit square's boundary, counter-clockwise from (-1, -1)
        u = np.concatenate([s, ones, -s, -ones])
        v = np.concatenate([-ones, s, ones, -s])
        half_w = np.tan(np.deg2rad(np.minimum(size[rect, 0] / 7200.0, 89.0)))
        half_h = np.tan(np.deg2rad(np.minimum(size[rect, 1] / 7200.0, 89.0)))
        w_dir, h_dir = _axis_directions(size[rect, 2])
        te = (
            u[None, :] * half_w[:, None] * w_dir[:, None, 0]
            + v[None, :] * half_h[:, None] * h_dir[:, None, 0]
        )
        tn = (
            u[None, :] * half_w[:, None] * w_dir[:, None, 1]
            + v[None, :] * half_h[:, None] * h_dir[:, None, 1]
        )
        pa[rect] = np.rad2deg(np.arctan2(te, tn))
        dist[rect] = np.rad2deg(np.arctan(np.hypot(te, tn)))
    return pa, dist


def great_circle_samples(
    xyz: np.ndarray, per_edge: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points along the great-circle edges of a closed polygon, ``per_edge`` per edge.

    Parameters
    ----------
    xyz : `~numpy.ndarray`
        ``(n, 3)`` unit vectors of the vertices.
    per_edge : int
        Points per edge, the first one at the edge's first vertex.

    Returns
    -------
    samples : `~numpy.ndarray`
        ``(n * per_edge, 3)`` unit vectors.
    steps : `~numpy.ndarray`
        ``(n * per_edge,)`` great-circle length (rad) of each step to the next sample.
    """
    start = xyz
    end = np.roll(xyz, -1, axis=0)
    omega = np.arctan2(
        np.linalg.norm(np.cross(start, end), axis=-1), np.einsum("ij,ij->i", start, end)
    )
    frac = np.arange(per_edge) / per_edge
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_omega = np.sin(omega)
        a = np.sin((1.0 - frac[None, :]) * omega[:, None]) / sin_omega[:, None]
        b = np.sin(frac[None, :] * omega[:, None]) / sin_omega[:, None]
    # identical consecutive vertices: all samples at the vertex
    a = np.where(sin_omega[:, None] > 0, a, 1.0)
    b = np.where(sin_omega[:, None] > 0, b, 0.0)
    points = a[:, :, None] * start[:, None, :] + b[:, :, None] * end[:, None, :]
    points /= np.linalg.norm(points, axis=-1, keepdims=True)
    steps = np.repeat(omega / per_edge, per_edge)
    return points.reshape(-1, 3), steps


def jumps(px: np.ndarray, py: np.ndarray, sky_step: np.ndarray) -> np.ndarray:
    """Which steps of closed projected outlines are discontinuous.

    Outlines run along the last axis (one outline, or one per row of 2-D arrays). Step k
    runs from sample k to sample k + 1 (the last one back to sample 0). A step is
    discontinuous if an end does not project, or if its pixels per radian exceed
    `JUMP_RATIO` times the median over its outline (and it is longer than 2 pixels).

    Parameters
    ----------
    px, py : `~numpy.ndarray`
        Pixels of the outline samples (NaN where they do not project).
    sky_step : `~numpy.ndarray`
        Great-circle length (rad) of each step, the shape of ``px``.

    Returns
    -------
    broken : `~numpy.ndarray`
        Boolean, the shape of ``px``.
    """
    dx = np.roll(px, -1, axis=-1) - px
    dy = np.roll(py, -1, axis=-1) - py
    pix = np.hypot(dx, dy)
    bad = ~np.isfinite(pix)
    moving = (sky_step > 0) & ~bad
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(moving, pix / np.where(moving, sky_step, 1.0), np.nan)
    if not np.any(moving):
        return bad
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # an outline with no moving step
        median = np.nanmedian(ratio, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        return bad | (moving & (ratio > JUMP_RATIO * median) & (pix > _JUMP_MIN_PIXELS))


def sky_contains(
    kind: int,
    center_xyz: np.ndarray | None,
    params: tuple[float, ...],
    xyz: np.ndarray,
    vertices_xyz: np.ndarray | None = None,
) -> np.ndarray:
    """Which unit vectors ``xyz`` lie in a sky region, in the region's own frame.

    Circle: separation < radius; annulus: inner <= separation < outer; rectangle: inside the
    gnomonic rectangle at the centre (sides are great circles whose midpoints lie half the
    width and height away, the width along position angle ``angle - 90 deg``); polygon:
    inside the polygon with great-circle edges (even-odd rule in the gnomonic plane at the
    mean of its vertex directions).

    Parameters
    ----------
    kind : int
        Region kind (a `fluxprofile._core.ShapeKind`: rectangle, circle, annulus or polygon).
    center_xyz : `~numpy.ndarray` or None
        Unit vector of the centre (None for a polygon).
    params : tuple of float
        ``(width, height, angle)`` of a rectangle, ``(radius,)`` of a circle or
        ``(inner, outer)`` of an annulus, sizes in arcsec and the angle in deg.
    xyz : `~numpy.ndarray`
        ``(m, 3)`` unit vectors to test.
    vertices_xyz : `~numpy.ndarray`, optional
        ``(n, 3)`` vertices of a polygon. Default is None.

    Returns
    -------
    inside : `~numpy.ndarray`
        Boolean, shape ``(m,)``.

    Raises
    ------
    ValueError
        For a polygon whose vertices are not all within 90 deg of their mean direction.
    """
    if kind == ShapeKind.polygon:
        assert vertices_xyz is not None
        centre = vertices_xyz.mean(axis=0)
        centre /= np.linalg.norm(centre)
        lon, lat = vector_lonlat(centre)
        east, north = _east_north(lon, lat)
        if np.any(vertices_xyz @ centre <= 1e-12):
            msg = "a polygon whose vertices are not all within 90 deg of their mean direction"
            raise ValueError(msg)
        vz = vertices_xyz @ centre
        vx, vy = vertices_xyz @ east / vz, vertices_xyz @ north / vz
        z = xyz @ centre
        front = z > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(front, xyz @ east / z, np.inf)
            y = np.where(front, xyz @ north / z, np.inf)
        inside = np.zeros(xyz.shape[0], dtype=bool)
        for k in range(vx.size):
            xa, ya, xb, yb = vx[k], vy[k], vx[k - 1], vy[k - 1]
            crosses = (ya > y) != (yb > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                x_cross = xa + (y - ya) * (xb - xa) / (yb - ya)
            inside ^= crosses & (x < x_cross)
        return inside & front
    assert center_xyz is not None
    cos_sep = xyz @ center_xyz
    sin_sep = np.linalg.norm(np.cross(xyz, center_xyz), axis=-1)
    sep = np.rad2deg(np.arctan2(sin_sep, cos_sep)) * 3600.0
    if kind == ShapeKind.circle:
        return sep < params[0]
    if kind == ShapeKind.annulus:
        return (sep < params[1]) != (sep < params[0])
    lon, lat = vector_lonlat(center_xyz)
    east, north = _east_north(lon, lat)
    front = cos_sep > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        te = np.where(front, xyz @ east / cos_sep, np.inf)
        tn = np.where(front, xyz @ north / cos_sep, np.inf)
    w_dir, h_dir = _axis_directions(np.array([params[2]]))
    u = te * w_dir[0, 0] + tn * w_dir[0, 1]
    v = te * h_dir[0, 0] + tn * h_dir[0, 1]
    half_w = np.tan(np.deg2rad(min(params[0] / 7200.0, 90.0)))
    half_h = np.tan(np.deg2rad(min(params[1] / 7200.0, 90.0)))
    return front & (np.abs(u) < half_w) & (np.abs(v) < half_h)


def pixel_runs(ix: np.ndarray, iy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-run vertices (``ShapeKind.pixel_runs``) of a set of integer pixels.

    Parameters
    ----------
    ix, iy : `~numpy.ndarray`
        Integer columns and rows (duplicates allowed).

    Returns
    -------
    vx, vy : `~numpy.ndarray`
        Run k is ``(vx[2k], vy[2k])`` to ``(vx[2k + 1], vy[2k + 1])``, sorted by row, then
        column.
    """
    if ix.size == 0:
        return np.zeros(0), np.zeros(0)
    order = np.lexsort((ix, iy))
    x, y = ix[order], iy[order]
    keep = np.ones(x.size, dtype=bool)
    keep[1:] = (x[1:] != x[:-1]) | (y[1:] != y[:-1])
    x, y = x[keep], y[keep]
    new = np.ones(x.size, dtype=bool)
    new[1:] = (y[1:] != y[:-1]) | (x[1:] != x[:-1] + 1)
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, x.size - 1)
    vx = np.empty(2 * first.size)
    vy = np.empty(2 * first.size)
    vx[0::2], vx[1::2] = x[first], x[last]
    vy[0::2], vy[1::2] = y[first], y[first]
    return vx.astype(np.float64), vy.astype(np.float64)
