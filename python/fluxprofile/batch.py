"""Profiles of many datasets and Monte Carlo realisations, locally on threads or on Dask.

`run_many` profiles a list of datasets (objects or file paths) with one estimator;
`simulate` profiles Poisson realisations of one dataset's predicted counts. Both run on a
``dask.distributed.Client`` when one is given (file paths are then read on the workers, so
cubes are not shipped) and on a local thread pool otherwise, with identical results.

Dask is optional (``pip install fluxprofile[distributed]``): it is imported only inside the
functions of this module, and only when a client is given.
"""

from __future__ import annotations

import concurrent.futures
import copy
import dataclasses
import math
import os
import sys
import traceback
import uuid
from typing import Any

import numpy as np
from astropy import units as u
from astropy.table import Table, vstack

__all__ = [
    "BatchError",
    "ItemError",
    "SimulationResult",
    "read_dataset",
    "run_many",
    "simulate",
]


# -- reading --------------------------------------------------------------------------------
# Paths are read on the workers with the class the file needs (MapDataset or on-off).
from .datamodel.datasets import read_dataset  # noqa: E402


# -- errors ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ItemError:
    """Why one item of `run_many` failed.

    Attributes
    ----------
    index : int
        Position of the item in the input list.
    item : str
        The file path, or ``"dataset <name>"`` for a dataset object.
    error_type : str
        Class name of the exception (e.g. ``"OSError"``).
    message : str
        The exception message.
    traceback : str
        The formatted traceback, from the worker that ran the item.
    """

    index: int
    item: str
    error_type: str
    message: str
    traceback: str = ""

    def __str__(self) -> str:
        return f"item {self.index} ({self.item}): {self.error_type}: {self.message}"


class BatchError(RuntimeError):
    """Some items of `run_many` failed; the others are kept.

    Parameters
    ----------
    errors : list of `ItemError`
        One entry per failed item, in input order.
    results : list
        The result of every item in input order: `~fluxprofile.FluxPoints`, or None for a
        failed item.
    table : `~astropy.table.Table`, optional
        With ``stack=True``: the stacked table of the items that succeeded. Default is None.

    Attributes
    ----------
    errors, results, table
        As given.
    failed : list of int
        Indices of the failed items.
    """

    def __init__(self, errors: list[ItemError], results: list, table: Table | None = None) -> None:
        self.errors = list(errors)
        self.results = list(results)
        self.table = table
        lines = [f"{len(self.errors)} of {len(self.results)} items failed:"]
        lines += [f"  {e}" for e in self.errors]
        super().__init__("\n".join(lines))

    @property
    def failed(self) -> list[int]:
        """Indices of the failed items."""
        return [e.index for e in self.errors]


