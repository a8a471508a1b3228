"""Maps and axes in FITS (Gammapy's "gadf" layout): WCS image HDUs with their BANDS
tables, and region maps stored as CHANNEL/DATA tables."""

from __future__ import annotations

import json
from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits

from ..datamodel._arrays import native_byte_order
from ..datamodel.axes import MapAxes, MapAxis
from ..datamodel.geom import WcsGeom, celestial_wcs

__all__ = [
    "axes_from_bands_hdu",
    "axes_to_bands_hdu",
    "axes_to_header",
    "image_hdus",
    "read_image_hdu",
    "read_region_table",
    "region_table_hdus",
]


def read_image_hdu(
    hdulist: fits.HDUList, hdu: str, hdu_bands: str | None = None, filename: str = ""
) -> tuple[WcsGeom, np.ndarray, u.UnitBase]:
    """The geometry, data and unit of a WCS image map HDU (what `Map.from_hdulist` reads).

    The image data is used as stored: a big-endian FITS array is byte-swapped in place
    to native order, its dtype is kept.

    Parameters
    ----------
    hdulist : `~astropy.io.fits.HDUList`
        Open FITS file.
    hdu : str
        Name of the image HDU.
    hdu_bands : str, optional
        Name of the BANDS table. Default is None (header BANDSHDU, else
        ``<hdu>_BANDS``).
    filename : str, optional
        File name used in error messages. Default is "".

    Returns
    -------
    geom : `~fluxprofile.datamodel.geom.WcsGeom`
        Geometry (celestial WCS and the axes of the BANDS table).
    data : `~numpy.ndarray`
        Image data, shape ``geom.data_shape``.
    unit : `~astropy.units.UnitBase`
        Unit of BUNIT.

    Raises
    ------
    ValueError
        If the HDU is missing, not a WCS image, has an invalid (or non-celestial)
        WCS, or its shape does not match its axes.
    """
    where = f"{filename}: " if filename else ""
    if hdu not in hdulist:
        msg = f"{where}no {hdu} HDU"
        raise ValueError(msg)
    image = hdulist[hdu]
    header = image.header
    if "CTYPE1" not in header or image.data is None:
        msg = f"{where}{hdu} HDU is not a WCS image map"
        raise ValueError(msg)
    axes = MapAxes()
    if "AXCOLS1" in header:
        bands = hdu_bands or str(header.get("BANDSHDU", f"{hdu}_BANDS")).strip()
        if bands not in hdulist:
            msg = f"{where}{hdu} needs the BANDS table {bands}, which is missing"
            raise ValueError(msg)
        axes = axes_from_bands_hdu(hdulist[bands], filename=filename)
    data = native_byte_order(image.data, inplace=True)
    if data.ndim < 2:
        msg = f"{where}{hdu} HDU is not a WCS image map (data shape {data.shape})"
        raise ValueError(msg)
    try:
        geom = WcsGeom(
            celestial_wcs(header), (data.shape[-1], data.shape[-2]), axes=axes
        )
    except ValueError as err:  # includes astropy.wcs.WcsError and non-celestial axes
        reason = " ".join(str(err).split())
        msg = f"{where}{hdu} has an invalid WCS ({reason})"
        raise ValueError(msg) from err
    if data.shape != geom.data_shape:
        msg = (
            f"{where}{hdu} data shape {data.shape} does not match its axes "
            f"{geom.axes.names} (expected {geom.data_shape})"
        )
        raise ValueError(msg)
    bunit = str(header.get("BUNIT", "")).strip()
    try:
        unit = u.Unit(bunit)
    except ValueError as err:
        msg = f"{where}{hdu} has an invalid BUNIT {bunit!r}"
        raise ValueError(msg) from err
    return geom, data, unit


