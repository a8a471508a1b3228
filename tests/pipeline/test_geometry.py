"""The shared caches of region geometry and pixel solid angles (docs/performance.rst):
keyed by the regions' full content and the WCS header, so every in-place edit of a region
is seen (issue 13, item 3) and equal grids share their work; cached values equal
independent computations."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from regions import (
    CircleAnnulusSkyRegion,
    CircleSkyRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

import fluxprofile as fp
from fluxprofile import Map, MapAxis, MapDataset, WcsGeom
from fluxprofile.pipeline import geometry
from fluxprofile.pipeline.geometry import (
    GeometryCache,
    clear_caches,
    distance_axis,
    region_fingerprint,
    wcs_key,
    wcs_pixel_solid_angles,
)


def dataset(seed=1):
    energy = MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2)
    geom = WcsGeom.create(
        skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[energy]
    )
    true = MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2, name="energy_true")
    geom_true = WcsGeom.create(
        skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[true]
    )
    counts = np.random.default_rng(seed).poisson(4.0, geom.data_shape).astype(float)
    return MapDataset(
        Map(geom, counts),
        Map(geom_true, np.full(geom_true.data_shape, 1e11), unit="cm2 s"),
        background=Map(geom, np.full(geom.data_shape, 3.0)),
        name="d",
    )


def polygon(center, half_width):
    lon = [
        center - half_width,
        center + half_width,
        center + half_width,
        center - half_width,
    ]
    return PolygonSkyRegion(
        SkyCoord(lon, [-0.5, -0.5, 0.5, 0.5], unit="deg", frame="galactic")
    )


def boxes():
    # an angle object of their own: in-place edits of the default angle of
    # RectangleSkyRegion (one object shared by every box made without one) would leak
    return [
        RectangleSkyRegion(
            SkyCoord(x, 0, unit="deg", frame="galactic"),
            0.5 * u.deg,
            1 * u.deg,
            angle=0.0 * u.deg,
        )
        for x in (-1, 0, 1)
    ]


def estimator(regions):
    return fp.FluxProfileEstimator(regions, energy_edges=[10, 1000] * u.GeV)


def fresh_counts(regions, data):
    """Counts of a new estimator on copies of the regions, with empty caches."""
    clear_caches()
    return estimator(copy.deepcopy(regions)).run(data).counts.data


# -- issue 13, item 3: every in-place change is seen -------------------------------------
def _edit_width(regions):
    regions[1].width *= 2  # Quantity.__imul__: the same object, changed in place


def _edit_height_inplace(regions):
    regions[0].height[...] = 0.5 * u.deg


def _edit_center_inplace(regions):
    # a scalar SkyCoord has no item assignment; its representation's arrays do
    regions[2].center.data.lon[...] = 1.4 * u.deg


def _edit_angle(regions):
    regions[1].angle += 30 * u.deg


def _edit_center_assign(regions):
    regions[0].center = SkyCoord(-1.5, 0.3, unit="deg", frame="galactic")


@pytest.mark.parametrize(
    "edit",
    [
        _edit_width,
        _edit_height_inplace,
        _edit_center_inplace,
        _edit_angle,
        _edit_center_assign,
    ],
)
def test_in_place_edits_of_boxes_are_seen(edit):
    regions = boxes()
    est = estimator(regions)
    data = dataset()
    before = est.run(data).counts.data.copy()
    edit(regions)
    after = est.run(data).counts.data.copy()
    assert not np.array_equal(after, before)
    np.testing.assert_array_equal(after, fresh_counts(regions, data))


def test_in_place_edit_of_polygon_vertices_is_seen():
    regions = [polygon(-1.0, 0.25), polygon(1.0, 0.5)]
    est = estimator(regions)
    data = dataset()
    before = est.run(data).counts.data[:, 0].ravel().copy()
    regions[0].vertices[0] = SkyCoord(-1.6, -0.6, unit="deg", frame="galactic")
    after = est.run(data).counts.data[:, 0].ravel()
    assert after[0] > before[0]
    assert after[1] == before[1]
    np.testing.assert_array_equal(after, fresh_counts(regions, data)[:, 0].ravel())


def test_in_place_edit_of_annulus_radius_is_seen():
    centre = SkyCoord(0, 0, unit="deg", frame="galactic")
    regions = [
        CircleAnnulusSkyRegion(centre, r * u.deg, (r + 0.3) * u.deg) for r in (0.1, 0.4)
    ]
    est = estimator(regions)
    data = dataset()
    before = est.run(data).counts.data.copy()
    regions[0].outer_radius *= 1.5
    after = est.run(data).counts.data
    assert after[0].sum() > before[0].sum()
    np.testing.assert_array_equal(after, fresh_counts(regions, data))


def test_replaced_values_equal_to_the_old_ones_reuse_the_geometry():
    regions = boxes()
    est = estimator(regions)
    data = dataset()
    first = est.run(data).counts.data.copy()
    wcs = data.counts.geom.wcs
    shapes = est._geometry().pixel_shapes(wcs)
    est.regions = list(regions)  # a new list of the same regions
    regions[1].width = 0.5 * u.deg  # a new value equal to the old one
    assert est._geometry().pixel_shapes(wcs) is shapes
    # another estimator with equal regions, and a dataset with an equal WCS object
    other = estimator(copy.deepcopy(regions))
    assert other._geometry().pixel_shapes(copy.deepcopy(wcs)) is shapes
    np.testing.assert_array_equal(other.run(dataset()).counts.data, first)


def test_copies_and_pickles_give_the_same_profile():
    est = estimator(boxes())
    data = dataset()
    first = est.run(data)
    for other in (est.copy(), copy.deepcopy(est), pickle.loads(pickle.dumps(est))):
        assert other._geometry_cache is not est._geometry_cache
        np.testing.assert_array_equal(other.run(data).norm.data, first.norm.data)


def test_fingerprint_follows_content_not_identity():
    regions = [*boxes(), polygon(0.0, 0.2)]
    key = region_fingerprint(regions)
    assert region_fingerprint(copy.deepcopy(regions)) == key
    assert hash(key) == hash(region_fingerprint(copy.deepcopy(regions)))
    regions[0].width *= 1.0000001
    assert region_fingerprint(regions) != key
    # the unit is part of the value
    other = boxes()
    other[0].width = 30 * u.arcmin
    assert region_fingerprint(other) != region_fingerprint(boxes())
    # the frame is part of the centre
    icrs = boxes()
    icrs[0].center = SkyCoord(-1, 0, unit="deg", frame="icrs")
    assert region_fingerprint(icrs) != region_fingerprint(boxes())
    # not geometric: meta and visual attributes do not matter
    meta = boxes()
    meta[0].meta["label"] = "a"
    assert region_fingerprint(meta) == region_fingerprint(boxes())


def test_fingerprint_reads_parameters_a_subclass_computes():
    # parameters stored by the regions package are read from __dict__; a subclass
    # that computes one is asked through the attribute
    class Doubled(RectangleSkyRegion):
        @property
        def width(self):
            return 2 * self.__dict__["width"]

        @width.setter
        def width(self, value):
            self.__dict__["width"] = value

    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    plain = RectangleSkyRegion(center, 0.4 * u.deg, 1 * u.deg)
    doubled = Doubled(center, 0.2 * u.deg, 1 * u.deg)
    assert doubled.width == plain.width
    assert region_fingerprint([doubled])[0][1:] == region_fingerprint([plain])[0][1:]
    doubled.width = 0.3 * u.deg
    assert region_fingerprint([doubled])[0][1:] != region_fingerprint([plain])[0][1:]


def test_snapshots_of_equal_content_share_one_interned_fingerprint():
    # one object per content: store keys then compare by identity, hashed once
    first = GeometryCache().snapshot(boxes())
    second = GeometryCache().snapshot(copy.deepcopy(boxes()))
    assert first.fingerprint is second.fingerprint
    edited = boxes()
    edited[1].height *= 2
    third = GeometryCache().snapshot(edited)
    assert third.fingerprint is not first.fingerprint
    assert third.fingerprint != first.fingerprint
    assert hash(first.fingerprint) == hash(region_fingerprint(boxes()))


def test_wcs_edited_between_runs_gives_new_geometry():
    # a snapshot (one run) writes each WCS header once; the next run sees an edit
    data = dataset()
    est = fp.FluxProfileEstimator(boxes(), energy_edges=[10, 1000] * u.GeV)
    before = est.run(data)
    wcs = data.counts.geom.wcs
    geometry = est._geometry()
    key = geometry.wcs_key(wcs)
    assert geometry.wcs_key(wcs) is key
    wcs.wcs.crval = [wcs.wcs.crval[0] + 1.0, wcs.wcs.crval[1]]
    wcs.wcs.set()
    assert est._geometry().wcs_key(wcs) != key
    after = est.run(data)
    # the boxes now cover other pixels (the map moved by 10 pixels)
    assert not np.array_equal(before.counts.data, after.counts.data)


def test_geometry_entries_per_wcs_and_containment():
    regions = boxes()
    data = dataset()
    wcs = data.counts.geom.wcs
    geometry_ = GeometryCache().snapshot(regions)
    shapes = geometry_.pixel_shapes(wcs)
    assert geometry_.pixel_shapes(wcs) is shapes
    centre = geometry_.pixel_lists(wcs, (20, 40), "center", 1)
    exact = geometry_.pixel_lists(wcs, (20, 40), "exact", 1)
    assert centre.weight is None
    assert exact.weight is not None
    assert geometry_.pixel_lists(wcs, (20, 40), "center", 2) is centre  # threads
    np.testing.assert_array_equal(
        centre.flat_index, fp._core.region_pixels(shapes, 40, 20, 1).flat_index
    )
    shifted = wcs.deepcopy()
    shifted.wcs.crval = [0.3, 0.0]
    moved = geometry_.pixel_shapes(shifted)
    assert moved is not shapes
    np.testing.assert_array_equal(
        fp._core.region_pixels(moved, 40, 20, 1).flat_index,
        fp._core.region_pixels(
            fp.sky_regions_to_pixel_shapes(regions, shifted), 40, 20, 1
        ).flat_index,
    )
    axis = geometry_.distance_axis()
    expected = distance_axis(regions, fp.region_centers(regions))
    np.testing.assert_array_equal(
        axis.center.to_value("deg"), expected.center.to_value("deg")
    )
    separations = [box.center.separation(regions[0].center).deg for box in regions]
    np.testing.assert_allclose(axis.center.to_value("deg"), separations, rtol=1e-12)


# -- WCS keys -------------------------------------------------------------------------
def test_wcs_key_is_the_transformation():
    wcs = dataset().counts.geom.wcs
    assert wcs_key(wcs) == wcs_key(copy.deepcopy(wcs))
    for change in (
        lambda w: setattr(w.wcs, "crval", [0.1, 0.0]),
        lambda w: setattr(w.wcs, "cdelt", [-0.1, 0.1000001]),
        lambda w: setattr(w.wcs, "crpix", [20.0, 10.0]),
        lambda w: setattr(w.wcs, "ctype", ["GLON-TAN", "GLAT-TAN"]),
        lambda w: setattr(w.wcs, "lonpole", 170.0),
        lambda w: w.wcs.set_pv([(2, 1, 45.0)]),
    ):
        other = copy.deepcopy(wcs)
        change(other)
        assert wcs_key(other) != wcs_key(wcs)


def test_wcs_with_distortion_is_cached_per_object():
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN-SIP", "DEC--TAN-SIP"]
    wcs.wcs.crval = [10.0, 20.0]
    wcs.wcs.crpix = [5.0, 5.0]
    wcs.wcs.cdelt = [-0.1, 0.1]
    from astropy.wcs import Sip

    a = np.zeros((3, 3))
    a[2, 0] = 1e-5
    wcs.sip = Sip(a, np.zeros((3, 3)), None, None, wcs.wcs.crpix)
    assert wcs_key(wcs) is None
    regions = [CircleSkyRegion(SkyCoord(10, 20, unit="deg"), 0.3 * u.deg)] * 2
    geometry_ = GeometryCache().snapshot(regions)
    shapes = geometry_.pixel_shapes(wcs)
    assert geometry_.pixel_shapes(wcs) is shapes
    assert geometry_.pixel_shapes(copy.deepcopy(wcs)) is not shapes


# -- pixel solid angles ---------------------------------------------------------------
def brute_force_solid_angles(wcs, nx, ny):
    """Every pixel's two spherical triangles, one pixel corner set at a time (astropy
    pixel_to_world, L'Huilier-free: the solid angle of a triangle from its vertex
    vectors by Eriksson's formula)."""
    xc, yc = np.meshgrid(np.arange(nx + 1) - 0.5, np.arange(ny + 1) - 0.5)
    sky = wcs.pixel_to_world(xc, yc)
    sph = sky.represent_as("unitspherical")
    lon, lat = sph.lon.rad, sph.lat.rad
    v = np.stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1
    )

    def tri(a, b, c):
        num = np.abs(np.sum(a * np.cross(b, c), axis=-1))
        den = (
            1 + np.sum(a * b, axis=-1) + np.sum(b * c, axis=-1) + np.sum(c * a, axis=-1)
        )
        return 2 * np.arctan2(num, den)

    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]
    return np.nan_to_num(tri(a, b, c) + tri(a, c, d), nan=0.0)


