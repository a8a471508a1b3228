"""Path profiles: `make_path_sky_regions` boxes along a polyline of sky positions.

* a straight path gives the boxes of `make_orthogonal_rectangle_sky_regions` (same pixels,
  same estimator profile on the Fermi file, same distances);
* along a bent path each box lies in the corridor of its own segment, boxes of different
  segments only meet at the vertex, and the box angles follow the segments (checked with
  astropy's position angles and separations, independently of the implementation);
* projected distances are arc lengths along the path (closed form), and bad input fails.
"""

from __future__ import annotations

import pickle

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import Angle, SkyCoord
from astropy.table import Table
from regions import CircleSkyRegion, RectangleSkyRegion

from fluxprofile import FluxPoints, FluxProfileEstimator, MapDataset, WcsGeom, _core
from fluxprofile.regions import (
    PathRegionMeta,
    make_orthogonal_rectangle_sky_regions,
    make_path_sky_regions,
    projected_distance_edges,
    projected_distances,
    sky_regions_to_pixel_shapes,
)


def gal(lon, lat):
    return SkyCoord(lon, lat, unit="deg", frame="galactic")


@pytest.fixture(scope="module")
def fermi_gc(fermi_gc_path):
    return MapDataset.read(fermi_gc_path)


def pixel_sets(regions, wcs, nx, ny):
    """In-map pixel indices (flat) of every region, by the centre rule of the C++ core."""
    shapes = sky_regions_to_pixel_shapes(regions, wcs)
    lists = _core.region_pixels(shapes, nx, ny, 1)
    flat, offsets = lists.flat_index, lists.offsets
    return [
        set(flat[offsets[i] : offsets[i + 1]].tolist()) for i in range(len(regions))
    ]


def cell_values(table, name):
    return np.array([np.asarray(v, dtype=float) for v in table[name]])


# ---------------------------------------------------------------------------------------
# straight paths: the rectangle profile
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((-3.03, 0.0), (4.03, 0.0)),  # along the Galactic equator, towards +l
        ((2.01, 0.0), (-1.52, 0.0)),  # towards -l
        ((0.52, -3.01), (0.52, 2.99)),  # along a meridian
    ],
)
def test_straight_path_boxes_are_the_rectangle_boxes(fermi_gc, start, end):
    wcs = fermi_gc.counts.geom.wcs
    nx, ny = fermi_gc.counts.geom.npix
    a, b = gal(*start), gal(*end)
    rect = make_orthogonal_rectangle_sky_regions(a, b, wcs, "1.1 deg", nbin=7)
    path = make_path_sky_regions(SkyCoord([a, b]), "1.1 deg", nbin=7, wcs=wcs)
    assert len(path) == 7
    for r, p in zip(rect, path, strict=True):
        assert isinstance(p, RectangleSkyRegion)
        assert r.center.separation(p.center).to_value(u.deg) < 1e-12
        assert p.width.to_value(u.deg) == pytest.approx(
            r.width.to_value(u.deg), rel=1e-12
        )
        assert p.height == r.height
        diff = (r.angle - p.angle).wrap_at(180 * u.deg).to_value(u.deg)
        assert abs(diff) < 1e-9
    assert pixel_sets(path, wcs, nx, ny) == pixel_sets(rect, wcs, nx, ny)
    assert sum(len(s) for s in pixel_sets(path, wcs, nx, ny)) > 100
    np.testing.assert_allclose(
        projected_distances(path),
        projected_distances(rect),
        rtol=1e-12,
        atol=1e-12 * u.deg,
    )


def test_straight_path_profile_equals_rectangle_profile(fermi_gc, tmp_path):
    wcs = fermi_gc.counts.geom.wcs
    a, b = gal(-3.03, 0.0), gal(4.03, 0.0)
    kwargs = {"energy_edges": [10, 50, 2000] * u.GeV, "selection_optional": ["ul"]}
    rect = make_orthogonal_rectangle_sky_regions(a, b, wcs, "1.1 deg", nbin=7)
    path = make_path_sky_regions(SkyCoord([a, b]), "1.1 deg", nbin=7, wcs=wcs)
    t_rect = FluxProfileEstimator(rect, **kwargs).run(fermi_gc).to_table()
    fp_path = FluxProfileEstimator(path, **kwargs).run(fermi_gc)
    t_path = fp_path.to_table()
    assert t_path.colnames == t_rect.colnames
    for name in t_rect.colnames:
        np.testing.assert_allclose(
            cell_values(t_path, name),
            cell_values(t_rect, name),
            rtol=1e-9,
            atol=1e-12,
            err_msg=name,
        )
    assert np.all(cell_values(t_path, "counts") > 0)
    # the distance axis is the arc length from the first box centre: i * length / nbin
    np.testing.assert_allclose(
        t_path["x_ref"], np.arange(7) * 7.06 / 7, rtol=1e-12, atol=1e-12
    )
    # and it survives a file round trip
    fp_path.write(tmp_path / "path.fits")
    np.testing.assert_allclose(
        FluxPoints.read(tmp_path / "path.fits").distance_axis.center,
        fp_path.distance_axis.center,
    )