def image_hdus(
    geom: WcsGeom,
    data: np.ndarray,
    unit: u.UnitBase,
    hdu: str = "SKYMAP",
    hdu_bands: str | None = None,
) -> list[Any]:
    """HDUs storing a map: the image and (if the geometry has axes) its BANDS table.

    Parameters
    ----------
    geom : `~fluxprofile.datamodel.geom.WcsGeom`
        Geometry of the map.
    data : `~numpy.ndarray`
        Data, shape ``geom.data_shape`` (bool is stored as uint8).
    unit : `~astropy.units.UnitBase`
        Data unit (BUNIT).
    hdu : str, optional
        Image HDU name. Default is "SKYMAP".
    hdu_bands : str, optional
        BANDS table name. Default is None (``<hdu>_BANDS``).

    Returns
    -------
    hdus : list
        `~astropy.io.fits.ImageHDU` followed by the BANDS `~astropy.io.fits.BinTableHDU`.
    """
    hdu = hdu.upper()
    hdu_bands = (hdu_bands or f"{hdu}_BANDS").upper()
    header = geom.wcs.to_header()
    header.update(axes_to_header(geom.axes))
    header["WCSSHAPE"] = (
        "(" + ",".join(str(n) for n in (*geom.npix, *geom.axes.shape)) + ")"
    )
    if len(geom.axes):
        header["BANDSHDU"] = hdu_bands
    header["META"] = json.dumps({})
    header["BUNIT"] = unit.to_string("fits") if unit != u.dimensionless_unscaled else ""
    data = data.astype(np.uint8) if data.dtype == bool else data
    out: list[Any] = [fits.ImageHDU(data=data, header=header, name=hdu)]
    if len(geom.axes):
        out.append(axes_to_bands_hdu(geom.axes, hdu_bands))
    return out


def _column_unit(hdu: fits.BinTableHDU, column: str, where: str) -> u.UnitBase:
    unit = hdu.columns[column].unit or ""
    try:
        return u.Unit(unit)
    except ValueError as err:
        msg = f"{where}column {column} of {hdu.name} has an invalid unit {unit!r}"
        raise ValueError(msg) from err


def axes_from_bands_hdu(hdu: fits.BinTableHDU, filename: str = "") -> MapAxes:
    """Axes described by a gammapy "gadf" BANDS table (AXCOLS1, AXCOLS2, ... keywords).

    Two column names (``X_MIN,X_MAX``) give an edge axis, one name a centre-node axis;
    the axis name is "energy" for ``E_MIN``, otherwise the first column lower-cased
    without "_min" ("theta" becomes "rad").

    Parameters
    ----------
    hdu : `~astropy.io.fits.BinTableHDU`
        The BANDS table.
    filename : str, optional
        File name used in error messages. Default is "".

    Returns
    -------
    axes : `MapAxes`
        The axes, first axis first.

    Raises
    ------
    ValueError
        If a column named by AXCOLSn is missing or has an invalid unit.
    """
    where = f"{filename}: " if filename else ""
    if not isinstance(hdu, fits.BinTableHDU):
        msg = f"{where}{hdu.name} is not a BANDS table (a {type(hdu).__name__})"
        raise ValueError(msg)  # noqa: TRY004 - bad file content, not a bad argument
    header, names_in_table = hdu.header, hdu.columns.names
    specs = []
    idx = 1
    while f"AXCOLS{idx}" in header:
        columns = [c.strip() for c in str(header[f"AXCOLS{idx}"]).split(",")]
        interp = str(header.get(f"INTERP{idx}", "lin")).strip()
        for column in columns:
            if column not in names_in_table:
                msg = f"{where}column {column!r} (AXCOLS{idx}) missing in {hdu.name}"
                raise ValueError(msg)
        specs.append((columns, interp, _column_unit(hdu, columns[0], where)))
        idx += 1
    values = [
        [np.asarray(hdu.data[c], dtype=np.float64).reshape(-1) for c in columns]
        for columns, _, _ in specs
    ]
    nodes = _axis_nodes(hdu.name, [spec[0] for spec in specs], values, where)
    axes = []
    for (columns, interp, unit), axis_nodes in zip(specs, nodes, strict=True):
        if columns[0] == "E_MIN":
            name = "energy"
        else:
            name = columns[0].replace("_MIN", "").lower()
            name = "rad" if name == "theta" else name
        if len(columns) == 2:
            lo, hi = axis_nodes
            axis = MapAxis(
                np.append(lo, hi[-1]), interp=interp, name=name, unit=unit,
                node_type="edges",
            )  # fmt: skip
        else:
            axis = MapAxis(
                axis_nodes[0], interp=interp, name=name, unit=unit, node_type="center"
            )
        axes.append(axis)
    return MapAxes(axes)


