"""Where the tasks of `fluxprofile.batch` run: a local thread pool or a Dask cluster.

`execute` runs one function over a list of argument tuples and yields the results as
they finish, identically on both backends; `Progress` reports them (a tqdm bar or a
callback); the ``check_*`` functions validate the arguments the two batch functions
share. Dask is imported only inside `execute`, and only when a client is given.
"""

from __future__ import annotations

import concurrent.futures
import os
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "TIMEOUT_ERRORS",
    "Progress",
    "ProgressOption",
    "check_client",
    "check_threads",
    "check_timeout",
    "execute",
    "local_pool_size",
]

#: The ``progress`` argument: None (a bar on a terminal), a bool, or ``f(n_done, n_total)``.
ProgressOption = bool | Callable[[int, int], object] | None

# concurrent.futures.TimeoutError is the builtin TimeoutError only from Python 3.11 on.
TIMEOUT_ERRORS = (TimeoutError, concurrent.futures.TimeoutError)


class Progress:
    """Progress of ``total`` steps: a tqdm bar on standard error, a callable, or nothing.

    Parameters
    ----------
    progress : None, bool or callable
        None shows the bar when standard error is a terminal; True always; False never;
        a callable is called as ``progress(n_done, n_total)`` after every step.
    total : int
        Number of steps.
    desc : str
        Label of the bar.

    Raises
    ------
    TypeError
        If ``progress`` is none of the above.
    """

    def __init__(self, progress: ProgressOption, total: int, desc: str) -> None:
        self.total = total
        self.done = 0
        self._bar: tqdm | None = None
        self._callback: Callable[[int, int], object] | None = None
        if progress is None:
            isatty = getattr(sys.stderr, "isatty", None)
            progress = bool(isatty and isatty())
        if isinstance(progress, bool):
            if progress:
                self._bar = tqdm(total=total, desc=desc, unit="item", file=sys.stderr)
        elif callable(progress):
            self._callback = progress
        else:
            msg = f"progress must be None, a bool or a callable, got {type(progress).__name__} {progress!r}"
            raise TypeError(msg)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more steps done."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(self.done, self.total)

    def close(self) -> None:
        """Close the bar (if any)."""
        if self._bar is not None:
            self._bar.close()


def check_client(client: Any) -> None:
    """Refuse anything but None or a ``dask.distributed.Client`` (duck-typed).

    Parameters
    ----------
    client : object
        The ``client`` argument.

    Raises
    ------
    TypeError
        If it has no ``submit`` and ``scatter``.
    """
    if client is not None and not (
        hasattr(client, "submit") and hasattr(client, "scatter")
    ):
        msg = f"client must be a dask.distributed.Client or None, got {type(client).__name__}"
        raise TypeError(msg)


def check_threads(n_threads: Any) -> int:
    """The threads of the compiled core per task.

    Parameters
    ----------
    n_threads : int or None
        The ``n_threads`` argument.

    Returns
    -------
    n_threads : int
        1 for None, else the given positive integer.

    Raises
    ------
    ValueError
        If it is not a positive integer or None.
    """
    if n_threads is None:
        return 1
    if (
        isinstance(n_threads, bool)
        or not isinstance(n_threads, (int, np.integer))
        or n_threads < 1
    ):
        msg = f"n_threads must be a positive integer or None, got {n_threads!r}"
        raise ValueError(msg)
    return int(n_threads)


def check_timeout(timeout: Any) -> float | None:
    """The time limit in seconds.

    Parameters
    ----------
    timeout : float or None
        The ``timeout`` argument.

    Returns
    -------
    timeout : float or None
        None (no limit) or the given positive number of seconds.

    Raises
    ------
    ValueError
        If it is not a positive number or None.
    """
    if timeout is None:
        return None
    number = np.isscalar(timeout) and np.isreal(timeout)
    if not (number and float(timeout) > 0):
        msg = f"timeout must be a positive number of seconds or None, got {timeout!r}"
        raise ValueError(msg)
    return float(timeout)


