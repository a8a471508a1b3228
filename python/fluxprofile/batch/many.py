"""`run_many`: one estimator on many datasets or files, each profiled on its own.

Every item becomes one task (read on the worker if it is a path, then
``estimator.run``); a failed item does not stop the others: `BatchError` names each
failure (`ItemError`) and carries the results of all the items that succeeded.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from astropy.table import Table, vstack

from .. import (
    FluxPoints,
    FluxProfileEstimator,
    MapDataset,
    MapDatasetOnOff,
    read_dataset,
)
from .execution import (
    TIMEOUT_ERRORS,
    Progress,
    ProgressOption,
    check_client,
    check_threads,
    check_timeout,
    execute,
)

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["BatchError", "ItemError", "run_many"]

#: An item of `run_many`: a dataset, or the path of a DL4 file.
Item = MapDataset | MapDatasetOnOff | str | os.PathLike


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

    def __init__(
        self,
        errors: list[ItemError],
        results: list[FluxPoints | None],
        table: Table | None = None,
    ) -> None:
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


def _label(item: Item) -> str:
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    return f"dataset {getattr(item, 'name', '?')!r}"


def _profile_item(
    estimator: FluxProfileEstimator, item: Item, n_threads: int
) -> tuple[FluxPoints | None, tuple[str, str, str] | None]:
    """Worker task: read the item if it is a path, profile it.

    Returns ``(FluxPoints, None)`` or ``(None, (error_type, message, traceback))``: errors
    are caught here so that they reach the client without relying on pickled exceptions.
    """
    try:
        dataset = read_dataset(item) if isinstance(item, (str, os.PathLike)) else item
        est = estimator.copy()
        est.n_jobs = n_threads
        return est.run(dataset), None
    except Exception as err:  # noqa: BLE001 - a failed item is reported, the others go on
        return None, (type(err).__name__, str(err), traceback.format_exc())


def _stack(results: list[FluxPoints | None], labels: list[str]) -> Table:
    """The profile tables of the items that succeeded, stacked, with an ``item`` column."""
    tables = []
    for index, result in enumerate(results):
        if result is None:
            continue
        table = result.to_table(format="profile")
        table.add_column(
            np.full(len(table), index, dtype=np.int64), name="item", index=0
        )
        tables.append(table)
    if not tables:
        return Table({"item": np.zeros(0, dtype=np.int64)})
    try:
        stacked = vstack(tables, join_type="exact", metadata_conflicts="silent")
    except Exception as err:  # astropy's merge errors have several types
        msg = (
            f"stack=True: the profiles have different table layouts and cannot be stacked "
            f"({err}); use stack=False"
        )
        raise ValueError(msg) from err
    stacked.meta = dict(tables[0].meta)
    stacked.meta["BATCH_ITEMS"] = list(labels)
    return stacked


def run_many(
    estimator: FluxProfileEstimator,
    datasets: Item | Sequence[Item],
    client: Client | None = None,
    n_threads: int | None = None,
    stack: bool = False,
    progress: ProgressOption = None,
    timeout: float | None = None,
) -> list[FluxPoints] | Table:
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
        None shows a tqdm bar on standard error when it is a terminal, else nothing;
        True always shows it; False never; a callable is called as
        ``progress(n_done, n_total)`` after every item. Default is None.
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
    items: list = (
        [datasets]
        if isinstance(datasets, (str, os.PathLike)) or hasattr(datasets, "counts")
        else list(datasets)
    )
    if not items:
        msg = "datasets is empty: give at least one dataset or path"
        raise ValueError(msg)
    for index, item in enumerate(items):
        if not (isinstance(item, (str, os.PathLike)) or hasattr(item, "counts")):
            msg = f"datasets[{index}] is a {type(item).__name__}, expected a dataset or a file path"
            raise TypeError(msg)
    check_client(client)
    n_threads = check_threads(n_threads)
    timeout = check_timeout(timeout)
    labels = [_label(item) for item in items]

    results: list[FluxPoints | None] = [None] * len(items)
    errors: dict[int, ItemError] = {}
    if client is not None:
        # Dataset objects go to the workers once each, not inside the task graph.
        objects = {id(it): it for it in items if not isinstance(it, (str, os.PathLike))}
        futures = client.scatter(list(objects.values()), hash=False) if objects else []
        scattered = dict(zip(objects, futures, strict=True))
        items = [scattered.get(id(it), it) for it in items]
    bar = Progress(progress, len(items), "run_many")
    runs = execute(
        _profile_item, [(item, n_threads) for item in items], client, [estimator],
        n_threads, bar, "run_many", timeout,
    )  # fmt: skip
    try:
        for index, value, exc in runs:
            if exc is not None:
                errors[index] = ItemError(
                    index, labels[index], type(exc).__name__, str(exc)
                )
            elif value[1] is not None:
                errors[index] = ItemError(index, labels[index], *value[1])
            else:
                results[index] = value[0]
    except TIMEOUT_ERRORS:
        for index in range(len(items)):
            if results[index] is None and index not in errors:
                message = f"not finished after {timeout} s"
                errors[index] = ItemError(index, labels[index], "TimeoutError", message)
    finally:
        runs.close()
        bar.close()
        if client is not None:
            client.cancel(
                [it for it in items if not isinstance(it, (str, os.PathLike))]
            )

    table = _stack(results, labels) if stack else None
    if errors:
        raise BatchError([errors[i] for i in sorted(errors)], results, table)
    if table is not None:
        return table
    return [
        result for result in results if result is not None
    ]  # all of them: no errors