# ---------------------------------------------------------------------------------------
# bent paths
# ---------------------------------------------------------------------------------------
BENT = gal(
    [-4.0, 0.5, 3.0], [-2.0, 0.5, -2.5]
)  # a vertex at (0.5, 0.5), turn of ~85 deg
WIDTH = 0.8 * u.deg


def _segment_frame(point, a, b):
    """Cross-track distance and along-track position of points w.r.t. the segment a->b."""
    ua, ub = (c.cartesian.xyz.value for c in (a, b))
    pole = np.cross(ua, ub)
    pole /= np.linalg.norm(pole)
    up = point.cartesian.xyz.value.reshape(3, -1).T
    cross_track = np.rad2deg(np.arcsin(np.clip(up @ pole, -1, 1)))
    # along-track: separation from a of the projection onto the great circle
    proj = up - np.outer(up @ pole, pole)
    proj /= np.linalg.norm(proj, axis=1, keepdims=True)
    along = np.rad2deg(np.arctan2(np.cross(ua, proj) @ pole, proj @ ua))
    return np.abs(cross_track), along


def test_bent_path_boxes_follow_their_segments(fermi_gc):
    geom = fermi_gc.counts.geom
    wcs = geom.wcs
    nx, ny = geom.npix
    boxes = make_path_sky_regions(BENT, WIDTH, nbin=9, wcs=wcs)
    lengths = BENT[:-1].separation(BENT[1:]).to_value(u.deg)
    segment = np.array([box.meta["path_segment"] for box in boxes])
    # the boxes are shared as equally as possible: every box at most as long as needed
    counts = np.bincount(segment)
    assert counts.sum() == 9
    assert np.all(counts >= 1)
    assert max(lengths / counts) <= min(lengths / (counts - 1 + 1e-300)) + 1e-12
    for k, box in enumerate(boxes):
        seg = segment[k]
        a, b = BENT[seg], BENT[seg + 1]
        cross, along = _segment_frame(box.center, a, b)
        assert cross[0] < 1e-10  # centred on the segment's great circle
        assert box.width.to_value(u.deg) == pytest.approx(
            lengths[seg] / counts[seg], rel=1e-12
        )
        assert box.height == WIDTH
        # the box axis is the local direction of the segment (astropy position angle)
        expected = box.center.position_angle(a) - 90 * u.deg
        assert abs((box.angle - expected).wrap_at(180 * u.deg).to_value(u.deg)) < 1e-8

    pix = pixel_sets(boxes, wcs, nx, ny)
    y, x = np.divmod(np.arange(nx * ny), nx)
    centres = geom.pix_to_skycoord(x.astype(float), y.astype(float))
    half_pixel_diag = 0.05 * np.sqrt(2) / 2
    for k, members in enumerate(pix):
        assert len(members) > 50
        seg = segment[k]
        idx = np.fromiter(members, dtype=np.int64)
        cross, along = _segment_frame(centres[idx], BENT[seg], BENT[seg + 1])
        # within the corridor of its segment (pixel-space boxes: allow half a pixel)
        assert cross.max() <= WIDTH.to_value(u.deg) / 2 + half_pixel_diag
        assert along.min() >= -half_pixel_diag
        assert along.max() <= lengths[seg] + half_pixel_diag
    # boxes of the same segment never share pixels; boxes of different segments only
    # near the vertex
    vertex = BENT[1]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            shared = pix[i] & pix[j]
            if segment[i] == segment[j]:
                assert not shared
            elif shared:
                idx = np.fromiter(shared, dtype=np.int64)
                assert vertex.separation(centres[idx]).to_value(
                    u.deg
                ).max() <= WIDTH.to_value(u.deg)
    # the last box of the first segment and the first box of the second one do overlap
    # (on the inner side of the turn), so the check above is not vacuous
    last = int(np.flatnonzero(segment == 0)[-1])
    assert pix[last] & pix[last + 1]


