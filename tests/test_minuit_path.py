"""The fit on Gammapy's MINUIT path (``minuit_norm``) against iminuit itself.

Gammapy's sequence (SEMANTICS §3.5, §3.7) is run here with iminuit 2.33 on the core's own
statistic (``problem_stat``): MIGRAD from norm 1 with step 1 and tolerance 0.1 gives norm
and norm_err; before errn/errp and before ul the norm is re-optimised by MIGRAD in factor
units (scale 10^floor(log10|norm|), step norm_err / scale); the intervals are Brent roots
of stat - stat(re-optimised norm) - n_sigma^2. The core must give the same numbers.

iminuit is installed with Gammapy, so these tests run in the interoperability environment.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from fluxprofile import _core

pytestmark = pytest.mark.gammapy
iminuit = pytest.importorskip("iminuit")

# (kind, counts, background or n_off, alpha, signal): best fits far from norm 1, of both
# signs and near 0, so that the autoscale of each re-optimisation matters.
PROBLEMS = [
    (0, [12, 30, 7], [10.0, 11.5, 6.0], [0, 0, 0], [0.9, 1.3, 0.4]),
    (0, [250, 180], [20.0, 15.0], [0, 0], [9.0, 7.5]),
    (0, [3, 1, 0], [4.0, 2.5, 1.0], [0, 0, 0], [0.02, 0.01, 0.005]),
    (0, [41], [40.0], [0], [3.0]),
    (1, [25, 14], [30, 22], [0.2, 0.25], [1.1, 0.6]),
    (1, [5, 0, 2], [40, 35, 18], [0.1, 0.1, 0.12], [0.3, 0.2, 0.1]),
    (1, [140], [60], [0.5], [0.07]),
]


def _layout(problems):
    offsets = np.concatenate([[0], np.cumsum([len(p[1]) for p in problems])]).astype(
        np.int64
    )
    kind = np.concatenate([np.full(len(p[1]), p[0], np.int8) for p in problems])
    arrays = [
        np.concatenate([np.asarray(p[k], dtype=float) for p in problems])
        for k in (1, 2, 3, 4)
    ]
    return offsets, kind, arrays


def _migrad(f, x0, step):
    m = iminuit.Minuit(lambda x: f(x), x0)
    m.errors = [step]
    m.tol = 0.1
    m.errordef = 1
    m.print_level = 0
    m.strategy = 1
    m.migrad()
    assert m.valid
    return float(m.values[0]), float(m.errors[0])


def _reoptimize(f, norm, error):
    scale = 10 ** math.floor(math.log10(abs(norm))) if norm != 0 else 1.0
    x, _ = _migrad(lambda x: f(x * scale), norm / scale, error / scale)
    return x * scale


def _crossing(f, x0, delta, direction, error):
    f0 = f(x0)
    step = error
    while f(x0 + direction * step) - f0 - delta <= 0:
        step *= 2
    root = optimize.brentq(
        lambda x: f(x) - f0 - delta,
        x0,
        x0 + direction * step,
        xtol=1e-14 * error,
        rtol=1e-15,
    )
    return abs(root - x0)


def gammapy_sequence(f, n_sigma=1.0, n_sigma_ul=2.0):
    norm, error = _migrad(f, 1.0, 1.0)
    n2 = _reoptimize(f, norm, error)
    n3 = _reoptimize(f, n2, error)
    return {
        "norm": norm,
        "norm_err": n_sigma * error,
        "norm_errn": _crossing(f, n2, n_sigma**2, -1.0, error),
        "norm_errp": _crossing(f, n2, n_sigma**2, +1.0, error),
        "norm_ul": n3 + _crossing(f, n3, n_sigma_ul**2, +1.0, error),
        "stat": f(norm),
    }


@pytest.mark.parametrize("n_sigma", [1.0, 2.0])
def test_minuit_path_follows_gammapys_sequence(n_sigma):
    offsets, kind, arrays = _layout(PROBLEMS)
    problems = _core.FitProblems(offsets, kind, *arrays)
    options = _core.FitOptions(
        n_sigma=n_sigma, errn_errp=True, ul=True, minuit_errors=True, minuit_norm=True
    )
    got = _core.fit_norms(problems, options)
    options.minuit_norm = False
    exact = _core.fit_norms(problems, options)
    moved = 0
    for p in range(len(PROBLEMS)):

        def f(x, p=p):
            return float(_core.problem_stat(problems, p, np.array([x]))[0])

        want = gammapy_sequence(f, n_sigma=n_sigma)
        sigma = want["norm_err"] / n_sigma
        assert got.success[p]
        for key, value in want.items():
            tol = 1e-6 if key == "stat" else 1e-9 * sigma
            assert abs(getattr(got, key)[p] - value) <= tol, (
                p,
                key,
                getattr(got, key)[p],
                value,
            )
        assert got.norm_at_stat[p] == got.norm[p]
        assert got.ts[p] == pytest.approx(got.stat_null[p] - got.stat[p], abs=1e-12)
        # the exact minimum is where the gradient vanishes; MIGRAD stops within its EDM goal
        assert abs(exact.norm[p] - got.norm[p]) <= 0.015 * sigma
        moved += exact.norm[p] != got.norm[p]
    assert moved > 0
