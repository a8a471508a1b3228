"""Exact pixel-overlap weights (``_core.region_overlap``) against independent numbers.

References: closed-form areas, photutils' exact circular masks, the exact rectangle
masks of the ``regions`` package, per-pixel polygon clipping written here, brute-force
sampling, and the centre rule ``_core.region_pixels`` in the limit of fine pixels.
"""

from __future__ import annotations

import importlib
import os

import astropy.units as u
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from regions import PixCoord, RectanglePixelRegion

from fluxprofile import _core

NO_VERTICES = (np.zeros(0), np.zeros(0))


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _arrays(rows, polygons=()):
    """Shape table arrays of the core's layout; ``polygons`` maps a row index to its (vx, vy)
    vertices."""
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    polygons = dict(polygons)
    vx, vy, offsets = [], [], [0]
    for i in range(len(rows)):
        px, py = polygons.get(i, ((), ()))
        vx.extend(px)
        vy.extend(py)
        offsets.append(len(vx))
    return (
        rows,
        np.array(vx, dtype=float),
        np.array(vy, dtype=float),
        np.array(offsets, dtype=np.int64),
    )


def _table(rows, polygons=()):
    """The bound shape table of `_arrays`."""
    return _core.ShapeTable(*_arrays(rows, polygons))


def _fields(lists):
    """(flat_index, weight, offsets, total) of `_core.PixelLists`."""
    return lists.flat_index, lists.weight, lists.offsets, lists.total


def _overlap_images(rows, nx, ny, polygons=(), n_threads=1):
    """Dense (n, ny, nx) weight images and the full areas of every shape."""
    table = _table(rows, polygons)
    flat, weights, offsets, area = _fields(
        _core.region_overlap(table, nx, ny, n_threads)
    )
    images = np.zeros((len(table), ny * nx))
    for i in range(len(images)):
        sl = slice(offsets[i], offsets[i + 1])
        images[i, flat[sl]] = weights[sl]
    return images.reshape(-1, ny, nx), area


def _rect_row(x, y, width, height, angle):
    return [0, x, y, width, height, np.cos(angle), np.sin(angle)]


def _shoelace(vx, vy):
    # about the mean vertex, to avoid cancelling large products
    vx, vy = np.asarray(vx) - np.mean(vx), np.asarray(vy) - np.mean(vy)
    return 0.5 * abs(np.dot(vx, np.roll(vy, -1)) - np.dot(vy, np.roll(vx, -1)))


def _star_polygon(rng, cx, cy, scale, n):
    """A simple (star-shaped) polygon with n vertices at increasing angles."""
    angles = 2 * np.pi * (np.arange(n) + 0.8 * rng.uniform(size=n)) / n
    radii = scale * rng.uniform(0.2, 1.0, size=n)
    return cx + radii * np.cos(angles), cy + radii * np.sin(angles)


def _clip(poly, axis, bound, keep_below):
    out = []
    for a, b in zip(poly, poly[1:] + poly[:1], strict=True):
        ia = a[axis] <= bound if keep_below else a[axis] >= bound
        ib = b[axis] <= bound if keep_below else b[axis] >= bound
        if ia:
            out.append(a)
        if ia != ib:
            t = (bound - a[axis]) / (b[axis] - a[axis])
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    return out


def _clipped_polygon_image(vx, vy, nx, ny):
    """Area of a simple polygon in every pixel by Sutherland-Hodgman clipping."""
    image = np.zeros((ny, nx))
    for iy in range(ny):
        for ix in range(nx):
            poly = list(zip(vx, vy, strict=True))
            for axis, bound, below in (
                (0, ix - 0.5, False),
                (0, ix + 0.5, True),
                (1, iy - 0.5, False),
                (1, iy + 0.5, True),
            ):
                poly = _clip(poly, axis, bound, below) if poly else poly
            if len(poly) >= 3:
                px, py = np.array(poly).T
                image[iy, ix] = _shoelace(px, py)
    return image


def _not_available(reason):
    # CI installs the test extra: a missing reference is an error there, not a skip.
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _photutils_aperture():
    if os.environ.get("CI"):
        return importlib.import_module("photutils.aperture")
    return pytest.importorskip("photutils.aperture")


def _as_image(mask, shape):
    image = mask.to_image(shape)
    return np.zeros(shape) if image is None else image


# ---------------------------------------------------------------------------------------
# sums equal areas
# ---------------------------------------------------------------------------------------

