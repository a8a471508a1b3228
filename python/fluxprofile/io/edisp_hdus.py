"""The energy-dispersion HDUs of DL4 files (EDISP, EDISP_EXPOSURE and their BANDS tables):
kernel maps on a WCS grid or one region kernel, in Gammapy's layout."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits

from ..datamodel.axes import MapAxes, MapAxis
from ..datamodel.geom import WcsGeom
from ..datamodel.map import Map
from .fits_maps import read_region_table, region_table_hdus

__all__ = ["edisp_hdus", "read_edisp_hdus"]

_EXPOSURE_UNIT = u.Unit("m2 s")  # Gammapy's unit of the IRF exposure


def read_edisp_hdus(hdulist: fits.HDUList, filename: str = "") -> dict[str, Any]:
    """The constructor arguments of `~fluxprofile.EDispKernelMap` stored in a DL4 file.

    EDISP is a WCS kernel map (axes energy, energy_true on a coarse sky grid) or a
    region table (one kernel for the whole sky); EDISP_EXPOSURE, if present, is kept.

    Parameters
    ----------
    hdulist : `~astropy.io.fits.HDUList`
        Open FITS file with an EDISP HDU.
    filename : str, optional
        File name used in error messages. Default is "".

    Returns
    -------
    kwargs : dict
        ``data``, ``energy_axis_true``, ``energy_axis``, ``geom`` (None for a region
        kernel), ``exposure`` and ``exposure_unit``.

    Raises
    ------
    ValueError
        If EDISP is missing, malformed, or a migration-based EDispMap.
    """
    if "EDISP" not in hdulist:
        msg = f"{filename}: no EDISP HDU"
        raise ValueError(msg)
    header = hdulist["EDISP"].header
    geom = None
    if "CTYPE1" in header:
        edisp_map = Map.from_hdulist(hdulist, "EDISP", filename=filename)
        axes, data, geom = edisp_map.geom.axes, edisp_map.data, edisp_map.geom
    else:
        data, axes, _ = read_region_table(hdulist, "EDISP", filename)
    if axes.names != ["energy", "energy_true"]:
        msg = (
            f"{filename}: EDISP has axes {axes.names}; only energy-dispersion kernel maps "
            "(axes ['energy', 'energy_true']) are supported, not migration EDispMaps"
        )
        raise ValueError(msg)
    exposure, exposure_unit = None, _EXPOSURE_UNIT
    if "EDISP_EXPOSURE" in hdulist:
        if "CTYPE1" in hdulist["EDISP_EXPOSURE"].header:
            exp_map = Map.from_hdulist(hdulist, "EDISP_EXPOSURE", filename=filename)
            exposure, exposure_unit = exp_map.data, exp_map.unit
        else:
            exposure, _, exposure_unit = read_region_table(
                hdulist, "EDISP_EXPOSURE", filename
            )
    return {
        "data": data, "energy_axis_true": axes["energy_true"], "energy_axis": axes["energy"],
        "geom": geom, "exposure": exposure, "exposure_unit": exposure_unit,
    }  # fmt: skip


def edisp_hdus(
    data: np.ndarray,
    energy_axis_true: MapAxis,
    energy_axis: MapAxis,
    geom: WcsGeom | None = None,
    exposure: np.ndarray | None = None,
    exposure_unit: u.UnitBase = _EXPOSURE_UNIT,
) -> list[Any]:
    """EDISP (+ EDISP_BANDS, EDISP_EXPOSURE, EDISP_EXPOSURE_BANDS) HDUs of a kernel map.

    Parameters
    ----------
    data : `~numpy.ndarray`
        Kernels, (n_true, n_reco) or the shape of ``geom`` (n_true, n_reco, ny, nx).
    energy_axis_true, energy_axis : `~fluxprofile.MapAxis`
        True and reconstructed energy axes.
    geom : `~fluxprofile.WcsGeom`, optional
        Cube geometry of a WCS kernel map (axes energy, energy_true). Default is None
        (a region kernel, written as a CHANNEL/DATA table).
    exposure : `~numpy.ndarray`, optional
        IRF exposure carried along, (n_true, 1[, ny, nx]). Default is None.
    exposure_unit : `~astropy.units.UnitBase`, optional
        Unit of ``exposure``. Default is m2 s.

    Returns
    -------
    hdus : list
        FITS HDUs in Gammapy's DL4 layout.
    """
    axes = MapAxes([energy_axis, energy_axis_true])
    exp_axes = MapAxes([energy_axis.squash(), energy_axis_true])
    if geom is not None:
        hdus = Map(geom, data).to_hdulist("EDISP")
        if exposure is not None:
            exp_map = Map(geom.copy(axes=exp_axes), exposure, unit=exposure_unit)
            hdus += exp_map.to_hdulist("EDISP_EXPOSURE")
        return hdus
    hdus = region_table_hdus(data, axes, u.dimensionless_unscaled, "EDISP")
    if exposure is not None:
        hdus += region_table_hdus(exposure, exp_axes, exposure_unit, "EDISP_EXPOSURE")
    return hdus
