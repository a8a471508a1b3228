"""The fit layout: the bins of every dataset in every energy group laid out as one fit
problem per (region, group), the core's fit, and the profile arrays (`GroupFits`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _core
from .._core import Statistic
from .reduce import ReducedDataset

__all__ = ["GroupFits", "fit_groups"]

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
    datasets. Quantities not asked for are NaN.
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
    )
