"""Upper limits from a likelihood scan: the rule of Gammapy's ``FluxPoints.recompute_ul``
(docs/from_gammapy.rst).

For each bin the fit statistic sampled at the scan norms is interpolated with a
quadratic spline; its minimum on the scanned range is the best fit, and the upper limit
is the norm above it where the interpolated statistic has risen by ``n_sigma_ul**2``
(Brent's method). A flat scan, a scan without finite values, or one that never rises
that far gives NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["scan_upper_limit", "scan_upper_limits"]


def scan_upper_limit(
    norm_scan: np.ndarray, stat_scan: np.ndarray, delta_ts: float, **kwargs: Any
) -> float:
    """Upper limit of one likelihood scan.

    Parameters
    ----------
    norm_scan : `~numpy.ndarray`
        Increasing norm values of the scan.
    stat_scan : `~numpy.ndarray`
        Fit statistic at those norms.
    delta_ts : float
        Rise of the statistic above its minimum that defines the limit.
    **kwargs : dict
        Passed to `scipy.optimize.brentq` (``xtol``, ``rtol``, ``maxiter``).

    Returns
    -------
    ul : float
        The upper limit, NaN where it is undefined (see the module docstring).
    """
    from scipy.interpolate import interp1d
    from scipy.optimize import brentq, minimize_scalar

    norm_scan = np.asarray(norm_scan, dtype=float)
    stat_scan = np.asarray(stat_scan, dtype=float)
    valid = np.isfinite(stat_scan) & np.isfinite(norm_scan)
    if valid.sum() < 3 or np.allclose(stat_scan[valid], stat_scan[valid][0]):
        return np.nan
    x, y = norm_scan[valid], stat_scan[valid]
    spline = interp1d(x, y, kind="quadratic")

    def stat(norm: float) -> float:
        return float(spline(np.asarray([norm])).item())

    best = minimize_scalar(stat, bounds=(x[0], x[-1]), method="bounded")
    if not best.success:
        return np.nan

    def rise(norm: float) -> float:
        return stat(norm) - best.fun - delta_ts

    low, high = float(best.x), float(x[-1])
    f_low, f_high = rise(low), rise(high)
    if not (np.isfinite(f_low) and np.isfinite(f_high)) or np.sign(f_low) == np.sign(
        f_high
    ):
        return np.nan
    return float(brentq(rise, low, high, **kwargs))


def scan_upper_limits(
    norm_scan: np.ndarray, stat_scan: np.ndarray, n_sigma_ul: float, **kwargs: Any
) -> np.ndarray:
    """Upper limits of every scan of a profile.

    Parameters
    ----------
    norm_scan : `~numpy.ndarray`
        Norm values of the scan, shape ``(n_scan,)``.
    stat_scan : `~numpy.ndarray`
        Scans, shape ``(..., n_scan)``.
    n_sigma_ul : float
        Significance of the limits (the statistic rises by ``n_sigma_ul**2``).
    **kwargs : dict
        Passed to `scipy.optimize.brentq`.

    Returns
    -------
    ul : `~numpy.ndarray`
        Limits, shape ``stat_scan.shape[:-1]``.

    Raises
    ------
    ValueError
        If ``n_sigma_ul`` is not a positive finite number or the shapes disagree.
    """
    if not (np.isscalar(n_sigma_ul) and np.isfinite(n_sigma_ul) and n_sigma_ul > 0):
        msg = f"n_sigma_ul must be a positive finite number, got {n_sigma_ul!r}"
        raise ValueError(msg)
    stat_scan = np.asarray(stat_scan, dtype=float)
    if stat_scan.shape[-1] != np.size(norm_scan):
        msg = (
            f"stat_scan has {stat_scan.shape[-1]} scan values, norm_scan "
            f"{np.size(norm_scan)}"
        )
        raise ValueError(msg)
    delta_ts = float(n_sigma_ul) ** 2
    out = np.full(stat_scan.shape[:-1], np.nan)
    for idx in np.ndindex(out.shape):
        out[idx] = scan_upper_limit(norm_scan, stat_scan[idx], delta_ts, **kwargs)
    return out
