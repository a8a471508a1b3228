"""The command line's two error kinds, and how errors and warnings reach standard error.

Every error is one line, ``fluxprofile: error: ...``; the warnings of a command are
collected and printed once each after it, ``fluxprofile: warning: ...``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TextIO

__all__ = [
    "MAX_WARNINGS",
    "PROG",
    "InputError",
    "UsageError",
    "error_message",
    "one_line",
    "report_warnings",
]

PROG = "fluxprofile"
#: More distinct warnings than this are summarised in one line.
MAX_WARNINGS = 10


class UsageError(Exception):
    """A command-line usage error (exit status 2)."""


class InputError(Exception):
    """An input or data error found by the command line itself (exit status 1)."""


def one_line(text: object) -> str:
    """The text with every run of white space (newlines included) made one space.

    Parameters
    ----------
    text : object
        The message (converted with `str`).

    Returns
    -------
    line : str
        The message on one line.
    """
    return " ".join(str(text).split())


def error_message(err: BaseException) -> str:
    """The one-line message of an error, as the command line prints it.

    Parameters
    ----------
    err : BaseException
        The error.

    Returns
    -------
    message : str
        A missing key names the key; an OS error with a file name names the file; any
        other error gives its message, or its class name when it has none.
    """
    if isinstance(err, KeyError):
        key = err.args[0] if err.args else ""
        return (
            f"missing entry {key!r}"
            if not isinstance(key, str) or " " not in key
            else key
        )
    if isinstance(err, OSError) and err.strerror and getattr(err, "filename", None):
        return f"{err.strerror}: {err.filename!r}"
    return one_line(str(err)) or type(err).__name__


def report_warnings(
    caught: Iterable[warnings.WarningMessage], err_stream: TextIO
) -> None:
    """Print each distinct warning once, at most `MAX_WARNINGS` of them, then a count.

    Parameters
    ----------
    caught : iterable of `warnings.WarningMessage`
        The warnings recorded while a command ran, in order.
    err_stream : file-like
        Where to print (standard error).
    """
    seen: list[str] = []
    for item in caught:
        text = one_line(str(item.message))
        if text not in seen:
            seen.append(text)
    for text in seen[:MAX_WARNINGS]:
        print(f"{PROG}: warning: {text}", file=err_stream)
    if len(seen) > MAX_WARNINGS:
        print(
            f"{PROG}: warning: ... and {len(seen) - MAX_WARNINGS} more warnings",
            file=err_stream,
        )
