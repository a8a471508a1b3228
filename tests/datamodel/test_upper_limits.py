"""Tests of fluxprofile.datamodel.upper_limits: upper limits from a likelihood scan,
against the closed form of a parabolic scan (which the quadratic spline reproduces)."""

from __future__ import annotations

import numpy as np
import pytest

from fluxprofile.datamodel.upper_limits import scan_upper_limit, scan_upper_limits


@pytest.mark.parametrize(
    ("mu", "sigma", "n_sigma"), [(1.0, 0.5, 2), (0.3, 0.2, 3), (2.0, 0.7, 1)]
)
def test_parabolic_scan_gives_mu_plus_n_sigma(mu, sigma, n_sigma):
    norm = np.linspace(-1, 5, 11)
    stat = ((norm - mu) / sigma) ** 2 + 7.0
    ul = scan_upper_limit(norm, stat, n_sigma**2, xtol=1e-12)
    assert ul == pytest.approx(mu + n_sigma * sigma, abs=1e-6)


def test_undefined_limits_are_nan():
    norm = np.linspace(0, 5, 11)
    assert np.isnan(scan_upper_limit(norm, np.full(11, 3.0), 4))  # flat
    assert np.isnan(scan_upper_limit(norm, np.full(11, np.nan), 4))  # no value
    # never rises by 4 within the scanned range
    assert np.isnan(scan_upper_limit(norm, 0.01 * (norm - 1) ** 2, 4))


def test_many_scans_and_bad_input():
    norm = np.linspace(-1, 5, 11)
    mus = np.array([[0.5, 1.0], [1.5, 2.0], [0.0, 0.2]])
    stat = ((norm - mus[..., None]) / 0.3) ** 2
    ul = scan_upper_limits(norm, stat, 2, xtol=1e-12)
    np.testing.assert_allclose(ul, mus + 0.6, atol=1e-6)
    with pytest.raises(ValueError, match="n_sigma_ul must be a positive"):
        scan_upper_limits(norm, stat, 0)
    with pytest.raises(ValueError, match="scan values"):
        scan_upper_limits(norm[:5], stat, 2)
