"""One-line error messages and the warning report of the command line."""

from __future__ import annotations

import io
import warnings

from fluxprofile.cli.errors import (
    MAX_WARNINGS,
    PROG,
    error_message,
    one_line,
    report_warnings,
)


def test_error_messages():
    assert error_message(KeyError("COUNTS")) == "missing entry 'COUNTS'"
    assert error_message(KeyError("no HDU named COUNTS")) == "no HDU named COUNTS"
    assert error_message(
        FileNotFoundError(2, "No such file or directory", "x.fits")
    ) == ("No such file or directory: 'x.fits'")
    assert error_message(ValueError("two\n  lines")) == "two lines"
    assert error_message(RuntimeError()) == "RuntimeError"
    assert one_line("a\n\tb  c\n") == "a b c"


def test_warnings_once_each_and_capped():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(MAX_WARNINGS + 3):
            warnings.warn(f"region {i}\nis empty", UserWarning, stacklevel=1)
            warnings.warn(
                f"region {i}\nis empty", UserWarning, stacklevel=1
            )  # a repeat
    err = io.StringIO()
    report_warnings(caught, err)
    lines = err.getvalue().splitlines()
    assert lines[:MAX_WARNINGS] == [
        f"{PROG}: warning: region {i} is empty" for i in range(MAX_WARNINGS)
    ]
    assert lines[MAX_WARNINGS:] == [f"{PROG}: warning: ... and 3 more warnings"]
