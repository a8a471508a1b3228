"""DL4 map-dataset files (Gammapy's "gadf" layout): reading and writing the HDUs of
`MapDataset` and `MapDatasetOnOff`.

Readers return the constructor arguments of the dataset (the data model builds the
object), writers take its parts, so that this module never imports the dataset classes
(whose ``read``/``write`` methods call it).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.utils.exceptions import AstropyUserWarning

from ..datamodel.edisp import EDispKernelMap
from ..datamodel.hpx_map import HpxEDispKernelMap
from ..datamodel.map import Map
from .fits_read import FitsReadError, corrupt_card, read_hdulist
from .healpix import is_hpx_hdu, read_hpx_edisp
from .paths import ascii_name, expand_path, file_stem

__all__ = ["KEPT_HDUS", "ONOFF_HDUS", "dataset_hdulist", "read_dl4"]

#: The HDUs that make a file an on-off dataset.
ONOFF_HDUS = ("COUNTS_OFF", "ACCEPTANCE", "ACCEPTANCE_OFF")
# The other map HDUs, in the order Gammapy writes them around EDISP.
_MAPS_BEFORE_EDISP = ("COUNTS", "EXPOSURE", "BACKGROUND")
_MASKS = ("MASK_SAFE", "MASK_FIT")
#: HDUs fluxprofile does not use but keeps, so that a written file gives them back
#: unchanged (Gammapy needs the PSF to fit the written file; docs/datasets_yaml.rst).
KEPT_HDUS = ("PSF", "PSF_BANDS", "PSF_EXPOSURE", "PSF_EXPOSURE_BANDS")


def _unpack_hdus(blob: bytes) -> list[Any]:
    """Fresh HDU objects from the kept-HDU bytes of `read_dl4` (a FITS file)."""
    if not blob:
        return []
    with fits.open(io.BytesIO(blob), memmap=False) as hdulist:
        return [hdu.copy() for hdu in hdulist[1:]]


def _open_dl4(
    filename: str | os.PathLike, who: str
) -> tuple[fits.HDUList, list[str], str, bytes]:
    """Open a DL4 FITS file: (hdulist, HDU names, expanded path as str, kept HDUs as
    FITS bytes)."""
    path = expand_path(filename)
    if not path.is_file():
        msg = f"{who}: file {str(path)!r} does not exist (filename={filename!r})"
        raise FileNotFoundError(msg)
    try:
        with _truncation_guard(who, str(path)):
            # One sequential pass: each image straight into its final array, masks
            # converted to 0/1 while reading, a cut or corrupt header an error naming
            # the file and HDU (fits_read).
            hdulist, raw = read_hdulist(path, who, as_bool=_MASKS, raw=KEPT_HDUS)
            names = [h.name for h in hdulist]
            # The kept HDUs as they are in the file, after an empty primary HDU (a FITS
            # file of their own; copied, not serialised again).
            kept = b"".join(raw[hdu] for hdu in KEPT_HDUS if hdu in raw)
            if kept:
                kept = fits.PrimaryHDU().header.tostring().encode("ascii") + kept
    except FitsReadError as err:  # already names the file and HDU: a plain OSError
        raise OSError(str(err)) from err
    except (OSError, ValueError, TypeError, EOFError) as err:
        msg = f"{who}: {str(path)!r} is not a readable FITS file ({err})"
        raise OSError(msg) from err
    return hdulist, names, str(path), kept


@contextlib.contextmanager
def _truncation_guard(who: str, path: str) -> Iterator[None]:
    """Turn the symptoms of a truncated or corrupt file into one OSError naming it.

    astropy only warns that a file "may have been truncated" and pads the data, or fails
    later with an unrelated shape error; both are reported here instead.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AstropyUserWarning)
        try:
            yield
        except (IndexError, TypeError, EOFError, ValueError, OSError) as err:
            if any("truncated" in str(w.message) for w in caught) or isinstance(
                err, (IndexError, EOFError)
            ):
                msg = f"{who}: {path!r} is truncated or corrupt ({err})"
                raise OSError(msg) from err
            raise
        finally:
            for w in caught:
                if not issubclass(w.category, AstropyUserWarning):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    truncated = [w for w in caught if "truncated" in str(w.message)]
    if truncated:
        msg = f"{who}: {path!r} is truncated or corrupt ({truncated[0].message})"
        raise OSError(msg)


def _as_mask(data: np.ndarray) -> np.ndarray:
    """A mask read by `read_hdulist` (0/1 uint8) as bool, without a copy."""
    return data.view(bool) if data.dtype == np.uint8 else data.astype(bool)


def _same_shape_map(hdulist: fits.HDUList, hdu: str, counts: Map, filename: str) -> Map:
    """Read the WCS map ``hdu``, which must have the shape of the counts cube."""
    m = Map.from_hdulist(hdulist, hdu, filename=filename)
    if m.data.shape != counts.data.shape:
        msg = (
            f"{filename}: {hdu} shape {m.data.shape} does not match COUNTS shape "
            f"{counts.data.shape}"
        )
        raise ValueError(msg)
    return m


