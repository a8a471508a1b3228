"""The estimator's cache of region geometry: reused while the regions are unchanged,
rebuilt when any region or attribute value is replaced."""

from __future__ import annotations

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from regions import PolygonSkyRegion, RectangleSkyRegion

import fluxprofile as fp
from fluxprofile import MapDataset
from fluxprofile import Map, MapAxis, WcsGeom


def dataset():
    energy = MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2)
    geom = WcsGeom.create(skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[energy])
    true = MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2, name="energy_true")
    geom_true = WcsGeom.create(skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[true])
    counts = np.random.default_rng(1).poisson(4.0, geom.data_shape).astype(float)
    return MapDataset(
        Map(geom, counts), Map(geom_true, np.full(geom_true.data_shape, 1e11), unit="cm2 s"),
        background=Map(geom, np.full(geom.data_shape, 3.0)), name="d",
    )


def polygon(center, half_width):
    lon = [center - half_width, center + half_width, center + half_width, center - half_width]
    return PolygonSkyRegion(SkyCoord(lon, [-0.5, -0.5, 0.5, 0.5], unit="deg", frame="galactic"))


def estimator(regions):
    return fp.FluxProfileEstimator(regions, energy_edges=[10, 1000] * u.GeV)


def test_unchanged_regions_reuse_the_cache():
    boxes = [RectangleSkyRegion(SkyCoord(x, 0, unit="deg", frame="galactic"), 0.5 * u.deg, 1 * u.deg) for x in (-1, 0, 1)]
    est = estimator(boxes)
    data = dataset()
    first = est.run(data).counts.data.copy()
    entries = est._geometry()[0]
    assert entries  # filled by the run
    est.regions = list(boxes)  # a new list of the same regions
    boxes[1].width = 0.5 * u.deg  # a new value equal to the old one
    assert est._geometry()[0] is entries
    assert np.array_equal(est.run(data).counts.data, first)


def test_replaced_array_valued_attribute_rebuilds_the_cache():
    # polygon vertices are compared element-wise: a replaced SkyCoord counts as a change
    regions = [polygon(-1.0, 0.25), polygon(1.0, 0.5)]
    est = estimator(regions)
    data = dataset()
    before = est.run(data).counts.data[:, 0].ravel().copy()
    regions[0].vertices = polygon(-1.0, 0.5).vertices
    after = est.run(data).counts.data[:, 0].ravel()
    fresh = estimator([polygon(-1.0, 0.5), polygon(1.0, 0.5)]).run(data).counts.data[:, 0].ravel()
    assert after[0] > before[0] and after[1] == before[1]
    assert np.array_equal(after, fresh)
