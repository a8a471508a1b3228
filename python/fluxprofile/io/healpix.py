"""HEALPix maps in FITS: Gammapy's HPX ("gadf") layout of DL4 map datasets, and the
Fermi-LAT exposure cubes (``fgst-bexpcube``), read and written (docs/healpix.rst).

A HEALPix map is a binary table: one row per stored pixel, one column ``CHANNEL<k>`` per
plane of the non-spatial axes (first axis fastest, as the BANDS table numbers them) and,
for a partial sky (``INDXSCHM = 'EXPLICIT'``), a ``PIX`` column with the HEALPix index of
every row. The header holds PIXTYPE, ORDERING, NSIDE, COORDSYS and, for partial skies
written by Gammapy, the region string HPX_REG.
"""

from __future__ import annotations

import os
from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits

from ..datamodel.axes import MapAxes, MapAxis
from ..datamodel.hpx_geom import HpxGeom
from .atomic import staged_file
from .fits_maps import axes_from_bands_hdu, axes_to_bands_hdu
from .paths import expand_path

__all__ = [
    "hpx_edisp_hdus",
    "hpx_map_hdus",
    "is_hpx_hdu",
    "read_healpix_map",
    "read_hpx_edisp",
    "read_hpx_hdu",
    "write_healpix_map",
]

_COORDSYS_TO_FRAME = {"GAL": "galactic", "CEL": "icrs", "C": "icrs", "G": "galactic"}
_FRAME_TO_COORDSYS = {"galactic": "GAL", "icrs": "CEL"}


def is_hpx_hdu(hdu: Any) -> bool:
    """Whether ``hdu`` is a HEALPix pixel table (a BinTable with ``PIXTYPE = 'HEALPIX'``).

    Parameters
    ----------
    hdu : FITS HDU
        Any HDU.

    Returns
    -------
    healpix : bool
    """
    return (
        isinstance(hdu, fits.BinTableHDU)
        and str(hdu.header.get("PIXTYPE", "")).strip().upper() == "HEALPIX"
    )


def _geom_from_header(
    header: fits.Header, where: str, pixels: np.ndarray | None, axes: MapAxes
) -> HpxGeom:
    ordering = str(header.get("ORDERING", "")).strip().upper()
    if ordering not in ("RING", "NESTED"):
        msg = f"{where}: ORDERING must be RING or NESTED, got {ordering!r}"
        raise ValueError(msg)
    if "NSIDE" in header:
        nside = int(header["NSIDE"])
    elif "ORDER" in header:
        nside = 2 ** int(header["ORDER"])
    else:
        msg = f"{where}: no NSIDE or ORDER keyword"
        raise ValueError(msg)
    coordsys = str(header.get("COORDSYS", "CEL")).strip().upper()
    if coordsys not in _COORDSYS_TO_FRAME:
        msg = f"{where}: COORDSYS must be GAL or CEL, got {coordsys!r}"
        raise ValueError(msg)
    region = header.get("HPX_REG", header.get("HPXREGION"))
    try:
        return HpxGeom(
            nside, nest=ordering == "NESTED", frame=_COORDSYS_TO_FRAME[coordsys],
            pixels=pixels, axes=axes, region=None if region is None else str(region),
        )  # fmt: skip
    except ValueError as err:
        msg = f"{where}: {err}"
        raise ValueError(msg) from None


def _channel_columns(hdu: fits.BinTableHDU, prefix: str) -> list[str]:
    names = [n for n in hdu.columns.names if n.upper().startswith(prefix)]
    suffix = [n[len(prefix) :] for n in names]
    if not names or not all(s.isdigit() for s in suffix):
        return []
    return [n for _, n in sorted(zip((int(s) for s in suffix), names, strict=True))]


