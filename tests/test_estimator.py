"""`FluxProfileEstimator`: its configuration and how it turns into a run (fit options, the
geometry it reuses, the profile it returns)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from regions import RectangleSkyRegion

import fluxprofile as fp
from fluxprofile.vocabulary import OPTIONAL_QUANTITIES


def boxes():
    # centres on pixel centres (edges on pixel edges) of the 0.1 deg map of `dataset`
    return [
        RectangleSkyRegion(
            SkyCoord(x, 0, unit="deg", frame="galactic"), 0.5 * u.deg, 1 * u.deg
        )
        for x in (-1.05, -0.05, 0.95)
    ]


def dataset():
    energy = fp.MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2)
    geom = fp.WcsGeom.create(
        skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[energy]
    )
    true = fp.MapAxis.from_energy_bounds("10 GeV", "1 TeV", nbin=2, name="energy_true")
    geom_true = fp.WcsGeom.create(
        skydir=(0, 0), npix=(40, 20), binsz=0.1, frame="galactic", axes=[true]
    )
    counts = np.random.default_rng(4).poisson(6.0, geom.data_shape).astype(float)
    return fp.MapDataset(
        fp.Map(geom, counts), fp.Map(geom_true, np.full(geom_true.data_shape, 1e11), unit="cm2 s"),
        background=fp.Map(geom, np.full(geom.data_shape, 3.0)), name="d",
    )  # fmt: skip


def test_selection_optional_all_is_the_vocabulary_in_order():
    est = fp.FluxProfileEstimator(boxes(), selection_optional="all")
    assert est.selection_optional == list(OPTIONAL_QUANTITIES)
    assert fp.FluxProfileEstimator(boxes()).selection_optional == []


@pytest.mark.parametrize("method", ["minuit", "curvature"])
def test_fit_options_follow_the_configuration(method):
    est = fp.FluxProfileEstimator(
        boxes(), n_sigma=2, n_sigma_ul=3, n_sigma_sensitivity=4, null_value=0.5,
        selection_optional=["ul", "scan"], norm_err_method=method,
    )  # fmt: skip
    options = est._fit_options()
    assert (
        options.n_sigma,
        options.n_sigma_ul,
        options.n_sigma_sensitivity,
        options.null_value,
    ) == (2, 3, 4, 0.5)
    assert options.ul
    assert not options.errn_errp
    assert not options.sensitivity
    assert options.scan_values == [float(v) for v in est.norm.scan_values]
    assert options.minuit_errors is options.minuit_norm is (method == "minuit")


def test_run_returns_the_selected_quantities_on_the_distance_axis():
    est = fp.FluxProfileEstimator(
        boxes(),
        energy_edges=[10, 1000] * u.GeV,
        selection_optional=["errn-errp", "scan"],
    )
    profile = est.run(dataset())
    table = profile.to_table()
    for name in (
        "norm",
        "norm_err",
        "norm_errn",
        "norm_errp",
        "ts",
        "npred",
        "stat_scan",
        "counts",
        "success",
    ):
        assert name in table.colnames, name
    assert "norm_ul" not in table.colnames
    separations = [box.center.separation(boxes()[0].center).deg for box in boxes()]
    np.testing.assert_allclose(
        profile.distance_axis.center.to_value("deg"), separations, rtol=1e-12
    )
    np.testing.assert_allclose(
        est.projected_distance_axis.center.to_value("deg"), separations, rtol=1e-12
    )
    assert profile.success.data.all()
    # a 0.5 x 1 deg box covers 5 x 10 pixels of 0.1 deg
    np.testing.assert_array_equal(table["npix"], 50)


def test_containment_rule_changes_only_the_pixel_weights():
    center = fp.FluxProfileEstimator(boxes(), energy_edges=[10, 1000] * u.GeV).run(
        dataset()
    )
    exact = fp.FluxProfileEstimator(
        boxes(), energy_edges=[10, 1000] * u.GeV, containment="exact"
    ).run(dataset())
    # the boxes' edges lie on pixel edges: both rules select the same pixels, weight 1 (to
    # the round-off of the overlap areas)
    np.testing.assert_allclose(exact.counts.data, center.counts.data, rtol=1e-12)
    np.testing.assert_allclose(
        exact.to_table()["npix"], center.to_table()["npix"], rtol=1e-12
    )
    # the weighted path averages the exposure in double, not as np.mean (docs/fit.rst):
    # MIGRAD's stopping point moves in the last digits
    np.testing.assert_allclose(exact.norm.data, center.norm.data, rtol=1e-9)
    with pytest.raises(
        ValueError, match="containment must be 'center' or 'exact', got 'area'"
    ):
        fp.FluxProfileEstimator(boxes(), containment="area")


def test_profile_gti_is_the_datasets_intervals_once_per_region_as_at_the_run():
    from astropy.table import Table, vstack

    first, second = dataset(), dataset()
    second.name = "e"
    meta = {"MJDREFI": 51910, "MJDREFF": 0.0, "TIMESYS": "tt"}
    first.gti = Table(
        {"START": [0.0, 10.0] * u.s, "STOP": [5.0, 20.0] * u.s}, meta=meta
    )
    second.gti = Table({"START": [30.0] * u.s, "STOP": [40.0] * u.s}, meta=meta)
    expected = vstack([first.gti, second.gti])
    est = fp.FluxProfileEstimator(boxes(), energy_edges=[10, 1000] * u.GeV)
    profile = est.run([first, second])
    first.gti["STOP"][0] = 999.0  # an edit after the run does not reach the result
    table = profile.gti.to_table()
    assert len(table) == 3 * len(expected)
    np.testing.assert_array_equal(table["STOP"], np.tile(expected["STOP"], 3))
    np.testing.assert_array_equal(table["START"], np.tile(expected["START"], 3))
    assert table["START"].unit == u.s
    assert table.meta["MJDREFI"] == 51910