def _read_edisp(hdulist: fits.HDUList, filename: str) -> EDispKernelMap:
    """The EDISP kernels: WCS or region kernels, or a HEALPix kernel table."""
    if is_hpx_hdu(hdulist["EDISP"]):
        return HpxEDispKernelMap(**read_hpx_edisp(hdulist, filename))
    return EDispKernelMap.from_hdulist(hdulist, filename)


def _read_common(
    hdulist: fits.HDUList, names: list[str], filename: str, name: str | None
) -> dict[str, Any]:
    """Constructor arguments shared by all DL4 map datasets (all but BACKGROUND and
    the on-off maps)."""
    for required in ("COUNTS", "EXPOSURE"):
        if required not in names:
            msg = (
                f"{filename}: no {required} HDU, this is not a gammapy MapDataset file "
                f"(HDUs: {names})"
            )
            raise ValueError(msg)
    counts = Map.from_hdulist(hdulist, "COUNTS", filename=filename)
    if counts.geom.axes.names[:1] != ["energy"]:
        msg = f"{filename}: COUNTS must have an 'energy' axis, got {counts.geom.axes.names}"
        raise ValueError(msg)
    exposure = Map.from_hdulist(hdulist, "EXPOSURE", filename=filename)
    axes = exposure.geom.axes
    if axes.names == ["energy"]:
        geom = exposure.geom.copy(axes=[axes[0].rename("energy_true")])
        exposure = Map(geom, exposure.data, unit=exposure.unit)
    elif axes.names != ["energy_true"]:
        msg = f"{filename}: EXPOSURE must have an 'energy_true' axis, got {axes.names}"
        raise ValueError(msg)

    mask_safe = mask_fit = None
    if "MASK_SAFE" in names:
        m = _same_shape_map(hdulist, "MASK_SAFE", counts, filename)
        mask_safe = Map(m.geom, _as_mask(m.data))
    if "MASK_FIT" in names:
        m = _same_shape_map(hdulist, "MASK_FIT", counts, filename)
        mask_fit = Map(m.geom, _as_mask(m.data))
    if exposure.geom.npix != counts.geom.npix:
        msg = (
            f"{filename}: EXPOSURE image size {exposure.geom.npix} does not match COUNTS "
            f"image size {counts.geom.npix}"
        )
        raise ValueError(msg)
    edisp = _read_edisp(hdulist, filename) if "EDISP" in names else None
    gti = Table.read(hdulist["GTI"]) if "GTI" in names else None
    meta_table = Table.read(hdulist["META_TABLE"]) if "META_TABLE" in names else None
    if name is None:
        header_name = hdulist[0].header.get("NAME")
        # The stem of a file name may be any text, a FITS header only ASCII: the
        # dataset must be writable again (NAME), so the stem is made ASCII.
        name = (
            str(header_name) if header_name else ascii_name(file_stem(Path(filename)))
        )
    return {
        "counts": counts, "exposure": exposure, "mask_safe": mask_safe,
        "mask_fit": mask_fit, "edisp": edisp, "gti": gti, "name": name,
        "meta_table": meta_table,
    }  # fmt: skip


def _read_plain(
    hdulist: fits.HDUList, names: list[str], filename: str, name: str | None
) -> dict[str, Any]:
    onoff = [hdu for hdu in ONOFF_HDUS if hdu in names]
    if onoff:
        msg = (
            f"{filename}: this is an on-off dataset file (it has {', '.join(onoff)}); "
            "read it with MapDatasetOnOff.read or fluxprofile.read_dataset"
        )
        raise ValueError(msg)
    kwargs = _read_common(hdulist, names, filename, name)
    if "BACKGROUND" in names:
        kwargs["background"] = _same_shape_map(
            hdulist, "BACKGROUND", kwargs["counts"], filename
        )
    return kwargs


def _read_onoff(
    hdulist: fits.HDUList, names: list[str], filename: str, name: str | None
) -> dict[str, Any]:
    missing = [hdu for hdu in ONOFF_HDUS if hdu not in names]
    if missing:
        hint = (
            " (a MapDataset file: read it with MapDataset.read)"
            if len(missing) == 3
            else ""
        )
        msg = (
            f"{filename}: no {', '.join(missing)} HDU, not a MapDatasetOnOff file{hint}"
        )
        raise ValueError(msg)
    kwargs = _read_common(hdulist, names, filename, name)
    for hdu in ONOFF_HDUS:
        kwargs[hdu.lower()] = _same_shape_map(hdulist, hdu, kwargs["counts"], filename)
    return kwargs


