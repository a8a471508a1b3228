"""File names as users give them: ``$VARIABLES`` and ``~`` expanded, FITS stems."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

__all__ = ["ascii_name", "expand_path", "file_stem"]

_FITS_SUFFIXES = (".gz", ".fits", ".fit", ".fts", ".fz")
# What os.path.expandvars expands: $NAME and ${NAME} (left as they are when unset).
_VARIABLE = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([^}]*)\})")


def expand_path(filename: str | os.PathLike) -> Path:
    """Path with ``$VARIABLES`` and ``~`` expanded.

    Parameters
    ----------
    filename : str or path
        File name.

    Returns
    -------
    path : `~pathlib.Path`
        The expanded path (not resolved).

    Raises
    ------
    TypeError
        If ``filename`` is neither a str nor a path.
    FileNotFoundError
        If it names a variable that is not set (e.g. ``$GAMMAPY_DATA/...`` without
        ``GAMMAPY_DATA``) and no file has the literal name.
    """
    if not isinstance(filename, (str, os.PathLike)):
        msg = f"filename must be a str or a path, got {type(filename).__name__} {filename!r}"
        raise TypeError(msg)
    text = os.fspath(filename)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    path = Path(os.path.expanduser(os.path.expandvars(text)))
    unset = [
        m.group(1) or m.group(2)
        for m in _VARIABLE.finditer(str(path))
        if (m.group(1) or m.group(2)) not in os.environ
    ]
    # A name with a literal "$" that exists is a file name, not a variable.
    if unset and not path.exists():
        names = ", ".join(f"${name}" for name in dict.fromkeys(unset))
        verb = "is" if len(unset) == 1 else "are"
        msg = (
            f"{text!r}: the environment variable {names} {verb} not set (set it to the "
            "folder it stands for, or give the full path)"
        )
        raise FileNotFoundError(msg)
    return path


def file_stem(path: Path) -> str:
    """File name without its FITS suffixes ("a.fits.gz" -> "a").

    Parameters
    ----------
    path : `~pathlib.Path`
        File path.

    Returns
    -------
    stem : str
        The name with every trailing .gz/.fits/.fit/.fts/.fz removed (case-insensitive;
        a name is never emptied).
    """
    name = path.name
    while True:
        lower = name.lower()
        for suffix in _FITS_SUFFIXES:
            if lower.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
        else:
            return name


def ascii_name(text: str) -> str:
    """``text`` made printable ASCII, as a FITS header value must be.

    Accents are dropped ("données" -> "donnees"), any other character that is not
    printable ASCII becomes "_".

    Parameters
    ----------
    text : str
        E.g. a file stem.

    Returns
    -------
    name : str
        The ASCII text (``text`` itself if it already is).
    """
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        out.append(char if char.isascii() and char.isprintable() else "_")
    return "".join(out)