# -- progress -------------------------------------------------------------------------------
class _Progress:
    """Progress of ``total`` steps: tqdm, a callable, or nothing."""

    def __init__(self, progress: Any, total: int, desc: str) -> None:
        self.total = total
        self.done = 0
        self._bar = None
        self._callback = None
        if callable(progress):
            self._callback = progress
            return
        if progress is None:
            isatty = getattr(sys.stderr, "isatty", None)
            progress = bool(isatty and isatty())
            if progress:
                try:
                    import tqdm  # noqa: F401
                except ImportError:
                    progress = False
        elif not isinstance(progress, bool):
            msg = f"progress must be None, a bool or a callable, got {type(progress).__name__} {progress!r}"
            raise TypeError(msg)
        if progress:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self._callback = self._print
            else:
                self._bar = tqdm(total=total, desc=desc, unit="item", file=sys.stderr)
        self._desc = desc

    def _print(self, done: int, total: int) -> None:
        print(f"{self._desc}: {done}/{total}", file=sys.stderr, flush=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(self.done, self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# concurrent.futures.TimeoutError is the builtin TimeoutError only from Python 3.11 on.
_TIMEOUT_ERRORS = (TimeoutError, concurrent.futures.TimeoutError)


# -- execution backends ---------------------------------------------------------------------
def _check_client(client: Any) -> None:
    if client is not None and not (hasattr(client, "submit") and hasattr(client, "scatter")):
        msg = f"client must be a dask.distributed.Client or None, got {type(client).__name__}"
        raise TypeError(msg)


def _check_threads(n_threads: Any) -> int:
    if n_threads is None:
        return 1
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 1:
        msg = f"n_threads must be a positive integer or None, got {n_threads!r}"
        raise ValueError(msg)
    return int(n_threads)


def _check_timeout(timeout: Any) -> float | None:
    if timeout is None:
        return None
    if not (np.isscalar(timeout) and np.isreal(timeout) and float(timeout) > 0):
        msg = f"timeout must be a positive number of seconds or None, got {timeout!r}"
        raise ValueError(msg)
    return float(timeout)


def _local_pool_size(n_tasks: int, n_threads: int) -> int:
    return max(1, min(n_tasks, (os.cpu_count() or 1) // n_threads))


def _execute(func, args_list, client, shared, n_threads, progress, desc, timeout):
    """Run ``func(*shared, *args)`` for every entry of ``args_list``.

    Yields ``(index, value, exception)`` as tasks finish (exception is None on success).
    ``shared`` objects are scattered once to every worker with a client.
    """
    if client is None:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=_local_pool_size(len(args_list), n_threads))
        futures = {pool.submit(func, *shared, *args): i for i, args in enumerate(args_list)}
        try:
            for fut in concurrent.futures.as_completed(futures, timeout=timeout):
                err = fut.exception()
                yield futures[fut], (None if err else fut.result()), err
                progress.update()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return

    from distributed import as_completed

    token = uuid.uuid4().hex[:12]
    shared_futures = [
        None if obj is None else client.scatter(obj, broadcast=True, hash=False) for obj in shared
    ]
    futures = {}
    for i, args in enumerate(args_list):
        fut = client.submit(func, *shared_futures, *args, key=f"fluxprofile-{desc}-{token}-{i}", pure=False)
        futures[fut.key] = (i, fut)
    try:
        for fut in as_completed([f for _, f in futures.values()], timeout=timeout):
            index = futures[fut.key][0]
            try:
                value, err = fut.result(), None
            except Exception as exc:  # a worker died, the task was cancelled, ...
                value, err = None, exc
            yield index, value, err
            progress.update()
    finally:
        client.cancel([f for _, f in futures.values()] + [f for f in shared_futures if f is not None])


# -- run_many ---------------------------------------------------------------------------------
def _label(item: Any) -> str:
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    return f"dataset {getattr(item, 'name', '?')!r}"


def _profile_item(estimator, item, n_threads: int):
    """Worker task: read the item if it is a path, profile it.

    Returns ``(FluxPoints, None)`` or ``(None, (error_type, message, traceback))``: errors
    are caught here so that they reach the client without relying on pickled exceptions.
    """
    try:
        dataset = read_dataset(item) if isinstance(item, (str, os.PathLike)) else item
        est = estimator.copy()
        est.n_jobs = n_threads
        return est.run(dataset), None
    except Exception as err:
        return None, (type(err).__name__, str(err), traceback.format_exc())


def _stack(results: list, labels: list[str]) -> Table:
    tables = []
    for index, result in enumerate(results):
        if result is None:
            continue
        table = result.to_table(format="profile")
        table.add_column(np.full(len(table), index, dtype=np.int64), name="item", index=0)
        tables.append(table)
    if not tables:
        return Table({"item": np.zeros(0, dtype=np.int64)})
    try:
        stacked = vstack(tables, join_type="exact", metadata_conflicts="silent")
    except Exception as err:
        msg = (
            f"stack=True: the profiles have different table layouts and cannot be stacked "
            f"({err}); use stack=False"
        )
        raise ValueError(msg) from err
    stacked.meta = dict(tables[0].meta)
    stacked.meta["BATCH_ITEMS"] = list(labels)
    return stacked


def run_many(
    estimator,
    datasets,
    client=None,
    n_threads: int | None = None,
    stack: bool = False,
    progress: Any = None,
    timeout: float | None = None,
):
    """Profile many datasets with one estimator, locally on threads or on a Dask cluster.

    Each item is profiled on its own (``estimator.run(item)``): a list of datasets here is
    a batch of independent profiles, not a joint fit.

    Parameters
    ----------
    estimator : `~fluxprofile.FluxProfileEstimator`
        The estimator (copied for every item; its ``n_jobs`` is replaced by
        ``n_threads``).
    datasets : list of dataset or path
        Dataset objects and/or file paths, mixed freely. Paths are read where the item runs
        (on the worker with a client) by `read_dataset`. Dataset objects are sent to the
        workers with ``client.scatter``.
    client : ``dask.distributed.Client``, optional
        Runs one task per item on the cluster. Default is None: items run on a local
        thread pool of ``os.cpu_count() // n_threads`` threads.
    n_threads : int, optional
        Threads of the compiled core per item. Default is None (1: the parallelism comes
        from running items concurrently). Results do not depend on it.
    stack : bool, optional
        Return one `~astropy.table.Table`: the ``format="profile"`` tables of all items
        stacked, with a first column ``item`` (the input index) and the item labels in
        ``meta["BATCH_ITEMS"]``. Default is False.
    progress : None, bool or callable, optional
        None shows a tqdm bar when tqdm is installed and stderr is a terminal, else
        nothing; True always reports (tqdm, else one line per item on stderr); False
        never; a callable is called as ``progress(n_done, n_total)`` after every item.
        Default is None.
    timeout : float, optional
        Seconds to wait for all items; items not finished by then are reported as failed
        with a ``TimeoutError``. Default is None (no limit).

    Returns
    -------
    profiles : list of `~fluxprofile.FluxPoints` or `~astropy.table.Table`
        One profile per item in input order, or the stacked table with ``stack=True``.

    Raises
    ------
    BatchError
        After all items have finished, if any failed: it names each failed item (index,
        path or dataset name, error) and carries the results of all the others
        (``err.results``, None for failed items; ``err.table`` with ``stack=True``).
    TypeError
        If an item is neither a path nor a dataset, or ``client`` is not a client.
    ValueError
        For an empty list or an invalid ``n_threads``/``timeout``.

    Examples
    --------
    >>> from dask.distributed import Client  # doctest: +SKIP
    >>> profiles = run_many(estimator, paths, client=Client())  # doctest: +SKIP
    """
    if isinstance(datasets, (str, os.PathLike)) or hasattr(datasets, "counts"):
        datasets = [datasets]
    items = list(datasets)
    if not items:
        msg = "datasets is empty: give at least one dataset or path"
        raise ValueError(msg)
    for index, item in enumerate(items):
        if not (isinstance(item, (str, os.PathLike)) or hasattr(item, "counts")):
            msg = f"datasets[{index}] is a {type(item).__name__}, expected a dataset or a file path"
            raise TypeError(msg)
    _check_client(client)
    n_threads = _check_threads(n_threads)
    timeout = _check_timeout(timeout)
    labels = [_label(item) for item in items]

    results: list = [None] * len(items)
    errors: dict[int, ItemError] = {}
    if client is not None:
        # Dataset objects go to the workers once each, not inside the task graph.
        objects = {id(it): it for it in items if not isinstance(it, (str, os.PathLike))}
        futures = client.scatter(list(objects.values()), hash=False) if objects else []
        scattered = dict(zip(objects, futures, strict=True))
        items = [scattered.get(id(it), it) for it in items]
    bar = _Progress(progress, len(items), "run_many")
    runs = _execute(
        _profile_item, [(item, n_threads) for item in items], client, [estimator],
        n_threads, bar, "run_many", timeout,
    )  # fmt: skip
    try:
        for index, value, exc in runs:
            if exc is not None:
                errors[index] = ItemError(index, labels[index], type(exc).__name__, str(exc))
            elif value[1] is not None:
                errors[index] = ItemError(index, labels[index], *value[1])
            else:
                results[index] = value[0]
    except _TIMEOUT_ERRORS:
        for index in range(len(items)):
            if results[index] is None and index not in errors:
                message = f"not finished after {timeout} s"
                errors[index] = ItemError(index, labels[index], "TimeoutError", message)
    finally:
        runs.close()
        bar.close()
        if client is not None:
            client.cancel([it for it in items if not isinstance(it, (str, os.PathLike))])

    table = _stack(results, labels) if stack else None
    if errors:
        raise BatchError([errors[i] for i in sorted(errors)], results, table)
    return table if stack else results


# -- simulate ---------------------------------------------------------------------------------
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
    energy_axis: Any
    distance_axis: Any
    seed: int

    @property
    def n(self) -> int:
        """Number of realisations."""
        return self.norm.shape[0]

    def p_value(self, ts) -> np.ndarray:
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
        import warnings

        n_x, n_e = self.norm.shape[1:]
        x = np.repeat(self.distance_axis.center.to_value(u.deg), n_e)
        e_min = np.tile(self.energy_axis.edges[:-1].value, n_x) * self.energy_axis.unit
        e_max = np.tile(self.energy_axis.edges[1:].value, n_x) * self.energy_axis.unit
        flat = {k: getattr(self, k).reshape(self.n, n_x * n_e) for k in ("norm", "norm_err", "ts")}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bins give NaN
            p16, p50, p84 = np.nanpercentile(flat["norm"], [16, 50, 84], axis=0) if self.n else [np.nan] * 3
            columns = {
                "x_ref": x * u.deg,
                "e_min": e_min,
                "e_max": e_max,
                "n_valid": np.sum(np.isfinite(flat["norm"]), axis=0),
                "norm_mean": np.nanmean(flat["norm"], axis=0),
                "norm_std": (
                    np.nanstd(flat["norm"], axis=0, ddof=1) if self.n > 1 else np.full(n_x * n_e, np.nan)
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


def _expected_counts(dataset, npred_signal) -> np.ndarray:
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


def _simulate_batch(dataset, estimator, npred_signal, seed: int, start: int, stop: int, n_threads: int):
    """Worker task: profiles of realisations ``start <= i < stop``."""
    from .datamodel import Map

    if isinstance(dataset, (str, os.PathLike)):
        dataset = read_dataset(dataset)
    mu = _expected_counts(dataset, npred_signal)
    est = estimator.copy()
    est.n_jobs = n_threads
    out = {k: [] for k in ("norm", "norm_err", "ts", "success")}
    axes = None
    for index in range(start, stop):
        rng = np.random.default_rng(_child_seed(seed, index))
        realisation = copy.copy(dataset)
        counts = rng.poisson(mu)  # int64: exact, read in place by the core
        realisation.counts = Map(dataset.counts.geom, counts, unit=dataset.counts.unit)
        profile = est.run(realisation)
        for key in out:
            out[key].append(np.asarray(getattr(profile, key).values))
        axes = (profile.energy_axis, profile.distance_axis)
    return {k: np.stack(v) for k, v in out.items()}, axes


def simulate(
    dataset,
    estimator,
    n: int,
    seed: int,
    client=None,
    npred_signal=None,
    batch_size: int | None = None,
    n_threads: int | None = None,
    progress: Any = None,
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
    _check_client(client)
    n_threads = _check_threads(n_threads)
    timeout = _check_timeout(timeout)
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
        npred_signal = np.asarray(getattr(npred_signal, "data", npred_signal), dtype=np.float64)
        if not isinstance(dataset, (str, os.PathLike)) and npred_signal.shape != dataset.counts.data.shape:
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
            slots = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()) or 1
        else:
            slots = _local_pool_size(n, n_threads)
        batch_size = min(100, max(1, math.ceil(n / (4 * slots))))
    elif isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        msg = f"batch_size must be a positive integer or None, got {batch_size!r}"
        raise ValueError(msg)
    bounds = [(start, min(start + int(batch_size), n)) for start in range(0, n, int(batch_size))]

    outputs: list = [None] * len(bounds)
    axes = None
    bar = _Progress(progress, len(bounds), "simulate")
    runs = _execute(
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
    except _TIMEOUT_ERRORS as err:
        done = sum(o is not None for o in outputs)
        msg = f"simulate: {len(bounds) - done} of {len(bounds)} batches not finished after {timeout} s"
        raise TimeoutError(msg) from err
    finally:
        runs.close()
        bar.close()
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
