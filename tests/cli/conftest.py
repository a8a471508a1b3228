"""Fixtures of the command-line tests: ``python -m fluxprofile`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TIMEOUT = 120


class CommandLine:
    """Runs ``python -m fluxprofile ARGS`` (stderr is a pipe: no progress bar)."""

    @staticmethod
    def _env() -> dict[str, str]:
        env = dict(os.environ)
        env.pop("FLUXPROFILE_DEBUG", None)
        env.pop("PYTHONWARNINGS", None)
        return env

    def start(self, args: list[object], cwd: Path) -> subprocess.Popen:
        """Start the command without waiting (several can run at once)."""
        return subprocess.Popen(
            [sys.executable, "-m", "fluxprofile", *map(str, args)],
            cwd=cwd, env=self._env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    @staticmethod
    def finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
        """Wait for a started command."""
        out, err = proc.communicate(timeout=TIMEOUT)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def __call__(self, *args: object, cwd: Path) -> subprocess.CompletedProcess:
        return self.finish(self.start(list(args), cwd))


@pytest.fixture(scope="session")
def cli() -> CommandLine:
    """``cli(*args, cwd=...)`` runs the command; ``cli.start``/``cli.finish`` in two steps."""
    return CommandLine()


def _assert_one_line_error(
    result: subprocess.CompletedProcess, status: int, *fragments: str
) -> None:
    assert result.returncode == status, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fluxprofile: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""


@pytest.fixture(scope="session")
def assert_one_line_error() -> Callable[..., None]:
    """``assert_one_line_error(result, status, *fragments)``: exit status, one error line
    naming every fragment, nothing on standard output."""
    return _assert_one_line_error