def _table_data(
    hdu: fits.BinTableHDU, columns: list[str], n_planes: int, where: str
) -> np.ndarray:
    """The (n_planes, n_rows) data of the channel columns, in the stored dtype, native order."""
    if len(columns) != n_planes:
        msg = f"{where}: {len(columns)} data columns for {n_planes} planes of the axes"
        raise ValueError(msg)
    first = hdu.data[columns[0]]
    dtype = np.dtype(first.dtype).newbyteorder("=")
    out = np.empty((n_planes, len(first)), dtype=dtype)
    for k, name in enumerate(columns):
        column = np.asarray(hdu.data[name])
        if column.ndim != 1:
            msg = f"{where}: column {name} must hold one value per row"
            raise ValueError(msg)
        out[k] = column
    return out


def read_hpx_hdu(
    hdulist: fits.HDUList, hdu: str, hdu_bands: str | None = None, filename: str = ""
) -> tuple[HpxGeom, np.ndarray, u.UnitBase]:
    """Read a HEALPix map table (Gammapy "gadf" layout, or a Fermi ``fgst-bexpcube``).

    Parameters
    ----------
    hdulist : `~astropy.io.fits.HDUList`
        Open file.
    hdu : str
        Name of the pixel table.
    hdu_bands : str, optional
        BANDS table. Default is None (header BANDSHDU, else ``<hdu>_BANDS``; for
        Fermi cubes the ENERGIES table).
    filename : str, optional
        File name for messages. Default is "".

    Returns
    -------
    geom : `~fluxprofile.HpxGeom`
    data : `~numpy.ndarray`
        Shape ``geom.data_shape``.
    unit : `~astropy.units.Unit`

    Raises
    ------
    ValueError
        For a table that is not a HEALPix map, or whose columns do not match its axes.
    """
    where = f"{filename}[{hdu}]" if filename else hdu
    table = hdulist[hdu]
    if not is_hpx_hdu(table):
        msg = f"{where}: not a HEALPix table (PIXTYPE = 'HEALPIX' missing)"
        raise ValueError(msg)
    header = table.header
    columns = _channel_columns(table, "CHANNEL")
    if columns:
        bands = hdu_bands or header.get("BANDSHDU") or f"{hdu}_BANDS"
        axes = (
            axes_from_bands_hdu(hdulist[bands], filename)
            if bands in hdulist else MapAxes([])
        )  # fmt: skip
    else:
        columns = _channel_columns(table, "ENERGY")
        bands = hdu_bands or "ENERGIES"
        if not columns or bands not in hdulist:
            msg = f"{where}: no CHANNEL<k> columns (nor a Fermi ENERGY<k> cube with ENERGIES)"
            raise ValueError(msg)
        energy = np.asarray(hdulist[bands].data.field(0), dtype=np.float64)
        unit = hdulist[bands].columns[0].unit or "MeV"
        axes = MapAxes(
            [
                MapAxis.from_nodes(
                    energy * u.Unit(unit), name="energy_true", interp="log"
                )
            ]
        )
    n_planes = int(np.prod(axes.shape)) if len(axes) else 1
    data = _table_data(table, columns, n_planes, where)
    indxschm = str(header.get("INDXSCHM", "IMPLICIT")).strip().upper()
    pixels = None
    if "PIX" in table.columns.names:
        pixels = np.asarray(table.data["PIX"], dtype=np.int64)
    elif indxschm != "IMPLICIT":
        msg = f"{where}: INDXSCHM {indxschm} needs a PIX column"
        raise ValueError(msg)
    geom = _geom_from_header(header, where, pixels, axes)
    if pixels is None and data.shape[1] != geom.npix_sky:
        msg = f"{where}: {data.shape[1]} rows for an all-sky map of {geom.npix_sky} pixels"
        raise ValueError(msg)
    try:
        unit = u.Unit(str(header.get("BUNIT", "")).strip())
    except ValueError as err:
        msg = f"{where}: invalid BUNIT {header.get('BUNIT')!r}"
        raise ValueError(msg) from err
    return geom, data.reshape(geom.data_shape), unit