def read_dl4(
    filename: str | os.PathLike,
    name: str | None = None,
    tag: str | None = None,
    who: str = "read_dataset",
) -> tuple[str, dict[str, Any], str]:
    """Read a DL4 dataset file: its dataset type and the dataset's constructor arguments.

    Counts, background and exposure arrays keep their stored dtype (only byte-swapped
    in place to native order); masks become bool. PSF HDUs are not used but kept, as
    FITS bytes (``kept_hdus``), to be written back unchanged.

    Parameters
    ----------
    filename : str or path
        FITS file (``$VARIABLES`` and ``~`` are expanded; .gz is fine).
    name : str, optional
        Dataset name. Default is None (primary header NAME, else the file stem).
    tag : {"MapDataset", "MapDatasetOnOff"}, optional
        The type the file must hold. Default is None: "MapDatasetOnOff" if the file has
        COUNTS_OFF, ACCEPTANCE or ACCEPTANCE_OFF, else "MapDataset".
    who : str, optional
        Caller named in error messages. Default is "read_dataset".

    Returns
    -------
    tag : str
        "MapDataset" or "MapDatasetOnOff".
    kwargs : dict
        Constructor arguments of that class, plus ``kept_hdus`` (bytes).
    path : str
        The expanded file name (for error messages).

    Raises
    ------
    OSError
        If the file does not exist (FileNotFoundError), is not a FITS file, or is
        truncated or corrupt.
    ValueError
        If COUNTS or EXPOSURE is missing, HDU shapes do not match, or the file holds a
        dataset of the other type than ``tag``.
    """
    hdulist, names, path, kept_hdus = _open_dl4(filename, who)
    if tag is None:
        tag = (
            "MapDatasetOnOff"
            if any(hdu in names for hdu in ONOFF_HDUS)
            else "MapDataset"
        )
    read = _read_onoff if tag == "MapDatasetOnOff" else _read_plain
    with hdulist, _truncation_guard(who, path):
        try:
            kwargs = read(hdulist, names, path, name)
        except fits.VerifyError as err:  # a header card parsed only when used
            where = corrupt_card(hdulist) or "a header"
            msg = f"{who}: {path!r} has a corrupt header card in {where} ({err})"
            raise OSError(msg) from err
    return tag, {**kwargs, "kept_hdus": kept_hdus}, path


def dataset_hdulist(
    name: str,
    maps: Mapping[str, Map | None],
    edisp: EDispKernelMap | None = None,
    kept_hdus: bytes = b"",
    gti: Table | None = None,
    meta_table: Table | None = None,
) -> fits.HDUList:
    """The HDUs of a dataset file in Gammapy's DL4 layout and order.

    Parameters
    ----------
    name : str
        Dataset name (primary header NAME).
    maps : mapping of str to `~fluxprofile.Map` or None
        The maps by HDU name: COUNTS, EXPOSURE, BACKGROUND, MASK_SAFE, MASK_FIT and, for
        on-off datasets, COUNTS_OFF, ACCEPTANCE, ACCEPTANCE_OFF (None or absent ones are
        skipped).
    edisp : `~fluxprofile.EDispKernelMap`, optional
        Energy dispersion. Default is None.
    kept_hdus : bytes, optional
        HDUs of the file read (PSF), as FITS bytes, written back unchanged. Default is
        b"".
    gti : `~astropy.table.Table`, optional
        Good time intervals. Default is None.
    meta_table : `~astropy.table.Table`, optional
        Meta data table. Default is None.

    Returns
    -------
    hdulist : `~astropy.io.fits.HDUList`
        PRIMARY (NAME, CREATOR, CREATED), COUNTS, EXPOSURE, BACKGROUND, EDISP, the kept
        HDUs, MASK_SAFE, MASK_FIT, GTI, META_TABLE, COUNTS_OFF, ACCEPTANCE,
        ACCEPTANCE_OFF (each map with its BANDS table).

    Raises
    ------
    ValueError
        For a map name that is not a DL4 map HDU, or a ``name`` that is not printable
        ASCII.
    """
    unknown = set(maps) - {*_MAPS_BEFORE_EDISP, *_MASKS, *ONOFF_HDUS}
    if unknown:
        msg = f"dataset_hdulist: {sorted(unknown)} are not DL4 map HDUs"
        raise ValueError(msg)
    if not (name.isascii() and name.isprintable()):
        msg = (
            f"dataset name {name!r} cannot be written: a FITS header (NAME) holds "
            f"printable ASCII only; rename the dataset (e.g. {ascii_name(name)!r})"
        )
        raise ValueError(msg)
    primary = fits.PrimaryHDU()
    primary.header["NAME"] = name
    primary.header["CREATOR"] = "fluxprofile"
    primary.header["CREATED"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"
    )
    hdus: list[Any] = [primary]

    def add_maps(hdu_names: tuple[str, ...]) -> None:
        for hdu in hdu_names:
            if maps.get(hdu) is not None:
                hdus.extend(maps[hdu].to_hdulist(hdu))

    add_maps(_MAPS_BEFORE_EDISP)
    if edisp is not None:
        hdus += edisp.to_hdulist()
    hdus += _unpack_hdus(kept_hdus)
    add_maps(_MASKS)
    for table, extname in ((gti, "GTI"), (meta_table, "META_TABLE")):
        if table is not None:
            hdus.append(fits.table_to_hdu(Table(table)))
            hdus[-1].name = extname
    add_maps(ONOFF_HDUS)
    return fits.HDUList(hdus)
