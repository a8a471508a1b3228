"""Map datasets (Cash) and on-off map datasets (WStat), their energy-dispersion kernels,
DL4 FITS reading/writing, and the `Datasets` collection.

`MapDataset.read` refuses on-off files (it names `MapDatasetOnOff.read`); `read_dataset`
picks the class from the HDUs present. Gammapy datasets are converted with
`MapDataset.from_gammapy` / `Datasets.from_gammapy` / `as_dataset_list` (see
`fluxprofile.interop`; gammapy is imported only when such objects are given).
"""

from __future__ import annotations

import contextlib

import datetime
import io
import os
import uuid
import warnings
from collections.abc import Iterable, Iterator, MutableSequence
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.utils.exceptions import AstropyUserWarning
from astropy.table import Table

from ..io.atomic import staged_file
from .irf_positions import nearest_irf_pixels
from ..io.fits_maps import read_region_table as _read_region_table
from ..io.fits_maps import region_table_hdus as _region_table_hdus
from .axes import MapAxes, MapAxis
from .geom import WcsGeom
from .map import Map

__all__ = [
    "Datasets",
    "EDispKernelMap",
    "MapDataset",
    "MapDatasetOnOff",
    "as_dataset_list",
    "read_dataset",
]

_TRUNCATION_VALUE = 1e-25
_FITS_SUFFIXES = (".gz", ".fits", ".fit", ".fts", ".fz")


def _expand_path(filename: str | os.PathLike) -> Path:
    """Path with ``$VARIABLES`` and ``~`` expanded."""
    if not isinstance(filename, (str, os.PathLike)):
        msg = f"filename must be a str or a path, got {type(filename).__name__} {filename!r}"
        raise TypeError(msg)
    return Path(os.path.expanduser(os.path.expandvars(os.fspath(filename))))


def _file_stem(path: Path) -> str:
    """File name without its FITS suffixes ("a.fits.gz" -> "a")."""
    name = path.name
    while True:
        lower = name.lower()
        for suffix in _FITS_SUFFIXES:
            if lower.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
        else:
            return name


def _make_name() -> str:
    return uuid.uuid4().hex[:8]


