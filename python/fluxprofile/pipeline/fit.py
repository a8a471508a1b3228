"""The fit layout: the bins of every dataset in every energy group laid out as one fit
problem per (region, group), the core's fit, and the profile arrays (`GroupFits`)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import _core
from .._core import Statistic
from ..exceptions import FluxProfileWarning, index_ranges
from .reduce import ReducedDataset

__all__ = ["GroupFits", "fit_groups", "warn_fit_results"]

# fit results with one value per (region, group)
_PER_PROBLEM = (
    "norm", "norm_err", "norm_errn", "norm_errp", "norm_ul", "norm_sensitivity", "ts", "stat",
    "stat_null", "success", "norm_at_stat",
)  # fmt: skip


@dataclass
class _Block:
    """The bins of one dataset in one energy group: arrays (counts, background, alpha,
    signal) of shape (n_regions, n_bins), which bins go into the fit, and their columns in a
    region's row of all blocks side by side."""

    group: int
    dataset: int
    arrays: list[np.ndarray]
    valid: np.ndarray
    columns: slice = field(default_factory=lambda: slice(0, 0))


@dataclass
class GroupFits:
    """The fit of every (region, energy group), arrays of shape (n_regions, n_groups).

    ``stat_scan`` is (n_regions, n_groups, n_scan); ``counts``, ``npred`` and
    ``npred_excess`` are per dataset, (n_regions, n_groups, n_datasets). ``contributes``
    (n_groups,) tells which groups overlap any dataset, ``any_bin`` which problems have a
    safe bin, ``alpha_undefined`` which are NaN because the on-off background of a dataset
    is undefined there (docs/onoff.rst) and ``alpha_undefined_in`` the indices of those
    datasets. ``fitted`` tells which problems went into the fit (some bin of some
    dataset), ``no_signal`` which of those the reference model predicts no counts in and
    ``no_counts`` which have no counts. Quantities not asked for are NaN.
    """

    norm: np.ndarray
    norm_err: np.ndarray
    norm_errn: np.ndarray
    norm_errp: np.ndarray
    norm_ul: np.ndarray
    norm_sensitivity: np.ndarray
    ts: np.ndarray
    stat: np.ndarray
    stat_null: np.ndarray
    success: np.ndarray
    norm_at_stat: np.ndarray
    stat_scan: np.ndarray
    counts: np.ndarray
    npred: np.ndarray
    npred_excess: np.ndarray
    contributes: np.ndarray
    any_bin: np.ndarray
    alpha_undefined: np.ndarray
    alpha_undefined_in: list[int]
    fitted: np.ndarray
    no_signal: np.ndarray
    no_counts: np.ndarray


def _row_sums(values: np.ndarray) -> np.ndarray:
    """Sum of each row of a (n_regions, n_bins) array, adding the bins one after the other.

    An energy group has a few bins: one vectorised addition per bin is much faster than
    ``sum(axis=1)``, which runs a reduction per region.
    """
    total = np.zeros(
        values.shape[0], dtype=np.int64 if values.dtype == np.bool_ else np.float64
    )
    for k in range(values.shape[1]):
        total += values[:, k]
    return total


