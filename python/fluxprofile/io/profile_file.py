"""Profile files: flux points as a FITS file in Gammapy's layout (empty primary HDU,
"FLUXPOINTS" table, optional "GTI") or as any table format astropy writes (ECSV, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from astropy.io import fits
from astropy.table import Table

from .atomic import StagedFiles
from .fits_read import read_hdulist
from .paths import expand_path

__all__ = ["read_profile_table", "write_flux_points"]

_FITS_MAGIC = (b"SIMPLE  =", b"\x1f\x8b")


def _expand(filename: str | Path) -> Path:
    # one rule for every file name (an unset variable is named): io.paths
    return expand_path(filename)


def read_profile_table(
    filename: str | Path, checksum: bool = False, **kwargs: Any
) -> tuple[Table, Table | None]:
    """The profile table (and GTI) of a file written by `write_flux_points` or Gammapy.

    A FITS file (recognised by its first bytes, gzip included) gives its "FLUXPOINTS"
    table (else its first extension) and its "GTI" table; any other file is read with
    `~astropy.table.Table.read` (ECSV unless ``format`` is given).

    Parameters
    ----------
    filename : str or `~pathlib.Path`
        File name (``$VARIABLES`` and ``~`` are expanded).
    checksum : bool, optional
        Verify FITS checksums. Default is False.
    **kwargs : dict
        Passed to `~astropy.table.Table.read` for non-FITS files.

    Returns
    -------
    table : `~astropy.table.Table`
        The profile table.
    gti : `~astropy.table.Table` or None
        The good time intervals of a FITS file.

    Raises
    ------
    OSError
        If the file does not exist or cannot be read as a table.
    """
    path = _expand(filename)
    if not path.is_file():
        msg = f"flux points file not found: {str(path)!r}"
        raise OSError(msg)
    with path.open("rb") as fh:
        magic = fh.read(9)
    if not magic.startswith(_FITS_MAGIC):
        kwargs.setdefault("format", "ascii.ecsv")
        try:
            return Table.read(path, **kwargs), None
        except Exception as err:
            msg = f"cannot read flux points table {str(path)!r}: {err}"
            raise OSError(msg) from err
    try:
        if checksum:
            opened = fits.open(path, checksum=True, memmap=False)
        else:
            # the one-pass reader: a file cut inside a header is an error naming it
            # (astropy's reader ends the HDU list early without a word)
            opened, _ = read_hdulist(path, "FluxPoints.read")
        with opened as hdulist:
            table = Table.read(
                hdulist["FLUXPOINTS"] if "FLUXPOINTS" in hdulist else hdulist[1]
            )
            gti = Table.read(hdulist["GTI"]) if "GTI" in hdulist else None
    except (OSError, IndexError, KeyError) as err:
        if isinstance(err, OSError) and str(path) in str(err):
            raise
        msg = f"cannot read flux points from FITS file {str(path)!r}: {err}"
        raise OSError(msg) from err
    return table, gti


def write_flux_points(
    flux_points: Any,
    filename: str | Path,
    sed_type: str | None = None,
    format: str | None = "profile",
    overwrite: bool = False,
    checksum: bool = False,
    per_solid_angle: bool = False,
) -> None:
    """Write the profile table of flux points (see `FluxPoints.write`).

    The file is written to a temporary file next to it and moved onto ``filename``
    only when complete, so a failed write leaves an existing file as it was.

    Parameters
    ----------
    flux_points : `~fluxprofile.FluxPoints`
        The flux points (their ``to_table`` makes the table, their ``gti`` goes to the
        "GTI" HDU of FITS files).
    filename : str or `~pathlib.Path`
        File name; ".fits" among its suffixes gives Gammapy's FITS layout, any other
        suffix the format `~astropy.table.Table.write` infers (e.g. ".ecsv").
    sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
        SED type. Default is None (``sed_type_init``).
    format : {"profile"}, optional
        Table format. Default is "profile".
    overwrite : bool, optional
        Overwrite an existing file. Default is False.
    checksum : bool, optional
        Add FITS DATASUM/CHECKSUM cards. Default is False.
    per_solid_angle : bool, optional
        Write surface brightness. Default is False.

    Raises
    ------
    OSError
        If the file exists and ``overwrite`` is False, or it cannot be written.
    ValueError
        See `~fluxprofile.io.profile_table.flux_points_to_table`.
    """
    path = _expand(filename)
    if path.exists() and not overwrite:
        msg = f"file {str(path)!r} already exists (use overwrite=True)"
        raise OSError(msg)
    table = flux_points.to_table(
        sed_type=sed_type, format=format, per_solid_angle=per_solid_angle
    )
    with StagedFiles("FluxPoints.write") as staged:
        temporary = staged.stage(path)  # same suffixes: the same format is inferred
        if ".fits" not in path.suffixes:
            table.write(temporary)
            return
        hdus = [fits.PrimaryHDU(), fits.BinTableHDU(table, name="FLUXPOINTS")]
        gti = flux_points.gti
        if gti is not None:
            hdus.append(
                gti.to_table_hdu()
                if hasattr(gti, "to_table_hdu")
                else fits.BinTableHDU(Table(gti), name="GTI")
            )
        fits.HDUList(hdus).writeto(temporary, checksum=checksum)
