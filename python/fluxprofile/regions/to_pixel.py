"""Sky and pixel regions to pixel shapes on any WCS, all regions at once
(docs/sky_geometry.rst).

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
pixel centres on the sky: see `fluxprofile.regions.sky_geometry`.

All regions are converted together: one ``world_to_pixel`` call for all centres, polygon
vertices, outline checks and offset points.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import astropy.units as u
import numpy as np
from astropy.coordinates import BaseCoordinateFrame, SkyCoord
from regions import (
    CirclePixelRegion,
    CircleSkyRegion,
    PolygonPixelRegion,
    PolygonSkyRegion,
    RectanglePixelRegion,
    RectangleSkyRegion,
)

from .._core import ShapeKind, ShapeTableBuilder
from .checks import SKY_TYPES, as_region_list, check_type, positive_finite
from .coords import (
    CoordBatch,
    celestial_wcs,
    common_frame,
    describe_coord,
    lonlat,
    lonlat_in,
    skycoord,
)
from .pixel_shapes import PixelShapes
from .sky_geometry import (
    affine_shapes,
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

__all__ = ["sky_regions_to_pixel_shapes"]

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
    regions = as_region_list(regions)
    builder = ShapeTableBuilder(len(regions))

    centres = CoordBatch()  # centres of non-polygon sky regions
    vertices = CoordBatch()  # vertices of sky polygons
    sky_rows: list[int] = []
    sky_kinds: list[ShapeKind] = []
    sizes: list[tuple[float, float, float]] = []  # (w or r_in, h or r_out) arcsec, deg
    poly_slices: dict[int, slice] = {}

    for i, region in enumerate(regions):
        check_type(region, i)
        if isinstance(region, PolygonSkyRegion):
            _check_sky_polygon(region, i)
            poly_slices[i] = vertices.add(region.vertices)
        elif isinstance(region, SKY_TYPES):
            kind, size = _sky_size(region, i)
            sky_kinds.append(kind)
            sizes.append(size)
            sky_rows.append(i)
            centres.add(region.center)
        else:
            _set_pixel_region(builder, i, region)

    if len(centres) or len(vertices):
        _convert_sky_rows(
            builder,
            regions,
            wcs,
            centres,
            vertices,
            np.asarray(sky_rows, dtype=np.int64),
            np.asarray(sky_kinds, dtype=np.int64),
            sizes,
            poly_slices,
        )
    return PixelShapes(builder)


def _convert_sky_rows(
    builder: ShapeTableBuilder,
    regions: list[Any],
    wcs: Any,
    centres: CoordBatch,
    vertices: CoordBatch,
    sky_rows: np.ndarray,
    kind: np.ndarray,
    sizes: list[tuple[float, float, float]],
    poly_slices: dict[int, slice],
) -> None:
    """Set the rows of the sky regions (docs/sky_geometry.rst).

    Rectangles, circles and annuli get Gammapy's rule on a standard grid and their local
    Jacobian elsewhere; polygons their projected vertices. A region whose outline does not
    project continuously becomes pixel runs selected on the sky.
    """
    wcs = celestial_wcs(wcs)
    standard = standard_pixel_grid(wcs)
    size = np.asarray(sizes, dtype=np.float64).reshape(-1, 3)
    poly_items = list(poly_slices.items())
    proj = _project(
        centres, vertices, wcs, standard, kind, size, [sl for _, sl in poly_items]
    )
    common = proj.common
    fallback: list[int] = []

    if sky_rows.size:
        _set_sky_rows(builder, sky_rows, kind, size, proj, standard)
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
            pa, dist = outline_offsets(kind[suspect], size[suspect], _OUTLINE_JUMPS)
            lon, lat = _group_outlines(groups, common, pa, dist)
            xyz = unit_vectors(lon, lat)
            nxt = np.roll(xyz, -1, axis=1)
            steps = np.arctan2(
                np.linalg.norm(np.cross(xyz, nxt), axis=-1),
                np.einsum("nij,nij->ni", xyz, nxt),
            )
            px, py = (
                np.asarray(v, dtype=np.float64).reshape(lon.shape)
                for v in wcs.world_to_pixel(skycoord(common, lon.ravel(), lat.ravel()))
            )
            broken = np.any(jumps(px, py, steps), axis=1)
            fallback.extend(int(i) for i in sky_rows[suspect[broken]])

    for i, sl in poly_items:
        vx, vy = proj.vx[sl], proj.vy[sl]
        esl = slice(sl.start * _EDGE_CHECK, sl.stop * _EDGE_CHECK)
        finite = np.all(np.isfinite(vx)) and np.all(np.isfinite(vy))
        if finite and not np.any(
            jumps(proj.edge_x[esl], proj.edge_y[esl], proj.edge_steps[esl])
        ):
            builder.set_polygon(i, vx, vy)
        else:
            fallback.append(i)

    for i in sorted(fallback):
        builder.set_pixel_runs(i, *_sky_fallback(regions[i], i, wcs, common))


def _set_pixel_region(builder: ShapeTableBuilder, i: int, region: Any) -> None:
    """Set row ``i`` to the shape of a pixel region, as it is (with validation)."""
    name = type(region).__name__
    if isinstance(region, PolygonPixelRegion):
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
        builder.set_polygon(i, vx, vy)
        return
    x, y = float(region.center.x), float(region.center.y)
    if not (math.isfinite(x) and math.isfinite(y)):
        msg = f"regions[{i}] ({name}): center must be finite, got ({x}, {y})"
        raise ValueError(msg)
    if isinstance(region, RectanglePixelRegion):
        w, h = float(region.width), float(region.height)
        positive_finite({"width": w, "height": h}, i, name)
        angle = region.angle.to_value(u.rad)
        if not math.isfinite(angle):
            msg = f"regions[{i}] ({name}): angle must be finite, got {region.angle}"
            raise ValueError(msg)
        builder.set_rectangles(i, x, y, w, h, math.cos(angle), math.sin(angle))
    elif isinstance(region, CirclePixelRegion):
        r = float(region.radius)
        positive_finite({"radius": r}, i, name)
        builder.set_circles(i, x, y, r)
    else:
        r_in, r_out = float(region.inner_radius), float(region.outer_radius)
        positive_finite({"inner_radius": r_in, "outer_radius": r_out}, i, name)
        if not r_in < r_out:
            msg = (
                f"regions[{i}] ({name}): inner_radius must be < outer_radius, got "
                f"{r_in} and {r_out}"
            )
            raise ValueError(msg)
        builder.set_annuli(i, x, y, r_in, r_out)


def _check_sky_polygon(region: PolygonSkyRegion, i: int) -> None:
    name = type(region).__name__
    if region.vertices.size < 3:
        msg = f"regions[{i}] ({name}): a polygon needs >= 3 vertices, got {region.vertices.size}"
        raise ValueError(msg)
    lon, lat = lonlat(region.vertices)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        msg = f"regions[{i}] ({name}): vertices must be finite, got {describe_coord(region.vertices)}"
        raise ValueError(msg)


def _sky_size(region: Any, i: int) -> tuple[ShapeKind, tuple[float, float, float]]:
    """Validated kind and (size1 arcsec, size2 arcsec, angle deg) of a sky region."""
    name = type(region).__name__
    lon, lat = lonlat(region.center)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        msg = f"regions[{i}] ({name}): center must be finite, got {describe_coord(region.center)}"
        raise ValueError(msg)
    if isinstance(region, RectangleSkyRegion):
        w = region.width.to_value(u.arcsec)
        h = region.height.to_value(u.arcsec)
        positive_finite({"width": w, "height": h}, i, name)
        angle = region.angle.to_value(u.deg)
        if not math.isfinite(angle):
            msg = f"regions[{i}] ({name}): angle must be finite, got {region.angle}"
            raise ValueError(msg)
        return ShapeKind.rectangle, (w, h, angle)
    if isinstance(region, CircleSkyRegion):
        r = region.radius.to_value(u.arcsec)
        positive_finite({"radius": r}, i, name)
        return ShapeKind.circle, (r, 0.0, 0.0)
    r_in = region.inner_radius.to_value(u.arcsec)
    r_out = region.outer_radius.to_value(u.arcsec)
    positive_finite({"inner_radius": r_in, "outer_radius": r_out}, i, name)
    if not r_in < r_out:
        msg = (
            f"regions[{i}] ({name}): inner_radius must be < outer_radius, got "
            f"{region.inner_radius} and {region.outer_radius}"
        )
        raise ValueError(msg)
    return ShapeKind.annulus, (r_in, r_out, 0.0)


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
    edge_steps: (
        np.ndarray
    )  # great-circle length (rad) of the step after each edge sample
    common: BaseCoordinateFrame  # the frame of the WCS (or of the first region)
    centre_groups: list[
        tuple[SkyCoord, np.ndarray]
    ]  # the centres by frame, batch positions


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
        clon, clat = (np.atleast_1d(v) for v in lonlat(coord))
        olon, olat = offset_points(clon[:, None], clat[:, None], pa[index], dist[index])
        points = skycoord(coord.frame, olon.ravel(), olat.ravel())
        if not points.frame.is_equivalent_frame(common):
            points = points.transform_to(common)
        plon, plat = lonlat(points)
        lon[index] = np.reshape(plon, olon.shape)
        lat[index] = np.reshape(plat, olat.shape)
    return lon, lat


def _project(
    centres: CoordBatch,
    vertices: CoordBatch,
    wcs: Any,
    standard: bool,
    kind: np.ndarray,
    size: np.ndarray,
    polygon_slices: list[slice],
) -> _Projected:
    """Pixels of the centres, their offset points, polygon vertices and outline checks.

    One ``world_to_pixel`` call for everything. The offsets (1 arcsec North, and East on a
    non-standard grid) are taken in each centre's own frame (as regions does), then
    everything is expressed in the WCS frame.
    """
    centre_groups = centres.groups()
    vertex_groups = vertices.groups()
    common = common_frame(wcs, (centre_groups or vertex_groups)[0][0])
    nc, nv = len(centres), len(vertices)
    lon_c, lat_c = lonlat_in(centre_groups, common, nc)
    lon_v, lat_v = lonlat_in(vertex_groups, common, nv)
    pa, dist = outline_offsets(kind, size, _OUTLINE_CHECK)
    out_lon, out_lat = _group_outlines(centre_groups, common, pa, dist)
    # _EDGE_CHECK samples per polygon vertex (vertex slice sl -> samples sl * _EDGE_CHECK)
    vertex_xyz = unit_vectors(lon_v, lat_v)
    edge_parts = [
        great_circle_samples(vertex_xyz[sl], _EDGE_CHECK) for sl in polygon_slices
    ]
    edge_xyz = (
        np.concatenate([p[0] for p in edge_parts]) if edge_parts else np.zeros((0, 3))
    )
    edge_steps = (
        np.concatenate([p[1] for p in edge_parts]) if edge_parts else np.zeros(0)
    )
    edge_lon, edge_lat = vector_lonlat(edge_xyz)
    # The offset points (1 arcsec North, and East on a non-standard grid) of every centre,
    # in its own frame, go through the same single world_to_pixel call as the rest.
    offset_lon: list[np.ndarray] = []
    offset_lat: list[np.ndarray] = []
    if nc:
        offset = _NORTH_OFFSET_ARCSEC * u.arcsec
        directions = [0.0 * u.deg] if standard else [0.0 * u.deg, 90.0 * u.deg]
        for direction in directions:
            groups = [
                (coord.directional_offset_by(direction, offset), index)
                for coord, index in centre_groups
            ]
            olon, olat = lonlat_in(groups, common, nc)
            offset_lon.append(olon)
            offset_lat.append(olat)
    points = skycoord(
        common,
        np.concatenate([lon_c, lon_v, out_lon.ravel(), edge_lon, *offset_lon]),
        np.concatenate([lat_c, lat_v, out_lat.ravel(), edge_lat, *offset_lat]),
    )
    x, y = (
        np.asarray(v, dtype=np.float64).reshape(-1) for v in wcs.world_to_pixel(points)
    )
    n_out = out_lon.size
    n_offsets = nc * len(offset_lon)
    sl = [0, nc, nc + nv, nc + nv + n_out, x.size - n_offsets, x.size]
    parts_x = [x[a:b] for a, b in itertools.pairwise(sl)]
    parts_y = [y[a:b] for a, b in itertools.pairwise(sl)]
    x0, y0 = parts_x[0], parts_y[0]
    jac = np.zeros((nc, 2, 2))
    x1 = y1 = np.zeros(nc)
    if nc:
        xo, yo = parts_x[4], parts_y[4]
        x1, y1 = xo[:nc], yo[:nc]
        east = None if standard else (xo[nc:], yo[nc:])
        jac = local_jacobian(x0, y0, (x1, y1), east, _NORTH_OFFSET_ARCSEC)
    shape = out_lon.shape
    return _Projected(
        x0,
        y0,
        jac,
        x1,
        y1,
        parts_x[1],
        parts_y[1],
        out_lon,
        out_lat,
        parts_x[2].reshape(shape),
        parts_y[2].reshape(shape),
        parts_x[3],
        parts_y[3],
        edge_steps,
        common,
        centre_groups,
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


def _set_sky_rows(
    builder: ShapeTableBuilder,
    rows: np.ndarray,
    kind: np.ndarray,
    size: np.ndarray,
    proj: _Projected,
    standard: bool,
) -> None:
    """Pixel shapes of the sky rows that project: Gammapy's rule, or the local Jacobian.

    Rows whose centre or Jacobian is not finite are left alone (the caller sends them to
    the sky fallback).
    """
    ok = _projects(proj)
    r, k, x, y = rows[ok], kind[ok], proj.x0[ok], proj.y0[ok]
    if standard:
        # regions 0.10: one scale and one angle from the North offset.
        dx = proj.x1 - proj.x0
        dy = proj.y1 - proj.y0
        hyp = np.hypot(dx, dy)  # pixels per offset (1 arcsec)
        with np.errstate(divide="ignore", invalid="ignore"):
            pixscale = _NORTH_OFFSET_ARCSEC / hyp  # arcsec per pixel
        north_deg = np.rad2deg(np.arctan2(dy, dx))
        sz, ps, nd = size[ok], pixscale[ok], north_deg[ok]
        first = sz[:, 0] / ps
        second = sz[:, 1] / ps
        # Sky angles of regions are measured from the longitude axis; adding
        # (north angle - 90 deg) turns them into pixel angles.
        rect = k == ShapeKind.rectangle
        angle_rad = np.deg2rad(sz[rect, 2] + (nd[rect] - 90.0))
        builder.set_rectangles(
            r[rect],
            x[rect],
            y[rect],
            first[rect],
            second[rect],
            np.cos(angle_rad),
            np.sin(angle_rad),
        )
        circle = k == ShapeKind.circle
        builder.set_circles(r[circle], x[circle], y[circle], first[circle])
        annulus = k == ShapeKind.annulus
        builder.set_annuli(
            r[annulus], x[annulus], y[annulus], first[annulus], second[annulus]
        )
        return
    affine = affine_shapes(k, size[ok], proj.jac[ok])
    p = affine.is_parallelogram
    builder.set_parallelograms(
        r[p], x[p], y[p], affine.m00[p], affine.m01[p], affine.m10[p], affine.m11[p]
    )
    e = ~p
    builder.set_ellipses(
        r[e], x[e], y[e], affine.q00[e], affine.q01[e], affine.q11[e], affine.inner2[e]
    )


def _deviating_outlines(
    proj: _Projected, kind: np.ndarray, size: np.ndarray
) -> np.ndarray:
    """Rows whose outline points stray from their linearised pixels (or do not project)."""
    pa, dist = outline_offsets(kind, size, _OUTLINE_CHECK)
    t_e = dist * 3600.0 * np.sin(np.deg2rad(pa))
    t_n = dist * 3600.0 * np.cos(np.deg2rad(pa))
    lin_x = (
        proj.x0[:, None] + proj.jac[:, 0, 0, None] * t_e + proj.jac[:, 0, 1, None] * t_n
    )
    lin_y = (
        proj.y0[:, None] + proj.jac[:, 1, 0, None] * t_e + proj.jac[:, 1, 1, None] * t_n
    )
    reach = np.hypot(lin_x - proj.x0[:, None], lin_y - proj.y0[:, None])
    deviation = np.hypot(proj.outline_x - lin_x, proj.outline_y - lin_y)
    with np.errstate(invalid="ignore"):
        bad = ~(deviation <= _DEVIATION * reach + 2.0)
    return np.any(bad, axis=1)


def _dense_outline(
    region: Any, common: BaseCoordinateFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (WCS frame) of a dense closed outline and the length of each step (rad)."""
    if isinstance(region, PolygonSkyRegion):
        verts = region.vertices
        if not verts.frame.is_equivalent_frame(common):
            verts = verts.transform_to(common)
        return great_circle_samples(unit_vectors(*lonlat(verts)), _EDGE_DENSE)
    kind, size = _sky_size(region, 0)
    pa, dist = outline_offsets(
        np.array([kind]), np.array([size], dtype=np.float64), _OUTLINE_DENSE
    )
    groups = [(SkyCoord(region.center), np.array([0]))]
    lon, lat = _group_outlines(groups, common, pa, dist)
    xyz = unit_vectors(lon[0], lat[0])
    nxt = np.roll(xyz, -1, axis=0)
    steps = np.arctan2(
        np.linalg.norm(np.cross(xyz, nxt), axis=-1), np.einsum("ij,ij->i", xyz, nxt)
    )
    return xyz, steps