# --------------------------------------------------------------------------------------
# EDispKernelMap
# --------------------------------------------------------------------------------------
class EDispKernelMap:
    """Energy-dispersion kernels: probability that true-energy bin j is reconstructed in
    reco bin i, ``K[j, i]``, either one kernel for the whole sky (region map) or one per
    pixel of a coarse WCS grid.

    Parameters
    ----------
    data : `~numpy.ndarray`
        Kernel, shape (n_true, n_reco) for a spatially constant kernel, or
        (n_true, n_reco, ny, nx) on ``geom``.
    energy_axis_true : `~fluxprofile.maps.MapAxis`
        True-energy axis (n_true bins), named "energy_true".
    energy_axis : `~fluxprofile.maps.MapAxis`
        Reconstructed-energy axis (n_reco bins), named "energy".
    geom : `~fluxprofile.maps.WcsGeom`, optional
        Sky grid of a spatially varying kernel (its axes are ignored). Default is None
        (spatially constant).
    exposure : `~numpy.ndarray`, optional
        IRF exposure map carried along for writing, shape (n_true, 1[, ny, nx]).
        Default is None.
    exposure_unit : str or `~astropy.units.Unit`, optional
        Unit of ``exposure``. Default is "m2 s".

    Raises
    ------
    TypeError
        If an axis is not a `~fluxprofile.maps.MapAxis` or ``geom`` not a WcsGeom.
    ValueError
        If the data shape does not match the axes (and geometry).
    """

    def __init__(
        self,
        data: npt.ArrayLike,
        energy_axis_true: MapAxis,
        energy_axis: MapAxis,
        geom: WcsGeom | None = None,
        exposure: npt.ArrayLike | None = None,
        exposure_unit: str | u.UnitBase = "m2 s",
    ) -> None:
        for argname, axis in (("energy_axis_true", energy_axis_true), ("energy_axis", energy_axis)):
            if not isinstance(axis, MapAxis):
                msg = f"{argname} must be a MapAxis, got {type(axis).__name__}"
                raise TypeError(msg)
        if geom is not None and not isinstance(geom, WcsGeom):
            msg = f"geom must be a WcsGeom or None, got {type(geom).__name__}"
            raise TypeError(msg)
        data = np.asarray(data)
        shape = (energy_axis_true.nbin, energy_axis.nbin)
        if geom is not None:
            geom = geom.to_image().to_cube([energy_axis, energy_axis_true])
            shape = geom.data_shape
        if data.shape != shape:
            msg = (
                f"data shape {data.shape} does not match the kernel axes "
                f"(n_true={energy_axis_true.nbin}, n_reco={energy_axis.nbin}) and geometry: "
                f"expected {shape}"
            )
            raise ValueError(msg)
        self._data = data
        self._energy_axis_true = energy_axis_true
        self._energy_axis = energy_axis
        self._geom = geom
        self._exposure = None if exposure is None else np.asarray(exposure)
        self._exposure_unit = u.Unit(exposure_unit)

    # ---- constructors ----------------------------------------------------------------
    @classmethod
    def from_diagonal_response(
        cls, energy_axis: MapAxis, energy_axis_true: MapAxis, geom: WcsGeom | None = None
    ) -> EDispKernelMap:
        """Kernel without dispersion: K[j, i] = overlap of true bin j with reco bin i,
        divided by the width of true bin j.

        The argument order is gammapy's ``(energy_axis, energy_axis_true)``; axes passed
        the other way round are recognised by their names and swapped.

        Parameters
        ----------
        energy_axis : `~fluxprofile.maps.MapAxis`
            Reconstructed-energy axis.
        energy_axis_true : `~fluxprofile.maps.MapAxis`
            True-energy axis.
        geom : `~fluxprofile.maps.WcsGeom`, optional
            Sky grid to repeat the kernel on. Default is None (spatially constant).

        Returns
        -------
        edisp : `EDispKernelMap`
            The kernel map.
        """
        for argname, axis in (("energy_axis", energy_axis), ("energy_axis_true", energy_axis_true)):
            if not isinstance(axis, MapAxis):
                msg = f"{argname} must be a MapAxis, got {type(axis).__name__}"
                raise TypeError(msg)
        if energy_axis.name == "energy_true" and energy_axis_true.name != "energy_true":
            energy_axis, energy_axis_true = energy_axis_true, energy_axis
        if not energy_axis.unit.is_equivalent(energy_axis_true.unit):
            msg = (
                f"energy_axis unit {energy_axis.unit} and energy_axis_true unit "
                f"{energy_axis_true.unit} are not compatible"
            )
            raise ValueError(msg)
        unit = energy_axis_true.unit
        reco = energy_axis.edges.to_value(unit)
        true = energy_axis_true.edges.to_value(unit)
        lo = np.fmax(reco[:-1][None, :], true[:-1][:, None])
        hi = np.fmin(reco[1:][None, :], true[1:][:, None])
        kernel = np.clip(hi - lo, 0, np.inf) / np.diff(true)[:, None]
        if geom is not None:
            ny, nx = geom.data_shape[-2:]
            kernel = np.broadcast_to(kernel[:, :, None, None], (*kernel.shape, ny, nx)).copy()
        return cls(kernel, energy_axis_true, energy_axis, geom=geom)

    @classmethod
    def from_hdulist(cls, hdulist: fits.HDUList, filename: str = "") -> EDispKernelMap:
        """Read the EDISP (and optional EDISP_EXPOSURE) HDUs of an open DL4 file.

        Parameters
        ----------
        hdulist : `~astropy.io.fits.HDUList`
            Open FITS file with an EDISP HDU.
        filename : str, optional
            File name used in error messages. Default is "".

        Returns
        -------
        edisp : `EDispKernelMap`
            The kernel map.

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
            data, axes, _ = _read_region_table(hdulist, "EDISP", filename)
        if axes.names != ["energy", "energy_true"]:
            msg = (
                f"{filename}: EDISP has axes {axes.names}; only energy-dispersion kernel maps "
                "(axes ['energy', 'energy_true']) are supported, not migration EDispMaps"
            )
            raise ValueError(msg)
        exposure, exposure_unit = None, u.Unit("m2 s")
        if "EDISP_EXPOSURE" in hdulist:
            if "CTYPE1" in hdulist["EDISP_EXPOSURE"].header:
                exp_map = Map.from_hdulist(hdulist, "EDISP_EXPOSURE", filename=filename)
                exposure, exposure_unit = exp_map.data, exp_map.unit
            else:
                exposure, _, exposure_unit = _read_region_table(hdulist, "EDISP_EXPOSURE", filename)
        return cls(data, axes["energy_true"], axes["energy"], geom=geom,
                   exposure=exposure, exposure_unit=exposure_unit)  # fmt: skip

    # ---- properties ------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """Kernel data, (n_true, n_reco) or (n_true, n_reco, ny, nx)."""
        return self._data

    @property
    def energy_axis_true(self) -> MapAxis:
        """True-energy axis."""
        return self._energy_axis_true

    @property
    def energy_axis(self) -> MapAxis:
        """Reconstructed-energy axis."""
        return self._energy_axis

    @property
    def geom(self) -> WcsGeom | None:
        """Sky grid of a spatially varying kernel (None if spatially constant)."""
        return self._geom

    @property
    def is_spatial(self) -> bool:
        """Whether the kernel varies over a WCS grid."""
        return self._geom is not None

    @property
    def edisp_map(self) -> Map | None:
        """The kernel as a `~fluxprofile.maps.Map` (WCS kernels only, else None)."""
        return None if self._geom is None else Map(self._geom, self._data)

    @property
    def exposure(self) -> np.ndarray | None:
        """IRF exposure carried along for writing (or None)."""
        return self._exposure

    # ---- evaluation ------------------------------------------------------------------
    def get_kernels(self, skycoords: SkyCoord) -> np.ndarray:
        """Kernels at sky positions, picked as Gammapy 2.1 picks the kernel of a region.

        A WCS kernel map gives the kernel of the grid pixel nearest to each position,
        with Gammapy's rule for ties on pixel edges (the lower pixel) and for positions
        outside the grid (the nearest edge pixel); non-finite kernel values count as 0
        unless the whole map is non-finite (docs/irf_positions.rst). A spatially
        constant kernel is returned for every position as stored.

        Parameters
        ----------
        skycoords : `~astropy.coordinates.SkyCoord`
            Positions, scalar or shape (n,).

        Returns
        -------
        kernels : `~numpy.ndarray`
            float64 array (n, n_true, n_reco) (n = 1 for a scalar position).

        Raises
        ------
        TypeError
            If ``skycoords`` is not a SkyCoord.
        ValueError
            For positions that cannot be projected on the kernel grid.
        """
        if not isinstance(skycoords, SkyCoord):
            msg = f"skycoords must be a SkyCoord, got {type(skycoords).__name__}"
            raise TypeError(msg)
        coords = skycoords.reshape(-1) if skycoords.shape else skycoords.reshape(1)
        n = coords.shape[0]
        if self._geom is None:
            kernel = self._data.astype(np.float64)
            return np.broadcast_to(kernel, (n, *kernel.shape)).copy()
        ix, iy = self.nearest_pixels(coords)
        kernels = np.moveaxis(self._data[:, :, iy, ix], -1, 0).astype(np.float64)
        if not np.all(np.isfinite(kernels)) and np.any(np.isfinite(self._data)):
            kernels[~np.isfinite(kernels)] = 0.0
        return kernels

    def nearest_pixels(self, skycoords: SkyCoord) -> tuple[np.ndarray, np.ndarray]:
        """Indices (ix, iy) of the kernel-grid pixel used at each position.

        The pixel nearest to the position, ties to the lower pixel, clipped to the grid:
        Gammapy's rule (`fluxprofile.irf_positions`, docs/irf_positions.rst).

        Parameters
        ----------
        skycoords : `~astropy.coordinates.SkyCoord`
            Positions, any shape.

        Returns
        -------
        ix, iy : `~numpy.ndarray`
            int64 pixel indices (one per position, flattened) within the grid.

        Raises
        ------
        ValueError
            For a spatially constant kernel or positions where the projection fails.
        """
        if self._geom is None:
            msg = "nearest_pixels needs a spatial (WCS) kernel map; this one is constant"
            raise ValueError(msg)
        return nearest_irf_pixels(self._geom.wcs, self._geom.npix, skycoords, what="EDISP")

    # ---- output ----------------------------------------------------------------------
    def to_hdulist(self) -> list[Any]:
        """EDISP (+ EDISP_BANDS, EDISP_EXPOSURE, EDISP_EXPOSURE_BANDS) HDUs.

        Returns
        -------
        hdus : list
            FITS HDUs in gammapy's DL4 layout.
        """
        axes = MapAxes([self._energy_axis, self._energy_axis_true])
        exp_axes = MapAxes([self._energy_axis.squash(), self._energy_axis_true])
        if self._geom is not None:
            hdus = Map(self._geom, self._data).to_hdulist("EDISP")
            if self._exposure is not None:
                exp_geom = self._geom.copy(axes=exp_axes)
                exp_map = Map(exp_geom, self._exposure, unit=self._exposure_unit)
                hdus += exp_map.to_hdulist("EDISP_EXPOSURE")
            return hdus
        hdus = _region_table_hdus(self._data, axes, u.dimensionless_unscaled, "EDISP")
        if self._exposure is not None:
            hdus += _region_table_hdus(self._exposure, exp_axes, self._exposure_unit, "EDISP_EXPOSURE")
        return hdus

    def __repr__(self) -> str:
        kind = f"WCS {self._geom.npix}" if self._geom is not None else "region (constant)"
        return (
            f"{type(self).__name__}(n_true={self._energy_axis_true.nbin}, "
            f"n_reco={self._energy_axis.nbin}, {kind})"
        )


# --------------------------------------------------------------------------------------
# MapDataset
# --------------------------------------------------------------------------------------
_ONOFF_HDUS = ("COUNTS_OFF", "ACCEPTANCE", "ACCEPTANCE_OFF")
# HDUs fluxprofile does not use but keeps, so that `to_hdulist` / `write` give them back
# unchanged (Gammapy needs the PSF to fit the written file; docs/datasets_yaml.rst).
_KEPT_HDUS = ("PSF", "PSF_BANDS", "PSF_EXPOSURE", "PSF_EXPOSURE_BANDS")


def _pack_hdus(hdus: list[Any]) -> bytes:
    """HDUs as the bytes of a FITS file (picklable, immutable; b"" for none)."""
    if not hdus:
        return b""
    buffer = io.BytesIO()
    fits.HDUList([fits.PrimaryHDU(), *hdus]).writeto(buffer)
    return buffer.getvalue()


def _unpack_hdus(blob: bytes) -> list[Any]:
    """Fresh HDU objects from `_pack_hdus` bytes."""
    if not blob:
        return []
    with fits.open(io.BytesIO(blob), memmap=False) as hdulist:
        return [hdu.copy() for hdu in hdulist[1:]]


def _open_dl4(filename: str | os.PathLike, who: str) -> tuple[fits.HDUList, list[str], str]:
    """Open a DL4 FITS file: (hdulist, HDU names, expanded path as str)."""
    path = _expand_path(filename)
    if not path.is_file():
        msg = f"{who}: file {str(path)!r} does not exist (filename={filename!r})"
        raise FileNotFoundError(msg)
    hdulist = None
    try:
        with _truncation_guard(who, str(path)):
            # A gzip stream is decompressed once into memory: astropy would otherwise
            # restart the decompression at every backward seek between HDUs.
            hdulist = fits.open(path, memmap=False, decompress_in_memory=True)
            names = [h.name for h in hdulist]
    except (OSError, ValueError, TypeError, EOFError) as err:
        if hdulist is not None:
            hdulist.close()
        if isinstance(err, OSError) and "truncated or corrupt" in str(err):
            raise
        msg = f"{who}: {str(path)!r} is not a readable FITS file ({err})"
        raise OSError(msg) from err
    return hdulist, names, str(path)


@contextlib.contextmanager
def _truncation_guard(who: str, path: str):
    """Turn the symptoms of a truncated or corrupt file into one OSError naming it.

    astropy only warns that a file "may have been truncated" and pads the data, or fails
    later with an unrelated shape error; both are reported here instead.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AstropyUserWarning)
        try:
            yield
        except (IndexError, TypeError, EOFError, ValueError, OSError) as err:
            if any("truncated" in str(w.message) for w in caught) or isinstance(err, (IndexError, EOFError)):
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