def _column_format(dtype: np.dtype) -> tuple[str, np.dtype]:
    if dtype == np.bool_ or (dtype.kind in "ui" and dtype.itemsize == 1):
        return "E", np.dtype(np.float32)  # Gammapy writes masks as float32 columns
    if dtype.kind in "iu":
        return (
            ("J", np.dtype(np.int32))
            if dtype.itemsize <= 4
            else ("K", np.dtype(np.int64))
        )
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return "E", np.dtype(np.float32)
    return "D", np.dtype(np.float64)


def _hpx_header(geom: HpxGeom) -> fits.Header:
    header = fits.Header()
    if geom.frame not in _FRAME_TO_COORDSYS:
        msg = f"HEALPix maps are written in 'galactic' or 'icrs', got frame {geom.frame!r}"
        raise ValueError(msg)
    header["COORDSYS"] = _FRAME_TO_COORDSYS[geom.frame]
    header["PIXTYPE"] = "HEALPIX"
    header["ORDERING"] = geom.ordering
    header["INDXSCHM"] = "IMPLICIT" if geom.is_allsky else "EXPLICIT"
    header["ORDER"] = geom.order
    header["NSIDE"] = geom.nside
    header["FIRSTPIX"] = 0
    header["LASTPIX"] = geom.npix_sky - 1
    header["HPX_CONV"] = "GADF"
    if geom.frame == "icrs":
        header["EQUINOX"] = (2000.0, "Equinox of RA & DEC specifications")
    if geom.region is not None:
        header["HPX_REG"] = geom.region
    return header


def hpx_map_hdus(
    geom: HpxGeom,
    data: np.ndarray,
    unit: u.UnitBase,
    hdu: str = "SKYMAP",
    hdu_bands: str | None = None,
) -> list[Any]:
    """The HDUs of a HEALPix map in Gammapy's HPX layout: the pixel table and its BANDS.

    Parameters
    ----------
    geom : `~fluxprofile.HpxGeom`
        Geometry.
    data : `~numpy.ndarray`
        Data of shape ``geom.data_shape``.
    unit : `~astropy.units.Unit`
        Data unit (BUNIT).
    hdu : str, optional
        Table name. Default "SKYMAP".
    hdu_bands : str, optional
        BANDS name. Default None (``<hdu>_BANDS``).

    Returns
    -------
    hdus : list of `~astropy.io.fits.BinTableHDU`
    """
    data = np.asarray(data)
    n_columns = geom.npix[0]
    planes = data.reshape(-1, n_columns)
    fmt, dtype = _column_format(data.dtype)
    columns = []
    if not geom.is_allsky:
        big = geom.npix_sky > 2**31 - 1
        columns.append(fits.Column("PIX", "K" if big else "J", array=geom.pixels))
    for k, plane in enumerate(planes, start=1):
        columns.append(
            fits.Column(f"CHANNEL{k}", fmt, array=plane.astype(dtype, copy=False))
        )
    table = fits.BinTableHDU.from_columns(columns, name=hdu)
    table.header.update(_hpx_header(geom))
    hdus: list[Any] = [table]
    if len(geom.axes):
        bands = hdu_bands or f"{hdu}_BANDS"
        table.header["BANDSHDU"] = bands
        hdus.append(axes_to_bands_hdu(geom.axes, bands))
    table.header["BUNIT"] = (
        u.Unit(unit).to_string("fits") if unit != u.dimensionless_unscaled else ""
    )
    return hdus


