"""Map datasets: `MapDataset` (Cash statistic) and `MapDatasetOnOff` (WStat), the
Gammapy-compatible data model of binned counts, background, exposure, masks and energy
dispersion.

Files go through thin facades: `MapDataset.read`/`write` and `read_dataset` call
`fluxprofile.io.dl4`; Gammapy datasets are converted by `MapDataset.from_gammapy`
through `fluxprofile.interop` (gammapy is imported only when such objects are given).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits
from astropy.table import Table

from .. import _core
from .axes import MapAxis
from .edisp import EDispKernelMap
from .map import Map

__all__ = [
    "MapDataset",
    "MapDatasetOnOff",
    "as_map_dataset",
    "check_unique_names",
    "read_dataset",
]


def _make_name() -> str:
    return uuid.uuid4().hex[:8]


def _masked_sum(stat: np.ndarray, mask: np.ndarray | None) -> float:
    """Sum of a per-bin statistic over the bins of ``mask`` (all bins without mask)."""
    return float(np.sum(stat[mask]) if mask is not None else np.sum(stat))


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
    counts : `~fluxprofile.Map`
        Counts cube (axis "energy"); any dtype, used as is.
    exposure : `~fluxprofile.Map`
        Exposure cube (axis "energy_true"), same sky grid as ``counts``.
    background : `~fluxprofile.Map`, optional
        Background cube, same shape as ``counts``. Default is None.
    mask_safe, mask_fit : `~fluxprofile.Map` or `~numpy.ndarray`, optional
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
            if (value is None and required) or (
                value is not None and not isinstance(value, Map)
            ):
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
            if (edisp.energy_axis_true.nbin, edisp.energy_axis.nbin) != (
                n_true,
                n_reco,
            ):
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
        npred : `~fluxprofile.Map`
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
        return EDispKernelMap.from_diagonal_response(
            self.energy_axis, self.energy_axis_true
        )

    # ---- I/O (DL4 files: fluxprofile.io.dl4) -------------------------------------------
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
        from ..io.dl4 import read_dl4

        _, kwargs, path = read_dl4(
            filename, name=name, tag=cls.tag, who=f"{cls.__name__}.read"
        )
        return cls._from_arguments(kwargs, path)

    @classmethod
    def _from_arguments(cls, kwargs: dict[str, Any], filename: str) -> MapDataset:
        """The dataset of the constructor arguments read from ``filename``."""
        kept = kwargs.pop("kept_hdus", b"")
        try:
            dataset = cls(**kwargs)
        except ValueError as err:
            msg = f"{filename}: {err}"
            raise ValueError(msg) from err
        dataset._kept_hdus = kept
        return dataset

    def _dl4_maps(self) -> dict[str, Map | None]:
        """The maps written to a DL4 file, by HDU name."""
        return {
            "COUNTS": self.counts, "EXPOSURE": self.exposure, "BACKGROUND": self.background,
            "MASK_SAFE": self.mask_safe, "MASK_FIT": self.mask_fit,
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
        from ..io.dl4 import dataset_hdulist

        return dataset_hdulist(
            self.name, self._dl4_maps(), edisp=self.edisp, kept_hdus=self._kept_hdus,
            gti=self.gti, meta_table=self.meta_table,
        )  # fmt: skip

    def write(
        self,
        filename: str | os.PathLike,
        overwrite: bool = False,
        checksum: bool = False,
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
        from ..io.atomic import staged_file
        from ..io.paths import expand_path

        path = expand_path(filename)
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
        from ..interop import dataset_arguments_from_gammapy

        tag, kwargs = dataset_arguments_from_gammapy(dataset)
        converted = (MapDatasetOnOff if tag == MapDatasetOnOff.tag else MapDataset)(
            **kwargs
        )
        if not isinstance(converted, cls):
            msg = (
                f"{cls.__name__}.from_gammapy needs a Gammapy {cls.__name__}, got "
                f"{type(dataset).__name__}; use MapDataset.from_gammapy or as_dataset_list"
            )
            raise TypeError(msg)
        return converted

    # ---- summary ---------------------------------------------------------------------
    def stat_sum(self) -> float:
        """Total fit statistic of the dataset without signal (Gammapy's ``stat_sum``).

        Cash of the counts against `npred` (the clipped background), summed over the
        bins of `mask` (all bins without masks), with the core's Cash (Gammapy's
        truncation of predictions at 1e-25).

        Returns
        -------
        stat : float
            The statistic, -2 log L.
        """
        stat = _core.cash(self.counts.data, self.npred().data)
        return _masked_sum(stat, self.mask)

    def __str__(self) -> str:
        mask = self.mask
        sel = mask if mask is not None else slice(None)
        counts = float(np.sum(self.counts.data[sel]))
        background = (
            float(np.sum(self.background.data[sel]))
            if self.background is not None
            else np.nan
        )
        npred = float(np.sum(self.npred().data[sel], dtype=np.float64))
        exposure = self.exposure.quantity
        # Gammapy's summary: positive exposure inside the spatial safe mask (all if none).
        shown = exposure.value > 0
        if self.mask_safe is not None:
            shown = shown & np.any(self.mask_safe.data, axis=0)[None, ...]
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
        out += fmt.format(
            "Exposure min", f"{np.min(exposure.value):.2e} {exposure.unit}"
        )
        out += (
            fmt.format("Exposure max", f"{np.max(exposure.value):.2e} {exposure.unit}")
            + "\n"
        )
        out += fmt.format("Counts shape", str(self.counts.data.shape))
        out += fmt.format("Exposure shape", str(self.exposure.data.shape))
        out += fmt.format("Number of total bins", str(self.counts.data.size))
        n_fit = int(np.sum(mask)) if mask is not None else self.counts.data.size
        out += fmt.format("Number of fit bins", str(n_fit)) + "\n"
        out += fmt.format("Fit statistic type", self.stat_type)
        out += (
            fmt.format("Fit statistic value (-2 log(L))", f"{self.stat_sum():.2f}")
            + "\n"
        )
        out += fmt.format("Number of models", "0")
        return out.expandtabs(tabsize=2)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, counts shape={self.counts.data.shape})"


# --------------------------------------------------------------------------------------
# MapDatasetOnOff
# --------------------------------------------------------------------------------------
class MapDatasetOnOff(MapDataset):
    """On-off map dataset (statistic "wstat"): counts in the ON region plus OFF counts
    and the ON/OFF acceptances that give the background normalisation alpha.

    Parameters
    ----------
    counts : `~fluxprofile.Map`
        ON counts cube (axis "energy").
    counts_off : `~fluxprofile.Map`
        OFF counts cube, same shape as ``counts``.
    acceptance : `~fluxprofile.Map`
        ON acceptance, same shape as ``counts``.
    acceptance_off : `~fluxprofile.Map`
        OFF acceptance, same shape as ``counts``.
    exposure : `~fluxprofile.Map`
        Exposure cube (axis "energy_true"), same sky grid as ``counts``.
    mask_safe, mask_fit : `~fluxprofile.Map` or `~numpy.ndarray`, optional
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
        If an on-off map is missing or not a `~fluxprofile.Map`.
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
        npred : `~fluxprofile.Map`
            Predicted counts, float64.
        """
        alpha = self.alpha.data
        total = self.counts.data.astype(np.float64) + self.counts_off.data
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            data = np.nan_to_num(alpha * total / (1.0 + alpha))
        return Map(self.counts.geom, np.clip(data, 0, None))

    # ---- I/O -------------------------------------------------------------------------
    @classmethod
    def read(
        cls, filename: str | os.PathLike, name: str | None = None
    ) -> MapDatasetOnOff:
        """Read an on-off dataset written by Gammapy's ``MapDatasetOnOff.write``.

        The DL4 layout of `MapDataset.read` without BACKGROUND, plus the WCS maps
        COUNTS_OFF, ACCEPTANCE and ACCEPTANCE_OFF (docs/data_model.rst); arrays keep
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

    def _dl4_maps(self) -> dict[str, Map | None]:
        """The maps written to a DL4 file: no BACKGROUND (it is derived), the on-off maps."""
        maps = super()._dl4_maps()
        maps["BACKGROUND"] = None
        maps.update(COUNTS_OFF=self.counts_off, ACCEPTANCE=self.acceptance,
                    ACCEPTANCE_OFF=self.acceptance_off)  # fmt: skip
        return maps

    # ---- summary ---------------------------------------------------------------------
    def stat_sum(self) -> float:
        """Total WStat of the dataset without signal (Gammapy's ``stat_sum``).

        The core's WStat at zero signal, summed over the bins of `mask`. Bins where alpha
        is 0 count 0, as in Gammapy, whose closed form gives NaN there (mapped to 0); the
        core takes the alpha -> 0 limit instead, which the profile fits need
        (docs/data_model.rst).

        Returns
        -------
        stat : float
            The statistic, -2 log L with WStat's data-only terms.
        """
        alpha = self.alpha.data
        stat = _core.wstat(self.counts.data, self.counts_off.data, alpha, 0.0)
        return _masked_sum(np.where(alpha == 0, 0.0, stat), self.mask)

    def __str__(self) -> str:
        out = super().__str__()
        mask = self.mask_safe.data if self.mask_safe is not None else slice(None)
        fmt = "\t{:32}: {:.0f} \n"
        for label, m in (("Total counts_off", self.counts_off), ("Acceptance", self.acceptance),
                         ("Acceptance off", self.acceptance_off)):  # fmt: skip
            out += fmt.format(label, float(np.sum(m.data[mask])))
        return out.expandtabs(tabsize=2)