def _candidate_boxes(
    px: np.ndarray, py: np.ndarray, broken: np.ndarray
) -> list[tuple[int, int, int, int]]:
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


def _clip_boxes(
    boxes: list[tuple[int, int, int, int]], wcs: Any
) -> list[tuple[int, int, int, int]]:
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


def _sky_fallback(
    region: Any, index: int, wcs: Any, common: BaseCoordinateFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel runs of a region selected on the sky: pixel centres -> sky -> inside?

    Candidates are the pixels around the continuous pieces of the projected outline, within
    the map when the WCS knows its size; a candidate counts if its sky position is inside
    the region (`sky_geometry.sky_contains`) and projects back onto the same pixel (so that
    a pixel beyond the seam, which shows a sky position that has its own pixel elsewhere,
    is not counted twice).
    """
    name = type(region).__name__
    xyz, steps = _dense_outline(region, common)
    lon, lat = vector_lonlat(xyz)
    px, py = (
        np.asarray(v, dtype=np.float64).reshape(-1)
        for v in wcs.world_to_pixel(skycoord(common, lon, lat))
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
    bx, by = (
        np.asarray(v, dtype=np.float64).reshape(-1) for v in wcs.world_to_pixel(sky)
    )
    with np.errstate(invalid="ignore"):
        canonical = (np.abs(bx - cx) < 1e-3) & (np.abs(by - cy) < 1e-3)
    if isinstance(region, PolygonSkyRegion):
        frame_of = region.vertices
    else:
        frame_of = region.center
    inside = np.zeros(cx.size, dtype=bool)
    if np.any(canonical):
        own = SkyCoord(sky[canonical]).transform_to(frame_of)
        points = unit_vectors(*lonlat(own))
        if isinstance(region, PolygonSkyRegion):
            verts = unit_vectors(*lonlat(region.vertices))
            try:
                inside[canonical] = sky_contains(
                    ShapeKind.polygon, None, (), points, verts
                )
            except ValueError as err:
                msg = f"regions[{index}] ({name}): {err} is not supported across the projection seam"
                raise ValueError(msg) from None
        else:
            kind, size = _sky_size(region, index)
            centre = unit_vectors(*lonlat(region.center))
            inside[canonical] = sky_contains(kind, centre, size, points)
    return pixel_runs(cx[inside], cy[inside])
