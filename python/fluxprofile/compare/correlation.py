"""How well a profile follows a template or another profile: Pearson and Spearman
correlations with p-values (with the profile's flux errors), and the scale factor of the
template fitted with the profile's own likelihood (docs/comparison.rst)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Table

from .. import _core
from ..datamodel import FluxPoints
from .predicted import PredictedProfile
from .template import TemplateProfile

__all__ = [
    "ProfileCorrelation",
    "TemplateScaleFit",
    "fit_template_scale",
    "profile_correlation",
    "profile_values",
]


# --------------------------------------------------------------------------------------
# Values of any profile along its distance axis
# --------------------------------------------------------------------------------------
@dataclass
class ProfileValues:
    """One series along a profile: values, errors below and above, upper limits."""

    value: u.Quantity
    errn: u.Quantity | None
    errp: u.Quantity | None
    ul: u.Quantity | None
    is_ul: np.ndarray
    label: str
    energy_label: str = ""
    kind: str = "points"
    x: Any = None


def _fp_array(quantity: Any, energy_index: int) -> u.Quantity:
    data = u.Quantity(quantity.quantity if hasattr(quantity, "quantity") else quantity)
    return data[:, energy_index, 0, 0] if data.ndim == 4 else data[:, energy_index]


def profile_values(
    profile: Any,
    energy_index: int = 0,
    sed_type: str = "flux",
    quantity: str = "integral",
    per_solid_angle: bool = False,
    label: str | None = None,
) -> ProfileValues:
    """The values of a profile of any kind, for comparisons and plots.

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints`, `TemplateProfile`, `PredictedProfile` or Quantity
        Flux points (values, errors, upper limits), a template profile (its ``quantity``),
        a predicted profile (``flux_folded``) or plain values along the profile.
    energy_index : int, optional
        Energy group (flux points, predicted profiles) or plane / bin (template profiles).
        Default is 0.
    sed_type : {"flux", "eflux", "dnde", "e2dnde", "norm"}, optional
        SED type of flux points. Default is "flux".
    quantity : str, optional
        Quantity of a template profile (see `TemplateProfile.values`). Default is
        "integral".
    per_solid_angle : bool, optional
        Surface brightness of flux points and predicted profiles. Default is False.
    label : str, optional
        Label. Default is None (the template's name, "data" for flux points).

    Returns
    -------
    values : `ProfileValues`
    """
    if isinstance(profile, FluxPoints):
        if per_solid_angle:
            value = _fp_array(profile.surface_brightness(sed_type), energy_index)
        else:
            value = _fp_array(getattr(profile, sed_type), energy_index)
        available = profile.available_quantities

        def get(suffix: str) -> u.Quantity | None:
            if f"norm_{suffix}" not in available:
                return None
            name = f"{sed_type}_{suffix}"
            q = (
                profile.surface_brightness(sed_type, suffix)
                if per_solid_angle
                else getattr(profile, name)
            )
            return _fp_array(q, energy_index)

        err = get("err")
        errn = get("errn") if get("errn") is not None else err
        errp = get("errp") if get("errp") is not None else err
        ul = get("ul")
        is_ul = (
            np.asarray(profile.is_ul.data)[:, energy_index, 0, 0].astype(bool)
            if ul is not None
            else np.zeros(value.shape, dtype=bool)
        )
        edges = profile.energy_axis.edges
        unit = edges.unit
        lo, hi = edges[energy_index].value, edges[energy_index + 1].value
        elabel = f"{lo:.3g}-{hi:.3g} {unit}"
        return ProfileValues(
            value, errn, errp, ul, is_ul, label or "data", elabel, "points"
        )
    if isinstance(profile, TemplateProfile):
        value = profile.values(quantity, energy_index)
        return ProfileValues(
            value,
            None,
            None,
            None,
            np.zeros(value.shape, dtype=bool),
            label or profile.name,
            profile.energy_label(energy_index),
            "line",
        )
    if isinstance(profile, PredictedProfile):
        value = profile.flux_folded[:, energy_index]
        if per_solid_angle:
            value = value / u.Quantity(profile.reduced.solid_angle, u.sr)
        return ProfileValues(
            value,
            None,
            None,
            None,
            np.zeros(value.shape, dtype=bool),
            label or f"{profile.name} (predicted)",
            profile.energy_label(energy_index),
            "line",
        )
    value = u.Quantity(profile)
    if value.ndim != 1:
        msg = (
            f"comparison values must be 1-D along the profile, got shape {value.shape}"
        )
        raise ValueError(msg)
    return ProfileValues(
        value,
        None,
        None,
        None,
        np.zeros(value.shape, dtype=bool),
        label or "comparison",
        "",
        "line",
    )


# --------------------------------------------------------------------------------------
# Correlation
# --------------------------------------------------------------------------------------
@dataclass
class ProfileCorrelation:
    """Correlation of two profiles along the distance axis.

    Attributes
    ----------
    pearson_r, pearson_p : float
        Pearson correlation of the values and its two-sided p-value (`scipy.stats.pearsonr`).
    spearman_rho, spearman_p : float
        Spearman rank correlation and its p-value (`scipy.stats.spearmanr`).
    weighted_pearson_r : float
        Pearson correlation with weights 1 / error^2 of the first profile (NaN without
        errors).
    pearson_mc, spearman_mc : tuple of float
        Median and 16 / 84 % quantiles of the correlations over ``n_samples`` Monte-Carlo
        draws of the values within their errors (normal, split at the value for asymmetric
        errors): how much the errors move the correlation.
    pearson_p_mc, spearman_p_mc : float
        Median p-values over the draws.
    n_bins : int
        Bins used (both values finite, errors finite where given).
    labels : tuple of str
        Labels of the two profiles.
    """

    pearson_r: float
    pearson_p: float
    spearman_rho: float
    spearman_p: float
    weighted_pearson_r: float
    pearson_mc: tuple[float, float, float]
    spearman_mc: tuple[float, float, float]
    pearson_p_mc: float
    spearman_p_mc: float
    n_bins: int
    labels: tuple[str, str] = ("data", "template")
    n_samples: int = 0

    def to_table(self) -> Table:
        """The correlations as a table: one row per statistic.

        Returns
        -------
        table : `~astropy.table.Table`
            Columns statistic, value, p_value, mc_median, mc_lo, mc_hi (16 and 84 %),
            p_value_mc; meta: n_bins, labels, n_samples.
        """
        table = Table(
            {
                "statistic": ["pearson", "spearman", "weighted_pearson"],
                "value": [self.pearson_r, self.spearman_rho, self.weighted_pearson_r],
                "p_value": [self.pearson_p, self.spearman_p, np.nan],
                "mc_median": [self.pearson_mc[0], self.spearman_mc[0], np.nan],
                "mc_lo": [self.pearson_mc[1], self.spearman_mc[1], np.nan],
                "mc_hi": [self.pearson_mc[2], self.spearman_mc[2], np.nan],
                "p_value_mc": [self.pearson_p_mc, self.spearman_p_mc, np.nan],
            }
        )
        table.meta.update(
            n_bins=self.n_bins, labels=list(self.labels), n_samples=self.n_samples
        )
        return table


def _weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    w = w / w.sum()
    mx, my = np.sum(w * x), np.sum(w * y)
    cov = np.sum(w * (x - mx) * (y - my))
    den = np.sqrt(np.sum(w * (x - mx) ** 2) * np.sum(w * (y - my) ** 2))
    return float(cov / den) if den > 0 else float("nan")


def _draw(
    rng: np.random.Generator, v: ProfileValues, n: int, unit: u.UnitBase
) -> np.ndarray:
    value = v.value.to_value(unit)
    if v.errn is None:
        return np.broadcast_to(value, (n, value.size))
    errn = np.abs(v.errn.to_value(unit))
    errp = np.abs((v.errp if v.errp is not None else v.errn).to_value(unit))
    z = rng.standard_normal((n, value.size))
    return value + np.where(z < 0, errn, errp) * z


def profile_correlation(
    profile: Any,
    comparison: Any,
    energy_index: int = 0,
    comparison_energy_index: int | None = None,
    sed_type: str = "flux",
    quantity: str = "integral",
    n_samples: int = 1000,
    seed: int = 0,
    per_solid_angle: bool = False,
) -> ProfileCorrelation:
    """Pearson and Spearman correlation of a profile with a template or another profile.

    Bins where either value (or a given error) is not finite are left out. Upper limits
    count with their measured value and errors (a profile bin that is an upper limit still
    has a best-fit flux). The p-values are those of `scipy.stats` for the measured values;
    the Monte-Carlo draws show how far the flux errors move the correlations.

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints` or any input of `profile_values`
        The first profile (its errors weight the weighted Pearson coefficient).
    comparison : any input of `profile_values`
        Template profile, predicted profile, other flux points or values.
    energy_index : int, optional
        Energy group of ``profile``. Default is 0.
    comparison_energy_index : int, optional
        Energy index of ``comparison``. Default is None (``energy_index``; 0 when the
        comparison has fewer bins).
    sed_type : str, optional
        SED type of flux points. Default is "flux".
    quantity : str, optional
        Quantity of template profiles. Default is "integral".
    n_samples : int, optional
        Monte-Carlo draws (0: none). Default is 1000.
    seed : int, optional
        Seed of the draws. Default is 0.
    per_solid_angle : bool, optional
        Correlate surface brightness of flux points and predicted profiles. Default is
        False.

    Returns
    -------
    correlation : `ProfileCorrelation`

    Raises
    ------
    ValueError
        If the profiles have different numbers of bins or fewer than 3 usable bins.
    """
    from scipy import stats  # (imported here: the package imports without scipy.stats)

    a = profile_values(profile, energy_index, sed_type, quantity, per_solid_angle)
    k = energy_index if comparison_energy_index is None else comparison_energy_index
    try:
        b = profile_values(comparison, k, sed_type, quantity, per_solid_angle)
    except IndexError:
        b = profile_values(comparison, 0, sed_type, quantity, per_solid_angle)
    if a.value.shape != b.value.shape:
        msg = f"the profiles have {a.value.size} and {b.value.size} bins: compare profiles in the same regions"
        raise ValueError(msg)
    ua, ub = a.value.unit, b.value.unit
    x, y = a.value.to_value(ua), b.value.to_value(ub)
    ok = np.isfinite(x) & np.isfinite(y)
    for v, unit in ((a, ua), (b, ub)):
        for e in (v.errn, v.errp):
            if e is not None:
                ok &= np.isfinite(e.to_value(unit))
    n = int(ok.sum())
    if n < 3:
        msg = f"a correlation needs at least 3 bins with finite values, got {n}"
        raise ValueError(msg)
    pr = stats.pearsonr(x[ok], y[ok])
    sr = stats.spearmanr(x[ok], y[ok])
    if a.errn is not None:
        errp = a.errp if a.errp is not None else a.errn
        err = 0.5 * (np.abs(a.errn.to_value(ua)) + np.abs(errp.to_value(ua)))[ok]
        good = err > 0
        weighted = (
            _weighted_pearson(x[ok][good], y[ok][good], 1.0 / err[good] ** 2)
            if good.sum() >= 3
            else float("nan")
        )
    else:
        weighted = float("nan")
    nan3 = (float("nan"),) * 3
    pearson_mc, spearman_mc, p_mc, s_mc = nan3, nan3, float("nan"), float("nan")
    if n_samples > 0 and (a.errn is not None or b.errn is not None):
        rng = np.random.default_rng(seed)
        xs = _draw(rng, a, n_samples, ua)[:, ok]
        ys = _draw(rng, b, n_samples, ub)[:, ok]
        rs = np.empty(n_samples)
        rhos = np.empty(n_samples)
        ps = np.empty(n_samples)
        pss = np.empty(n_samples)
        for i in range(n_samples):
            rs[i], ps[i] = stats.pearsonr(xs[i], ys[i])
            rho = stats.spearmanr(xs[i], ys[i])
            rhos[i], pss[i] = rho.statistic, rho.pvalue
        pearson_mc = tuple(float(q) for q in np.percentile(rs, [50, 16, 84]))  # type: ignore[assignment]
        spearman_mc = tuple(float(q) for q in np.percentile(rhos, [50, 16, 84]))  # type: ignore[assignment]
        p_mc, s_mc = float(np.median(ps)), float(np.median(pss))
    return ProfileCorrelation(
        pearson_r=float(pr.statistic),
        pearson_p=float(pr.pvalue),
        spearman_rho=float(sr.statistic),
        spearman_p=float(sr.pvalue),
        weighted_pearson_r=weighted,
        pearson_mc=pearson_mc,
        spearman_mc=spearman_mc,
        pearson_p_mc=p_mc,
        spearman_p_mc=s_mc,
        n_bins=n,
        labels=(a.label, b.label),
        n_samples=int(n_samples) if a.errn is not None or b.errn is not None else 0,
    )


# --------------------------------------------------------------------------------------
# The template's scale factor, from the profile's likelihood
# --------------------------------------------------------------------------------------
@dataclass
class TemplateScaleFit:
    """The scale factor of a template fitted to the counts of the profile regions.

    The model of every safe (region, reco bin) of the energy groups is background +
    scale x template counts (`PredictedProfile.npred_reco`), with the bins' Cash or
    WStat statistic, fitted by the compiled core exactly as a profile bin's norm.

    Attributes
    ----------
    scale, scale_err, scale_errn, scale_errp, scale_ul : float
        Best-fit scale, its curvature error, the 1-sigma likelihood interval and the
        2-sigma upper limit, over all regions together.
    ts : float
        Test statistic of the template (scale 0 against the best fit).
    stat : float
        The statistic at the best fit.
    n_bins : int
        Bins in the fit.
    region_scale, region_scale_err : `~numpy.ndarray`
        The same fit region by region (the data's profile relative to the template's).
    success : bool
        Whether the global fit converged.
    """

    scale: float
    scale_err: float
    scale_errn: float
    scale_errp: float
    scale_ul: float
    ts: float
    stat: float
    n_bins: int
    region_scale: np.ndarray
    region_scale_err: np.ndarray
    success: bool
    name: str = "template"

    def to_table(self) -> Table:
        """The global fit as a one-row table.

        Returns
        -------
        table : `~astropy.table.Table`
        """
        return Table(
            {
                "template": [self.name],
                "scale": [self.scale],
                "scale_err": [self.scale_err],
                "scale_errn": [self.scale_errn],
                "scale_errp": [self.scale_errp],
                "scale_ul": [self.scale_ul],
                "ts": [self.ts],
                "stat": [self.stat],
                "n_bins": [self.n_bins],
            }
        )


def _fit_bins(predicted: PredictedProfile, energy_index: int | None) -> np.ndarray:
    """The fit bins of the chosen groups: a mask (n_regions, n_reco)."""
    red = predicted.reduced
    used = np.zeros(red.safe.shape[1], dtype=bool)
    for g, bins in enumerate(predicted.groups):
        if bins is not None and (energy_index is None or g == energy_index):
            used[slice(*bins)] = True
    valid = red.safe & used[None, :] & ~red.alpha_undefined
    valid &= np.isfinite(predicted.npred_reco)
    return valid


def fit_template_scale(
    predicted: PredictedProfile | Sequence[PredictedProfile],
    energy_index: int | None = None,
    n_jobs: int | None = None,
) -> TemplateScaleFit:
    """Fit the scale of a template to the data of the profile regions.

    Parameters
    ----------
    predicted : `PredictedProfile` or list of them
        What the template predicts in each dataset (`make_predicted_profile`); several
        datasets (instruments) are fitted jointly with one scale.
    energy_index : int, optional
        Fit one energy group only. Default is None (all groups).
    n_jobs : int, optional
        Threads of the compiled core. Default is None (all cores).

    Returns
    -------
    fit : `TemplateScaleFit`

    Raises
    ------
    ValueError
        If the predicted profiles have different numbers of regions, or no bin is usable.
    """
    items = [predicted] if isinstance(predicted, PredictedProfile) else list(predicted)
    if not items:
        msg = "fit_template_scale needs at least one predicted profile"
        raise ValueError(msg)
    n_regions = items[0].npred_reco.shape[0]
    if any(p.npred_reco.shape[0] != n_regions for p in items):
        msg = "the predicted profiles must be over the same regions"
        raise ValueError(msg)
    columns: list[list[np.ndarray]] = [[] for _ in range(5)]
    valid_all = []
    for p in items:
        valid = _fit_bins(p, energy_index)
        red = p.reduced
        stat = np.full(valid.shape, int(red.statistic), np.int8)
        arrays = [stat, red.counts, red.background, red.alpha, p.npred_reco]
        for c, a in zip(columns, arrays, strict=True):
            c.append(np.asarray(a))
        valid_all.append(valid)
    valid = np.concatenate(valid_all, axis=1)
    stacked = [np.concatenate(c, axis=1) for c in columns]
    n_bins = int(valid.sum())
    if n_bins == 0:
        msg = "no safe bin in the regions and energy groups: nothing to fit"
        raise ValueError(msg)
    options = _core.FitOptions(
        errn_errp=True, ul=True, minuit_errors=False, minuit_norm=False
    )
    n_threads = 0 if n_jobs is None else int(n_jobs)

    def fit(offsets: np.ndarray, mask: np.ndarray) -> _core.FitResults:
        flat = [np.ascontiguousarray(a[mask], dtype=np.float64) for a in stacked[1:]]
        problems = _core.FitProblems(
            offsets, np.ascontiguousarray(stacked[0][mask], np.int8), *flat
        )
        return _core.fit_norms(problems, options, n_threads)

    total = fit(np.array([0, n_bins], dtype=np.int64), valid)
    per_region = np.zeros(n_regions + 1, dtype=np.int64)
    np.cumsum(valid.sum(axis=1), out=per_region[1:])
    regional = fit(per_region, valid)
    empty = valid.sum(axis=1) == 0
    return TemplateScaleFit(
        scale=float(total.norm[0]),
        scale_err=float(total.norm_err[0]),
        scale_errn=float(total.norm_errn[0]),
        scale_errp=float(total.norm_errp[0]),
        scale_ul=float(total.norm_ul[0]),
        ts=float(total.ts[0]),
        stat=float(total.stat[0]),
        n_bins=n_bins,
        region_scale=np.where(empty, np.nan, regional.norm),
        region_scale_err=np.where(empty, np.nan, regional.norm_err),
        success=bool(total.success[0]),
        name=items[0].name,
    )