def make_wcs(ctype, crval, cdelt, crpix, pc=None):
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ctype
    wcs.wcs.crval = crval
    wcs.wcs.cdelt = cdelt
    wcs.wcs.crpix = crpix
    if pc is not None:
        wcs.wcs.pc = pc
    return wcs


WCS_CASES = {
    "car-gc": make_wcs(["GLON-CAR", "GLAT-CAR"], [0, 0], [-0.05, 0.05], [200.5, 100.5]),
    "car-oblique": make_wcs(
        ["RA---CAR", "DEC--CAR"], [83.63, 22.01], [-0.05, 0.05], [60.5, 60.5]
    ),
    "tan-rotated": make_wcs(
        ["RA---TAN", "DEC--TAN"],
        [10, 60],
        [-0.2, 0.2],
        [25, 15],
        pc=[[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]],
    ),
    "ait-allsky": make_wcs(["GLON-AIT", "GLAT-AIT"], [0, 0], [-2.0, 2.0], [90.5, 45.5]),
    "car-nonsquare-mirrored": make_wcs(
        ["GLON-CAR", "GLAT-CAR"], [30, 10], [0.1, 0.05], [20.5, 10.5]
    ),
}


@pytest.mark.parametrize("name", sorted(WCS_CASES))
def test_solid_angles_match_brute_force_and_wcsgeom(name):
    wcs = WCS_CASES[name]
    nx, ny = (180, 90) if name == "ait-allsky" else (60, 30)
    clear_caches()
    omega = wcs_pixel_solid_angles(wcs, nx, ny, n_threads=1)
    assert omega.shape == (ny, nx)
    assert not omega.flags.writeable
    expected = brute_force_solid_angles(wcs, nx, ny)
    np.testing.assert_array_equal(omega == 0, expected == 0)  # outside the projection
    np.testing.assert_allclose(omega, expected, rtol=1e-9, atol=0)
    # the geometry's own NumPy formula: the same to rounding (docs/performance.rst)
    geom = WcsGeom(wcs, (nx, ny))
    today = np.nan_to_num(geom.solid_angle().to_value(u.sr), nan=0.0)
    np.testing.assert_allclose(omega, today, rtol=1e-12, atol=0)
    # threads and cache: the same numbers
    clear_caches()
    np.testing.assert_array_equal(wcs_pixel_solid_angles(wcs, nx, ny, 2), omega)


