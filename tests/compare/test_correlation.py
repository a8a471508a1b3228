"""Correlations of profiles: scipy's statistics on the usable bins, the weighted
coefficient, the Monte-Carlo spread of the flux errors."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from scipy import stats

from fluxprofile import FluxPoints, MapAxis, PowerLawSpectralModel, profile_correlation
from fluxprofile.compare import profile_values


def _points(values, errors, ul=None, n_energy=1):
    n = len(values)
    energy = MapAxis.from_energy_edges(np.geomspace(10, 1000, n_energy + 1) * u.GeV)
    distance = MapAxis.from_nodes(np.arange(n) * 0.3 * u.deg, name="projected-distance")
    model = PowerLawSpectralModel()
    ref = model.integral(energy.edges[:-1], energy.edges[1:]).to_value("cm-2 s-1")
    data = {
        "norm": np.repeat(np.asarray(values)[:, None], n_energy, axis=1) / ref,
        "norm_err": np.repeat(np.asarray(errors)[:, None], n_energy, axis=1) / ref,
    }
    if ul is not None:
        data["norm_ul"] = np.repeat(np.asarray(ul)[:, None], n_energy, axis=1) / ref
        data["ts"] = np.where(np.asarray(values) > 2 * np.asarray(errors), 25.0, 1.0)[
            :, None
        ].repeat(n_energy, axis=1)
    return FluxPoints(data, energy, distance, model)


def test_statistics_are_scipy_on_finite_bins():
    rng = np.random.default_rng(0)
    x = np.linspace(1, 3, 12)
    y = 2 * x + rng.normal(0, 0.3, 12)
    y[4] = np.nan
    fp = _points(y * 1e-10, np.full(12, 0.3e-10))
    c = profile_correlation(fp, x * u.Unit("K km s-1"), n_samples=0)
    ok = np.isfinite(y)
    assert c.n_bins == 11
    assert c.pearson_r == pytest.approx(np.corrcoef(y[ok], x[ok])[0, 1], rel=1e-12)
    assert c.pearson_p == pytest.approx(stats.pearsonr(y[ok], x[ok]).pvalue, rel=1e-10)
    ranks = stats.rankdata(y[ok]), stats.rankdata(x[ok])
    assert c.spearman_rho == pytest.approx(np.corrcoef(*ranks)[0, 1], rel=1e-12)
    # equal errors: the weighted coefficient is the plain one
    assert c.weighted_pearson_r == pytest.approx(c.pearson_r, rel=1e-10)
    assert np.isnan(c.pearson_mc[0])
    table = c.to_table()
    assert list(table["statistic"]) == ["pearson", "spearman", "weighted_pearson"]
    assert table.meta["n_bins"] == 11


def test_weighted_pearson_uses_the_errors():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.array([1.1, 2.0, 2.9, 4.2, 9.0, 6.1])
    err = np.array([0.1, 0.1, 0.1, 0.1, 10.0, 0.1])  # the outlier barely counts
    c = profile_correlation(_points(y, err), x, n_samples=0)
    w = 1 / err**2
    cov = np.cov(y, x, aweights=w)
    assert c.weighted_pearson_r == pytest.approx(
        cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]), rel=1e-10
    )
    assert c.weighted_pearson_r > c.pearson_r


def test_monte_carlo_spread_follows_the_errors():
    x = np.linspace(0, 1, 10)
    y = x.copy()
    small = profile_correlation(_points(y, np.full(10, 1e-3)), x, n_samples=300)
    large = profile_correlation(_points(y, np.full(10, 0.5)), x, n_samples=300)
    assert small.pearson_mc[0] == pytest.approx(1.0, abs=1e-3)
    spread_small = small.pearson_mc[2] - small.pearson_mc[1]
    spread_large = large.pearson_mc[2] - large.pearson_mc[1]
    assert spread_large > 20 * spread_small
    assert large.pearson_mc[0] < 0.9
    assert large.pearson_p_mc > small.pearson_p_mc
    # reproducible with the seed
    again = profile_correlation(_points(y, np.full(10, 0.5)), x, n_samples=300)
    assert again.pearson_mc == large.pearson_mc


def test_two_flux_profiles_and_upper_limits():
    y = np.array([1.0, 3.0, 8.0, 3.0, 1.0, 0.2])
    a = _points(y * 1e-10, 0.2e-10 * np.ones(6), ul=(y + 0.5) * 1e-10)
    b = _points(y * 2e-12, 0.1e-12 * np.ones(6), ul=(y + 0.5) * 2e-12)
    values = profile_values(a)
    assert values.is_ul.any()  # the faint bins are upper limits
    c = profile_correlation(a, b, n_samples=100)
    # upper-limit bins count with their measured values
    assert c.n_bins == 6
    assert c.pearson_r == pytest.approx(1.0, abs=1e-12)
    assert c.pearson_mc[0] > 0.95


def test_mismatched_profiles_are_refused():
    with pytest.raises(ValueError, match="same regions"):
        profile_correlation(_points(np.ones(5), np.ones(5)), np.arange(6.0))
    with pytest.raises(ValueError, match="at least 3 bins"):
        profile_correlation(
            _points(np.array([1.0, 2.0, np.nan, np.nan]), np.ones(4)), np.arange(4.0)
        )