def _as_mask(mask: Any, counts: Map, argname: str) -> Map | None:
    if mask is None:
        return None
    if isinstance(mask, Map):
        data, geom = mask.data, mask.geom
    else:
        data, geom = np.asarray(mask), counts.geom
    if data.shape != counts.data.shape:
        msg = f"{argname} shape {data.shape} does not match counts shape {counts.data.shape}"
        raise ValueError(msg)
    if data.dtype != bool:
        data = data.astype(bool)
    return Map(geom, data)


class MapDataset:
    """Binned counts, background, exposure, masks and energy dispersion on a sky grid.

    Parameters
    ----------
    counts : `~fluxprofile.maps.Map`
        Counts cube (axis "energy"); any dtype, used as is.
    exposure : `~fluxprofile.maps.Map`
        Exposure cube (axis "energy_true"), same sky grid as ``counts``.
    background : `~fluxprofile.maps.Map`, optional
        Background cube, same shape as ``counts``. Default is None.
    mask_safe, mask_fit : `~fluxprofile.maps.Map` or `~numpy.ndarray`, optional
        Masks with the shape of ``counts`` (converted to bool). Default is None.
    edisp : `EDispKernelMap`, optional
        Energy dispersion. Default is None (the forward model then uses a diagonal
        kernel, see `edisp_or_diagonal`).
    gti : `~astropy.table.Table`, optional
        Good time intervals (kept as a table). Default is None.
    name : str, optional
        Dataset name. Default is None (a random 8-character name).
    meta_table : `~astropy.table.Table`, optional
        Meta data table (e.g. TELESCOP). Default is None.

    Raises
    ------
    TypeError
        For arguments of the wrong type.
    ValueError
        For shapes that do not match between counts, background, masks, exposure and
        edisp.
    """

    stat_type = "cash"
    tag = "MapDataset"

    def __init__(
        self,
        counts: Map,
        exposure: Map,
        background: Map | None = None,
        mask_safe: Map | np.ndarray | None = None,
        mask_fit: Map | np.ndarray | None = None,
        edisp: EDispKernelMap | None = None,
        gti: Table | None = None,
        name: str | None = None,
        meta_table: Table | None = None,
    ) -> None:
        for argname, value, required in (
            ("counts", counts, True), ("exposure", exposure, True),
            ("background", background, False),
        ):  # fmt: skip
            if (value is None and required) or (value is not None and not isinstance(value, Map)):
                msg = f"{argname} must be a fluxprofile Map, got {type(value).__name__}"
                raise TypeError(msg)
        if name is not None and not isinstance(name, str):
            msg = f"name must be a str or None, got {type(name).__name__} {name!r}"
            raise TypeError(msg)
        if edisp is not None and not isinstance(edisp, EDispKernelMap):
            msg = f"edisp must be an EDispKernelMap or None, got {type(edisp).__name__}"
            raise TypeError(msg)
        if len(counts.geom.axes) != 1:
            msg = f"counts must have exactly one non-spatial axis, got {counts.geom.axes.names}"
            raise ValueError(msg)
        if len(exposure.geom.axes) != 1:
            msg = f"exposure must have exactly one non-spatial axis, got {exposure.geom.axes.names}"
            raise ValueError(msg)
        if not u.Unit(exposure.unit).is_equivalent(u.Unit("cm2 s")):
            msg = (
                "exposure unit must be an area times a time (e.g. cm2 s), got "
                f"{u.Unit(exposure.unit).to_string()!r}"
            )
            raise ValueError(msg)
        if exposure.geom.npix != counts.geom.npix:
            msg = (
                f"exposure image size {exposure.geom.npix} does not match counts image size "
                f"{counts.geom.npix}"
            )
            raise ValueError(msg)
        if background is not None and background.data.shape != counts.data.shape:
            msg = (
                f"background shape {background.data.shape} does not match counts shape "
                f"{counts.data.shape}"
            )
            raise ValueError(msg)
        if edisp is not None:
            n_true, n_reco = exposure.geom.axes[0].nbin, counts.geom.axes[0].nbin
            if (edisp.energy_axis_true.nbin, edisp.energy_axis.nbin) != (n_true, n_reco):
                msg = (
                    f"edisp kernel shape ({edisp.energy_axis_true.nbin}, {edisp.energy_axis.nbin}) "
                    f"does not match (n_true, n_reco) = ({n_true}, {n_reco}) of exposure and counts"
                )
                raise ValueError(msg)
        self.counts = counts
        self.exposure = exposure
        self.background = background
        self.mask_safe = _as_mask(mask_safe, counts, "mask_safe")
        self.mask_fit = _as_mask(mask_fit, counts, "mask_fit")
        self.edisp = edisp
        self.gti = getattr(gti, "table", gti)
        self.meta_table = meta_table
        self.name = name if name is not None else _make_name()
        self.models = None
        self.psf = None
        # PSF HDUs of the file read, as FITS bytes (picklable), written back unchanged.
        self._kept_hdus = b""

    # ---- derived ---------------------------------------------------------------------
    @property
    def energy_axis(self) -> MapAxis:
        """Reconstructed-energy axis (of counts)."""
        return self.counts.geom.axes[0]

    @property
    def energy_axis_true(self) -> MapAxis:
        """True-energy axis (of exposure)."""
        return self.exposure.geom.axes[0]

    @property
    def mask(self) -> np.ndarray | None:
        """Combined mask (mask_safe AND mask_fit) as a bool array, or None."""
        masks = [m.data for m in (self.mask_safe, self.mask_fit) if m is not None]
        if not masks:
            return None
        if len(masks) == 1:
            return masks[0]
        return masks[0] & masks[1]

    def npred(self) -> Map:
        """Predicted counts: the background clipped at 0 (the dataset has no models).

        Returns
        -------
        npred : `~fluxprofile.maps.Map`
            Predicted counts with the counts geometry (zeros without background).
        """
        if self.background is None:
            return Map.from_geom(self.counts.geom)
        return Map(self.counts.geom, np.clip(self.background.data, 0, None))

    def edisp_or_diagonal(self) -> EDispKernelMap:
        """The dataset's kernel map, or the diagonal (bin-overlap) kernel without EDISP.

        Returns
        -------
        edisp : `EDispKernelMap`
            Kernel map.
        """
        if self.edisp is not None:
            return self.edisp
        return EDispKernelMap.from_diagonal_response(self.energy_axis, self.energy_axis_true)

    # ---- I/O -------------------------------------------------------------------------
    @classmethod
    def read(cls, filename: str | os.PathLike, name: str | None = None) -> MapDataset:
        """Read a dataset written by gammapy (DL4 "gadf" layout).

        Counts, background and exposure arrays are kept with their stored dtype (only
        byte-swapped in place to native order); masks become bool. PSF HDUs are not
        used, but kept as they are and written back by `write`.

        Parameters
        ----------
        filename : str or path
            FITS file (``$VARIABLES`` and ``~`` are expanded; .gz is fine).
        name : str, optional
            Dataset name. Default is None (primary header NAME, else the file stem).

        Returns
        -------
        dataset : `MapDataset`
            The dataset.

        Raises
        ------
        OSError
            If the file does not exist or is not a FITS file.
        ValueError
            If COUNTS or EXPOSURE is missing, HDU shapes do not match, or the file is
            an on-off dataset (COUNTS_OFF/ACCEPTANCE/ACCEPTANCE_OFF present: use
            `MapDatasetOnOff.read` or `read_dataset`).
        """
        hdulist, names, path = _open_dl4(filename, f"{cls.__name__}.read")
        with hdulist, _truncation_guard(f"{cls.__name__}.read", path):
            return cls._from_hdulist(hdulist, names, path, name)

    @classmethod
    def _from_hdulist(
        cls, hdulist: fits.HDUList, names: list[str], filename: str, name: str | None
    ) -> MapDataset:
        onoff = [hdu for hdu in _ONOFF_HDUS if hdu in names]
        if onoff:
            msg = (
                f"{filename}: this is an on-off dataset file (it has {', '.join(onoff)}); "
                "read it with MapDatasetOnOff.read or fluxprofile.datasets.read_dataset"
            )
            raise ValueError(msg)
        kwargs = cls._read_common(hdulist, names, filename, name)
        if "BACKGROUND" in names:
            kwargs["background"] = _same_shape_map(hdulist, "BACKGROUND", kwargs["counts"], filename)
        return cls._construct(kwargs, filename)

    @classmethod
    def _construct(cls, kwargs: dict[str, Any], filename: str) -> MapDataset:
        kept = kwargs.pop("kept_hdus", b"")
        try:
            dataset = cls(**kwargs)
        except ValueError as err:
            msg = f"{filename}: {err}"
            raise ValueError(msg) from err
        dataset._kept_hdus = kept
        return dataset

    @staticmethod
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
            mask_safe = Map(m.geom, m.data.astype(bool))
        if "MASK_FIT" in names:
            m = _same_shape_map(hdulist, "MASK_FIT", counts, filename)
            mask_fit = Map(m.geom, m.data.astype(bool))
        if exposure.geom.npix != counts.geom.npix:
            msg = (
                f"{filename}: EXPOSURE image size {exposure.geom.npix} does not match COUNTS "
                f"image size {counts.geom.npix}"
            )
            raise ValueError(msg)
        edisp = EDispKernelMap.from_hdulist(hdulist, filename) if "EDISP" in names else None
        gti = Table.read(hdulist["GTI"]) if "GTI" in names else None
        meta_table = Table.read(hdulist["META_TABLE"]) if "META_TABLE" in names else None
        if name is None:
            header_name = hdulist[0].header.get("NAME")
            name = str(header_name) if header_name else _file_stem(Path(filename))
        kept_hdus = _pack_hdus([hdulist[hdu].copy() for hdu in _KEPT_HDUS if hdu in names])
        return {
            "counts": counts, "exposure": exposure, "mask_safe": mask_safe,
            "mask_fit": mask_fit, "edisp": edisp, "gti": gti, "name": name,
            "meta_table": meta_table, "kept_hdus": kept_hdus,
        }  # fmt: skip

    def to_hdulist(self) -> fits.HDUList:
        """The dataset as FITS HDUs in gammapy's DL4 layout.

        Returns
        -------
        hdulist : `~astropy.io.fits.HDUList`
            PRIMARY (NAME, CREATOR, CREATED), COUNTS, EXPOSURE, BACKGROUND, EDISP,
            the PSF HDUs of the file read (unchanged), MASK_SAFE, MASK_FIT, GTI,
            META_TABLE (each with its BANDS table; absent parts are skipped).
        """
        primary = fits.PrimaryHDU()
        primary.header["NAME"] = self.name
        primary.header["CREATOR"] = "fluxprofile"
        primary.header["CREATED"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        )
        hdus: list[Any] = [primary]
        hdus += self.counts.to_hdulist("COUNTS")
        hdus += self.exposure.to_hdulist("EXPOSURE")
        if self.background is not None:
            hdus += self.background.to_hdulist("BACKGROUND")
        if self.edisp is not None:
            hdus += self.edisp.to_hdulist()
        hdus += _unpack_hdus(self._kept_hdus)
        if self.mask_safe is not None:
            hdus += self.mask_safe.to_hdulist("MASK_SAFE")
        if self.mask_fit is not None:
            hdus += self.mask_fit.to_hdulist("MASK_FIT")
        if self.gti is not None:
            hdus.append(fits.table_to_hdu(Table(self.gti)))
            hdus[-1].name = "GTI"
        if self.meta_table is not None:
            hdus.append(fits.table_to_hdu(Table(self.meta_table)))
            hdus[-1].name = "META_TABLE"
        return fits.HDUList(hdus)

    def write(
        self, filename: str | os.PathLike, overwrite: bool = False, checksum: bool = False
    ) -> None:
        """Write the dataset to a FITS file gammapy's ``MapDataset.read`` can read.

        The file is written to a temporary file in the same folder and moved onto
        ``filename`` only when complete: a failed write leaves an existing file intact.

        Parameters
        ----------
        filename : str or path
            Output file (``$VARIABLES`` and ``~`` expanded; parent folders created).
        overwrite : bool, optional
            Replace an existing file. Default is False.
        checksum : bool, optional
            Add DATASUM and CHECKSUM cards to the headers (as Gammapy's ``checksum``).
            Default is False.

        Raises
        ------
        OSError
            If the file exists and ``overwrite`` is False (FileExistsError), or it
            cannot be written.
        """
        path = _expand_path(filename)
        with staged_file(path, overwrite, f"{type(self).__name__}.write") as temporary:
            self.to_hdulist().writeto(temporary, checksum=checksum)

    @classmethod
    def from_gammapy(cls, dataset: Any) -> MapDataset:
        """Convert a Gammapy ``MapDataset`` (gammapy need not be imported by the caller).

        Counts, exposure and masks share their arrays with the Gammapy maps (no copy).
        The background is Gammapy's ``dataset.npred()`` (sky models, background-model
        corrections and the clipping at 0 included), the energy dispersion becomes an
        `EDispKernelMap` (migration ``EDispMap`` objects are integrated on the counts'
        reco-energy axis), GTI and meta table are copied, the PSF is dropped. A Gammapy
        ``MapDatasetOnOff`` gives a `MapDatasetOnOff`.

        Parameters
        ----------
        dataset : ``gammapy.datasets.MapDataset``
            Gammapy map dataset on a WCS geometry.

        Returns
        -------
        dataset : `MapDataset`
            The converted dataset.

        Raises
        ------
        TypeError
            If ``dataset`` is not a Gammapy map dataset on a WCS geometry (e.g. a
            ``SpectrumDataset``).
        """
        from ..interop import dataset_from_gammapy

        converted = dataset_from_gammapy(dataset)
        if not isinstance(converted, cls):
            msg = (
                f"{cls.__name__}.from_gammapy needs a Gammapy {cls.__name__}, got "
                f"{type(dataset).__name__}; use MapDataset.from_gammapy or as_dataset_list"
            )
            raise TypeError(msg)
        return converted

    # ---- summary ---------------------------------------------------------------------
    def _stat_sum(self) -> float:
        mu = np.clip(self.npred().data.astype(np.float64), _TRUNCATION_VALUE, None)
        n = self.counts.data
        stat = 2.0 * (mu - n * np.log(mu))
        mask = self.mask
        return float(np.sum(stat[mask]) if mask is not None else np.sum(stat))

    def __str__(self) -> str:
        mask = self.mask
        sel = mask if mask is not None else slice(None)
        counts = float(np.sum(self.counts.data[sel]))
        background = float(np.sum(self.background.data[sel])) if self.background is not None else np.nan
        npred = float(np.sum(self.npred().data[sel], dtype=np.float64))
        exposure = self.exposure.quantity
        # Gammapy's summary: positive exposure inside the spatial safe mask (all if none).
        shown = exposure.value > 0
        if self.mask_safe is not None:
            shown = shown & np.any(self.mask_safe.data, axis=0)[None, :, :]
        exposure = exposure[shown] if shown.any() else exposure
        fmt = "\t{:32}: {}\n"
        out = f"{type(self).__name__}\n" + "-" * len(type(self).__name__) + "\n\n"
        out += fmt.format("Name", self.name) + "\n"
        out += fmt.format("Total counts", f"{counts:.0f}")
        out += fmt.format("Total background counts", f"{background:.2f}")
        out += fmt.format("Total excess counts", f"{counts - background:.2f}") + "\n"
        out += fmt.format("Predicted counts", f"{npred:.2f}")
        out += fmt.format("Predicted background counts", f"{npred:.2f}")
        out += fmt.format("Predicted excess counts", "nan") + "\n"
        out += fmt.format("Exposure min", f"{np.min(exposure.value):.2e} {exposure.unit}")
        out += fmt.format("Exposure max", f"{np.max(exposure.value):.2e} {exposure.unit}") + "\n"
        out += fmt.format("Counts shape", str(self.counts.data.shape))
        out += fmt.format("Exposure shape", str(self.exposure.data.shape))
        out += fmt.format("Number of total bins", str(self.counts.data.size))
        n_fit = int(np.sum(mask)) if mask is not None else self.counts.data.size
        out += fmt.format("Number of fit bins", str(n_fit)) + "\n"
        out += fmt.format("Fit statistic type", self.stat_type)
        out += fmt.format("Fit statistic value (-2 log(L))", f"{self._stat_sum():.2f}") + "\n"
        out += fmt.format("Number of models", "0")
        return out.expandtabs(tabsize=2)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, counts shape={self.counts.data.shape})"


