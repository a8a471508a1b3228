"""Path files of ``fluxprofile run --path``: the sky positions of a polyline.

Two kinds of file are read:

* an ECSV table (``.ecsv``): the columns named lon/lat, glon/glat, l/b or ra/dec (any
  case), else the first two columns; column units are honoured (degrees without one);
  ``meta["frame"]`` names the frame;
* any other name: text or CSV read with the `csv` module, one position per line. Fields
  are separated by ``;`` if the line has one (so that ``,`` can be a decimal mark, which
  is then refused), else by ``,``, else by white space; quotes are honoured and empty
  fields ignored. ``#`` starts a comment. A first line that is not all numbers is the
  header: if it names the lon/lat columns as above, those columns are read (the others
  may hold anything), else the first two. Values are degrees.

glon/glat and l/b columns mean Galactic, ra/dec ICRS, lon/lat and unnamed columns the
frame of the map; ``--frame`` overrides all of them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table

from .errors import InputError

__all__ = ["LONLAT_NAMES", "read_path_file"]

#: Column names of the longitude and latitude, and the frame they imply (None: the map's).
LONLAT_NAMES: tuple[tuple[str, str, str | None], ...] = (
    ("lon", "lat", None),
    ("glon", "glat", "galactic"),
    ("l", "b", "galactic"),
    ("ra", "dec", "icrs"),
)


def _lonlat_columns(names: list[str]) -> tuple[int, int, str | None] | None:
    """Indices of the lon and lat columns among lower-case names, and their frame."""
    for lon_name, lat_name, frame in LONLAT_NAMES:
        if lon_name in names and lat_name in names:
            return names.index(lon_name), names.index(lat_name), frame
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fields(line: str) -> list[str]:
    """The non-empty fields of one line (comment already removed)."""
    if ";" in line:
        delimiter = ";"
    elif "," in line:
        delimiter = ","
    else:
        line, delimiter = line.replace("\t", " "), " "
    (fields,) = csv.reader([line], delimiter=delimiter, skipinitialspace=True)
    return [f.strip() for f in fields if f.strip()]


def _read_text(path: Path) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Longitudes and latitudes (deg) of a text or CSV path file, and the header's frame."""
    try:
        # utf-8-sig: a byte-order mark (spreadsheet exports) is not part of the header.
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        msg = f"cannot read path file {str(path)!r}: {err}"
        raise InputError(msg) from err
    rows: list[tuple[float, float]] = []
    columns: tuple[int, int, str | None] | None = None
    ilon, ilat, frame = 0, 1, None
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = _fields(line)
        if not rows and columns is None and not all(_is_number(f) for f in fields):
            columns = _lonlat_columns([f.lower() for f in fields]) or (0, 1, None)
            ilon, ilat, frame = columns
            continue
        if len(fields) < 2:
            msg = f"path file {str(path)!r}, line {number}: expected two numbers lon, lat, got {line!r}"
            raise InputError(msg)
        if max(ilon, ilat) >= len(fields):
            msg = f"path file {str(path)!r}: a row has fewer columns than the header"
            raise InputError(msg)
        lon_text, lat_text = fields[ilon], fields[ilat]
        if not (_is_number(lon_text) and _is_number(lat_text)):
            msg = f"path file {str(path)!r}, line {number}: expected two numbers lon, lat, got {line!r}"
            raise InputError(msg)
        rows.append((float(lon_text), float(lat_text)))
    if not rows:
        msg = f"path file {str(path)!r} has no positions"
        raise InputError(msg)
    lonlat = np.array(rows, dtype=np.float64)
    return lonlat[:, 0], lonlat[:, 1], frame


def _read_ecsv(path: Path) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Longitudes and latitudes (deg) of an ECSV path file, and its frame."""
    try:
        table = Table.read(path, format="ascii.ecsv")
    except Exception as err:  # astropy raises many types on malformed files
        msg = f"cannot read path file {str(path)!r}: {err}"
        raise InputError(msg) from err
    found = _lonlat_columns([n.lower() for n in table.colnames])
    if found is not None:
        columns = (table.colnames[found[0]], table.colnames[found[1]])
        frame = found[2]
    else:
        if len(table.colnames) < 2:
            msg = f"path file {str(path)!r} needs two columns (lon, lat)"
            raise InputError(msg)
        columns, frame = (table.colnames[0], table.colnames[1]), None
    frame = table.meta.get("frame", frame)
    values = []
    for name in columns:
        column = table[name]
        unit = column.unit if column.unit is not None else u.deg
        try:
            values.append(
                u.Quantity(np.asarray(column, dtype=float), unit).to_value(u.deg)
            )
        except (TypeError, ValueError, u.UnitsError) as err:
            msg = f"path file {str(path)!r}: column {name!r} is not an angle: {err}"
            raise InputError(msg) from err
    return values[0], values[1], frame


def read_path_file(path: Path, frame: str | None, default_frame: str) -> SkyCoord:
    """The sky positions of a path file.

    Parameters
    ----------
    path : `~pathlib.Path`
        An ECSV table (``.ecsv``) or a text/CSV file (any other name); see the module
        docstring for the accepted layouts. ``~`` is expanded.
    frame : str or None
        The frame given on the command line (``--frame``); None to take the file's.
    default_frame : str
        The frame when neither ``frame`` nor the file gives one (the map's).

    Returns
    -------
    positions : `~astropy.coordinates.SkyCoord`
        At least two positions, finite, with ``|lat| <= 90`` deg.

    Raises
    ------
    InputError
        For a missing, unreadable or malformed file, naming the file (and the line of a
        bad row of a text file).
    """
    path = path.expanduser()
    if not path.is_file():
        msg = f"path file not found: {str(path)!r}"
        raise InputError(msg)
    if path.name.lower().endswith(".ecsv"):
        lon, lat, file_frame = _read_ecsv(path)
    else:
        lon, lat, file_frame = _read_text(path)
    if lon.size < 2:
        msg = f"path file {str(path)!r}: a path needs at least two positions, got {lon.size}"
        raise InputError(msg)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))) or np.any(
        np.abs(lat) > 90
    ):
        msg = f"path file {str(path)!r}: positions must be finite with |lat| <= 90 deg"
        raise InputError(msg)
    return SkyCoord(
        lon * u.deg, lat * u.deg, frame=frame or file_frame or default_frame
    )