def _group_block(
    red: ReducedDataset, group: tuple[int, int], sum_over: bool
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Bins of one dataset in one energy group: arrays (n_regions, n_bins), their validity
    and, per region, whether the on-off background of the group is undefined (a bin with an
    undefined alpha, or no OFF counts in any safe bin; docs/onoff.rst)."""
    start, stop = group
    sl = slice(start, stop)
    safe = red.safe[:, sl]
    arrays = [
        red.counts[:, sl],
        red.background[:, sl],
        red.alpha[:, sl],
        red.signal[:, sl],
    ]
    undefined = red.alpha_undefined[:, sl].any(axis=1)
    if red.statistic == Statistic.wstat:
        undefined |= safe.any(axis=1) & (red.no_off[:, sl] | ~safe).all(axis=1)
    if not sum_over:
        return arrays, safe, np.asarray(undefined)
    summed = [
        _row_sums(np.where(safe, a, 0.0))[:, None] for a in arrays[:2] + arrays[3:]
    ]
    counts, background, signal = summed
    if red.statistic == Statistic.wstat:
        # Collapse alpha so that alpha * n_off is preserved; bins without OFF counts add
        # nothing to either sum, as in Gammapy's resampling (its alpha * 0 is 0).
        with_off = safe & ~red.no_off[:, sl]
        alpha_off = _row_sums(np.where(with_off, arrays[2] * arrays[1], 0.0))[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where(background > 0, alpha_off / background, 0.0)
    else:
        alpha = np.zeros_like(counts)
    return (
        [counts, background, alpha, signal],
        np.asarray(safe.any(axis=1, keepdims=True)),
        np.asarray(undefined),
    )


_QUANTITIES = ("counts", "background (counts_off for on-off)", "alpha", "signal")


def _check_block(block: _Block, name: str) -> None:
    """Raise a ValueError naming dataset, region and energy group where a bin that goes
    into the fit is not finite (e.g. a region sum that overflowed) or counts are negative.

    The core checks again, but only knows the bins' positions in its flat layout.
    """
    for k, values in enumerate(block.arrays):
        bad = block.valid & ~np.isfinite(values)
        if k == 0:
            bad |= block.valid & (values < 0)
        if bad.any():
            region, column = np.argwhere(bad)[0]
            value = float(values[region, column])
            msg = (
                f"dataset {name!r}, region {region}, energy group {block.group}: the "
                f"{_QUANTITIES[k]} summed over the region is {value!r} in a safe bin "
                f"(must be finite{' and >= 0' if k == 0 else ''}; a sum that overflowed "
                "float64?)"
            )
            raise ValueError(msg)


def fit_groups(
    reduced: list[ReducedDataset],
    groups: list[list[tuple[int, int] | None]],
    options: _core.FitOptions,
    sum_over_energy_groups: bool,
    n_threads: int,
) -> GroupFits:
    """Fit the norm of every (region, energy group) on all datasets jointly.

    Parameters
    ----------
    reduced : list of `ReducedDataset`
        The datasets reduced over the same regions.
    groups : list of list
        ``groups[d][g]`` is the reco-bin range of group g on dataset d, or None.
    options : `fluxprofile._core.FitOptions`
        What the core fit computes.
    sum_over_energy_groups : bool
        Collapse each group to one bin per dataset before fitting.
    n_threads : int
        Threads for the compiled core.

    Returns
    -------
    fits : `GroupFits`
        The fit quantities and what the estimator warns about.
    """
    sum_over = sum_over_energy_groups
    n_regions = reduced[0].counts.shape[0]
    n_groups = len(groups[0])
    n_data = len(reduced)
    # Blocks (group, dataset) in problem order: problem (region, group) holds the bins of
    # every dataset in order, so a region's row of all blocks side by side, restricted to the
    # valid bins and flattened in C order, lists the problems one after the other.
    # Problems whose on-off background is undefined are left out of the fit (NaN rows).
    blocks: list[_Block] = []
    alpha_undefined = np.zeros((n_regions, n_groups), dtype=bool)
    undefined_in: set[int] = set()
    for g in range(n_groups):
        for d, red in enumerate(reduced):
            bins = groups[d][g]
            if bins is not None:
                arrays, ok, undefined = _group_block(red, bins, sum_over)
                blocks.append(_Block(g, d, arrays, ok))
                alpha_undefined[:, g] |= undefined
                if undefined.any():
                    undefined_in.add(d)
    n_bins = np.zeros((n_regions, n_groups), dtype=np.int64)
    n_safe_bins = np.zeros((n_regions, n_groups), dtype=np.int64)
    counts_sum = np.zeros((n_regions, n_groups, n_data))
    signal_sum = np.zeros((n_regions, n_groups, n_data))
    start = 0
    for block in blocks:
        g, d, ok = block.group, block.dataset, block.valid
        counts, _, _, signal = block.arrays
        n_safe_bins[:, g] += _row_sums(ok)
        counts_sum[:, g, d] = _row_sums(np.where(ok, counts, 0.0))
        signal_sum[:, g, d] = _row_sums(np.where(ok, signal, 0.0))
        ok = ok & ~alpha_undefined[:, g, None]
        n_bins[:, g] += _row_sums(ok)
        block.valid = ok
        block.columns = slice(start, start + ok.shape[1])
        start += ok.shape[1]
    offsets = np.zeros(n_regions * n_groups + 1, dtype=np.int64)
    np.cumsum(n_bins.ravel(), out=offsets[1:])
    if blocks:
        valid = np.concatenate([b.valid for b in blocks], axis=1)
        flat = [
            np.concatenate([b.arrays[k] for b in blocks], axis=1)[valid].astype(
                np.float64, copy=False
            )
            for k in range(4)
        ]
        statistic_columns = np.concatenate(
            [
                np.full(b.valid.shape[1], reduced[b.dataset].statistic, np.int8)
                for b in blocks
            ]
        )
        statistic = np.broadcast_to(statistic_columns, valid.shape)[valid]
    else:
        valid = np.zeros((n_regions, 0), dtype=bool)
        flat = [np.zeros(0) for _ in range(4)]
        statistic = np.zeros(0, dtype=np.int8)
    for block in blocks:
        _check_block(block, reduced[block.dataset].name)
    problems = _core.FitProblems(offsets, np.ascontiguousarray(statistic), *flat)
    result = _core.fit_norms(problems, options, n_threads)

    out: dict[str, np.ndarray] = {}
    for key in _PER_PROBLEM:
        out[key] = getattr(result, key).reshape(n_regions, n_groups)
    out["stat_scan"] = result.stat_scan.reshape(n_regions, n_groups, -1)
    npred_columns = np.zeros(valid.shape)
    npred_columns[valid] = result.npred
    npred_sum = np.zeros((n_regions, n_groups, n_data))
    for b in blocks:
        npred_sum[:, b.group, b.dataset] = _row_sums(npred_columns[:, b.columns])
    out["counts"] = counts_sum
    fitted = n_bins > 0
    out["npred"] = np.where(fitted[..., None], npred_sum, np.nan)
    norm = np.where(fitted, out["norm_at_stat"], 0.0)
    out["npred_excess"] = (norm[..., None] * signal_sum).astype(np.float32)
    for key, value in out.items():
        if key not in ("counts", "success"):
            value[alpha_undefined] = np.nan
    return GroupFits(
        **out,
        contributes=np.array(
            [
                any(groups[d][g] is not None for d in range(n_data))
                for g in range(n_groups)
            ]
        ),
        any_bin=n_safe_bins > 0,
        alpha_undefined=alpha_undefined,
        alpha_undefined_in=sorted(undefined_in),
        fitted=fitted,
        no_signal=fitted & np.all(signal_sum == 0, axis=-1),
        no_counts=fitted & np.all(counts_sum == 0, axis=-1),
    )


def _warn_cells(
    cells: np.ndarray,
    what: str,
    describe_groups: Callable[[Sequence[int]], str],
    stacklevel: int,
) -> None:
    """One `FluxProfileWarning` for the (region, group) cells set in ``cells``: "Regions
    0-2, 5 in 1.0 TeV-10.0 TeV (energy group 0): {what}"."""
    regions = np.flatnonzero(cells.any(axis=1))
    if regions.size == 0:
        return
    groups = np.flatnonzero(cells.any(axis=0)).tolist()
    noun = "Region" if regions.size == 1 else "Regions"
    text = f"{noun} {index_ranges(regions)} in {describe_groups(groups)}: {what}"
    warnings.warn(FluxProfileWarning(text, regions), stacklevel=stacklevel)


def warn_fit_results(
    fits: GroupFits,
    describe_groups: Callable[[Sequence[int]], str],
    stacklevel: int = 4,
) -> None:
    """Warn about the profile bins whose numbers need a word (docs/numeric_limits.rst).

    One `FluxProfileWarning` each, naming the regions and energy groups, for the fitted
    bins where the reference model predicts no counts, those without counts and those
    whose likelihood has no minimum for another reason. The numbers are Gammapy's where
    Gammapy gives one; only the warning is added. (Negative upper limits are Gammapy's
    values too, and common in real data: not warned about, docs/numeric_limits.rst.)

    Parameters
    ----------
    fits : `GroupFits`
        The fit results.
    describe_groups : callable
        Energy ranges and indices of some groups, for the message.
    stacklevel : int, optional
        Passed to `warnings.warn`. Default is 4.
    """
    success = np.asarray(fits.success, dtype=bool)
    failed = fits.fitted & ~success & ~fits.alpha_undefined
    _warn_cells(
        failed & fits.no_signal,
        "the reference model predicts no counts (its flux, the exposure or the energy "
        "dispersion is 0 there): nothing to fit, norm and its errors are NaN, success "
        "False",
        describe_groups,
        stacklevel,
    )
    _warn_cells(
        failed & fits.no_counts & ~fits.no_signal,
        "no counts: the likelihood has no minimum (it falls until the predicted counts "
        "reach 0), so norm and its errors are NaN and success False; ts (twice the "
        "predicted background that the fit removes) and the upper limit are measured "
        "from that lowest point, as in Gammapy",
        describe_groups,
        stacklevel,
    )
    _warn_cells(
        failed & ~fits.no_counts & ~fits.no_signal,
        "the likelihood has no minimum (predicted counts reach 0 where counts were "
        "observed): norm and its errors are NaN, success False",
        describe_groups,
        stacklevel,
    )
