"""`FluxQuantities`: the stored quantities of flux points (the likelihood quantities per
projected-distance bin and energy group), their accessors and what Gammapy derives from
them (sqrt(TS), upper-limit flags, TS scans, predicted counts); the base of `FluxPoints`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt

from ..vocabulary import (
    BOOL_QUANTITIES,
    DATASET_QUANTITIES,
    SCAN_QUANTITIES,
    STORABLE_QUANTITIES,
    table_quantities,
)
from .axes import MapAxes, MapAxis
from .gti import GTI, as_gti
from .label_axis import LabelMapAxis
from .quantity import ProfileQuantity, values_and_unit
from .region_geom import RegionGeom
from .sed import SedConversions, check_sed_type, reference_spectral_model
from .spectral import SpectralModel

__all__ = ["FluxQuantities"]

_THREE_D = DATASET_QUANTITIES + SCAN_QUANTITIES


class FluxQuantities(SedConversions):
    """The quantities of flux points: storage, accessors and derived quantities.

    `FluxPoints` adds tables, files, plots, copies and slices; its docstring describes
    the constructor arguments (docs/flux_points.rst has the rules).

    Parameters
    ----------
    data : dict of str to array-like
        Stored quantities (see `FluxPoints`).
    energy_axis, distance_axis : `~fluxprofile.MapAxis`
        Energy groups and projected-distance bins.
    reference_model : `~fluxprofile.SpectralModel` or None
        Reference spectral model of the SED conversions. Default is None (power law of
        index 2).
    meta : dict, optional
        Meta data. Default is None (see `FluxPoints`).
    norm_scan : array-like, optional
        Norm values of the likelihood scan. Default is None.
    dataset_names : list of str, optional
        Names of the datasets. Default is None.
    gti : `~fluxprofile.datamodel.gti.GTI` or `~astropy.table.Table`, optional
        Good time intervals (a table in FITS form is wrapped in a `GTI`). Default is
        None.
    filter_success_nan : bool, optional
        Set norm and norm_err to NaN where ``success`` is False. Default is True.
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        energy_axis: MapAxis,
        distance_axis: MapAxis,
        reference_model: Any = None,
        meta: dict[str, Any] | None = None,
        norm_scan: npt.ArrayLike | None = None,
        dataset_names: list[str] | None = None,
        gti: Any = None,
        filter_success_nan: bool = True,
    ) -> None:
        if not isinstance(data, Mapping):
            msg = f"data must be a dict of arrays, got {type(data).__name__}"
            raise TypeError(msg)
        for argname, axis in (
            ("energy_axis", energy_axis),
            ("distance_axis", distance_axis),
        ):
            if not isinstance(axis, MapAxis):
                msg = f"{argname} must be a MapAxis, got {type(axis).__name__}"
                raise TypeError(msg)
        if "norm" not in data:
            msg = f"data must contain 'norm', got keys {list(data)}"
            raise ValueError(msg)
        self._energy_axis = energy_axis
        self._distance_axis = distance_axis
        n_x, n_e = distance_axis.nbin, energy_axis.nbin

        self._norm_scan = None
        if norm_scan is not None:
            scan = (
                norm_scan.to_value("")
                if isinstance(norm_scan, u.Quantity)
                else norm_scan
            )
            scan = np.asarray(scan, dtype=np.float64)
            if scan.ndim != 1 or scan.size == 0:
                msg = f"norm_scan must be a non-empty 1-D array, got shape {scan.shape}"
                raise ValueError(msg)
            self._norm_scan = scan

        self._data: dict[str, np.ndarray] = {}
        self._units: dict[str, u.UnitBase] = {}
        n_dataset = None
        for name, value in data.items():
            if name not in STORABLE_QUANTITIES:
                msg = f"data key {name!r} is not a known quantity; valid keys are {list(STORABLE_QUANTITIES)}"
                raise ValueError(msg)
            arr, unit = values_and_unit(name, value)
            ndim = 3 if name in _THREE_D else 2
            if arr.ndim == ndim + 2 and arr.shape[-2:] == (1, 1):
                arr = arr.reshape(arr.shape[:-2])
            if arr.ndim != ndim or arr.shape[:2] != (n_x, n_e):
                expected = f"({n_x}, {n_e}{', n' if ndim == 3 else ''})"
                msg = f"data[{name!r}] must have shape {expected}, got {arr.shape}"
                raise ValueError(msg)
            if name in DATASET_QUANTITIES:
                if n_dataset is not None and arr.shape[2] != n_dataset:
                    msg = (
                        f"data[{name!r}] has {arr.shape[2]} datasets, other quantities "
                        f"have {n_dataset}"
                    )
                    raise ValueError(msg)
                n_dataset = arr.shape[2]
            if name in SCAN_QUANTITIES:
                if self._norm_scan is None:
                    msg = "norm_scan is required with data['stat_scan']"
                    raise ValueError(msg)
                if arr.shape[2] != self._norm_scan.size:
                    msg = (
                        f"data[{name!r}] has {arr.shape[2]} scan values, norm_scan has "
                        f"{self._norm_scan.size}"
                    )
                    raise ValueError(msg)
            if name in BOOL_QUANTITIES and arr.dtype != bool:
                arr = arr.astype(bool)
            self._data[name] = arr
            self._units[name] = unit

        if dataset_names is not None:
            dataset_names = [str(n) for n in dataset_names]
            if n_dataset is not None and len(dataset_names) != n_dataset:
                msg = (
                    f"dataset_names has {len(dataset_names)} names but the data have "
                    f"{n_dataset} datasets"
                )
                raise ValueError(msg)
        self._n_dataset = n_dataset or (len(dataset_names) if dataset_names else 1)
        self._dataset_names = dataset_names

        self._reference_model = reference_spectral_model(reference_model)

        if meta is None:
            meta = {
                "n_sigma": 1,
                "n_sigma_ul": 2,
                "sed_type_init": "likelihood",
                "SED_TYPE": "likelihood",
            }
        else:
            meta = dict(meta)
            meta.setdefault("sed_type_init", "likelihood")
        self.meta = meta
        self.gti = gti  # type: ignore[assignment]  # the setter wraps tables
        self.filter_success_nan = bool(filter_success_nan)

    # ---- axes and meta -----------------------------------------------------------------
    @property
    def gti(self) -> GTI | None:
        """Good time intervals (`~fluxprofile.datamodel.gti.GTI`: ``time_start`` and
        ``time_stop`` as `~astropy.time.Time`, as Gammapy's), or None.

        Setting accepts a `GTI`, a table in FITS form, Gammapy's GTI or None.
        """
        return self._gti

    @gti.setter
    def gti(self, value: Any) -> None:
        self._gti = as_gti(value)

    @property
    def geom(self) -> RegionGeom:
        """Geometry of the scalar quantities: a `~fluxprofile.RegionGeom` without region
        on the axes ``energy``, ``projected-distance`` (Gammapy's ``FluxPoints.geom``)."""
        return RegionGeom(region=None, axes=[self._energy_axis, self._distance_axis])

    @property
    def energy_axis(self) -> MapAxis:
        """Energy axis."""
        return self._energy_axis

    @property
    def distance_axis(self) -> MapAxis:
        """Projected-distance axis."""
        return self._distance_axis

    @property
    def dataset_axis(self) -> MapAxis | LabelMapAxis:
        """Dataset axis: the dataset names as a `~fluxprofile.LabelMapAxis` when known
        (after a run), else integer bins ``-0.5, 0.5, ...`` (Gammapy's axis after reading).
        """
        if self._dataset_names is not None:
            return LabelMapAxis(self._dataset_names, name="dataset")
        edges = np.arange(self._n_dataset + 1) - 0.5
        return MapAxis.from_edges(edges, name="dataset")

    @property
    def norm_axis(self) -> MapAxis | None:
        """Norm-scan axis (centre nodes), or None without a likelihood scan."""
        if self._norm_scan is None:
            return None
        return MapAxis.from_nodes(self._norm_scan, name="norm")

    @property
    def axes(self) -> MapAxes:
        """The two profile axes: ``energy``, ``projected-distance``."""
        return MapAxes([self._energy_axis, self._distance_axis])

    @property
    def norm_scan(self) -> np.ndarray | None:
        """Norm values of the likelihood scan (None without scan)."""
        return self._norm_scan

    @property
    def dataset_names(self) -> list[str] | None:
        """Dataset names (None if not given)."""
        return self._dataset_names

    @property
    def energy_ref(self) -> u.Quantity:
        """Reference energies (energy-axis centres)."""
        return self._energy_axis.center

    @property
    def energy_min(self) -> u.Quantity:
        """Lower energy-group edges."""
        return self._energy_axis.edges[:-1]

    @property
    def energy_max(self) -> u.Quantity:
        """Upper energy-group edges."""
        return self._energy_axis.edges[1:]

    @property
    def n_sigma(self) -> float:
        """Number of sigma of the errors (meta ``n_sigma``, default 1)."""
        return self.meta.get("n_sigma", 1)

    @property
    def n_sigma_ul(self) -> float | None:
        """Number of sigma of the upper limits (meta ``n_sigma_ul``, None if unknown)."""
        return self.meta.get("n_sigma_ul")

    @property
    def sqrt_ts_threshold_ul(self) -> float:
        """sqrt(TS) below which a point is an upper limit (default 2).

        Setting it stores the value in ``meta`` and an explicit ``is_ul`` quantity
        (requires ``ts`` or ``sqrt_ts``).
        """
        return self.meta.get("sqrt_ts_threshold_ul", 2)

    @sqrt_ts_threshold_ul.setter
    def sqrt_ts_threshold_ul(self, value: float) -> None:
        if not self.has_any_ts:
            msg = f"Either TS or sqrt_ts is required to set sqrt_ts_threshold_ul = {value!r}"
            raise ValueError(msg)
        self.meta["sqrt_ts_threshold_ul"] = value
        self.is_ul = self.sqrt_ts.values < value

    @property
    def sed_type_init(self) -> str | None:
        """SED type the points were created with."""
        return self.meta.get("sed_type_init")

    @property
    def sed_type_plot_default(self) -> str | None:
        """Default SED type of plots ("dnde" for likelihood points)."""
        if self.sed_type_init == "likelihood":
            return "dnde"
        return self.sed_type_init

    @property
    def reference_model(self) -> SpectralModel:
        """Reference spectral model used for the SED conversions."""
        return self._reference_model

    @property
    def reference_spectral_model(self) -> SpectralModel:
        """Reference spectral model (same as `reference_model`)."""
        return self._reference_model

    @property
    def available_quantities(self) -> list[str]:
        """Names of the stored quantities, in storage order."""
        return list(self._data)

    def to_maps(self, sed_type: str | None = None) -> dict[str, ProfileQuantity]:
        """The quantities of a SED type by name (Gammapy's ``FluxMaps.to_maps``).

        Parameters
        ----------
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type of the flux quantities. Default is None (``sed_type_init``).

        Returns
        -------
        maps : dict of str to `~fluxprofile.datamodel.ProfileQuantity`
            In Gammapy's order: the SED quantity and those of its errors, limits and
            sensitivity that exist, then ts, sqrt_ts, npred, npred_excess, stat,
            stat_null, stat_scan, niter, is_ul, counts, success, n_dof and
            fluxprofile's npix and solid_angle, where defined.

        Raises
        ------
        ValueError
            For an unknown SED type.
        """
        sed_type = check_sed_type(sed_type or self.sed_type_init or "likelihood")
        maps: dict[str, ProfileQuantity] = {}
        for name in table_quantities(sed_type):
            try:
                maps[name] = getattr(self, name)
            except AttributeError:  # not stored and not derivable
                continue
        return maps

    @property
    def has_ul(self) -> bool:
        """Whether ``norm_ul`` is stored."""
        return "norm_ul" in self._data

    @property
    def has_any_ts(self) -> bool:
        """Whether ``ts`` or ``sqrt_ts`` is stored."""
        return "ts" in self._data or "sqrt_ts" in self._data

    @property
    def has_stat_profiles(self) -> bool:
        """Whether the likelihood scan ``stat_scan`` is stored."""
        return "stat_scan" in self._data

    @property
    def has_success(self) -> bool:
        """Whether the fit status ``success`` is stored."""
        return "success" in self._data

    # ---- quantity access ----------------------------------------------------------------
    def _axes_for(self, name: str) -> list[MapAxis]:
        axes = [self._energy_axis, self._distance_axis]
        if name in DATASET_QUANTITIES:
            axes.insert(0, self.dataset_axis)
        elif name in SCAN_QUANTITIES:
            axes.insert(0, self.norm_axis)
        return axes

    def _make(
        self, name: str, values: np.ndarray, unit: Any, like: str = "norm"
    ) -> ProfileQuantity:
        return ProfileQuantity(name, values, unit, self._axes_for(like))

    def _check_quantity(self, name: str) -> None:
        if name not in self._data:
            msg = f"Quantity '{name}' is not defined on current flux estimate."
            raise AttributeError(msg)

    def _stored(self, name: str) -> ProfileQuantity:
        self._check_quantity(name)
        return ProfileQuantity(
            name, self._data[name], self._units[name], self._axes_for(name)
        )

    def _filtered_values(self, name: str) -> np.ndarray:
        self._check_quantity(name)
        values = self._data[name]
        if self.filter_success_nan and self.has_success:
            values = np.where(self._data["success"], values, np.nan)
        return values

    def _filtered(self, name: str) -> ProfileQuantity:
        return self._make(name, self._filtered_values(name), self._units[name])

    @property
    def norm(self) -> ProfileQuantity:
        """Norm (NaN where the fit failed)."""
        return self._filtered("norm")

    @property
    def norm_err(self) -> ProfileQuantity:
        """Symmetric norm error x n_sigma (NaN where the fit failed)."""
        return self._filtered("norm_err")

    @property
    def norm_errn(self) -> ProfileQuantity:
        """Negative norm error."""
        return self._stored("norm_errn")

    @property
    def norm_errp(self) -> ProfileQuantity:
        """Positive norm error."""
        return self._stored("norm_errp")

    @property
    def norm_ul(self) -> ProfileQuantity:
        """Norm upper limit."""
        return self._stored("norm_ul")

    @property
    def norm_sensitivity(self) -> ProfileQuantity:
        """Norm giving the sensitivity significance."""
        return self._stored("norm_sensitivity")

    @property
    def ts(self) -> ProfileQuantity:
        """Test statistic stat(0) - stat(best)."""
        return self._stored("ts")

    @property
    def stat(self) -> ProfileQuantity:
        """Fit statistic at the best fit."""
        return self._stored("stat")

    @property
    def stat_null(self) -> ProfileQuantity:
        """Fit statistic of the null hypothesis."""
        return self._stored("stat_null")

    @property
    def stat_scan(self) -> ProfileQuantity:
        """Fit statistic at the ``norm_scan`` values."""
        return self._stored("stat_scan")

    @property
    def ts_scan(self) -> ProfileQuantity:
        """``stat_scan - stat``."""
        values = (
            self._stored("stat_scan").values - self._stored("stat").values[..., None]
        )
        return self._make("ts_scan", values, "", like="stat_scan")

    @property
    def counts(self) -> ProfileQuantity:
        """Counts per dataset."""
        return self._stored("counts")

    @property
    def npred(self) -> ProfileQuantity:
        """Predicted counts of the best fit, per dataset."""
        return self._stored("npred")

    @property
    def npred_excess(self) -> ProfileQuantity:
        """Predicted excess counts of the best fit, per dataset."""
        return self._stored("npred_excess")

    @property
    def success(self) -> ProfileQuantity:
        """Fit success flag."""
        return self._stored("success")

    @property
    def niter(self) -> ProfileQuantity:
        """Number of fit iterations."""
        return self._stored("niter")

    @property
    def n_dof(self) -> ProfileQuantity:
        """Number of degrees of freedom."""
        return self._stored("n_dof")

    @property
    def npix(self) -> ProfileQuantity:
        """Number of pixels of each region (fluxprofile extra)."""
        return self._stored("npix")

    @property
    def solid_angle(self) -> ProfileQuantity:
        """Solid angle of each region (fluxprofile extra)."""
        return self._stored("solid_angle")

    @property
    def sqrt_ts(self) -> ProfileQuantity:
        """Signed sqrt(TS): stored, else ``±sqrt(max(ts, 0))`` with the sign of ``norm``."""
        if "sqrt_ts" in self._data:
            return self._stored("sqrt_ts")
        ts = np.clip(self._stored("ts").values, 0, None)
        with np.errstate(invalid="ignore"):
            root = np.sqrt(ts)
            values = np.where(self._filtered_values("norm") > 0, root, -root)
        return self._make("sqrt_ts", values, "")

    @property
    def is_ul(self) -> ProfileQuantity:
        """Upper-limit flags (Gammapy's rules, docs/flux_points.rst)."""
        if "is_ul" in self._data:
            return self._stored("is_ul")
        if self.has_any_ts and self.has_ul:
            with np.errstate(invalid="ignore"):
                values = self.sqrt_ts.values < self.sqrt_ts_threshold_ul
        elif self.has_ul:
            values = np.isfinite(self._data["norm_ul"])
        else:
            values = np.isnan(self._filtered_values("norm"))
        return self._make("is_ul", values, "")

    @is_ul.setter
    def is_ul(self, value: npt.ArrayLike) -> None:
        arr, _ = values_and_unit("is_ul", value)
        arr = arr.reshape(arr.shape[:2]) if arr.ndim == 4 else arr
        shape = (self._distance_axis.nbin, self._energy_axis.nbin)
        if arr.shape != shape:
            msg = f"is_ul must have shape {shape}, got {arr.shape}"
            raise ValueError(msg)
        self._data["is_ul"] = arr.astype(bool)
        self._units["is_ul"] = u.dimensionless_unscaled

    @property
    def npred_background(self) -> ProfileQuantity:
        """Predicted background counts ``npred - npred_excess``."""
        values = self._stored("npred").values - self._stored("npred_excess").values
        return self._make("npred_background", values, "", like="npred")

    @property
    def npred_excess_ref(self) -> ProfileQuantity:
        """Predicted excess counts of the reference model ``npred_excess / norm``."""
        with np.errstate(invalid="ignore", divide="ignore"):
            values = self._stored("npred_excess").values / self.norm.values[..., None]
        return self._make("npred_excess_ref", values, "", like="npred")

    def _npred_excess_times(self, name: str, norm_name: str) -> ProfileQuantity:
        ref = self.npred_excess_ref.values
        factor = getattr(self, norm_name).values[..., None]
        with np.errstate(invalid="ignore"):
            values = ref * factor
        return self._make(name, values, "", like="npred")

    @property
    def npred_excess_err(self) -> ProfileQuantity:
        """Predicted excess counts error ``npred_excess_ref * norm_err``."""
        return self._npred_excess_times("npred_excess_err", "norm_err")

    @property
    def npred_excess_errn(self) -> ProfileQuantity:
        """Predicted excess counts negative error ``npred_excess_ref * norm_errn``."""
        return self._npred_excess_times("npred_excess_errn", "norm_errn")

    @property
    def npred_excess_errp(self) -> ProfileQuantity:
        """Predicted excess counts positive error ``npred_excess_ref * norm_errp``."""
        return self._npred_excess_times("npred_excess_errp", "norm_errp")

    @property
    def npred_excess_ul(self) -> ProfileQuantity:
        """Predicted excess counts upper limit ``npred_excess_ref * norm_ul``."""
        return self._npred_excess_times("npred_excess_ul", "norm_ul")