def local_pool_size(n_tasks: int, n_threads: int) -> int:
    """Threads of the local pool: the cores shared among tasks of ``n_threads`` each.

    Parameters
    ----------
    n_tasks : int
        Number of tasks (no more threads than tasks).
    n_threads : int
        Threads of the compiled core per task.

    Returns
    -------
    size : int
        ``min(n_tasks, cpu_count // n_threads)``, at least 1.
    """
    return max(1, min(n_tasks, (os.cpu_count() or 1) // n_threads))


def _worker(
    func: Callable[..., Any],
    args_list: Sequence[tuple[Any, ...]],
    shared: Sequence[Any],
    todo: queue.SimpleQueue,
    done: queue.SimpleQueue,
    stop: threading.Event,
) -> None:
    """Run tasks taken from ``todo`` until it is empty or ``stop`` is set."""
    while not stop.is_set():
        try:
            index = todo.get_nowait()
        except queue.Empty:
            return
        try:
            value, exc = func(*shared, *args_list[index]), None
        except BaseException as err:  # noqa: BLE001 - reported with the item
            value, exc = None, err
        done.put((index, value, exc))


def _execute_local(
    func: Callable[..., Any],
    args_list: Sequence[tuple[Any, ...]],
    shared: Sequence[Any],
    size: int,
    progress: Progress,
    timeout: float | None,
) -> Generator[tuple[int, Any, BaseException | None], None, None]:
    """`execute` on ``size`` daemon threads of this process.

    Daemon threads, not a ThreadPoolExecutor: the interpreter joins the executor's
    threads at exit, so a task stuck past the timeout would keep the process alive for
    ever; a daemon thread is abandoned (the stuck call keeps running until the process
    exits, the others take no new task).
    """
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for index in range(len(args_list)):
        todo.put(index)
    done: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()
    for k in range(size):
        threading.Thread(
            target=_worker, args=(func, args_list, shared, todo, done, stop),
            name=f"fluxprofile-batch-{k}", daemon=True,
        ).start()  # fmt: skip
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        for _ in range(len(args_list)):
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                index, value, exc = done.get(timeout=wait)
            except queue.Empty:
                msg = f"{len(args_list) - progress.done} tasks not finished after {timeout} s"
                raise TimeoutError(msg) from None
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise exc
            yield index, value, exc
            progress.update()
    finally:
        stop.set()  # the threads take no new task; running ones finish on their own


def execute(
    func: Callable[..., Any],
    args_list: Sequence[tuple[Any, ...]],
    client: Client | None,
    shared: Sequence[Any],
    n_threads: int,
    progress: Progress,
    desc: str,
    timeout: float | None,
) -> Generator[tuple[int, Any, BaseException | None], None, None]:
    """Run ``func(*shared, *args)`` for every entry of ``args_list``.

    Parameters
    ----------
    func : callable
        The task (a module-level function: Dask pickles it by name).
    args_list : sequence of tuple
        The arguments of each task.
    client : ``dask.distributed.Client`` or None
        The cluster; None runs the tasks on a local thread pool of `local_pool_size`.
    shared : sequence
        Arguments common to every task; with a client they are scattered once to every
        worker (None entries are passed as they are).
    n_threads : int
        Threads of the compiled core per task (sizes the local pool).
    progress : `Progress`
        Updated after every finished task.
    desc : str
        Part of the Dask task keys.
    timeout : float or None
        Seconds to wait for all tasks; then `TIMEOUT_ERRORS` is raised by the iteration.

    Yields
    ------
    index, value, exception : int, object, BaseException or None
        As tasks finish, in any order: the task's position in ``args_list``, its return
        value (None if it raised) and its exception (None on success).

    Notes
    -----
    Close the generator (``finally: runs.close()``) when not iterating to the end: that
    cancels the tasks not yet finished.
    """
    if client is None:
        yield from _execute_local(
            func, args_list, shared, local_pool_size(len(args_list), n_threads),
            progress, timeout,
        )  # fmt: skip
        return

    from distributed import as_completed

    token = uuid.uuid4().hex[:12]
    shared_futures = [
        None if obj is None else client.scatter(obj, broadcast=True, hash=False)
        for obj in shared
    ]
    dask_futures = {}
    for i, args in enumerate(args_list):
        task = client.submit(
            func,
            *shared_futures,
            *args,
            key=f"fluxprofile-{desc}-{token}-{i}",
            pure=False,
        )
        dask_futures[task.key] = (i, task)
    try:
        for task in as_completed(
            [f for _, f in dask_futures.values()], timeout=timeout
        ):
            index = dask_futures[task.key][0]
            try:
                value, exc = task.result(), None
            except Exception as err:  # noqa: BLE001 - a worker died, the task was cancelled, ...
                value, exc = None, err
            yield index, value, exc
            progress.update()
    finally:
        client.cancel(
            [f for _, f in dask_futures.values()]
            + [f for f in shared_futures if f is not None]
        )