def test_bent_path_distances_are_arc_lengths():
    boxes = make_path_sky_regions(BENT, WIDTH, bin_size=1.0 * u.deg)
    lengths = BENT[:-1].separation(BENT[1:]).to_value(u.deg)
    counts = np.ceil(lengths / 1.0).astype(int)
    assert len(boxes) == counts.sum()
    # arc length along the path from the path start to each box centre
    starts = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    along = np.concatenate(
        [
            starts[k] + (np.arange(n) + 0.5) * lengths[k] / n
            for k, n in enumerate(counts)
        ]
    )
    expected = along - along[0]
    np.testing.assert_allclose(
        projected_distances(boxes).to_value(u.deg), expected, rtol=1e-12, atol=1e-12
    )
    # the stored value is an Angle in the region meta
    assert isinstance(boxes[3].meta, PathRegionMeta)
    assert isinstance(boxes[3].meta["projected_distance"], Angle)
    # consecutive centres on one segment are one box length apart on the sky
    for k in range(len(boxes) - 1):
        if boxes[k].meta["path_segment"] == boxes[k + 1].meta["path_segment"]:
            sep = boxes[k].center.separation(boxes[k + 1].center).to_value(u.deg)
            assert sep == pytest.approx(expected[k + 1] - expected[k], rel=1e-9)
    # the boxes tile each segment: box lengths add up to the segment length
    for k, _n in enumerate(counts):
        total = sum(
            b.width.to_value(u.deg) for b in boxes if b.meta["path_segment"] == k
        )
        assert total == pytest.approx(lengths[k], rel=1e-12)
        assert all(b.width.to_value(u.deg) <= 1.0 + 1e-12 for b in boxes)


def test_projected_distance_edges():
    boxes = make_path_sky_regions(BENT, WIDTH, nbin=9)
    lengths = BENT[:-1].separation(BENT[1:]).to_value(u.deg)
    counts = np.bincount([b.meta["path_segment"] for b in boxes])
    # closed form: edges every length/count along each segment, from -half the first box
    edges = np.concatenate(
        [[0.0]]
        + [
            sum(lengths[:k]) + np.arange(1, n + 1) * lengths[k] / n
            for k, n in enumerate(counts)
        ]
    )
    edges -= 0.5 * lengths[0] / counts[0]
    np.testing.assert_allclose(
        projected_distance_edges(boxes).to_value(u.deg), edges, atol=1e-12
    )
    centres = 0.5 * (edges[1:] + edges[:-1])
    np.testing.assert_allclose(
        projected_distances(boxes).to_value(u.deg), centres, atol=1e-12
    )
    # not path boxes, or not contiguous: None
    rect = make_orthogonal_rectangle_sky_regions(
        gal(0, 0),
        gal(3, 0),
        WcsGeom.create(binsz=0.1, width=10, frame="galactic").wcs,
        "1 deg",
        3,
    )
    assert projected_distance_edges(rect) is None
    assert projected_distance_edges([boxes[0], boxes[2]]) is None


def test_bin_size_dividing_a_segment_exactly():
    path = gal([0, 2, 2], [0, 0, 1.5])
    boxes = make_path_sky_regions(path, "0.4 deg", bin_size="0.5 deg")
    assert [b.meta["path_segment"] for b in boxes] == [0, 0, 0, 0, 1, 1, 1]
    np.testing.assert_allclose(
        projected_distances(boxes).to_value(u.deg), np.arange(7) * 0.5, atol=1e-12
    )


def test_bent_path_profile_runs_and_writes(fermi_gc, tmp_path):
    boxes = make_path_sky_regions(BENT, WIDTH, nbin=9, wcs=fermi_gc.counts.geom.wcs)
    est = FluxProfileEstimator(boxes, energy_edges=[10, 2000] * u.GeV)
    np.testing.assert_allclose(
        est.projected_distance_axis.center,
        projected_distances(boxes),
        atol=1e-12 * u.deg,
    )
    fp = est.run(fermi_gc)
    np.testing.assert_allclose(
        fp.distance_axis.center,
        projected_distances(boxes),
        rtol=1e-12,
        atol=1e-12 * u.deg,
    )
    table = fp.to_table(sed_type="flux")
    assert np.all(cell_values(table, "npix") > 0)
    path = tmp_path / "bent.ecsv"
    fp.write(path, sed_type="flux")
    back = Table.read(path)
    np.testing.assert_allclose(back["x_ref"], table["x_ref"])
    import matplotlib.pyplot as plt

    ax = fp.plot(sed_type="flux")
    assert ax.get_xlabel().startswith("Projected-distance")
    plt.close("all")