def test_solid_angles_sum_to_the_sky():
    wcs = make_wcs(["GLON-CAR", "GLAT-CAR"], [0, 0], [-1.0, 1.0], [180.5, 90.5])
    omega = wcs_pixel_solid_angles(wcs, 360, 180)
    assert omega.sum() == pytest.approx(4 * np.pi, rel=1e-12)


def test_solid_angles_are_cached_per_header_and_shape():
    wcs = WCS_CASES["car-gc"]
    clear_caches()
    first = wcs_pixel_solid_angles(wcs, 40, 20)
    assert wcs_pixel_solid_angles(copy.deepcopy(wcs), 40, 20) is first
    assert wcs_pixel_solid_angles(wcs, 40, 21).shape == (21, 40)
    moved = copy.deepcopy(wcs)
    moved.wcs.crval = [0.0, 30.0]
    other = wcs_pixel_solid_angles(moved, 40, 20)
    assert other is not first
    assert other[0, 0] != first[0, 0]


def test_the_store_is_bounded_in_bytes():
    store = geometry._Store(max_bytes=1000, max_entries=10)
    for k in range(5):
        store.put(k, np.zeros(50))  # 400 bytes each
    assert len(store) == 2
    assert store.get(4) is not None
    assert store.get(0) is None
    store.put("big", np.zeros(1000))  # the newest entry stays, alone
    assert len(store) == 1
    assert store.get("big") is not None
    store.clear()
    assert len(store) == 0
