"""`simulate`: profiles of Poisson realisations of one dataset's predicted counts.

Realisation ``i`` is drawn from ``SeedSequence(seed).spawn(n)[i]`` alone, so the
results do not depend on the backend, the number of workers, the batch size or the
threads; `SimulationResult` holds the per-bin arrays, their summary and p-values.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import warnings
from typing import TYPE_CHECKING

import numpy as np
from astropy import units as u
from astropy.table import Table
from numpy.typing import ArrayLike

from .. import FluxProfileEstimator, Map, MapAxis, MapDataset, read_dataset
from .execution import (
    TIMEOUT_ERRORS,
    Progress,
    ProgressOption,
    check_client,
    check_threads,
    check_timeout,
    execute,
    local_pool_size,
)

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["SimulationResult", "simulate"]


@dataclasses.dataclass
class SimulationResult:
    """Profiles of Poisson realisations, per profile bin.

    Attributes
    ----------
    norm, norm_err, ts : `~numpy.ndarray`
        Shape ``(n, n_x, n_e)``: realisation, projected distance, energy group (NaN where
        the fit failed, as in `~fluxprofile.FluxPoints`).
    success : `~numpy.ndarray`
        Bool, shape ``(n, n_x, n_e)``.
    energy_axis, distance_axis : `~fluxprofile.MapAxis`
        The axes of the profiles.
    seed : int
        The seed; realisation ``i`` used ``numpy.random.SeedSequence(seed).spawn(n)[i]``.
    """

    norm: np.ndarray
    norm_err: np.ndarray
    ts: np.ndarray
    success: np.ndarray
    energy_axis: MapAxis
    distance_axis: MapAxis
    seed: int

    @property
    def n(self) -> int:
        """Number of realisations."""
        return self.norm.shape[0]

    def p_value(self, ts: ArrayLike) -> np.ndarray:
        """Fraction of realisations with a ts at least as large, per profile bin.

        Parameters
        ----------
        ts : array-like
            Observed ts, shape ``(n_x, n_e)`` (or broadcastable).

        Returns
        -------
        p : `~numpy.ndarray`
            ``(k + 1) / (n + 1)`` with k the number of realisations whose ts >= ``ts``
            (the conservative Monte Carlo estimate), shape ``(n_x, n_e)``.
        """
        ts = np.broadcast_to(np.asarray(ts, dtype=float), self.ts.shape[1:])
        k = np.sum(self.ts >= ts[None], axis=0)
        return (k + 1.0) / (self.n + 1.0)

    def summary(self) -> Table:
        """Statistics of the realisations, one row per profile bin (distance x energy).

        Returns
        -------
        table : `~astropy.table.Table`
            Columns ``x_ref`` (deg), ``e_min``, ``e_max``, ``n_valid`` (finite norms),
            ``norm_mean``, ``norm_std``, ``norm_median``, ``norm_p16``, ``norm_p84``,
            ``norm_err_mean``, ``ts_mean``, ``ts_median``, ``ts_p95`` (NaN-aware; NaN for bins
            without a valid realisation).
        """
        n_x, n_e = self.norm.shape[1:]
        x = np.repeat(self.distance_axis.center.to_value(u.deg), n_e)
        e_min = np.tile(self.energy_axis.edges[:-1].value, n_x) * self.energy_axis.unit
        e_max = np.tile(self.energy_axis.edges[1:].value, n_x) * self.energy_axis.unit
        flat = {
            k: getattr(self, k).reshape(self.n, n_x * n_e)
            for k in ("norm", "norm_err", "ts")
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bins give NaN
            p16, p50, p84 = (
                np.nanpercentile(flat["norm"], [16, 50, 84], axis=0)
                if self.n
                else [np.nan] * 3
            )
            columns = {
                "x_ref": x * u.deg,
                "e_min": e_min,
                "e_max": e_max,
                "n_valid": np.sum(np.isfinite(flat["norm"]), axis=0),
                "norm_mean": np.nanmean(flat["norm"], axis=0),
                "norm_std": (
                    np.nanstd(flat["norm"], axis=0, ddof=1)
                    if self.n > 1
                    else np.full(n_x * n_e, np.nan)
                ),
                "norm_median": p50,
                "norm_p16": p16,
                "norm_p84": p84,
                "norm_err_mean": np.nanmean(flat["norm_err"], axis=0),
                "ts_mean": np.nanmean(flat["ts"], axis=0),
                "ts_median": np.nanmedian(flat["ts"], axis=0),
                "ts_p95": np.nanpercentile(flat["ts"], 95, axis=0),
            }
        return Table(columns, meta={"n_realisations": self.n, "seed": self.seed})


def _child_seed(seed: int, index: int) -> np.random.SeedSequence:
    """``SeedSequence(seed).spawn(n)[index]``, built directly from the index."""
    return np.random.SeedSequence(seed, spawn_key=(index,))


def _expected_counts(
    dataset: MapDataset, npred_signal: np.ndarray | None
) -> np.ndarray:
    """The mean counts of the realisations: ``npred()`` plus the signal, if any."""
    mu = np.asarray(dataset.npred().data, dtype=np.float64)
    if npred_signal is not None:
        if npred_signal.shape != mu.shape:
            msg = (
                f"npred_signal shape {npred_signal.shape} does not match the counts shape "
                f"{mu.shape} of dataset {dataset.name!r}"
            )
            raise ValueError(msg)
        mu = mu + npred_signal
    return mu


def _simulate_batch(
    dataset: MapDataset | str | os.PathLike,
    estimator: FluxProfileEstimator,
    npred_signal: np.ndarray | None,
    seed: int,
    start: int,
    stop: int,
    n_threads: int,
) -> tuple[dict[str, np.ndarray], tuple[MapAxis, MapAxis] | None]:
    """Worker task: profiles of realisations ``start <= i < stop``."""
    if isinstance(dataset, (str, os.PathLike)):
        dataset = read_dataset(dataset)
    mu = _expected_counts(dataset, npred_signal)
    est = estimator.copy()
    est.n_jobs = n_threads
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("norm", "norm_err", "ts", "success")
    }
    axes = None
    for index in range(start, stop):
        rng = np.random.default_rng(_child_seed(seed, index))
        realisation = copy.copy(dataset)
        counts = rng.poisson(mu)  # int64: exact, read in place by the core
        realisation.counts = Map(dataset.counts.geom, counts, unit=dataset.counts.unit)
        profile = est.run(realisation)
        for key, values in out.items():
            values.append(np.asarray(getattr(profile, key).values))
        axes = (profile.energy_axis, profile.distance_axis)
    return {k: np.stack(v) for k, v in out.items()}, axes


def simulate(
    dataset: MapDataset | str | os.PathLike,
    estimator: FluxProfileEstimator,
    n: int,
    seed: int,
    client: Client | None = None,
    npred_signal: Map | np.ndarray | None = None,
    batch_size: int | None = None,
    n_threads: int | None = None,
    progress: ProgressOption = None,
    timeout: float | None = None,
) -> SimulationResult:
    """Profile Poisson realisations of a dataset's predicted counts.

    Realisation ``i`` replaces the counts by ``Poisson(mu)`` with ``mu = npred() +
    npred_signal`` (``npred()`` is the background clipped at 0) drawn with
    ``numpy.random.default_rng(SeedSequence(seed).spawn(n)[i])``, then runs the estimator.
    Realisation ``i`` therefore depends only on ``seed`` and ``i``, not on the client, the
    number of workers, ``batch_size`` or ``n_threads``. The workers need fluxprofile
    installed (and the file, for a path).

    Parameters
    ----------
    dataset : `~fluxprofile.MapDataset` or path
        The dataset (Cash statistics). A path is read by `read_dataset` in every task.
    estimator : `~fluxprofile.FluxProfileEstimator`
        The estimator (copied; its ``n_jobs`` is replaced by ``n_threads``).
    n : int
        Number of realisations (>= 1).
    seed : int
        Non-negative integer seed.
    client : ``dask.distributed.Client``, optional
        Runs the batches on the cluster (the dataset is scattered to every worker once).
        Default is None: a local thread pool.
    npred_signal : `~fluxprofile.Map` or `~numpy.ndarray`, optional
        Expected signal counts added to the background, with the counts shape, finite and
        non-negative. Default is None (background only: the null hypothesis).
    batch_size : int, optional
        Realisations per task. Default is None: about 4 tasks per worker thread, at most
        100 realisations each.
    n_threads : int, optional
        Threads of the compiled core per task. Default is None (1).
    progress : None, bool or callable, optional
        As in `run_many`, counted in batches. Default is None.
    timeout : float, optional
        Seconds to wait for all batches before raising ``TimeoutError``. Default is None.

    Returns
    -------
    result : `SimulationResult`
        ``norm``, ``norm_err``, ``ts`` and ``success`` of shape ``(n, n_x, n_e)``, with
        `SimulationResult.summary` and `SimulationResult.p_value`.

    Raises
    ------
    TypeError
        For an on-off (WStat) dataset, a non-integer ``n``/``seed``/``batch_size`` or a
        wrong ``client``.
    ValueError
        For ``n < 1``, a negative seed, or an invalid ``npred_signal``.
    RuntimeError
        If a batch fails (the message names the realisations of the batch and the error).
    TimeoutError
        If ``timeout`` is exceeded.
    """
    for name, value in (("n", n), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            msg = f"{name} must be an integer, got {type(value).__name__} {value!r}"
            raise TypeError(msg)
    if n < 1:
        msg = f"n must be at least 1, got {n}"
        raise ValueError(msg)
    if seed < 0:
        msg = f"seed must be a non-negative integer, got {seed}"
        raise ValueError(msg)
    n, seed = int(n), int(seed)
    check_client(client)
    n_threads = check_threads(n_threads)
    timeout = check_timeout(timeout)
    if not isinstance(dataset, (str, os.PathLike)):
        if not hasattr(dataset, "counts"):
            msg = f"dataset must be a dataset or a file path, got {type(dataset).__name__}"
            raise TypeError(msg)
        if getattr(dataset, "stat_type", "cash") != "cash":
            msg = (
                f"simulate supports Cash datasets only, got a {type(dataset).__name__} with "
                f"stat_type {dataset.stat_type!r}"
            )
            raise TypeError(msg)
    if npred_signal is not None:
        npred_signal = np.asarray(
            getattr(npred_signal, "data", npred_signal), dtype=np.float64
        )
        if (
            not isinstance(dataset, (str, os.PathLike))
            and npred_signal.shape != dataset.counts.data.shape
        ):
            msg = (
                f"npred_signal shape {npred_signal.shape} does not match the counts shape "
                f"{dataset.counts.data.shape}"
            )
            raise ValueError(msg)
        if not np.all(np.isfinite(npred_signal)) or np.any(npred_signal < 0):
            msg = "npred_signal must be finite and non-negative"
            raise ValueError(msg)

    if batch_size is None:
        if client is not None:
            slots = (
                sum(
                    w.get("nthreads", 1)
                    for w in client.scheduler_info()["workers"].values()
                )
                or 1
            )
        else:
            slots = local_pool_size(n, n_threads)
        batch_size = min(100, max(1, math.ceil(n / (4 * slots))))
    elif (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        msg = f"batch_size must be a positive integer or None, got {batch_size!r}"
        raise ValueError(msg)
    bounds = [
        (start, min(start + int(batch_size), n))
        for start in range(0, n, int(batch_size))
    ]

    outputs: list = [None] * len(bounds)
    axes = None
    bar = Progress(progress, len(bounds), "simulate")
    runs = execute(
        _simulate_batch, [(seed, a, b, n_threads) for a, b in bounds], client,
        [dataset, estimator, npred_signal], n_threads, bar, "simulate", timeout,
    )  # fmt: skip
    try:
        for index, value, exc in runs:
            if exc is not None:
                a, b = bounds[index]
                msg = f"simulate: the batch of realisations {a}..{b - 1} failed: {type(exc).__name__}: {exc}"
                raise RuntimeError(msg) from exc
            outputs[index], batch_axes = value
            axes = axes or batch_axes
    except TIMEOUT_ERRORS as err:
        done = sum(o is not None for o in outputs)
        msg = f"simulate: {len(bounds) - done} of {len(bounds)} batches not finished after {timeout} s"
        raise TimeoutError(msg) from err
    finally:
        runs.close()
        bar.close()
    assert axes is not None  # n >= 1: at least one batch ran
    arrays = {k: np.concatenate([o[k] for o in outputs]) for k in outputs[0]}
    return SimulationResult(
        norm=arrays["norm"],
        norm_err=arrays["norm_err"],
        ts=arrays["ts"],
        success=arrays["success"].astype(bool),
        energy_axis=axes[0],
        distance_axis=axes[1],
        seed=seed,
    )