def test_wcs_frame_and_pickle():
    path_icrs = SkyCoord(
        [266.0, 267.0, 267.5], [-29.0, -28.5, -28.0], unit="deg", frame="icrs"
    )
    geom = WcsGeom.create(skydir=(0, 0), binsz=0.05, width=(10, 10), frame="galactic")
    boxes = make_path_sky_regions(path_icrs, "0.3 deg", nbin=4, wcs=geom.wcs)
    assert all(b.center.frame.name == "galactic" for b in boxes)
    plain = make_path_sky_regions(path_icrs, "0.3 deg", nbin=4)
    assert all(b.center.frame.name == "icrs" for b in plain)
    for g, p in zip(boxes, plain, strict=True):
        assert g.center.separation(p.center).to_value(u.arcsec) < 1e-6
        diff = (g.meta["projected_distance"] - p.meta["projected_distance"]).to_value(
            u.deg
        )
        assert abs(diff) < 1e-9
    copy = pickle.loads(pickle.dumps(boxes))
    assert copy[2].meta["projected_distance"] == boxes[2].meta["projected_distance"]
    assert boxes[1].copy().meta["path_segment"] == boxes[1].meta["path_segment"]


def test_projected_distances_fall_back_without_meta_on_all_regions():
    boxes = make_path_sky_regions(BENT, WIDTH, nbin=6)
    mixed = [*boxes, CircleSkyRegion(gal(10, 0), 1 * u.deg)]
    expected = (
        mixed[0].center.separation(SkyCoord([r.center for r in mixed])).to_value(u.deg)
    )
    np.testing.assert_allclose(
        projected_distances(mixed).to_value(u.deg), expected, rtol=1e-12
    )


def test_bad_stored_distance():
    boxes = make_path_sky_regions(BENT, WIDTH, nbin=3)
    boxes[1].meta["projected_distance"] = "far"
    with pytest.raises(
        ValueError, match=r"regions\[1\].*projected_distance.*finite scalar angle"
    ):
        projected_distances(boxes)


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"path": [(0, 0), (1, 1)], "nbin": 2}, TypeError, "path must be a SkyCoord"),
        ({"path": gal([0], [0]), "nbin": 2}, ValueError, "at least 2 positions"),
        ({"path": gal(0, 0), "nbin": 2}, ValueError, "at least 2 positions"),
        (
            {"path": gal([0, np.nan], [0, 1]), "nbin": 2},
            ValueError,
            r"must be finite, got path\[1\]",
        ),
        (
            {"path": gal([0, 1, 1], [0, 0, 0]), "nbin": 2},
            ValueError,
            r"path\[1\] == path\[2\]",
        ),
        ({"path": gal([0, 180], [0, 0]), "nbin": 2}, ValueError, "antipodal"),
        ({}, ValueError, "exactly one of nbin and bin_size"),
        (
            {"nbin": 3, "bin_size": "1 deg"},
            ValueError,
            "exactly one of nbin and bin_size",
        ),
        ({"nbin": 1}, ValueError, r"nbin must be >= the number of path segments \(2\)"),
        ({"nbin": 0}, ValueError, "nbin must be >= 1"),
        ({"nbin": 2.5}, TypeError, "nbin must be an integer"),
        (
            {"bin_size": "-1 deg"},
            ValueError,
            "bin_size must be a finite positive angle",
        ),
        ({"bin_size": "1 m"}, ValueError, "bin_size must be a scalar angle"),
        (
            {"width": "0 deg", "nbin": 3},
            ValueError,
            "width must be a finite positive angle",
        ),
        ({"width": None, "nbin": 3}, TypeError, "width must be an angle"),
        ({"nbin": 3, "wcs": "tan"}, TypeError, "wcs must be a WCS object"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {"path": BENT, "width": WIDTH}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        make_path_sky_regions(**args)


def test_path_outside_the_projection():
    geom = WcsGeom.create(
        skydir=(0, 0), binsz=0.1, width=(10, 10), frame="galactic", proj="TAN"
    )
    with pytest.raises(
        ValueError, match=r"path\[1\] = .* falls outside the WCS projection"
    ):
        make_path_sky_regions(gal([0, 170], [0, 0]), "1 deg", nbin=2, wcs=geom.wcs)
