"""Sky regions on unusual WCS (docs/sky_geometry.rst), against independent sky-space checks.

* non-square pixels: box / circle / annulus areas on the sky (closed forms);
* longitude increasing to the right, rotated or non-square grids: the selected pixels equal
  a brute-force test of every pixel centre on the sky (astropy separations and position
  angles, or astropy offset frames);
* the projection seam: a polygon off the map across the seam selects nothing (NaN row and
  warning through the estimator); regions across the seam of an all-sky map, or whose
  centre does not project, select the pixels a brute-force sky test selects;
* standard maps: pixel sets identical to Gammapy's rule (regions 0.10), also at high
  latitude where that rule is only approximate.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from regions import (
    CircleAnnulusSkyRegion,
    CircleSkyRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

import fluxprofile as fp
from fluxprofile import FluxProfileEstimator, FluxProfileWarning, PixelShapes, _core
from fluxprofile._core import ShapeKind, ShapeTableBuilder
from fluxprofile.regions import sky_regions_to_pixel_shapes

pytestmark = pytest.mark.timeout(300)

# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _wcs(ctype, crval, cdelt, npix, pc=None, radesys=None) -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = list(ctype)
    wcs.wcs.crval = list(crval)
    wcs.wcs.crpix = [(npix[0] + 1) / 2, (npix[1] + 1) / 2]
    wcs.wcs.cdelt = list(cdelt)
    if pc is not None:
        wcs.wcs.pc = pc
    if radesys:
        wcs.wcs.radesys = radesys
    wcs.pixel_shape = tuple(npix)
    return wcs


def _car(cdelt, npix, crval=(0.0, 0.0)) -> WCS:
    return _wcs(("GLON-CAR", "GLAT-CAR"), crval, cdelt, npix)


def _rotation(deg: float) -> np.ndarray:
    t = np.deg2rad(deg)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _selection(
    shapes: PixelShapes, nx: int, ny: int
) -> tuple[list[np.ndarray], np.ndarray]:
    lists = _core.region_pixels(shapes, nx, ny, 1)
    flat, off, total = lists.flat_index, lists.offsets, lists.total
    return [np.sort(flat[off[i] : off[i + 1]]) for i in range(len(shapes))], total


def _overlap(shapes: PixelShapes, nx: int, ny: int):
    lists = _core.region_overlap(shapes, nx, ny, 1)
    index, weight, off, area = (
        lists.flat_index,
        lists.weight,
        lists.offsets,
        lists.total,
    )
    return [
        (index[off[i] : off[i + 1]], weight[off[i] : off[i + 1]])
        for i in range(len(shapes))
    ], area


def _pixel_sky(wcs: WCS, columns: np.ndarray | None = None):
    """Flat indices and sky positions of the pixel centres (optionally some columns only)."""
    nx, ny = wcs.pixel_shape
    cols = np.arange(nx) if columns is None else columns
    gx, gy = np.meshgrid(cols, np.arange(ny))
    gx, gy = gx.ravel(), gy.ravel()
    return gy * nx + gx, wcs.pixel_to_world(gx.astype(float), gy.astype(float))


def _car_pixel_solid_angle(wcs: WCS, flat: np.ndarray) -> np.ndarray:
    """Exact solid angle (deg^2) of CAR pixels: dlon * (sin(b_top) - sin(b_bottom))."""
    nx = wcs.pixel_shape[0]
    iy = flat // nx
    b = wcs.pixel_to_world(np.zeros(iy.size), iy.astype(float)).b.rad
    db = np.deg2rad(abs(wcs.wcs.cdelt[1]))
    dl = np.deg2rad(abs(wcs.wcs.cdelt[0]))
    return np.rad2deg(np.rad2deg(dl * (np.sin(b + db / 2) - np.sin(b - db / 2))))


def _cap(radius_deg: float) -> float:
    """Solid angle (deg^2) of a spherical cap: 2 pi (1 - cos r)."""
    return 2 * np.pi * (1 - np.cos(np.deg2rad(radius_deg))) * np.rad2deg(1) ** 2


def _gal(lon, lat) -> SkyCoord:
    return SkyCoord(lon, lat, unit="deg", frame="galactic")


def _icrs(lon, lat) -> SkyCoord:
    return SkyCoord(lon, lat, unit="deg", frame="icrs")


def _gammapy_rule_shapes(regions, wcs) -> PixelShapes:
    """Gammapy's rule (regions 0.10, docs/sky_geometry.rst), region by region with plain
    astropy calls."""
    builder = ShapeTableBuilder(len(regions))
    for i, region in enumerate(regions):
        x0, y0 = (float(v) for v in wcs.world_to_pixel(region.center))
        north = region.center.directional_offset_by(0 * u.deg, 1 * u.arcsec)
        x1, y1 = (float(v) for v in wcs.world_to_pixel(north))
        scale = np.hypot(x1 - x0, y1 - y0)  # pixels per arcsec
        north_angle = np.degrees(np.arctan2(y1 - y0, x1 - x0))
        if isinstance(region, RectangleSkyRegion):
            angle = np.deg2rad(region.angle.to_value(u.deg) + north_angle - 90)
            builder.set_rectangles(
                i, x0, y0, region.width.to_value(u.arcsec) * scale,
                region.height.to_value(u.arcsec) * scale, np.cos(angle), np.sin(angle),
            )  # fmt: skip
        elif isinstance(region, CircleSkyRegion):
            builder.set_circles(i, x0, y0, region.radius.to_value(u.arcsec) * scale)
        else:
            builder.set_annuli(
                i, x0, y0, region.inner_radius.to_value(u.arcsec) * scale,
                region.outer_radius.to_value(u.arcsec) * scale,
            )  # fmt: skip
    return PixelShapes(builder)


def _box_margin(region: RectangleSkyRegion, sky: SkyCoord) -> np.ndarray:
    """Signed distance (deg) inside a box in its local frame: sky offsets by astropy.

    The pixel centre's offset from the box centre, from separation and position angle
    (azimuthal equidistant frame, East and North), on the box axes: width along position
    angle angle - 90 deg, height along angle. Positive inside.
    """
    centre = region.center
    own = sky.transform_to(centre.frame)
    sep = centre.separation(own).deg
    pa = centre.position_angle(own).rad
    east, north = sep * np.sin(pa), sep * np.cos(pa)
    theta = region.angle.to_value(u.rad)
    along_width = -east * np.cos(theta) + north * np.sin(theta)
    along_height = east * np.sin(theta) + north * np.cos(theta)
    return np.minimum(
        region.width.to_value(u.deg) / 2 - np.abs(along_width),
        region.height.to_value(u.deg) / 2 - np.abs(along_height),
    )


def _gnomonic_box_margin(region: RectangleSkyRegion, sky: SkyCoord) -> np.ndarray:
    """Margin (tangent-plane units) inside the gnomonic box of docs/sky_geometry.rst.

    Through astropy's offset frame at the box centre: offset longitude (East) and
    latitude (North) -> gnomonic coordinates xi = tan(lon), eta = tan(lat) / cos(lon).
    """
    centre = region.center
    off = sky.transform_to(centre.skyoffset_frame())
    lon, lat = off.lon.wrap_at(180 * u.deg).rad, off.lat.rad
    front = np.cos(lat) * np.cos(lon) > 0
    xi, eta = np.tan(lon), np.tan(lat) / np.cos(lon)
    theta = region.angle.to_value(u.rad)
    along_width = -xi * np.cos(theta) + eta * np.sin(theta)
    along_height = xi * np.sin(theta) + eta * np.cos(theta)
    margin = np.minimum(
        np.tan(region.width.to_value(u.rad) / 2) - np.abs(along_width),
        np.tan(region.height.to_value(u.rad) / 2) - np.abs(along_height),
    )
    return np.where(front, margin, -np.inf)


def _assert_equal_but_ties(
    got: np.ndarray, flat: np.ndarray, margin: np.ndarray, tol: float, what: str
):
    """Pixel sets equal except pixel centres within ``tol`` of the sky boundary."""
    expected = np.sort(flat[margin > 0])
    differ = np.setxor1d(got, expected)
    by_flat = dict(zip(flat.tolist(), margin.tolist(), strict=True))
    worst = max((abs(by_flat[f]) for f in differ.tolist()), default=0.0)
    assert worst < tol, (
        f"{what}: {differ.size} pixels differ, one {worst:.3g} from the edge"
    )
    assert differ.size <= max(2, 0.01 * expected.size), (
        f"{what}: {differ.size} pixels differ"
    )
    return expected


# ---------------------------------------------------------------------------------------
# non-square pixels
# ---------------------------------------------------------------------------------------


def test_non_square_pixels_give_the_sky_area():
    """0.1 x 0.05 deg CAR pixels: 2 x 1 deg boxes cover 2 deg^2, a 1 deg circle pi deg^2."""
    wcs = _car([-0.1, 0.05], (320, 1500))
    nx, ny = wcs.pixel_shape
    regions, expected = [], []
    for lon, lat in [(0.3, 0.2), (5.0, 30.0), (-3.3, -21.0)]:
        c = SkyCoord(lon, lat, unit="deg", frame="galactic")
        regions += [
            RectangleSkyRegion(c, 2 * u.deg, 1 * u.deg),
            RectangleSkyRegion(c, 2 * u.deg, 1 * u.deg, angle=35 * u.deg),
            CircleSkyRegion(c, 1 * u.deg),
            CircleAnnulusSkyRegion(c, 0.5 * u.deg, 1 * u.deg),
        ]
        expected += [2.0, 2.0, _cap(1.0), _cap(1.0) - _cap(0.5)]
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    assert set(shapes.kind.tolist()) == {ShapeKind.parallelogram, ShapeKind.ellipse}
    selected, total = _selection(shapes, nx, ny)
    weighted, area = _overlap(shapes, nx, ny)
    for i, region in enumerate(regions):
        assert total[i] == selected[i].size  # all inside the map
        centre_rule = _car_pixel_solid_angle(wcs, selected[i]).sum()
        # Pixelisation error of the centre rule: a box may gain or lose one column and one
        # row (the box is 2 / (0.1 cos b) columns by 20 rows); disks lose less.
        columns = 2.0 / (0.1 * np.cos(region.center.b.rad))
        bound = (
            1.0 / columns + 1.0 / 20 if isinstance(region, RectangleSkyRegion) else 0.02
        )
        assert centre_rule == pytest.approx(expected[i], rel=bound), (i, region)
        index, weight = weighted[i]
        exact = (weight * _car_pixel_solid_angle(wcs, index)).sum()
        # exact overlap: only the linearisation of the projection over the region remains
        assert exact == pytest.approx(expected[i], rel=2e-3), (i, region)
        assert weight.sum() == pytest.approx(area[i], rel=1e-9)
    # Gammapy's rule (one scale from the North offset) counts 0.05 deg per pixel in both
    # directions: the box covers twice its area (the bug this fixes).
    old, _ = _selection(_gammapy_rule_shapes(regions[:1], wcs), nx, ny)
    assert _car_pixel_solid_angle(wcs, old[0]).sum() == pytest.approx(4.0, rel=0.02)


# ---------------------------------------------------------------------------------------
# mirrored, rotated and non-square grids: brute force on the sky
# ---------------------------------------------------------------------------------------


NON_STANDARD = {
    "car_lon_right": lambda: _car([0.05, 0.05], (160, 120), crval=(30.0, 10.0)),
    "tan_lon_right_rotated": lambda: _wcs(
        ("RA---TAN", "DEC--TAN"),
        (83.6, 22.0),
        (0.02, 0.02),
        (150, 130),
        pc=_rotation(20),
        radesys="ICRS",
    ),
    "tan_non_square_lon_right": lambda: _wcs(
        ("RA---TAN", "DEC--TAN"),
        (210.0, -40.0),
        (0.02, 0.03),
        (140, 110),
        radesys="ICRS",
    ),
    "sin_non_square_rotated": lambda: _wcs(
        ("RA---SIN", "DEC--SIN"),
        (10.0, 60.0),
        (-0.03, 0.02),
        (130, 150),
        pc=_rotation(-35),
        radesys="ICRS",
    ),
}


@pytest.mark.parametrize("name", sorted(NON_STANDARD))
def test_rotated_regions_select_the_pixels_a_sky_test_selects(name):
    wcs = NON_STANDARD[name]()
    nx, ny = wcs.pixel_shape
    rng = np.random.default_rng(sum(map(ord, name)))
    origin = wcs.pixel_to_world((nx - 1) / 2, (ny - 1) / 2)
    regions = []
    for k in range(18):
        c = origin.directional_offset_by(
            rng.uniform(0, 360) * u.deg, rng.uniform(0, 0.6) * u.deg
        )
        c = c.icrs if k % 3 == 0 else c  # regions in another frame than the map's too
        w, h = rng.uniform(0.2, 1.0, size=2)
        if k % 3 == 2:
            regions.append(
                CircleAnnulusSkyRegion(c, 0.5 * min(w, h) * u.deg, max(w, h) * u.deg)
            )
        elif k % 6 == 1:
            regions.append(CircleSkyRegion(c, 0.5 * w * u.deg))
        else:
            regions.append(
                RectangleSkyRegion(
                    c, w * u.deg, h * u.deg, angle=rng.uniform(-180, 180) * u.deg
                )
            )
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    assert set(shapes.kind.tolist()) <= {ShapeKind.parallelogram, ShapeKind.ellipse}
    selected, _ = _selection(shapes, nx, ny)
    flat, sky = _pixel_sky(wcs)
    old, _ = _selection(_gammapy_rule_shapes(regions, wcs), nx, ny)
    n_old_wrong = 0
    for i, region in enumerate(regions):
        if isinstance(region, RectangleSkyRegion):
            margin = _box_margin(region, sky)
        else:
            sep = region.center.separation(sky).deg
            if isinstance(region, CircleSkyRegion):
                margin = region.radius.to_value(u.deg) - sep
            else:
                margin = np.minimum(
                    sep - region.inner_radius.to_value(u.deg),
                    region.outer_radius.to_value(u.deg) - sep,
                )
        # 1e-3 deg: the projection's second order over a region 0.6 deg from the centre
        expected = _assert_equal_but_ties(
            selected[i], flat, margin, 1e-3, f"{name} region {i}"
        )
        assert expected.size > 20
        n_old_wrong += np.setxor1d(old[i], expected).size > 0.05 * expected.size
    # and Gammapy's rule (one scale, one angle) gets most of them wrong on these grids
    assert n_old_wrong >= len(regions) // 2


def test_mirrored_box_is_the_mirror_image():
    """On CDELT1 > 0 a box at angle +a selects the mirror image of the same box on CDELT1 < 0."""
    c = SkyCoord(0, 0, unit="deg", frame="galactic")
    left = _car([-0.05, 0.05], (121, 121))
    right = _car([0.05, 0.05], (121, 121))
    for angle in (0.0, 17.0, 30.0, 61.0, 120.0):
        box = RectangleSkyRegion(c, 3 * u.deg, 1 * u.deg, angle=angle * u.deg)
        (a,), _ = _selection(sky_regions_to_pixel_shapes([box], left), 121, 121)
        (b,), _ = _selection(sky_regions_to_pixel_shapes([box], right), 121, 121)
        ay, ax = np.divmod(a, 121)
        mirrored = np.sort(ay * 121 + (120 - ax))
        np.testing.assert_array_equal(b, mirrored, err_msg=f"angle {angle}")
        assert a.size > 100


# ---------------------------------------------------------------------------------------
# the projection seam and regions that do not project
# ---------------------------------------------------------------------------------------


def _seam_polygon() -> PolygonSkyRegion:
    """20 x 2 deg around the Galactic anticentre: across the seam of a map centred on l = 0."""
    return PolygonSkyRegion(
        SkyCoord([170, 190, 190, 170], [-1, -1, 1, 1], unit="deg", frame="galactic")
    )


def _inside_seam_polygon(sky: SkyCoord) -> np.ndarray:
    """Closed form: meridian edges at l = 170, 190; great-circle edges through (170/190, +-1)."""
    dl = sky.l.wrap_at(360 * u.deg).deg - 180.0
    lat_edge = np.rad2deg(
        np.arctan(
            np.tan(np.deg2rad(1.0)) * np.cos(np.deg2rad(dl)) / np.cos(np.deg2rad(10.0))
        )
    )
    return (np.abs(dl) < 10.0) & (np.abs(sky.b.deg) < lat_edge)


def test_seam_polygon_off_the_map_selects_nothing():
    wcs = _car([-0.05, 0.05], (400, 200))  # the Galactic-centre map
    shapes = sky_regions_to_pixel_shapes([_seam_polygon()], wcs)
    selected, total = _selection(shapes, 400, 200)
    assert shapes.kind[0] == ShapeKind.pixel_runs
    assert selected[0].size == 0
    assert total[0] == 0
    # Without the map size the pixels beyond the map edges, on either side of the seam,
    # are tested too, and each sky position is counted once: 20 x 2 deg in 0.05 deg pixels.
    wcs.pixel_shape = None
    shapes = sky_regions_to_pixel_shapes([_seam_polygon()], wcs)
    selected, total = _selection(shapes, 400, 200)
    assert selected[0].size == 0
    assert total[0] == (20 / 0.05) * (2 / 0.05)
    # the straight pixel polygon between the projected vertices spans the whole map
    lo, hi = shapes.vertex_offsets[0], shapes.vertex_offsets[1]
    vx, vy = (
        np.ascontiguousarray(v, dtype=float)
        for v in wcs.world_to_pixel(_seam_polygon().vertices)
    )
    naive = PixelShapes(
        np.array([[3, vx.mean(), vy.mean(), 0, 0, 0, 0]]),
        vx,
        vy,
        np.array([0, vx.size], dtype=np.int64),
    )
    (wrapped,), _ = _selection(naive, 400, 200)
    assert wrapped.size == 400 * 40
    assert hi > lo


def _gc_dataset():
    energy = fp.MapAxis.from_energy_bounds(10, 500, 2, unit="GeV", name="energy")
    true = fp.MapAxis.from_energy_bounds(10, 500, 3, unit="GeV", name="energy_true")
    kw = {
        "skydir": (0, 0),
        "binsz": 0.05,
        "npix": (400, 200),
        "frame": "galactic",
        "proj": "CAR",
    }
    geom, geom_true = (
        fp.WcsGeom.create(axes=[energy], **kw),
        fp.WcsGeom.create(axes=[true], **kw),
    )
    background = np.full(geom.data_shape, 5.0)
    counts = np.random.default_rng(1).poisson(background + 1.0).astype(float)
    exposure = fp.Map(geom_true, np.full(geom_true.data_shape, 1e11), unit="cm2 s")
    return fp.MapDataset(
        fp.Map(geom, counts), exposure, background=fp.Map(geom, background), name="gc"
    )


def test_seam_polygon_gives_a_nan_row_and_a_warning():
    gal = SkyCoord([-1.0, 1.0], [0.0, 0.0], unit="deg", frame="galactic")
    regions = [
        RectangleSkyRegion(gal[0], 1 * u.deg, 1 * u.deg),
        RectangleSkyRegion(gal[1], 1 * u.deg, 1 * u.deg),
        _seam_polygon(),
    ]
    estimator = FluxProfileEstimator(regions, energy_edges=[10, 500] * u.GeV)
    with pytest.warns(
        FluxProfileWarning, match=r"Region 2 contains no pixel centre"
    ) as record:
        result = estimator.run(_gc_dataset())
    assert [w.message.regions for w in record if "pixel centre" in str(w.message)] == [
        (2,)
    ]
    norm = result.norm.values
    assert np.all(np.isnan(norm[2]))
    assert np.all(np.isfinite(norm[:2]))
    assert not np.any(result.success.values[2])
    assert np.all(result.counts.values[2] == 0)


def _all_sky() -> WCS:
    return _car([-0.2, 0.2], (1800, 900))


def test_regions_across_the_seam_of_an_all_sky_map():
    """Both sides of the seam, as a brute-force sky test of the pixel centres finds them."""
    wcs = _all_sky()
    nx, ny = wcs.pixel_shape
    regions = [
        _seam_polygon(),
        CircleSkyRegion(_gal(179.0, 10.0), 3 * u.deg),
        CircleAnnulusSkyRegion(_gal(180.5, -20.0), 1 * u.deg, 3 * u.deg),
        RectangleSkyRegion(_gal(180.0, 40.0), 6 * u.deg, 2 * u.deg, angle=20 * u.deg),
        CircleSkyRegion(
            _gal(0.0, 0.0), 3 * u.deg
        ),  # far from the seam: an ordinary circle
    ]
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    np.testing.assert_array_equal(
        shapes.kind, [ShapeKind.pixel_runs] * 4 + [ShapeKind.circle]
    )
    selected, total = _selection(shapes, nx, ny)
    near_seam = np.concatenate([np.arange(0, 120), np.arange(nx - 120, nx)])
    flat, sky = _pixel_sky(wcs, near_seam)
    tol = 1e-9
    for i, region in enumerate(regions[:4]):
        if i == 0:
            inside = _inside_seam_polygon(sky)
            margin = np.where(inside, 1.0, -1.0)
        elif isinstance(region, RectangleSkyRegion):
            margin = _gnomonic_box_margin(region, sky)
        else:
            sep = region.center.separation(sky).deg
            if isinstance(region, CircleSkyRegion):
                margin = region.radius.to_value(u.deg) - sep
            else:
                margin = np.minimum(
                    sep - region.inner_radius.to_value(u.deg),
                    region.outer_radius.to_value(u.deg) - sep,
                )
        expected = _assert_equal_but_ties(selected[i], flat, margin, tol, f"region {i}")
        columns = expected % nx
        assert np.any(columns < 60), f"region {i} on the left side"
        assert np.any(columns > nx - 60), f"region {i} on the right side"
        # no pixel beyond the map shows the same sky again: all of them are in the map
        assert total[i] == selected[i].size
    # exact containment of pixel runs: whole pixels
    weighted, area = _overlap(shapes, nx, ny)
    for i in range(4):
        np.testing.assert_array_equal(weighted[i][0], selected[i])
        assert np.all(weighted[i][1] == 1.0)
        assert area[i] == selected[i].size


def test_regions_whose_centre_does_not_project():
    """TAN map: regions centred beyond 90 deg of the tangent point reach into the map."""
    wcs = _wcs(
        ("RA---TAN", "DEC--TAN"), (0.0, 0.0), (-1.0, 1.0), (400, 400), radesys="ICRS"
    )
    nx, ny = wcs.pixel_shape
    circle = CircleSkyRegion(_icrs(91.0, 0.0), 25 * u.deg)
    polygon = PolygonSkyRegion(
        _icrs([60, 100, 100, 60], [-5, -5, 5, 5])
    )  # vertices at 100 deg
    annulus = CircleAnnulusSkyRegion(
        _icrs(180.0, 0.0), 1 * u.deg, 2 * u.deg
    )  # nowhere near
    shapes = sky_regions_to_pixel_shapes([circle, polygon, annulus], wcs)
    np.testing.assert_array_equal(shapes.kind, [ShapeKind.pixel_runs] * 3)
    selected, total = _selection(shapes, nx, ny)
    flat, sky = _pixel_sky(wcs)
    margin = circle.radius.to_value(u.deg) - circle.center.separation(sky).deg
    expected = _assert_equal_but_ties(selected[0], flat, margin, 1e-9, "circle")
    assert expected.size > 100
    lon = sky.ra.wrap_at(360 * u.deg).deg
    edge = np.rad2deg(
        np.arctan(
            np.tan(np.deg2rad(5.0))
            * np.cos(np.deg2rad(lon - 80.0))
            / np.cos(np.deg2rad(20.0))
        )
    )
    inside = (lon > 60) & (lon < 100) & (np.abs(sky.dec.deg) < edge)
    expected = _assert_equal_but_ties(
        selected[1], flat, np.where(inside, 1.0, -1.0), 1e-9, "polygon"
    )
    assert expected.size > 100
    assert selected[2].size == 0
    assert total[2] == 0


def test_standard_grid_regions_near_but_not_across_the_seam_keep_gammapys_rule():
    """Distortion is not a seam: a large circle at high latitude stays a Gammapy circle."""
    wcs = _all_sky()
    regions = [
        CircleSkyRegion(SkyCoord(30.0, 70.0, unit="deg", frame="galactic"), 8 * u.deg),
        RectangleSkyRegion(
            SkyCoord(140.0, -60.0, unit="deg", frame="galactic"),
            12 * u.deg,
            4 * u.deg,
            30 * u.deg,
        ),
    ]
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    np.testing.assert_array_equal(shapes.kind, [ShapeKind.circle, ShapeKind.rectangle])
    np.testing.assert_allclose(
        shapes.table, _gammapy_rule_shapes(regions, wcs).table, rtol=0, atol=1e-9
    )


# ---------------------------------------------------------------------------------------
# standard maps: Gammapy's rule, bit for bit
# ---------------------------------------------------------------------------------------


STANDARD = {
    "car_gc": lambda: _car([-0.05, 0.05], (400, 200)),
    "car_high_latitude": lambda: _car([-0.1, 0.1], (300, 300), crval=(120.0, 55.0)),
    "tan_rotated": lambda: _wcs(
        ("RA---TAN", "DEC--TAN"),
        (83.6, 22.0),
        (-0.02, 0.02),
        (200, 160),
        pc=_rotation(25),
        radesys="ICRS",
    ),
    "ait_far_from_centre": lambda: _wcs(
        ("GLON-AIT", "GLAT-AIT"), (0.0, 0.0), (-0.5, 0.5), (300, 200)
    ),
}


@pytest.mark.parametrize("name", sorted(STANDARD))
def test_standard_grids_select_exactly_what_gammapys_rule_selects(name):
    wcs = STANDARD[name]()
    nx, ny = wcs.pixel_shape
    rng = np.random.default_rng(len(name))
    regions = []
    for k in range(60):
        c = wcs.pixel_to_world(rng.uniform(0.1, 0.9) * nx, rng.uniform(0.1, 0.9) * ny)
        c = [c, c.icrs, c.galactic][k % 3]
        size = rng.uniform(2, 12, size=2) * abs(wcs.wcs.cdelt[1])
        if k % 3 == 0:
            regions.append(
                RectangleSkyRegion(
                    c, size[0] * u.deg, size[1] * u.deg, rng.uniform(-180, 180) * u.deg
                )
            )
        elif k % 3 == 1:
            regions.append(CircleSkyRegion(c, size[0] * u.deg))
        else:
            regions.append(
                CircleAnnulusSkyRegion(c, size.min() * u.deg, size.max() * u.deg)
            )
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    assert set(shapes.kind.tolist()) <= {
        ShapeKind.rectangle,
        ShapeKind.circle,
        ShapeKind.annulus,
    }
    reference = _gammapy_rule_shapes(regions, wcs)
    np.testing.assert_allclose(shapes.table, reference.table, rtol=0, atol=1e-9)
    got, got_total = _selection(shapes, nx, ny)
    expected, expected_total = _selection(reference, nx, ny)
    for i in range(len(regions)):
        np.testing.assert_array_equal(got[i], expected[i], err_msg=f"{name} region {i}")
    np.testing.assert_array_equal(got_total, expected_total)
    assert sum(g.size for g in got) > 1000


def test_grid_classification():
    from fluxprofile.regions.sky_geometry import standard_pixel_grid

    assert standard_pixel_grid(_car([-0.05, 0.05], (10, 10)))
    assert standard_pixel_grid(STANDARD["tan_rotated"]())
    assert not standard_pixel_grid(_car([0.05, 0.05], (10, 10)))
    assert not standard_pixel_grid(_car([-0.1, 0.05], (10, 10)))
    assert not standard_pixel_grid(NON_STANDARD["tan_lon_right_rotated"]())
    swapped = _wcs(("GLAT-CAR", "GLON-CAR"), (0.0, 0.0), (0.05, -0.05), (10, 10))
    assert not standard_pixel_grid(swapped)  # latitude first: the handedness flips


def test_exact_containment_on_a_non_square_map_through_the_estimator():
    """Uniform brightness, exact overlap: each region's norm is its exact pixel area ratio."""
    energy = fp.MapAxis.from_energy_bounds(10, 500, 2, unit="GeV", name="energy")
    true = fp.MapAxis.from_energy_bounds(10, 500, 2, unit="GeV", name="energy_true")
    wcs = _car([0.1, 0.05], (120, 160))  # longitude to the right, non-square
    geom, geom_true = (
        fp.WcsGeom(wcs, (120, 160), [energy]),
        fp.WcsGeom(wcs, (120, 160), [true]),
    )
    model = fp.PowerLawSpectralModel(index=2, amplitude="1e-12 cm-2 s-1 TeV-1")
    flux = model.integral(true.edges[:-1], true.edges[1:]).to_value("cm-2 s-1")
    exposure = np.full(geom_true.data_shape, 1e12)
    background = np.full(geom.data_shape, 1.0)
    counts = background + flux[:, None, None] * exposure
    dataset = fp.MapDataset(
        fp.Map(geom, counts),
        fp.Map(geom_true, exposure, unit="cm2 s"),
        background=fp.Map(geom, background),
        name="u",
    )
    c = SkyCoord([1.0, -1.0], [0.5, -0.8], unit="deg", frame="galactic")
    regions = [
        RectangleSkyRegion(c[0], 1.5 * u.deg, 0.7 * u.deg, angle=25 * u.deg),
        CircleAnnulusSkyRegion(c[1], 0.4 * u.deg, 1.0 * u.deg),
    ]
    estimator = FluxProfileEstimator(
        regions,
        spectral_model=model,
        energy_edges=[10, 500] * u.GeV,
        containment="exact",
        norm_err_method="curvature",  # the closed form holds at the exact minimum
    )
    profile = estimator.run(dataset)
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    _, area = _overlap(shapes, 120, 160)
    np.testing.assert_allclose(profile.norm.data.ravel(), area, rtol=1e-6)
    # and those areas are the sky areas in pixels of 0.1 x 0.05 deg (near the equator)
    np.testing.assert_allclose(
        area * 0.005, [1.5 * 0.7, _cap(1.0) - _cap(0.4)], rtol=2e-3
    )