def read_hpx_edisp(hdulist: fits.HDUList, filename: str = "") -> dict[str, Any]:
    """The EDISP kernels of a HEALPix DL4 file, as the constructor arguments of
    `~fluxprofile.datamodel.hpx_map.HpxEDispKernelMap`.

    EDISP_EXPOSURE (and its BANDS) are kept as they are (``kept_hdus``), for writing back.

    Parameters
    ----------
    hdulist : `~astropy.io.fits.HDUList`
        Open file with an HPX EDISP table.
    filename : str, optional
        For messages. Default "".

    Returns
    -------
    kwargs : dict
        ``data``, ``energy_axis_true``, ``energy_axis``, ``geom``, ``kept_hdus``.

    Raises
    ------
    ValueError
        If the kernel axes are not (energy, energy_true).
    """
    geom, data, _ = read_hpx_hdu(hdulist, "EDISP", filename=filename)
    names = geom.axes.names
    if names != ["energy", "energy_true"]:
        msg = f"{filename}: EDISP axes must be ['energy', 'energy_true'] (a kernel map), got {names}"
        raise ValueError(msg)
    kept = [
        hdulist[name].copy()
        for name in ("EDISP_EXPOSURE", "EDISP_EXPOSURE_BANDS")
        if name in hdulist
    ]
    return {
        "data": data, "energy_axis_true": geom.axes["energy_true"],
        "energy_axis": geom.axes["energy"], "geom": geom.to_image(), "kept_hdus": kept,
    }  # fmt: skip


def hpx_edisp_hdus(edisp: Any) -> list[Any]:
    """EDISP and EDISP_BANDS (plus the EDISP_EXPOSURE HDUs read with it) of a HEALPix
    kernel map.

    Parameters
    ----------
    edisp : `~fluxprofile.datamodel.hpx_map.HpxEDispKernelMap`
        The kernels.

    Returns
    -------
    hdus : list
    """
    geom = edisp.geom
    hdus = hpx_map_hdus(geom, edisp.data, u.dimensionless_unscaled, hdu="EDISP")
    return hdus + [h.copy() for h in edisp.kept_hdus]


def read_healpix_map(
    filename: str | os.PathLike, hdu: str | None = None
) -> tuple[HpxGeom, np.ndarray, u.UnitBase]:
    """Read one HEALPix map from a FITS file (Gammapy HPX layout or a Fermi exposure
    cube); ``HpxNDMap.read`` makes the map of it.

    Parameters
    ----------
    filename : str or path
        FITS file (``$VARIABLES`` and ``~`` expanded).
    hdu : str, optional
        Table name. Default is None (the first HEALPix table).

    Returns
    -------
    geom : `~fluxprofile.datamodel.hpx_geom.HpxGeom`
    data : `~numpy.ndarray`
    unit : `~astropy.units.Unit`
        (cm2 s for Fermi exposure cubes, which carry no BUNIT).

    Raises
    ------
    ValueError
        If the file holds no HEALPix table.
    """
    path = expand_path(filename)
    with fits.open(path, memmap=False) as hdulist:
        if hdu is None:
            tables = [h.name for h in hdulist if is_hpx_hdu(h)]
            if not tables:
                msg = f"{str(path)!r}: no HEALPix table (HDUs: {[h.name for h in hdulist]})"
                raise ValueError(msg)
            hdu = tables[0]
        geom, data, unit = read_hpx_hdu(hdulist, hdu, filename=str(path))
        if hdu == "HPXEXPOSURES" and unit == u.dimensionless_unscaled:
            unit = u.Unit("cm2 s")  # Fermi exposure cubes carry no BUNIT
    return geom, data, unit


def write_healpix_map(
    m: Any, filename: str | os.PathLike, hdu: str = "SKYMAP", overwrite: bool = False
) -> None:
    """Write a HEALPix map (atomically) in Gammapy's HPX layout.

    Parameters
    ----------
    m : `~fluxprofile.datamodel.hpx_map.HpxNDMap`
        The map.
    filename : str or path
        Output file.
    hdu : str, optional
        Table name. Default "SKYMAP".
    overwrite : bool, optional
        Replace an existing file. Default False.
    """
    hdulist = fits.HDUList([fits.PrimaryHDU(), *m.to_hdulist(hdu)])
    with staged_file(expand_path(filename), overwrite, "write_healpix_map") as temp:
        hdulist.writeto(temp)
