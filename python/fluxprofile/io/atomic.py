"""Writing files so that a failure never destroys the file being replaced.

Every output is first written to a temporary file in the folder of its target, and only
moved onto the target (``os.replace``, atomic on one file system) once all outputs of
the operation are complete. A failed write (a full disk, a file-size limit, an
interrupt) removes the temporary files, leaves every target as it was and, for an
OSError, says which file could not be written. See docs/files_and_processes.rst.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import final

__all__ = ["StagedFiles", "check_writable", "staged_file"]


def check_writable(paths: list[Path], overwrite: bool, who: str) -> None:
    """Refuse existing targets unless ``overwrite``, and targets that are folders.

    Parameters
    ----------
    paths : list of `~pathlib.Path`
        Output files.
    overwrite : bool
        Whether existing files may be replaced.
    who : str
        Function name used in error messages.

    Raises
    ------
    FileExistsError
        If a target exists and ``overwrite`` is False.
    IsADirectoryError
        If a target is a folder.
    """
    for path in paths:
        if path.is_dir():
            msg = f"{who}: {str(path)!r} is a folder, not a file"
            raise IsADirectoryError(msg)
        if path.exists() and not overwrite:
            msg = f"{who}: file {str(path)!r} exists (use overwrite=True to replace it)"
            raise FileExistsError(msg)


@final
class StagedFiles:
    """Temporary files that replace their targets only when all are written.

    Use as a context manager: `stage` gives the temporary path to write for a target;
    leaving the block without an error moves every temporary file onto its target, an
    error removes them all and leaves every target as it was.

    Parameters
    ----------
    who : str
        Function name used in error messages.
    """

    def __init__(self, who: str) -> None:
        self._who = who
        self._staged: list[tuple[Path, Path]] = []

    def stage(self, target: Path) -> Path:
        """A new temporary path next to ``target`` (same suffixes, so the same format).

        Parameters
        ----------
        target : `~pathlib.Path`
            The file the temporary file will replace.

        Returns
        -------
        temporary : `~pathlib.Path`
            Path to write to (it does not exist yet).
        """
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{uuid.uuid4().hex[:12]}.tmp-{target.name}")
        self._staged.append((temporary, target))
        return temporary

    def _discard(self) -> None:
        for temporary, _ in self._staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        self._staged = []

    def _commit(self) -> None:
        for index, (temporary, target) in enumerate(self._staged):
            if not temporary.is_file():
                self._discard()
                msg = f"{self._who}: nothing was written for {str(target)!r}"
                raise OSError(msg)
            try:
                os.replace(temporary, target)
            except OSError as err:
                done = [str(t) for _, t in self._staged[:index]]
                self._discard()
                msg = (
                    f"{self._who}: could not move the new {str(target)!r} into place ({err}); "
                    f"already replaced: {done}"
                )
                raise OSError(msg) from err
        self._staged = []

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._commit()
            return
        temporary, current = self._staged[-1] if self._staged else (None, None)
        self._discard()
        if not isinstance(exc, OSError) or current is None or temporary is None:
            return
        if str(temporary) in str(exc):
            # A nested staged write (e.g. FluxPoints.write onto one of these temporary
            # files) named its target: that is this temporary file, name the real one.
            raise _retold(exc, str(exc).replace(str(temporary), str(current)))
        if str(current) not in str(exc):
            # astropy's "62592 requested and 8960 written" or ENOSPC without a name.
            raise _named_error(exc, f"{self._who}: could not write {str(current)!r}")


def _retold(err: OSError, text: str) -> OSError:
    """A copy of ``err`` with the message ``text`` (same class if builtin, same errno)."""
    cls = type(err) if type(err).__module__ == "builtins" else OSError
    new = cls(text)
    new.errno = err.errno
    new.__cause__ = err
    return new


def _named_error(err: OSError, text: str) -> OSError:
    """``err`` told with ``text`` first (same class if it is a builtin one, same errno),
    adding that nothing was replaced."""
    reason = err.strerror or str(err) or type(err).__name__
    return _retold(
        err, f"{text} ({reason}); no file was replaced, no partial file left"
    )


@contextlib.contextmanager
def staged_file(target: Path, overwrite: bool, who: str) -> Iterator[Path]:
    """The temporary path to write one file to; it replaces ``target`` on success.

    Parameters
    ----------
    target : `~pathlib.Path`
        Output file.
    overwrite : bool
        Whether an existing ``target`` may be replaced.
    who : str
        Function name used in error messages.

    Yields
    ------
    temporary : `~pathlib.Path`
        Path to write to.

    Raises
    ------
    FileExistsError
        If ``target`` exists and ``overwrite`` is False.
    """
    check_writable([target], overwrite, who)
    with StagedFiles(who) as staged:
        yield staged.stage(target)
