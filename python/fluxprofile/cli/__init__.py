"""The ``fluxprofile`` command line: ``run``, ``info`` and ``demo``.

``fluxprofile run`` measures a profile (rectangles along a line, concentric annuli or
boxes along a path) on one or more DL4 dataset files and writes it as a FITS or ECSV
table and/or a PNG plot; ``fluxprofile info`` describes a dataset file; ``fluxprofile
demo`` runs the tutorial's two profiles on the built-in simulated dataset.

Exit status: 0 on success, 1 on an input or data error, 2 on a usage error. Errors are
reported on one line of standard error (``fluxprofile: error: ...``), never as a
traceback (set ``FLUXPROFILE_DEBUG=1`` to get the traceback of an unexpected error).

Modules: `parser` (options and their values), `run`, `info` and `demo` (one command
each), `path_files` (the positions of ``run --path``), `display` (energy units shown) and
`errors` (the error kinds and how errors and warnings are reported).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Callable
from typing import TextIO

from .demo import demo_command
from .errors import (
    PROG,
    InputError,
    UsageError,
    error_message,
    one_line,
    report_warnings,
)
from .info import info_command
from .parser import build_parser, join_negative_positions
from .run import run_command

__all__ = ["main"]

_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "run": run_command,
    "info": info_command,
    "demo": demo_command,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fluxprofile`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments. Default is None (``sys.argv[1:]``).

    Returns
    -------
    status : int
        Exit status: 0 on success, 1 on an input or data error, 2 on a usage error
        (each error is reported on one line of standard error), 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    err_stream = sys.stderr
    try:
        args = build_parser().parse_args(join_negative_positions(argv))
    except UsageError as err:
        print(f"{PROG}: error: {one_line(str(err))}", file=err_stream)
        return 2
    debug = bool(os.environ.get("FLUXPROFILE_DEBUG"))
    status = 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = _COMMANDS[args.command](args, sys.stdout)
            sys.stdout.flush()
        except UsageError as err:
            print(
                f"{PROG}: error: {one_line(str(err))} (see '{PROG} {args.command} --help')",
                file=err_stream,
            )
            status = 2
        except BrokenPipeError:
            # The reader of standard output went away (e.g. `| head`): stop quietly.
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            status = 1
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=err_stream)
            status = 130
        except (
            InputError,
            ValueError,
            TypeError,
            OSError,
            KeyError,
            ImportError,
            MemoryError,
        ) as err:
            # InvalidInput (the compiled core's input errors) is a ValueError.
            if debug:
                raise
            print(f"{PROG}: error: {error_message(err)}", file=err_stream)
            status = 1
        except Exception as err:  # any other error is still one line, not a traceback
            if debug:
                raise
            print(
                f"{PROG}: error: unexpected {type(err).__name__}: {error_message(err)} "
                "(set FLUXPROFILE_DEBUG=1 for the traceback)",
                file=err_stream,
            )
            status = 1
    report_warnings(caught, err_stream)
    return status