# --------------------------------------------------------------------------------------
# conversions and reading
# --------------------------------------------------------------------------------------
def as_map_dataset(item: Any, where: str) -> MapDataset:
    """``item`` as a fluxprofile dataset (Gammapy map datasets are converted).

    Parameters
    ----------
    item : object
        A fluxprofile `MapDataset`/`MapDatasetOnOff` (returned as is) or a Gammapy
        ``MapDataset``/``MapDatasetOnOff`` (converted with `MapDataset.from_gammapy`).
    where : str
        How the caller names the item in error messages (e.g. "datasets[2]").

    Returns
    -------
    dataset : `MapDataset`
        The dataset.

    Raises
    ------
    TypeError
        For anything else (the message names ``where`` and the type).
    """
    if isinstance(item, MapDataset):
        return item
    from ..interop import is_gammapy_dataset

    if is_gammapy_dataset(item):
        return MapDataset.from_gammapy(item)
    msg = (
        f"{where} is a {type(item).__module__}.{type(item).__name__}; expected a fluxprofile "
        "MapDataset/MapDatasetOnOff or a Gammapy MapDataset/MapDatasetOnOff"
    )
    raise TypeError(msg)


def check_unique_names(datasets: Iterable[MapDataset]) -> None:
    """Raise if two datasets share a name.

    Parameters
    ----------
    datasets : iterable of `MapDataset`
        The datasets.

    Raises
    ------
    ValueError
        Naming the first repeated name.
    """
    seen: set[str] = set()
    for dataset in datasets:
        if dataset.name in seen:
            msg = (
                f"dataset names must be unique: {dataset.name!r} appears more than once"
            )
            raise ValueError(msg)
        seen.add(dataset.name)


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
    from ..io.dl4 import read_dl4

    tag, kwargs, path = read_dl4(filename, name=name, who="read_dataset")
    cls = MapDatasetOnOff if tag == MapDatasetOnOff.tag else MapDataset
    return cls._from_arguments(kwargs, path)