def _axis_nodes(
    hdu: str,
    columns: list[list[str]],
    values: list[list[np.ndarray]],
    where: str,
) -> list[list[np.ndarray]]:
    """The bins of each axis of a BANDS table, checked against the row layout.

    The rows enumerate every bin combination, first axis fastest, each axis ascending;
    the data planes are stored in that order, so rows in any other order (descending,
    swapped) would mislabel the planes, and gaps between the bins of an edge axis would
    be lost: both are errors, never re-sorted or ignored.
    """
    n_rows = len(values[0][0]) if values else 0
    counts = [len(np.unique(v[0])) for v in values]
    if n_rows != int(np.prod(counts)):
        msg = (
            f"{where}the {n_rows} rows of {hdu} do not form the grid of its axes "
            f"({' x '.join(str(n) for n in counts)} distinct bins)"
        )
        raise ValueError(msg)
    rows = np.arange(n_rows)
    out = []
    stride = 1
    for cols, vals, n in zip(columns, values, counts, strict=True):
        index = (rows // stride) % n
        nodes = [v[: stride * n : stride] for v in vals]
        for column, v, node in zip(cols, vals, nodes, strict=True):
            if not np.array_equal(v, node[index]):
                msg = (
                    f"{where}column {column} of {hdu} does not follow the row order of "
                    "its axes (rows swapped or out of place)"
                )
                raise ValueError(msg)
            if n > 1 and not np.all(np.diff(node) > 0):
                msg = (
                    f"{where}the {column} rows of {hdu} are not in ascending order "
                    f"({_short(node)}): descending or swapped rows would mislabel the "
                    "data planes"
                )
                raise ValueError(msg)
        if len(nodes) == 2:
            lo, hi = nodes
            if not np.all(hi > lo):
                msg = f"{where}{hdu} has bins with {cols[1]} <= {cols[0]}"
                raise ValueError(msg)
            gap = ~np.isclose(lo[1:], hi[:-1], rtol=1e-6, atol=0)
            if gap.any():
                k = int(np.argmax(gap))
                msg = (
                    f"{where}{hdu} has a gap or overlap between bins {k} and {k + 1} "
                    f"({cols[1]} {hi[k]:.6g} != next {cols[0]} {lo[k + 1]:.6g}); the "
                    "bins of an axis must touch"
                )
                raise ValueError(msg)
        out.append(nodes)
        stride *= n
    return out


def _short(values: np.ndarray) -> str:
    text = ", ".join(f"{v:.4g}" for v in values[:6])
    return f"[{text}{', ...' if len(values) > 6 else ''}]"


def axes_to_header(axes: MapAxes) -> fits.Header:
    """AXCOLSn / INTERPn keywords describing ``axes``.

    Parameters
    ----------
    axes : `MapAxes`
        The axes.

    Returns
    -------
    header : `~astropy.io.fits.Header`
        The keywords.
    """
    header = fits.Header()
    for idx, axis in enumerate(axes, start=1):
        name = axis.name.upper()
        if axis.name == "energy":
            header[f"AXCOLS{idx}"] = (
                "E_MIN,E_MAX" if axis.node_type == "edges" else "ENERGY"
            )
        else:
            header[f"AXCOLS{idx}"] = (
                f"{name}_MIN,{name}_MAX" if axis.node_type == "edges" else name
            )
        header[f"INTERP{idx}"] = axis.interp
    return header


def axes_to_bands_hdu(axes: MapAxes, name: str) -> fits.BinTableHDU:
    """BANDS table of ``axes``: one row per bin combination, first axis fastest.

    Parameters
    ----------
    axes : `MapAxes`
        The axes.
    name : str
        EXTNAME of the table.

    Returns
    -------
    hdu : `~astropy.io.fits.BinTableHDU`
        Columns CHANNEL, then per axis centre/min/max (ENERGY, E_MIN, E_MAX for "energy").
    """
    shape = axes.shape
    n_rows = int(np.prod(shape)) if shape else 0
    index = np.indices(tuple(reversed(shape))).reshape(len(shape), -1)
    columns = [fits.Column(name="CHANNEL", format="K", array=np.arange(n_rows))]
    for k, axis in enumerate(axes):
        i = index[len(shape) - 1 - k]
        upper = axis.name.upper()
        names = (
            ["ENERGY", "E_MIN", "E_MAX"]
            if upper == "ENERGY"
            else [upper, f"{upper}_MIN", f"{upper}_MAX"]
        )
        unit = (
            axis.unit.to_string("fits")
            if axis.unit != u.dimensionless_unscaled
            else None
        )
        for colname, values in zip(
            names, (axis.center, axis.edges_min, axis.edges_max), strict=True
        ):
            columns.append(
                fits.Column(name=colname, format="D", unit=unit, array=values.value[i])
            )
    hdu = fits.BinTableHDU.from_columns(columns, name=name)
    hdu.header.update(axes_to_header(axes))
    return hdu


# --------------------------------------------------------------------------------------
# region maps (one kernel or spectrum for the whole sky)
# --------------------------------------------------------------------------------------
def read_region_table(
    hdulist: fits.HDUList, hdu: str, filename: str
) -> tuple[np.ndarray, MapAxes, u.UnitBase]:
    """Data, axes and unit of a region map stored as a CHANNEL/DATA table.

    Parameters
    ----------
    hdulist : `~astropy.io.fits.HDUList`
        Open FITS file holding ``hdu`` and ``<hdu>_BANDS``.
    hdu : str
        Name of the table HDU.
    filename : str
        File name used in error messages.

    Returns
    -------
    data : `~numpy.ndarray`
        Values in native byte order, shape = the reversed axis shape.
    axes : `~fluxprofile.datamodel.axes.MapAxes`
        The axes of the BANDS table.
    unit : `~astropy.units.UnitBase`
        Unit of the DATA column.

    Raises
    ------
    ValueError
        If the HDU is not such a table, its BANDS table is missing, or the number of
        values or the unit does not fit.
    """
    table = hdulist[hdu]
    if not isinstance(table, fits.BinTableHDU) or "DATA" not in table.columns.names:
        msg = f"{filename}: {hdu} HDU is neither a WCS image nor a region table with a DATA column"
        raise ValueError(msg)
    bands = f"{hdu}_BANDS"
    if bands not in hdulist:
        msg = f"{filename}: {hdu} needs the BANDS table {bands}, which is missing"
        raise ValueError(msg)
    axes = axes_from_bands_hdu(hdulist[bands], filename=filename)
    raw = np.asarray(table.data["DATA"])
    shape = tuple(reversed(axes.shape))
    if raw.size != int(np.prod(shape)):
        msg = (
            f"{filename}: {hdu} holds {raw.size} values but its axes {axes.names} "
            f"need {int(np.prod(shape))}"
        )
        raise ValueError(msg)
    unit_str = table.columns["DATA"].unit or ""
    try:
        unit = u.Unit(unit_str)
    except ValueError as err:
        msg = f"{filename}: {hdu} DATA column has an invalid unit {unit_str!r}"
        raise ValueError(msg) from err
    data = native_byte_order(np.ascontiguousarray(raw), inplace=True).reshape(shape)
    return data, axes, unit


def region_table_hdus(
    data: np.ndarray, axes: MapAxes, unit: u.UnitBase, name: str
) -> list[fits.BinTableHDU]:
    """A region map as Gammapy writes it: a CHANNEL/DATA table plus its BANDS table.

    Parameters
    ----------
    data : `~numpy.ndarray`
        Values, shape = the reversed axis shape; one table row per first dimension.
    axes : `~fluxprofile.datamodel.axes.MapAxes`
        The axes.
    unit : `~astropy.units.UnitBase`
        Unit of the values.
    name : str
        EXTNAME of the table (the BANDS table is ``<name>_BANDS``).

    Returns
    -------
    hdus : list of `~astropy.io.fits.BinTableHDU`
        The DATA table and its BANDS table.
    """
    rows = data.reshape(data.shape[0], -1)
    unit_str = None if unit == u.dimensionless_unscaled else unit.to_string("fits")
    width = rows.shape[1]
    dtype_code = {np.dtype(np.float32): "E", np.dtype(np.float64): "D"}.get(
        rows.dtype, "D"
    )
    columns = [
        fits.Column(
            name="CHANNEL", format="I", array=np.arange(rows.shape[0], dtype=np.int16)
        ),
        fits.Column(
            name="DATA",
            format=f"{width}{dtype_code}",
            unit=unit_str,
            array=rows if width > 1 else rows[:, 0],
        ),
    ]
    table = fits.BinTableHDU.from_columns(columns, name=name)
    table.header.update(axes_to_header(axes))
    return [table, axes_to_bands_hdu(axes, f"{name}_BANDS")]