_coord = st.floats(30.0, 50.0)
_size = st.floats(0.01, 25.0)
_angle = st.floats(-np.pi, np.pi)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["rectangle", "circle", "annulus", "polygon"]),
    x=_coord,
    y=_coord,
    a=_size,
    b=_size,
    angle=_angle,
    n_vertices=st.integers(3, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_summed_weights_equal_area(kind, x, y, a, b, angle, n_vertices, seed):
    # A map holding the whole shape: the weights sum to the closed-form area.
    nx = ny = 80
    polygons = {}
    if kind == "rectangle":
        row, expected = _rect_row(x, y, a, b, angle), a * b
    elif kind == "circle":
        row, expected = [1, x, y, a, 0, 1, 0], np.pi * a**2
    elif kind == "annulus":
        r_in, r_out = sorted((a, b))
        if r_in == r_out:
            r_out += 1.0
        row, expected = [2, x, y, r_in, r_out, 1, 0], np.pi * (r_out**2 - r_in**2)
    else:
        vx, vy = _star_polygon(np.random.default_rng(seed), x, y, a, n_vertices)
        polygons = {0: (vx, vy)}
        row, expected = [3, 0, 0, 0, 0, 0, 0], _shoelace(vx, vy)
    images, area = _overlap_images([row], nx, ny, polygons)
    assert area[0] == pytest.approx(expected, rel=1e-12)
    assert images.sum() == pytest.approx(expected, rel=1e-9)
    assert images.max() <= 1.0
    assert images.min() >= 0.0


def test_area_counts_the_part_off_the_map():
    rows = [
        _rect_row(-3.0, 5.0, 8.0, 60.0, 0.3),
        [1, 200.0, -50.0, 4.0, 0, 1, 0],
        [2, 9.5, 0.0, 2.0, 5.0, 1, 0],
    ]
    images, area = _overlap_images(rows, 20, 20)
    np.testing.assert_allclose(area, [480.0, np.pi * 16.0, np.pi * 21.0], rtol=1e-14)
    assert images[1].sum() == 0.0
    # No pixel at all: still integer indices.
    flat, weights, offsets, area_1 = _fields(
        _core.region_overlap(_table(rows[1:2]), 20, 20, 1)
    )
    assert flat.dtype == np.int64
    assert weights.dtype == np.float64
    assert len(flat) == len(weights) == 0
    np.testing.assert_array_equal(offsets, [0, 0])
    assert area_1[0] == area[1]
    for i in (0, 2):
        assert 0.0 < images[i].sum() < area[i]
    # The in-map part equals the same shapes on a larger map, cut back to the small one.
    shifted = [[r[0], r[1] + 100.0, r[2] + 100.0, *r[3:]] for r in rows]
    big, _ = _overlap_images(shifted, 320, 220)
    np.testing.assert_allclose(images, big[:, 100:120, 100:120], rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------
# exact masks from photutils and regions
# ---------------------------------------------------------------------------------------


def test_circles_and_annuli_match_photutils():
    aperture = _photutils_aperture()
    rng = np.random.default_rng(1)
    nx, ny = 40, 30
    rows, expected = [], []
    for _ in range(60):
        x, y = rng.uniform(-5, 45), rng.uniform(-5, 35)
        r_in, r_out = np.sort(rng.uniform(0.05, 15.0, 2))
        rows += [[1, x, y, r_out, 0, 1, 0], [2, x, y, r_in, r_out, 1, 0]]
        circle = aperture.CircularAperture((x, y), r_out).to_mask(method="exact")
        annulus = aperture.CircularAnnulus((x, y), r_in, r_out).to_mask(method="exact")
        expected += [_as_image(circle, (ny, nx)), _as_image(annulus, (ny, nx))]
    images, _ = _overlap_images(rows, nx, ny)
    np.testing.assert_allclose(images, np.array(expected), rtol=0, atol=1e-9)
    assert (
        np.count_nonzero((images > 0) & (images < 1)) > 1000
    )  # many partial pixels compared


def test_rectangles_match_exact_masks_of_regions():
    # photutils' RectangularAperture "exact" mask is a 32 x 32 subpixel sampling (see the
    # next test); the regions package computes exact ones (0.12 does, 0.10 does not).
    probe = RectanglePixelRegion(PixCoord(0.0, 0.0), 2.0, 1.0, angle=0.3 * u.rad)
    try:
        probe.to_mask(mode="exact")
    except NotImplementedError:
        _not_available("this regions version has no exact rectangle masks")
    rng = np.random.default_rng(2)
    nx, ny = 40, 30
    rows, expected = [], []
    for _ in range(100):
        x, y = rng.uniform(-5, 45), rng.uniform(-5, 35)
        width, height = rng.uniform(0.05, 20.0, 2)
        angle = rng.uniform(-np.pi, np.pi)
        rows.append(_rect_row(x, y, width, height, angle))
        region = RectanglePixelRegion(
            PixCoord(x, y), width, height, angle=angle * u.rad
        )
        expected.append(_as_image(region.to_mask(mode="exact"), (ny, nx)))
    images, _ = _overlap_images(rows, nx, ny)
    np.testing.assert_allclose(images, np.array(expected), rtol=0, atol=1e-9)
    assert np.count_nonzero((images > 0) & (images < 1)) > 1000


@pytest.mark.parametrize("subpixels", [32, 128])
def test_rectangles_within_photutils_sampling(subpixels):
    aperture = _photutils_aperture()
    rng = np.random.default_rng(3)
    nx, ny = 40, 30
    rows, expected = [], []
    for _ in range(40):
        x, y = rng.uniform(0, 40), rng.uniform(0, 30)
        width, height = rng.uniform(0.5, 20.0, 2)
        angle = rng.uniform(-np.pi, np.pi)
        rows.append(_rect_row(x, y, width, height, angle))
        ap = aperture.RectangularAperture((x, y), width, height, theta=angle * u.rad)
        method = "exact" if subpixels == 32 else "subpixel"
        expected.append(
            _as_image(ap.to_mask(method=method, subpixels=subpixels), (ny, nx))
        )
    images, _ = _overlap_images(rows, nx, ny)
    # A straight edge cuts at most 2 k of the k x k samples of a pixel; a pixel meets at
    # most 4 edges, so sampling is off by at most 8 / k.
    diff = np.abs(images - np.array(expected))
    assert diff.max() <= 8.0 / subpixels
    # Errors of the samples average out over a rectangle.
    np.testing.assert_allclose(
        images.sum(axis=(1, 2)),
        np.array(expected).sum(axis=(1, 2)),
        rtol=2.0 / subpixels,
    )


def test_polygons_match_clipping():
    rng = np.random.default_rng(4)
    nx, ny = 18, 15
    for _ in range(20):
        vx, vy = _star_polygon(
            rng,
            rng.uniform(0, 18),
            rng.uniform(0, 15),
            rng.uniform(0.2, 9.0),
            rng.integers(3, 15),
        )
        images, area = _overlap_images([[3, 0, 0, 0, 0, 0, 0]], nx, ny, {0: (vx, vy)})
        np.testing.assert_allclose(
            images[0], _clipped_polygon_image(vx, vy, nx, ny), rtol=0, atol=1e-12
        )
        assert area[0] == pytest.approx(_shoelace(vx, vy), rel=1e-12)


def test_self_intersecting_polygon_uses_even_odd_rule():
    # A pentagram: the inner pentagon is outside under the even-odd rule, as for the
    # centre rule of region_pixels.
    angles = np.pi / 2 + 4 * np.pi * np.arange(5) / 5
    vx, vy = 6.0 + 5.0 * np.cos(angles), 6.0 + 5.0 * np.sin(angles)
    images, area = _overlap_images([[3, 0, 0, 0, 0, 0, 0]], 13, 13, {0: (vx, vy)})
    rho = 5.0 * np.cos(2 * np.pi / 5) / np.cos(np.pi / 5)
    star = 5 * 0.5 * (2 * rho * np.sin(np.pi / 5)) * (5.0 - rho * np.cos(np.pi / 5))
    assert area[0] == pytest.approx(star, rel=1e-12)
    assert images.sum() == pytest.approx(star, rel=1e-12)
    # The pixel at the star's centre lies in the inner pentagon: no weight.
    assert images[0, 6, 6] == 0.0
    # Brute force per pixel: even-odd crossing count on a k x k sample grid.
    k = 64
    s = (np.arange(k) + 0.5) / k - 0.5
    px = (np.arange(13)[None, :, None, None] + s[None, None, None, :]) * np.ones(
        (13, 13, k, k)
    )
    py = (np.arange(13)[:, None, None, None] + s[None, None, :, None]) * np.ones(
        (13, 13, k, k)
    )
    inside = np.zeros(px.shape, dtype=bool)
    for i in range(5):
        x0, y0, x1, y1 = vx[i - 1], vy[i - 1], vx[i], vy[i]
        crosses = ((y0 > py) != (y1 > py)) & (
            px < (x1 - x0) * (py - y0) / (y1 - y0) + x0
        )
        inside ^= crosses
    sampled = inside.mean(axis=(2, 3))
    np.testing.assert_allclose(images[0], sampled, rtol=0, atol=4.0 / k)


# ---------------------------------------------------------------------------------------
# the centre rule in the limit of fine pixels
# ---------------------------------------------------------------------------------------


def _centre_counts(rows, nx, ny, polygons=()):
    return _core.region_pixels(_table(rows, polygons), nx, ny, 1).total


@pytest.mark.parametrize("kind", ["rectangle", "circle", "annulus", "polygon"])
def test_exact_and_centre_rule_converge_for_fine_pixels(kind):
    # The same shape on pixels k times finer: the relative difference between the centre-
    # rule pixel count and the exact area goes to 0 (like 1 / k: only boundary pixels differ).
    rng = np.random.default_rng(5)
    vx0, vy0 = _star_polygon(rng, 0.0, 0.0, 6.0, 12)
    diffs = []
    for k in (1, 4, 16, 64):
        c = 10.37 * k
        polygons = {}
        if kind == "rectangle":
            row = _rect_row(c, c, 7.3 * k, 3.1 * k, 0.61)
        elif kind == "circle":
            row = [1, c, c, 4.3 * k, 0, 1, 0]
        elif kind == "annulus":
            row = [2, c, c, 2.2 * k, 6.1 * k, 1, 0]
        else:
            polygons = {0: (c + k * vx0, c + k * vy0)}
            row = [3, 0, 0, 0, 0, 0, 0]
        n = int(21 * k)
        images, area = _overlap_images([row], n, n, polygons)
        centre = _centre_counts([row], n, n, polygons)
        # Every pixel with its centre inside has some overlap.
        flat = _core.region_pixels(_table([row], polygons), n, n, 1).flat_index
        assert np.all(images[0].ravel()[flat] > 0.0)
        diffs.append(abs(centre[0] - images[0].sum()) / area[0])
    assert diffs[-1] < 2e-3
    assert diffs[-1] < diffs[0]
    assert diffs[-1] < diffs[1]


# ---------------------------------------------------------------------------------------
# table handling and input errors
# ---------------------------------------------------------------------------------------


def test_table_layout_and_threads():
    rng = np.random.default_rng(6)
    rows = [
        _rect_row(*rng.uniform(0, 50, 2), 8.0, 60.0, rng.uniform(0, np.pi))
        for _ in range(30)
    ]
    rows += [
        [1, 25.0, 20.0, 9.0, 0, 1, 0],
        [3, 0, 0, 0, 0, 0, 0],
        [2, 12.0, 30.0, 0.0, 4.0, 1, 0],
    ]
    vx, vy = _star_polygon(rng, 30.0, 30.0, 10.0, 25)
    table = _table(rows, {31: (vx, vy)})
    one = _fields(_core.region_overlap(table, 50, 40, 1))
    many = _fields(_core.region_overlap(table, 50, 40, 0))
    for a, b in zip(one, many, strict=True):
        np.testing.assert_array_equal(a, b)
    flat, weights, offsets, area = one
    assert flat.dtype == np.int64
    assert offsets.dtype == np.int64
    assert weights.dtype == np.float64
    assert area.dtype == np.float64
    assert offsets[0] == 0
    assert offsets[-1] == len(flat) == len(weights)
    assert len(area) == len(rows)
    for i in range(len(rows)):
        sl = flat[offsets[i] : offsets[i + 1]]
        assert np.all(np.diff(sl) > 0)
        assert np.all((sl >= 0) & (sl < 50 * 40))
    assert np.all((weights > 0) & (weights <= 1))
    # An annulus with inner radius 0 is the disk.
    assert area[32] == pytest.approx(np.pi * 16.0, rel=1e-14)


def test_bad_input_raises_value_error():
    rows, vx, vy, offsets = _arrays([[1, 5.0, 5.0, 2.0, 0, 1, 0]])
    table = _core.ShapeTable(rows, vx, vy, offsets)
    with pytest.raises(ValueError, match=r"shapes must have shape \(n, 7\)"):
        _core.ShapeTable(rows[:, :6].copy(), vx, vy, offsets)
    with pytest.raises(ValueError, match="vertex_offsets"):
        _core.ShapeTable(rows, vx, vy, offsets[:1].copy())
    with pytest.raises(ValueError, match="map size"):
        _core.region_overlap(table, -1, 10, 1)
    with pytest.raises(ValueError, match="circle radius"):
        _core.ShapeTable(np.array([[1, 5.0, 5.0, -2.0, 0, 1, 0]]), vx, vy, offsets)
    with pytest.raises(ValueError, match="n_threads"):
        _core.region_overlap(table, 10, 10, -1)
