"""`sky_regions_to_pixel_shapes` against Gammapy 2.1 references, the regions package and brute force."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from region_cases import (
    REFERENCE_CASES,
    fermi_like_wcs,
    load_case,
    regions_from_json,
    tan_wcs,
)
from regions import (
    CircleAnnulusPixelRegion,
    CircleAnnulusSkyRegion,
    CirclePixelRegion,
    CircleSkyRegion,
    EllipseSkyRegion,
    PixCoord,
    PolygonPixelRegion,
    PolygonSkyRegion,
    RectanglePixelRegion,
    RectangleSkyRegion,
)

from fluxprofile import _core
from fluxprofile._core import ShapeKind
from fluxprofile.regions import (
    PixelShapes,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    sky_regions_to_pixel_shapes,
)


def _core_pixels(shapes: PixelShapes, nx: int, ny: int, n_threads: int = 1):
    lists = _core.region_pixels(shapes, nx, ny, n_threads)
    return lists.flat_index, lists.offsets, lists.total


def _brute_contains(
    shapes: PixelShapes, i: int, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Independent NumPy containment test of pixel centres (x, y) in shape i (shapes.hpp)."""
    kind, x0, y0, p1, p2, c, s = shapes.table[i]  # the row layout of shapes.hpp
    dx, dy = x - x0, y - y0
    if kind == ShapeKind.rectangle:
        along = c * dx + s * dy
        across = s * dx - c * dy
        return (np.abs(along) < p1 / 2) & (np.abs(across) < p2 / 2)
    r = np.sqrt(dx**2 + dy**2)
    if kind == ShapeKind.circle:
        return r < p1
    if kind == ShapeKind.annulus:
        return (r >= p1) & (r < p2)
    lo, hi = shapes.vertex_offsets[i], shapes.vertex_offsets[i + 1]
    vx, vy = shapes.vertices_x[lo:hi], shapes.vertices_y[lo:hi]
    inside = np.zeros(x.shape, dtype=bool)
    for k in range(vx.size):  # even-odd rule, ray towards +x
        xa, ya, xb, yb = vx[k], vy[k], vx[k - 1], vy[k - 1]
        crosses = (ya > y) != (yb > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = xa + (y - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (x < x_cross)
    return inside


def _random_pixel_regions(rng: np.random.Generator, nx: int, ny: int, n: int) -> list:
    regions = []
    for k in range(n):
        cx = rng.uniform(-15, nx + 15)
        cy = rng.uniform(-15, ny + 15)
        center = PixCoord(cx, cy)
        kind = k % 4
        if kind == 0:
            w, h = rng.uniform(0.3, 25, size=2)
            regions.append(
                RectanglePixelRegion(center, w, h, angle=rng.uniform(-360, 360) * u.deg)
            )
        elif kind == 1:
            regions.append(CirclePixelRegion(center, rng.uniform(0.2, 15)))
        elif kind == 2:
            r_in = rng.uniform(0.1, 8)
            regions.append(
                CircleAnnulusPixelRegion(center, r_in, r_in + rng.uniform(0.2, 10))
            )
        else:
            nv = int(rng.integers(3, 9))
            vx = cx + rng.uniform(
                -12, 12, size=nv
            )  # arbitrary order: may self-intersect
            vy = cy + rng.uniform(-12, 12, size=nv)
            regions.append(PolygonPixelRegion(PixCoord(vx, vy)))
    return regions


# ---------------------------------------------------------------------------------------
# (1) pixel parameters equal what regions 0.10 computed for Gammapy 2.1
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_pixel_shapes_match_reference(reference_dir, name):
    case, wcs = load_case(reference_dir, name)
    regions = regions_from_json(case)
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    assert len(shapes) == len(regions) == case["regions"]["n_regions"]
    assert shapes.table.flags.c_contiguous
    assert shapes.table.dtype == np.float64
    for i, entry in enumerate(case["regions"]["list"]):
        pix = entry["pixel_region_0based"]
        row = shapes.table[i]
        np.testing.assert_allclose(
            row[1:3], [pix["center_x"], pix["center_y"]], rtol=0, atol=1e-9
        )
        if entry["type"] == "RectangleSkyRegion":
            assert row[0] == ShapeKind.rectangle
            np.testing.assert_allclose(
                row[3:5], [pix["width"], pix["height"]], rtol=0, atol=1e-9
            )
            angle = np.deg2rad(pix["angle_deg"])
            np.testing.assert_allclose(
                row[5:7], [np.cos(angle), np.sin(angle)], rtol=0, atol=1e-12
            )
            np.testing.assert_allclose(
                shapes.angle[i].to_value(u.deg), pix["angle_deg"], atol=1e-9
            )
        else:
            assert row[0] == ShapeKind.annulus
            np.testing.assert_allclose(
                row[3:5], [pix["inner_radius"], pix["outer_radius"]], rtol=0, atol=1e-9
            )
            np.testing.assert_array_equal(row[5:7], [1.0, 0.0])


# ---------------------------------------------------------------------------------------
# (2) pixel membership equals Gammapy's region masks
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_membership_matches_reference(reference_dir, name):
    case, wcs = load_case(reference_dir, name)
    shapes = sky_regions_to_pixel_shapes(regions_from_json(case), wcs)
    with np.load(reference_dir / f"{name}_region_pixels.npz") as ref:
        iy, ix, offsets = ref["iy"], ref["ix"], ref["offsets"]
        ny, nx = (int(v) for v in ref["image_shape"])
    assert (nx, ny) == tuple(wcs.pixel_shape or (nx, ny))
    flat, off, n_total = _core_pixels(shapes, nx, ny)
    assert off.size == offsets.size == len(shapes) + 1
    for r in range(len(shapes)):
        expected = np.sort(
            iy[offsets[r] : offsets[r + 1]].astype(np.int64) * nx
            + ix[offsets[r] : offsets[r + 1]]
        )
        got = np.sort(flat[off[r] : off[r + 1]])
        np.testing.assert_array_equal(got, expected, err_msg=f"{name} region {r}")
        assert n_total[r] == expected.size  # all reference regions lie inside the map
    if "npix_per_region" in case["regions"]:
        np.testing.assert_array_equal(np.diff(off), case["regions"]["npix_per_region"])


# ---------------------------------------------------------------------------------------
# (3) core containment vs brute force and vs the regions package
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_core_membership_vs_brute_force(seed):
    rng = np.random.default_rng(seed)
    nx, ny = 37, 23
    regions = _random_pixel_regions(rng, nx, ny, 60)
    shapes = sky_regions_to_pixel_shapes(regions)
    flat, off, n_total = _core_pixels(shapes, nx, ny, n_threads=2)
    # A grid much larger than every shape, for the off-map totals.
    gx, gy = np.meshgrid(np.arange(-60, nx + 60), np.arange(-60, ny + 60))
    in_map = (gx >= 0) & (gx < nx) & (gy >= 0) & (gy < ny)
    n_nonempty = 0
    for r, region in enumerate(regions):
        mask = _brute_contains(shapes, r, gx.astype(float), gy.astype(float))
        assert n_total[r] == mask.sum(), f"region {r}"
        expected = np.sort(gy[mask & in_map] * nx + gx[mask & in_map])
        np.testing.assert_array_equal(
            np.sort(flat[off[r] : off[r + 1]]), expected, err_msg=f"region {r}"
        )
        # Third opinion: the regions package's own pixel containment.
        by_regions = region.contains(PixCoord(gx.astype(float), gy.astype(float)))
        np.testing.assert_array_equal(
            mask, by_regions, err_msg=f"region {r} ({type(region).__name__})"
        )
        n_nonempty += expected.size > 0
    assert n_nonempty > 10  # the random set really exercises the map
    assert np.any(n_total > np.diff(off))  # and some shapes stick out of it


def test_core_membership_of_rotated_sky_regions_vs_brute_force():
    rng = np.random.default_rng(7)
    wcs = tan_wcs()
    nx, ny = 200, 160
    center = wcs.pixel_to_world(99.5, 79.5)
    regions = []
    for k in range(40):
        c = center.directional_offset_by(
            rng.uniform(0, 360) * u.deg, rng.uniform(0, 2.5) * u.deg
        )
        if k % 4 == 0:
            regions.append(
                RectangleSkyRegion(
                    c,
                    rng.uniform(0.05, 1) * u.deg,
                    rng.uniform(0.05, 1) * u.deg,
                    rng.uniform(0, 180) * u.deg,
                )
            )
        elif k % 4 == 1:
            regions.append(CircleSkyRegion(c, rng.uniform(0.02, 0.5) * u.deg))
        elif k % 4 == 2:
            r_in = rng.uniform(0.02, 0.3)
            regions.append(
                CircleAnnulusSkyRegion(
                    c, r_in * u.deg, (r_in + rng.uniform(0.05, 0.3)) * u.deg
                )
            )
        else:
            offsets = rng.uniform(0.1, 0.6, size=5) * u.deg
            pas = np.sort(rng.uniform(0, 360, size=5)) * u.deg
            regions.append(PolygonSkyRegion(c.directional_offset_by(pas, offsets)))
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    flat, off, _ = _core_pixels(shapes, nx, ny, n_threads=0)
    gx, gy = np.meshgrid(np.arange(nx, dtype=float), np.arange(ny, dtype=float))
    for r in range(len(regions)):
        mask = _brute_contains(shapes, r, gx, gy)
        np.testing.assert_array_equal(
            np.sort(flat[off[r] : off[r + 1]]), np.flatnonzero(mask.ravel())
        )


# ---------------------------------------------------------------------------------------
# conversion details: vectorisation, regions' to_pixel, frames, pixel regions
# ---------------------------------------------------------------------------------------


class _CountingWCS:
    """A 2-D WCS proxy that counts world_to_pixel calls."""

    def __init__(self, wcs: WCS) -> None:
        self._wcs = wcs
        self.naxis = 2
        self.calls = 0

    def world_to_pixel(self, *args):
        self.calls += 1
        return self._wcs.world_to_pixel(*args)

    def pixel_to_world(self, *args):
        return self._wcs.pixel_to_world(*args)


def test_conversion_is_vectorised(monkeypatch):
    wcs = fermi_like_wcs()
    regions = make_orthogonal_rectangle_sky_regions(
        SkyCoord(9, 0, unit="deg", frame="galactic"),
        SkyCoord(351, 0, unit="deg", frame="galactic"),
        wcs,
        "3 deg",
        nbin=49,
    )
    regions += make_concentric_annulus_sky_regions(
        SkyCoord(0, 0, unit="deg", frame="galactic"), 1.5 * u.deg
    )
    regions.append(
        PolygonSkyRegion(SkyCoord([1, 2, 2], [0, 0, 1], unit="deg", frame="galactic"))
    )
    expected = sky_regions_to_pixel_shapes(regions, wcs)

    def forbidden(*args, **kwargs):
        msg = "per-region to_pixel must not be called"
        raise AssertionError(msg)

    for cls in (RectangleSkyRegion, CircleAnnulusSkyRegion, PolygonSkyRegion):
        monkeypatch.setattr(cls, "to_pixel", forbidden)
    counting = _CountingWCS(wcs)
    shapes = sky_regions_to_pixel_shapes(regions, counting)
    assert counting.calls == 1  # one world_to_pixel call for all regions
    np.testing.assert_array_equal(shapes.table, expected.table)
    np.testing.assert_array_equal(shapes.vertices_x, expected.vertices_x)


def test_agrees_with_regions_to_pixel_where_the_wcs_is_conformal():
    """At a TAN reference point both regions 0.10 and 0.12 rules give the same shape."""
    wcs = tan_wcs()
    c = wcs.pixel_to_world(99.5, 79.5)
    regions = [
        RectangleSkyRegion(c, 0.4 * u.deg, 0.15 * u.deg, 33 * u.deg),
        CircleSkyRegion(c, 0.3 * u.deg),
        CircleAnnulusSkyRegion(c, 0.1 * u.deg, 0.35 * u.deg),
        PolygonSkyRegion(SkyCoord([83.0, 84.1, 83.9], [21.5, 21.8, 22.6], unit="deg")),
    ]
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    rect, circ, ann, poly = (r.to_pixel(wcs) for r in regions)
    np.testing.assert_allclose(
        shapes.table[0, 1:5],
        [rect.center.x, rect.center.y, rect.width, rect.height],
        atol=1e-6,
    )
    np.testing.assert_allclose(
        shapes.angle[0].to_value(u.deg) % 360,
        rect.angle.to_value(u.deg) % 360,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        shapes.table[1, 1:4], [circ.center.x, circ.center.y, circ.radius], atol=1e-6
    )
    np.testing.assert_allclose(
        shapes.table[2, 1:5],
        [ann.center.x, ann.center.y, ann.inner_radius, ann.outer_radius],
        atol=1e-6,
    )
    np.testing.assert_allclose(shapes.vertices_x, poly.vertices.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(shapes.vertices_y, poly.vertices.y, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(shapes.vertex_offsets, [0, 0, 0, 0, 3])
    # closed form at the tangent point: size / binsz, angle unchanged (ICRS on ICRS)
    np.testing.assert_allclose(shapes.table[0, 3:5], [20.0, 7.5], rtol=1e-9)
    np.testing.assert_allclose(shapes.table[1, 3], 15.0, rtol=1e-9)


def _per_region_rule(region, wcs):
    """Gammapy's rule for one region (docs/sky_geometry.rst), with plain astropy calls."""
    x0, y0 = wcs.world_to_pixel(region.center)
    north = region.center.directional_offset_by(0 * u.deg, 1 * u.arcsec)
    x1, y1 = wcs.world_to_pixel(north)
    pix_per_arcsec = np.hypot(x1 - x0, y1 - y0)
    north_angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))
    return float(x0), float(y0), pix_per_arcsec, north_angle


@pytest.mark.parametrize("wcs_kind", ["car_galactic", "tan_icrs"])
def test_matches_per_region_rule_in_any_frame(wcs_kind):
    """Mixed frames and angle units, off-centre on a TAN map: same as one-by-one."""
    rng = np.random.default_rng(11)
    wcs = fermi_like_wcs() if wcs_kind == "car_galactic" else tan_wcs()
    origin = wcs.pixel_to_world(80.3, 70.8)
    regions = []
    for k in range(36):
        c = origin.directional_offset_by(
            rng.uniform(0, 360) * u.deg, rng.uniform(0, 2.5) * u.deg
        )
        c = [c.icrs, c.galactic, c.fk5, c.fk4][k % 4]  # .galactic stores rad
        size = rng.uniform(0.05, 1, size=2) * u.deg
        if k % 3 == 0:
            angle = rng.uniform(-180, 180) * u.deg
            regions.append(RectangleSkyRegion(c, size[0], size[1], angle))
        elif k % 3 == 1:
            regions.append(CircleSkyRegion(c, size[0].to(u.arcmin)))
        else:
            regions.append(CircleAnnulusSkyRegion(c, size.min(), size.max()))
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    for i, region in enumerate(regions):
        x0, y0, scale, north = _per_region_rule(region, wcs)
        row = shapes.table[i]
        np.testing.assert_allclose(row[1:3], [x0, y0], rtol=0, atol=1e-9)
        if isinstance(region, RectangleSkyRegion):
            expected = [
                region.width.to_value(u.arcsec) * scale,
                region.height.to_value(u.arcsec) * scale,
            ]
            np.testing.assert_allclose(row[3:5], expected, rtol=0, atol=1e-9)
            angle = np.deg2rad(region.angle.to_value(u.deg) + north - 90)
            np.testing.assert_allclose(
                row[5:7], [np.cos(angle), np.sin(angle)], rtol=0, atol=1e-12
            )
        elif isinstance(region, CircleSkyRegion):
            radius = region.radius.to_value(u.arcsec) * scale
            np.testing.assert_allclose(row[3], radius, rtol=0, atol=1e-9)
        else:
            radii = [
                region.inner_radius.to_value(u.arcsec) * scale,
                region.outer_radius.to_value(u.arcsec) * scale,
            ]
            np.testing.assert_allclose(row[3:5], radii, rtol=0, atol=1e-9)


def test_region_frame_differs_from_wcs_frame():
    """North is taken in the region's own frame: ICRS boxes turn on a galactic map."""
    wcs = fermi_like_wcs()
    gal = SkyCoord(2, 0.5, unit="deg", frame="galactic")
    box = RectangleSkyRegion(gal.icrs, 0.3 * u.deg, 1 * u.deg, 30 * u.deg)
    circle = CircleSkyRegion(gal, 0.3 * u.deg)
    shapes = sky_regions_to_pixel_shapes([box, circle], wcs)
    # equatorial North points ~60 deg away from galactic North at the Galactic centre
    galactic_north_pa = gal.icrs.position_angle(
        gal.directional_offset_by(0 * u.deg, 1 * u.arcmin).icrs
    )
    expected = 30 - galactic_north_pa.to_value(u.deg)
    wrapped = (shapes.angle[0].to_value(u.deg) - expected + 180) % 360 - 180
    assert abs(wrapped) < 0.01  # CAR distortion 2 deg off-centre: not exactly conformal
    # a galactic circle on the galactic CAR map: radius = 0.3 / 0.05 pixels exactly
    np.testing.assert_allclose(shapes.table[1, 3], 6.0, rtol=1e-9)


def test_pixel_regions_pass_through():
    regions = [
        RectanglePixelRegion(PixCoord(3.5, 4.0), 5.0, 2.0, angle=30 * u.deg),
        CirclePixelRegion(PixCoord(1.0, 2.0), 3.0),
        CircleAnnulusPixelRegion(PixCoord(-1.0, 2.5), 1.0, 4.0),
        PolygonPixelRegion(PixCoord([0.0, 4.0, 4.0, 0.0], [0.0, 0.0, 3.0, 3.0])),
    ]
    shapes = sky_regions_to_pixel_shapes(regions)
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    np.testing.assert_allclose(
        shapes.table[0], [0, 3.5, 4.0, 5.0, 2.0, c, s], atol=1e-15
    )
    np.testing.assert_array_equal(shapes.table[1], [1, 1.0, 2.0, 3.0, 0, 1, 0])
    np.testing.assert_array_equal(shapes.table[2], [2, -1.0, 2.5, 1.0, 4.0, 1, 0])
    np.testing.assert_array_equal(shapes.table[3], [3, 2.0, 1.5, 0, 0, 0, 0])
    np.testing.assert_array_equal(shapes.vertices_x, [0.0, 4.0, 4.0, 0.0])
    np.testing.assert_array_equal(shapes.vertex_offsets, [0, 0, 0, 0, 4])
    assert shapes.vertex_offsets.dtype == np.int64
    kinds = [
        ShapeKind.rectangle,
        ShapeKind.circle,
        ShapeKind.annulus,
        ShapeKind.polygon,
    ]
    np.testing.assert_array_equal(shapes.kind, kinds)
    np.testing.assert_array_equal(shapes.table[:, 0], kinds)
    np.testing.assert_array_equal(shapes.x, [3.5, 1.0, -1.0, 2.0])
    np.testing.assert_array_equal(shapes.y, [4.0, 2.0, 2.5, 1.5])
    # mixed with a sky region
    wcs = fermi_like_wcs()
    mixed = sky_regions_to_pixel_shapes(
        [
            regions[1],
            CircleSkyRegion(SkyCoord(0, 0, unit="deg", frame="galactic"), 0.1 * u.deg),
        ],
        wcs,
    )
    np.testing.assert_array_equal(mixed.table[0], shapes.table[1])
    np.testing.assert_allclose(mixed.table[1, 1:4], [199.5, 99.5, 2.0], atol=1e-9)
    # a single region is accepted as well
    np.testing.assert_array_equal(
        sky_regions_to_pixel_shapes(regions[1]).table, shapes.table[1:2]
    )


# ---------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------


def _bypass(region, **values):
    """Set attributes without the regions validators (to build invalid regions)."""
    region.__dict__.update(values)
    return region


def test_validation_errors():
    wcs = fermi_like_wcs()
    c = SkyCoord(0, 0, unit="deg", frame="galactic")
    good = CircleSkyRegion(c, 0.2 * u.deg)
    with pytest.raises(ValueError, match="empty"):
        sky_regions_to_pixel_shapes([], wcs)
    with pytest.raises(TypeError, match=r"regions\[1\].*EllipseSkyRegion"):
        sky_regions_to_pixel_shapes(
            [good, EllipseSkyRegion(c, 1 * u.deg, 2 * u.deg)], wcs
        )
    with pytest.raises(TypeError, match=r"regions\[0\].*str"):
        sky_regions_to_pixel_shapes(["box"], wcs)
    with pytest.raises(TypeError, match="wcs"):
        sky_regions_to_pixel_shapes([good])
    bad = _bypass(RectangleSkyRegion(c, 1 * u.deg, 1 * u.deg), width=0 * u.deg)
    with pytest.raises(ValueError, match=r"regions\[1\].*width.*> 0"):
        sky_regions_to_pixel_shapes([good, bad], wcs)
    with pytest.raises(ValueError, match=r"regions\[0\].*height.*> 0"):
        sky_regions_to_pixel_shapes(
            [_bypass(RectangleSkyRegion(c, 1 * u.deg, 1 * u.deg), height=-1 * u.deg)],
            wcs,
        )
    with pytest.raises(ValueError, match=r"radius must be finite"):
        sky_regions_to_pixel_shapes([CircleSkyRegion(c, np.inf * u.deg)], wcs)
    with pytest.raises(ValueError, match=r"regions\[0\].*radius.*> 0"):
        sky_regions_to_pixel_shapes(
            [_bypass(CirclePixelRegion(PixCoord(1, 1), 1.0), radius=-2.0)]
        )
    annulus = CircleAnnulusSkyRegion(c, 0.1 * u.deg, 0.2 * u.deg)
    annulus.inner_radius = (
        0.3 * u.deg
    )  # regions checks inner < outer only on construction
    with pytest.raises(ValueError, match=r"inner_radius must be < outer_radius"):
        sky_regions_to_pixel_shapes([annulus], wcs)
    pix_annulus = CircleAnnulusPixelRegion(PixCoord(1, 1), 1.0, 2.0)
    pix_annulus.inner_radius = 2.0
    with pytest.raises(ValueError, match=r"inner_radius must be < outer_radius"):
        sky_regions_to_pixel_shapes([pix_annulus])
    with pytest.raises(ValueError, match=r"center must be finite"):
        sky_regions_to_pixel_shapes(
            [CircleSkyRegion(SkyCoord(np.nan, 0, unit="deg"), 1 * u.deg)], wcs
        )
    with pytest.raises(ValueError, match=r"center must be finite"):
        sky_regions_to_pixel_shapes([CirclePixelRegion(PixCoord(np.nan, 0.0), 1.0)])
    with pytest.raises(ValueError, match=r"angle must be finite"):
        sky_regions_to_pixel_shapes(
            [RectangleSkyRegion(c, 1 * u.deg, 1 * u.deg, np.nan * u.deg)], wcs
        )
    # A region that lies wholly outside the projection selects no pixel (the estimator
    # then gives its NaN row and warning), see tests/test_sky_geometry.py.
    tan = tan_wcs(10, 20)
    far = CircleSkyRegion(SkyCoord(190, -20, unit="deg"), 1 * u.deg)
    shapes = sky_regions_to_pixel_shapes(
        [CircleSkyRegion(SkyCoord(10, 20, unit="deg"), 1 * u.deg), far], tan
    )
    np.testing.assert_array_equal(shapes.kind, [1, 6])
    assert shapes.vertex_offsets[2] == shapes.vertex_offsets[1]