# --------------------------------------------------------------------------------------
# MapDatasetOnOff
# --------------------------------------------------------------------------------------
def _wstat_null(n_on: np.ndarray, n_off: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """WStat per bin without signal (mu_sig = 0), Gammapy's convention incl. the
    data-dependent constant; NaN -> 0 and +-inf -> +-max float."""
    n_on = n_on.astype(np.float64)
    n_off = n_off.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu_b = (n_on + n_off) / (1.0 + alpha)
        term_on = np.where(n_on != 0, n_on * np.log(alpha * mu_b), 0.0)
        term_off = np.where(n_off != 0, n_off * np.log(mu_b), 0.0)
        const_on = np.where(n_on != 0, n_on * (1.0 - np.log(n_on)), 0.0)
        const_off = np.where(n_off != 0, n_off * (1.0 - np.log(n_off)), 0.0)
        stat = 2.0 * ((1.0 + alpha) * mu_b - term_on - term_off) - 2.0 * (const_on + const_off)
    return np.nan_to_num(stat)


class MapDatasetOnOff(MapDataset):
    """On-off map dataset (statistic "wstat"): counts in the ON region plus OFF counts
    and the ON/OFF acceptances that give the background normalisation alpha.

    Parameters
    ----------
    counts : `~fluxprofile.maps.Map`
        ON counts cube (axis "energy").
    counts_off : `~fluxprofile.maps.Map`
        OFF counts cube, same shape as ``counts``.
    acceptance : `~fluxprofile.maps.Map`
        ON acceptance, same shape as ``counts``.
    acceptance_off : `~fluxprofile.maps.Map`
        OFF acceptance, same shape as ``counts``.
    exposure : `~fluxprofile.maps.Map`
        Exposure cube (axis "energy_true"), same sky grid as ``counts``.
    mask_safe, mask_fit : `~fluxprofile.maps.Map` or `~numpy.ndarray`, optional
        Masks with the shape of ``counts``. Default is None.
    edisp : `EDispKernelMap`, optional
        Energy dispersion. Default is None (diagonal kernel).
    gti : `~astropy.table.Table`, optional
        Good time intervals. Default is None.
    name : str, optional
        Dataset name. Default is None (random name).
    meta_table : `~astropy.table.Table`, optional
        Meta data table. Default is None.

    Raises
    ------
    TypeError
        If an on-off map is missing or not a `~fluxprofile.maps.Map`.
    ValueError
        If the on-off maps do not have the shape of ``counts`` or incompatible units.

    Notes
    -----
    As in Gammapy, `background` is derived (``alpha * counts_off``, recomputed on every
    access) and cannot be set; a profile fit uses WStat with ``counts_off`` and the
    region's alpha, so the sky models of the dataset play no role. How a region's OFF
    counts and alpha are obtained, and when alpha is undefined, is in docs/onoff.rst.
    """

    stat_type = "wstat"
    tag = "MapDatasetOnOff"

    def __init__(
        self,
        counts: Map,
        counts_off: Map,
        acceptance: Map,
        acceptance_off: Map,
        exposure: Map,
        mask_safe: Map | np.ndarray | None = None,
        mask_fit: Map | np.ndarray | None = None,
        edisp: EDispKernelMap | None = None,
        gti: Table | None = None,
        name: str | None = None,
        meta_table: Table | None = None,
    ) -> None:
        super().__init__(counts, exposure, background=None, mask_safe=mask_safe,
                         mask_fit=mask_fit, edisp=edisp, gti=gti, name=name,
                         meta_table=meta_table)  # fmt: skip
        for argname, value in (
            ("counts_off", counts_off), ("acceptance", acceptance),
            ("acceptance_off", acceptance_off),
        ):  # fmt: skip
            if not isinstance(value, Map):
                msg = f"{argname} must be a fluxprofile Map, got {type(value).__name__}"
                raise TypeError(msg)
            if value.data.shape != counts.data.shape:
                msg = (
                    f"{argname} shape {value.data.shape} does not match counts shape "
                    f"{counts.data.shape}"
                )
                raise ValueError(msg)
        if not acceptance.unit.is_equivalent(acceptance_off.unit):
            msg = (
                f"acceptance unit {str(acceptance.unit)!r} and acceptance_off unit "
                f"{str(acceptance_off.unit)!r} are not compatible"
            )
            raise ValueError(msg)
        self.counts_off = counts_off
        self.acceptance = acceptance
        self.acceptance_off = acceptance_off

    # ---- derived ---------------------------------------------------------------------
    @property
    def background(self) -> Map:
        """Background ``alpha * counts_off`` (Gammapy's definition), recomputed on access."""
        return Map(self.counts.geom, self._alpha_counts_off())

    @background.setter
    def background(self, value: Any) -> None:
        if value is not None:
            msg = (
                "the background of a MapDatasetOnOff is alpha * counts_off and cannot be set; "
                f"got {type(value).__name__}"
            )
            raise AttributeError(msg)

    @property
    def alpha(self) -> Map:
        """Exposure ratio ``acceptance / acceptance_off`` per bin (float64).

        As in Gammapy, 0/0 gives 0 and x/0 the largest float (``numpy.nan_to_num``).
        """
        scale = self.acceptance.unit.to(self.acceptance_off.unit)
        num = self.acceptance.data.astype(np.float64) * scale
        with np.errstate(invalid="ignore", divide="ignore"):
            data = np.nan_to_num(num / self.acceptance_off.data.astype(np.float64))
        return Map(self.counts.geom, data)

    def _alpha_counts_off(self) -> np.ndarray:
        """``alpha * counts_off`` per bin as float64 (NaN -> 0), used by the reduction."""
        with np.errstate(invalid="ignore", over="ignore"):
            return np.nan_to_num(self.alpha.data * self.counts_off.data)

    def npred(self) -> Map:
        """Predicted counts without signal: ``alpha * mu_bkg`` with the WStat profile
        background ``mu_bkg = (counts + counts_off) / (1 + alpha)``, clipped at 0.

        Returns
        -------
        npred : `~fluxprofile.maps.Map`
            Predicted counts, float64.
        """
        alpha = self.alpha.data
        total = self.counts.data.astype(np.float64) + self.counts_off.data
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            data = np.nan_to_num(alpha * total / (1.0 + alpha))
        return Map(self.counts.geom, np.clip(data, 0, None))

    # ---- I/O -------------------------------------------------------------------------
    @classmethod
    def read(cls, filename: str | os.PathLike, name: str | None = None) -> MapDatasetOnOff:
        """Read an on-off dataset written by Gammapy's ``MapDatasetOnOff.write``.

        The DL4 layout of `MapDataset.read` without BACKGROUND, plus the WCS maps
        COUNTS_OFF, ACCEPTANCE and ACCEPTANCE_OFF (SEMANTICS.md section 6.3); arrays keep
        their stored dtype.

        Parameters
        ----------
        filename : str or path
            FITS file (``$VARIABLES`` and ``~`` expanded).
        name : str, optional
            Dataset name. Default is None (primary header NAME, else the file stem).

        Returns
        -------
        dataset : `MapDatasetOnOff`
            The dataset.

        Raises
        ------
        OSError
            If the file does not exist or is not a FITS file.
        ValueError
            If COUNTS, EXPOSURE, COUNTS_OFF, ACCEPTANCE or ACCEPTANCE_OFF is missing
            or shapes do not match.
        """
        return super().read(filename, name=name)

    @classmethod
    def _from_hdulist(
        cls, hdulist: fits.HDUList, names: list[str], filename: str, name: str | None
    ) -> MapDatasetOnOff:
        missing = [hdu for hdu in _ONOFF_HDUS if hdu not in names]
        if missing:
            hint = " (a MapDataset file: read it with MapDataset.read)" if len(missing) == 3 else ""
            msg = f"{filename}: no {', '.join(missing)} HDU, not a MapDatasetOnOff file{hint}"
            raise ValueError(msg)
        kwargs = cls._read_common(hdulist, names, filename, name)
        for hdu in _ONOFF_HDUS:
            kwargs[hdu.lower()] = _same_shape_map(hdulist, hdu, kwargs["counts"], filename)
        return cls._construct(kwargs, filename)

    def to_hdulist(self) -> fits.HDUList:
        """The dataset as FITS HDUs in Gammapy's on-off DL4 layout.

        Returns
        -------
        hdulist : `~astropy.io.fits.HDUList`
            The `MapDataset` HDUs without BACKGROUND, followed by COUNTS_OFF,
            ACCEPTANCE and ACCEPTANCE_OFF (each with its BANDS table).
        """
        hdulist = super().to_hdulist()
        for hdu in ("BACKGROUND", "BACKGROUND_BANDS"):
            if hdu in hdulist:
                del hdulist[hdu]
        for hdu in _ONOFF_HDUS:
            for item in getattr(self, hdu.lower()).to_hdulist(hdu):
                hdulist.append(item)
        return hdulist

    # ---- summary ---------------------------------------------------------------------
    def _stat_sum(self) -> float:
        stat = _wstat_null(self.counts.data, self.counts_off.data, self.alpha.data)
        mask = self.mask
        return float(np.sum(stat[mask]) if mask is not None else np.sum(stat))

    def __str__(self) -> str:
        out = super().__str__()
        mask = self.mask_safe.data if self.mask_safe is not None else slice(None)
        fmt = "\t{:32}: {:.0f} \n"
        for label, m in (("Total counts_off", self.counts_off), ("Acceptance", self.acceptance),
                         ("Acceptance off", self.acceptance_off)):  # fmt: skip
            out += fmt.format(label, float(np.sum(m.data[mask])))
        return out.expandtabs(tabsize=2)


# --------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------
def _check_dataset(item: Any, where: str) -> MapDataset:
    """``item`` as a fluxprofile dataset (Gammapy map datasets are converted)."""
    if isinstance(item, MapDataset):
        return item
    from ..interop import dataset_from_gammapy, is_gammapy_dataset

    if is_gammapy_dataset(item):
        return dataset_from_gammapy(item)
    msg = (
        f"{where} is a {type(item).__module__}.{type(item).__name__}; expected a fluxprofile "
        "MapDataset/MapDatasetOnOff or a Gammapy MapDataset/MapDatasetOnOff"
    )
    raise TypeError(msg)


class Datasets(MutableSequence):
    """An ordered collection of datasets with unique names (Gammapy's ``Datasets``).

    Parameters
    ----------
    datasets : `MapDataset`, iterable of datasets, or `Datasets`, optional
        The datasets. Gammapy ``MapDataset``/``MapDatasetOnOff`` items are converted
        with `MapDataset.from_gammapy`. Default is None (empty).

    Raises
    ------
    TypeError
        For an item that is not a dataset.
    ValueError
        If two datasets share a name.

    Examples
    --------
    >>> from fluxprofile.datasets import Datasets  # doctest: +SKIP
    >>> datasets = Datasets([dataset_a, dataset_b])  # doctest: +SKIP
    >>> datasets["a"] is datasets[0]  # doctest: +SKIP
    True
    """

    def __init__(self, datasets: Any = None) -> None:
        self._datasets: list[MapDataset] = []
        if datasets is None:
            return
        if isinstance(datasets, MapDataset):
            datasets = [datasets]
        elif _is_gammapy_datasets_container(datasets) or _is_single_gammapy_dataset(datasets):
            datasets = as_dataset_list(datasets, allow_empty=True)
        elif isinstance(datasets, (str, bytes)) or not isinstance(datasets, Iterable):
            msg = (
                f"datasets must be a dataset or an iterable of datasets, got "
                f"{type(datasets).__name__}"
            )
            raise TypeError(msg)
        for item in datasets:
            self.append(item)

    @classmethod
    def from_gammapy(cls, datasets: Any) -> Datasets:
        """Convert Gammapy datasets (a ``Datasets``, a list or a single map dataset).

        Parameters
        ----------
        datasets : ``gammapy.datasets.Datasets``, list or Gammapy map dataset
            Gammapy ``MapDataset``/``MapDatasetOnOff`` objects (fluxprofile datasets are
            kept as they are).

        Returns
        -------
        datasets : `Datasets`
            The converted datasets, in the same order.

        Raises
        ------
        TypeError
            For items that are not map datasets.
        """
        return cls(as_dataset_list(datasets, allow_empty=True))

    # ---- files -----------------------------------------------------------------------
    @classmethod
    def read(
        cls,
        filename: str | os.PathLike,
        filename_models: str | os.PathLike | None = None,
        lazy: bool = True,
        cache: bool = True,
        checksum: bool = True,
    ) -> Datasets:
        """Read the datasets listed in a Gammapy datasets YAML index (Gammapy's
        ``Datasets.read``).

        Entry file names are relative to the YAML file's folder (else to the working
        folder, as in Gammapy), with ``$VARIABLES`` expanded; ``MapDataset`` and
        ``MapDatasetOnOff`` entries are supported. See
        `fluxprofile.datasets_yaml.read_datasets_yaml` and docs/datasets_yaml.rst.

        Parameters
        ----------
        filename : str or path
            The YAML index, e.g. ``"HAWC_pass4_public_Crab.yaml"``.
        filename_models : str or path, optional
            Gammapy's models file: not supported (fluxprofile datasets hold no models),
            anything but None raises a ValueError. Default is None.
        lazy : bool, optional
            Accepted for Gammapy scripts; data are always read at once. Default is True.
        cache : bool, optional
            Accepted for Gammapy scripts; no effect. Default is True.
        checksum : bool, optional
            Warn if the YAML file's stored checksum does not match its content.
            Default is True.

        Returns
        -------
        datasets : `Datasets`
            The datasets, in the order of the index.

        Raises
        ------
        FileNotFoundError
            If the YAML file or a dataset file is missing (the entry is named).
        OSError
            If a file cannot be read or parsed.
        ValueError
            For a malformed index, an unknown or unsupported entry type, a file that
            does not hold a dataset of its entry's type, or ``filename_models``.

        Examples
        --------
        >>> from fluxprofile import Datasets  # doctest: +SKIP
        >>> datasets = Datasets.read("HAWC_pass4_public_Crab.yaml")  # doctest: +SKIP
        >>> datasets.names  # doctest: +SKIP
        ['nHit-5', 'nHit-6', 'nHit-7', 'nHit-8', 'nHit-9']
        """
        from ..io.datasets_yaml import read_datasets_yaml

        return cls(read_datasets_yaml(filename, filename_models=filename_models, lazy=lazy,
                                      cache=cache, checksum=checksum))  # fmt: skip

    def write(
        self,
        filename: str | os.PathLike,
        filename_models: str | os.PathLike | None = None,
        overwrite: bool = False,
        write_covariance: bool = True,
        checksum: bool = True,
    ) -> None:
        """Write a Gammapy datasets YAML index plus ``NAME.fits`` per dataset next to
        it (Gammapy's ``Datasets.write``; Gammapy's ``Datasets.read`` reads it back).

        Nothing is replaced until every file is written, so a failure leaves existing
        files intact. See `fluxprofile.datasets_yaml.write_datasets_yaml`.

        Parameters
        ----------
        filename : str or path
            The YAML index to write.
        filename_models : str or path, optional
            Gammapy's models file: not supported (no models to write), anything but
            None raises a ValueError. Default is None.
        overwrite : bool, optional
            Replace existing files. Default is False.
        write_covariance : bool, optional
            Accepted for Gammapy scripts; no effect. Default is True.
        checksum : bool, optional
            Write FITS and YAML checksums, as Gammapy does. Default is True.

        Raises
        ------
        FileExistsError
            If a file to write exists and ``overwrite`` is False (nothing is written).
        OSError
            If a file cannot be written.
        ValueError
            If a dataset name cannot be a file name or ``filename_models`` is given.
        """
        from ..io.datasets_yaml import write_datasets_yaml

        write_datasets_yaml(self, filename, filename_models=filename_models, overwrite=overwrite,
                            write_covariance=write_covariance, checksum=checksum)  # fmt: skip

    # ---- sequence protocol -----------------------------------------------------------
    def _index(self, key: int | str) -> int:
        if isinstance(key, str):
            for index, dataset in enumerate(self._datasets):
                if dataset.name == key:
                    return index
            msg = f"no dataset named {key!r}; names are {self.names}"
            raise KeyError(msg)
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            n = len(self._datasets)
            if not -n <= key < n:
                msg = f"dataset index {key} out of range for {n} datasets"
                raise IndexError(msg)
            return int(key) % n
        msg = f"datasets index must be an int, a name or a slice, got {type(key).__name__} {key!r}"
        raise TypeError(msg)

    def index(self, key: Any, *args: Any) -> int:  # type: ignore[override]
        """Position of a dataset given by name, by identity or by index.

        Parameters
        ----------
        key : str, int or `MapDataset`
            Dataset name, position or the dataset itself.

        Returns
        -------
        index : int
            Position in the collection.
        """
        if isinstance(key, MapDataset):
            for index, dataset in enumerate(self._datasets):
                if dataset is key:
                    return index
            msg = f"dataset {key.name!r} is not in these datasets"
            raise ValueError(msg)
        return self._index(key)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return type(self)(self._datasets[key])
        return self._datasets[self._index(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            msg = "slice assignment is not supported; use insert/append"
            raise TypeError(msg)
        index = self._index(key)
        dataset = _check_dataset(value, f"datasets[{key!r}]")
        others = [d.name for i, d in enumerate(self._datasets) if i != index]
        self._check_name(dataset, others)
        self._datasets[index] = dataset

    def __delitem__(self, key: Any) -> None:
        if isinstance(key, slice):
            del self._datasets[key]
            return
        del self._datasets[self._index(key)]

    def __len__(self) -> int:
        return len(self._datasets)

    def __iter__(self) -> Iterator[MapDataset]:
        return iter(self._datasets)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self.names
        return any(d is item for d in self._datasets)

    def insert(self, index: int, value: Any) -> None:
        """Insert a dataset before ``index`` (its name must be new).

        Parameters
        ----------
        index : int
            Position.
        value : `MapDataset`
            The dataset (a Gammapy map dataset is converted).
        """
        dataset = _check_dataset(value, f"datasets[{index}]")
        self._check_name(dataset, self.names)
        self._datasets.insert(index, dataset)

    @staticmethod
    def _check_name(dataset: MapDataset, names: list[str]) -> None:
        if dataset.name in names:
            msg = (
                f"dataset names must be unique: {dataset.name!r} is already used "
                f"(names {names})"
            )
            raise ValueError(msg)

    # ---- properties ------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Dataset names, in order."""
        return [d.name for d in self._datasets]

    @property
    def is_all_same_type(self) -> bool:
        """Whether all datasets have the same class."""
        return len({type(d) for d in self._datasets}) <= 1

    @property
    def stat_type(self) -> list[str]:
        """Statistic type of each dataset ("cash" or "wstat")."""
        return [d.stat_type for d in self._datasets]

    def copy(self) -> Datasets:
        """A new collection holding the same dataset objects.

        Returns
        -------
        datasets : `Datasets`
            Shallow copy.
        """
        return type(self)(self._datasets)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Datasets):
            return len(self) == len(other) and all(a is b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        out = "Datasets\n--------\n\n"
        for index, dataset in enumerate(self._datasets):
            out += f"Dataset {index}: \n\n  Type       : {dataset.tag}\n"
            out += f"  Name       : {dataset.name}\n"
            out += f"  Instrument : {_instrument(dataset)}\n\n"
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(names={self.names})"


def _instrument(dataset: MapDataset) -> str:
    table = dataset.meta_table
    if table is not None and "TELESCOP" in getattr(table, "colnames", []) and len(table):
        return str(table["TELESCOP"][0])
    return ""


def _is_gammapy_datasets_container(obj: Any) -> bool:
    from ..interop import is_gammapy_object

    return is_gammapy_object(obj, "Datasets")


def _is_single_gammapy_dataset(obj: Any) -> bool:
    from ..interop import is_gammapy_dataset

    return is_gammapy_dataset(obj)


def as_dataset_list(obj: Any, allow_empty: bool = False) -> list[MapDataset]:
    """The datasets in ``obj`` as a list of fluxprofile datasets with unique names.

    Parameters
    ----------
    obj : dataset, `Datasets`, list/tuple of datasets, Gammapy dataset(s)
        A fluxprofile `MapDataset`/`MapDatasetOnOff`, a `Datasets`, a list or tuple of
        them, or Gammapy ``MapDataset``/``MapDatasetOnOff``/``Datasets`` objects (and
        lists of them), which are converted with `MapDataset.from_gammapy` (gammapy is
        only imported if such an object is given).
    allow_empty : bool, optional
        Accept an empty collection. Default is False.

    Returns
    -------
    datasets : list of `MapDataset`
        The datasets, in order (fluxprofile datasets are not copied).

    Raises
    ------
    TypeError
        If ``obj`` or one of its items is anything else (the message names the type).
    ValueError
        If the collection is empty (unless ``allow_empty``) or two datasets share a name.
    """
    if isinstance(obj, MapDataset):
        return [obj]
    if _is_single_gammapy_dataset(obj):
        return [_check_dataset(obj, "datasets")]
    if isinstance(obj, Datasets):
        items = list(obj)
    elif isinstance(obj, (list, tuple)) or _is_gammapy_datasets_container(obj):
        items = [_check_dataset(item, f"datasets[{i}]") for i, item in enumerate(obj)]
    else:
        msg = (
            f"datasets must be a fluxprofile MapDataset/MapDatasetOnOff/Datasets, a list of "
            f"them, or a Gammapy MapDataset/MapDatasetOnOff/Datasets; got "
            f"{type(obj).__module__}.{type(obj).__name__}"
        )
        raise TypeError(msg)
    if not items and not allow_empty:
        msg = "datasets is empty: give at least one dataset"
        raise ValueError(msg)
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            msg = f"dataset names must be unique: {item.name!r} appears more than once"
            raise ValueError(msg)
        seen.add(item.name)
    return items


def read_dataset(filename: str | os.PathLike, name: str | None = None) -> MapDataset:
    """Read a DL4 dataset file as a `MapDataset` or, if it holds COUNTS_OFF /
    ACCEPTANCE / ACCEPTANCE_OFF HDUs, as a `MapDatasetOnOff` (auto-detection).

    Parameters
    ----------
    filename : str or path
        FITS file (``$VARIABLES`` and ``~`` expanded).
    name : str, optional
        Dataset name. Default is None (primary header NAME, else the file stem).

    Returns
    -------
    dataset : `MapDataset` or `MapDatasetOnOff`
        The dataset.

    Raises
    ------
    OSError
        If the file does not exist or is not a FITS file.
    ValueError
        If the file is not a valid (on-off) map dataset.
    """
    hdulist, names, path = _open_dl4(filename, "read_dataset")
    cls = MapDatasetOnOff if any(hdu in names for hdu in _ONOFF_HDUS) else MapDataset
    with hdulist, _truncation_guard("read_dataset", path):
        return cls._from_hdulist(hdulist, names, path, name)
