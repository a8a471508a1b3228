"""The norm fits (`fluxprofile.pipeline.fit`): the statistical validation of the core's fit
(coverage of errors and upper limits, TS under the null) and the fit layout of `fit_groups`
(every (region, group) problem equals its own fit, bins of all datasets together).

Seeded Poisson realisations of a small profile (4 profile bins x 3 energy bins, >= 100
expected counts in every bin) are fitted all at once by the compiled core
(``_core.fit_norms``, one problem per profile bin and realisation). Expected numbers are the
asymptotic ones (Wilks): a Delta-stat = 1 interval covers the true norm in 68.27 % of the
cases, the upper limit at Delta-stat = n_sigma_ul**2 = 4 is a one-sided 97.72 % limit, and
under the null hypothesis ``ts`` follows chi2 with one degree of freedom (P(ts > 4) = 4.55 %).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fluxprofile import _core

pytestmark = pytest.mark.timeout(120)

N_REALISATIONS = 1500
# Per profile bin (rows) and energy bin (columns): background and reference-model signal
# (norm = 1) in counts. Every bin expects >= 100 counts with signal.
BACKGROUND = np.array(
    [
        [120.0, 80.0, 60.0],
        [150.0, 90.0, 70.0],
        [200.0, 110.0, 100.0],
        [300.0, 150.0, 100.0],
    ]
)
SIGNAL = np.array(
    [[80.0, 40.0, 40.0], [50.0, 30.0, 30.0], [30.0, 20.0, 20.0], [20.0, 10.0, 10.0]]
)
ALPHA = 0.25  # WStat: OFF region 4 times larger than the ON region

COVERAGE_1SIGMA = stats.chi2.cdf(1.0, 1)  # 0.6827
COVERAGE_UL = stats.norm.cdf(2.0)  # 0.9772, one-sided
P_TS_ABOVE_4 = stats.chi2.sf(4.0, 1)  # 0.0455


def simulate_and_fit(kind: str, true_norm: float, seed: int) -> _core.FitResults:
    """Fit every profile bin of every realisation; arrays of shape (n_realisations * n_bins,)."""
    rng = np.random.default_rng(seed)
    n_profile, n_energy = BACKGROUND.shape
    shape = (N_REALISATIONS, n_profile, n_energy)
    mu_signal = np.broadcast_to(true_norm * SIGNAL, shape)
    if kind == "cash":
        counts = rng.poisson(BACKGROUND + mu_signal).astype(np.float64)
        background = np.broadcast_to(BACKGROUND, shape).astype(np.float64)
        alpha = np.zeros(shape)
        code = 0
    else:
        counts = rng.poisson(BACKGROUND + mu_signal).astype(np.float64)
        background = rng.poisson(np.broadcast_to(BACKGROUND / ALPHA, shape)).astype(
            np.float64
        )  # n_off
        alpha = np.full(shape, ALPHA)
        code = 1
    n_problems = N_REALISATIONS * n_profile
    offsets = np.arange(n_problems + 1, dtype=np.int64) * n_energy
    signal = np.broadcast_to(SIGNAL, shape).astype(np.float64)
    problems = _core.FitProblems(
        offsets,
        np.full(counts.size, code, dtype=np.int8),
        counts.ravel(),
        np.ascontiguousarray(background).ravel(),
        alpha.ravel(),
        np.ascontiguousarray(signal).ravel(),
    )
    return _core.fit_norms(
        problems, _core.FitOptions(errn_errp=True, ul=True, n_sigma=1.0, n_sigma_ul=2.0)
    )


def test_profile_has_enough_counts():
    assert np.all(BACKGROUND + SIGNAL >= 100)
    assert N_REALISATIONS >= 1000


@pytest.mark.parametrize("kind", ["cash", "wstat"])
def test_one_sigma_interval_and_upper_limit_coverage(kind):
    result = simulate_and_fit(kind, true_norm=1.0, seed=20240601)
    assert np.all(result.success)
    norm = result.norm
    lower = norm - result.norm_errn
    upper = norm + result.norm_errp
    covered = (lower <= 1.0) & (upper >= 1.0)
    assert abs(covered.mean() - COVERAGE_1SIGMA) < 0.03, covered.mean()
    # Each profile bin separately, with a looser band (1500 trials each).
    per_bin = covered.reshape(N_REALISATIONS, -1).mean(axis=0)
    assert np.all(np.abs(per_bin - COVERAGE_1SIGMA) < 0.04), per_bin
    # The curvature error is close to the profile-likelihood half width at these counts.
    np.testing.assert_allclose(
        result.norm_err, 0.5 * (result.norm_errn + result.norm_errp), rtol=0.1
    )

    ul_covers = result.norm_ul >= 1.0
    assert abs(ul_covers.mean() - COVERAGE_UL) < 0.015, ul_covers.mean()


@pytest.mark.parametrize("kind", ["cash", "wstat"])
def test_ts_under_the_null_follows_chi2_one_dof(kind):
    result = simulate_and_fit(kind, true_norm=0.0, seed=77)
    ts = result.ts
    assert np.all(np.isfinite(ts))
    assert np.all(ts >= -1e-9)
    n = ts.size
    fraction = np.mean(ts > 4.0)
    standard_error = np.sqrt(P_TS_ABOVE_4 * (1 - P_TS_ABOVE_4) / n)
    assert abs(fraction - P_TS_ABOVE_4) < 3 * standard_error, (fraction, standard_error)
    # The whole distribution, not only its 4.55 % tail (Kolmogorov-Smirnov against chi2(1)).
    assert stats.kstest(np.clip(ts, 0, None), stats.chi2(1).cdf).pvalue > 1e-3
    # Under the null the best-fit norm is centred on 0 with unit pull.
    pull = result.norm / result.norm_err
    assert abs(pull.mean()) < 0.05
    assert abs(pull.std() - 1.0) < 0.05


def test_upper_limit_is_where_the_statistic_rises_by_four():
    """Closed form for a single-bin Cash problem with background b and signal s: the UL x
    solves 2 [(b + x s) - n log(b + x s)] - 2 [n - n log n] = 4."""
    n, b, s = 150.0, 100.0, 25.0
    problems = _core.FitProblems(
        np.array([0, 1], np.int64),
        np.zeros(1, np.int8),
        np.array([n]),
        np.array([b]),
        np.zeros(1),
        np.array([s]),
    )
    result = _core.fit_norms(problems, _core.FitOptions(ul=True, errn_errp=True))
    mu_ul = b + result.norm_ul[0] * s
    assert abs(2 * ((mu_ul - n * np.log(mu_ul)) - (n - n * np.log(n))) - 4.0) < 1e-9
    mu_p = b + (result.norm[0] + result.norm_errp[0]) * s
    assert abs(2 * ((mu_p - n * np.log(mu_p)) - (n - n * np.log(n))) - 1.0) < 1e-9


# ---------------------------------------------------------------------------------------
# the fit layout of fit_groups: one problem per (region, group), all datasets' bins
# ---------------------------------------------------------------------------------------


def _reduced(name, rng, n_regions, n_reco, statistic):
    from astropy import units as u

    from fluxprofile.pipeline.reduce import ReducedDataset

    shape = (n_regions, n_reco)
    safe = rng.random(shape) < 0.85
    wstat = statistic == _core.Statistic.wstat
    return ReducedDataset(
        name=name, statistic=statistic, energy_edges=np.geomspace(1, 10, n_reco + 1) * u.TeV,
        counts=rng.poisson(30, shape).astype(float), background=rng.uniform(5, 40, shape),
        alpha=np.full(shape, 0.3) if wstat else np.zeros(shape), signal=rng.uniform(2, 10, shape),
        safe=safe, npix_total=np.full(n_regions, 10.0), npix_inmap=np.full(n_regions, 10.0),
        solid_angle=np.full(n_regions, 1e-5), alpha_undefined=np.zeros(shape, bool), no_off=np.zeros(shape, bool),
    )  # fmt: skip


@pytest.mark.parametrize("sum_over", [False, True])
def test_fit_groups_lays_out_one_problem_per_region_and_group(sum_over):
    from fluxprofile.pipeline.fit import fit_groups

    rng = np.random.default_rng(8)
    reduced = [
        _reduced("cash", rng, 6, 4, _core.Statistic.cash),
        _reduced("wstat", rng, 6, 4, _core.Statistic.wstat),
    ]
    # group 0: bins 0-1 of both datasets; group 1: bins 2-3 of the first dataset only
    groups = [[(0, 2), (2, 4)], [(0, 2), None]]
    options = _core.FitOptions(ul=True)
    fits = fit_groups(reduced, groups, options, sum_over, 1)
    assert fits.norm.shape == (6, 2)
    assert fits.counts.shape == (6, 2, 2)
    assert fits.contributes.tolist() == [True, True]
    for r in range(6):
        for g in range(2):
            columns = {
                k: [] for k in ("statistic", "counts", "background", "alpha", "signal")
            }
            for d, red in enumerate(reduced):
                if groups[d][g] is None:
                    continue
                sl = slice(*groups[d][g])
                ok = red.safe[r, sl]
                values = {
                    k: getattr(red, k)[r, sl][ok]
                    for k in ("counts", "background", "alpha", "signal")
                }
                if sum_over and ok.any():
                    alpha_off = (values["alpha"] * values["background"]).sum()
                    values = {k: np.array([v.sum()]) for k, v in values.items()}
                    values["alpha"] = np.array(
                        [alpha_off / values["background"][0] if red.statistic else 0.0]
                    )
                for k, v in values.items():
                    columns[k].extend(v)
                columns["statistic"].extend([red.statistic] * len(values["counts"]))
                assert fits.counts[r, g, d] == red.counts[r, sl][ok].sum()
            n = len(columns["counts"])
            problem = _core.FitProblems(
                np.array([0, n], np.int64), np.array(columns["statistic"], np.int8),
                *(np.array(columns[k], float) for k in ("counts", "background", "alpha", "signal")),
            )  # fmt: skip
            alone = _core.fit_norms(problem, options, 1)
            for key in ("norm", "norm_err", "norm_ul", "ts", "stat"):
                assert getattr(fits, key)[r, g] == getattr(alone, key)[0], (r, g, key)
            npred = fits.npred[r, g].sum() if g == 0 else fits.npred[r, g, 0]
            assert npred == pytest.approx(alone.npred.sum(), rel=1e-12)
    assert (fits.npred[:, 1, 1] == 0).all()
    assert (fits.counts[:, 1, 1] == 0).all()
