"""The estimator's cache of region geometry: reused while the regions are unchanged,
rebuilt when any region or attribute value is replaced."""

from __future__ import annotations

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from regions import PolygonSkyRegion, RectangleSkyRegion

import fluxprofile as fp
from fluxprofile import Map, MapAxis, MapDataset, WcsGeom


def dataset():
    energy = MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2)
    geom = WcsGeom.create(
        skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[energy]
    )
    true = MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2, name="energy_true")
    geom_true = WcsGeom.create(
        skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[true]
    )
    counts = np.random.default_rng(1).poisson(4.0, geom.data_shape).astype(float)
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


def estimator(regions):
    return fp.FluxProfileEstimator(regions, energy_edges=[10, 1000] * u.GeV)


def test_unchanged_regions_reuse_the_cache():
    boxes = [
        RectangleSkyRegion(
            SkyCoord(x, 0, unit="deg", frame="galactic"), 0.5 * u.deg, 1 * u.deg
        )
        for x in (-1, 0, 1)
    ]
    est = estimator(boxes)
    data = dataset()
    first = est.run(data).counts.data.copy()
    entries = est._geometry().entries
    assert entries  # filled by the run
    est.regions = list(boxes)  # a new list of the same regions
    boxes[1].width = 0.5 * u.deg  # a new value equal to the old one
    assert est._geometry().entries is entries
    assert np.array_equal(est.run(data).counts.data, first)


def test_replaced_array_valued_attribute_rebuilds_the_cache():
    # polygon vertices are compared element-wise: a replaced SkyCoord counts as a change
    regions = [polygon(-1.0, 0.25), polygon(1.0, 0.5)]
    est = estimator(regions)
    data = dataset()
    before = est.run(data).counts.data[:, 0].ravel().copy()
    regions[0].vertices = polygon(-1.0, 0.5).vertices
    after = est.run(data).counts.data[:, 0].ravel()
    fresh = (
        estimator([polygon(-1.0, 0.5), polygon(1.0, 0.5)])
        .run(data)
        .counts.data[:, 0]
        .ravel()
    )
    assert after[0] > before[0]
    assert after[1] == before[1]
    assert np.array_equal(after, fresh)


def test_copies_and_pickles_start_with_an_empty_cache():
    import copy
    import pickle

    boxes = [
        RectangleSkyRegion(
            SkyCoord(x, 0, unit="deg", frame="galactic"), 0.5 * u.deg, 1 * u.deg
        )
        for x in (-1, 0, 1)
    ]
    est = estimator(boxes)
    data = dataset()
    first = est.run(data)
    assert est._geometry().entries
    for other in (est.copy(), copy.deepcopy(est), pickle.loads(pickle.dumps(est))):
        assert other._geometry_cache is not est._geometry_cache
        assert not other._geometry().entries  # keyed by identities: not carried over
        assert np.array_equal(
            other.run(data).norm.data, first.norm.data, equal_nan=True
        )


def test_geometry_entries_per_wcs_and_containment():
    from fluxprofile.pipeline.geometry import GeometryCache, distance_axis

    boxes = [
        RectangleSkyRegion(
            SkyCoord(x, 0, unit="deg", frame="galactic"), 0.5 * u.deg, 1 * u.deg
        )
        for x in (-1, 0, 1)
    ]
    data = dataset()
    wcs = data.counts.geom.wcs
    geometry = GeometryCache().snapshot(boxes)
    shapes = geometry.pixel_shapes(wcs)
    assert geometry.pixel_shapes(wcs) is shapes
    centre = geometry.pixel_lists(wcs, (20, 40), "center", 1)
    exact = geometry.pixel_lists(wcs, (20, 40), "exact", 1)
    assert centre.weight is None
    assert exact.weight is not None
    assert (
        geometry.pixel_lists(wcs, (20, 40), "center", 2) is centre
    )  # the threads do not matter
    np.testing.assert_array_equal(
        centre.flat_index, fp._core.region_pixels(shapes, 40, 20, 1).flat_index
    )
    axis = geometry.distance_axis()
    expected = distance_axis(boxes, fp.region_centers(boxes))
    np.testing.assert_allclose(
        axis.center.to_value("deg"), expected.center.to_value("deg"), rtol=0, atol=0
    )
    separations = [box.center.separation(boxes[0].center).deg for box in boxes]
    np.testing.assert_allclose(axis.center.to_value("deg"), separations, rtol=1e-12)
