"""`FluxPoints`: the result of a flux profile estimation (Gammapy-compatible container).

The container stores the "likelihood" SED quantities (``norm``, ``norm_err``, ``ts``, ...)
per projected-distance bin and energy group and derives all other SED types (``dnde``,
``e2dnde``, ``flux``, ``eflux``) from the reference spectral model on access. It reads and
writes Gammapy's "profile" table format (ECSV or FITS).
"""

from __future__ import annotations

import copy as _copy
import warnings
from collections.abc import Mapping
from pathlib import Path
from statistics import NormalDist
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.io import fits
from astropy.table import Column, MaskedColumn, Table

from .axes import MapAxes, MapAxis
from .label_axis import LabelMapAxis
from .spectral import PowerLawSpectralModel, TemplateSpectralModel, as_spectral_model

__all__ = ["DEFAULT_UNIT", "FluxPoints", "ProfileQuantity"]

from ..vocabulary import (
    COMMON_QUANTITIES as _COMMON_QUANTITIES,
    DATASET_QUANTITIES as _DATASET_QUANTITIES,
    DEFAULT_UNIT,
    EXTRA_QUANTITIES as _EXTRA_QUANTITIES,
    FLUX_SED_TYPES as _FLUX_SED_TYPES,
    NORM_QUANTITIES as _NORM_QUANTITIES,
    SCAN_QUANTITIES as _SCAN_QUANTITIES,
    SED_TYPES as _SED_TYPES,
    STORABLE_QUANTITIES as _STORABLE,
    SUFFIXES_FLUX as _SUFFIXES_FLUX,
    SUFFIXES_LIKELIHOOD as _SUFFIXES_LIKELIHOOD,
)

_THREE_D = _DATASET_QUANTITIES + _SCAN_QUANTITIES
_BOOL_QUANTITIES = ("success", "is_ul")
_REQUIRED_COLUMNS = {
    "dnde": ("e_ref", "dnde"),
    "e2dnde": ("e_ref", "e2dnde"),
    "flux": ("e_min", "e_max", "flux"),
    "eflux": ("e_min", "e_max", "eflux"),
    "likelihood": (
        "e_min",
        "e_max",
        "e_ref",
        "ref_dnde",
        "ref_flux",
        "ref_eflux",
        "norm",
    ),
}
_SLICEABLE_AXES = ("projected-distance", "energy", "dataset", "norm")
_NO_REFERENCE_MSG = (
    "No reference model set for FluxMaps. Assuming point source with E^-2 spectrum."
)


def _optional_names(sed_type: str) -> tuple[str, ...]:
    suffixes = _SUFFIXES_LIKELIHOOD if sed_type == "likelihood" else _SUFFIXES_FLUX
    prefix = "norm" if sed_type == "likelihood" else sed_type
    return tuple(prefix + s for s in suffixes)


def _all_quantities(sed_type: str) -> tuple[str, ...]:
    """Quantities of a SED type in Gammapy's table column order."""
    first = "norm" if sed_type == "likelihood" else sed_type
    return (first, *_optional_names(sed_type), *_COMMON_QUANTITIES, *_EXTRA_QUANTITIES)


def _check_sed_type(sed_type: str) -> str:
    if sed_type not in _SED_TYPES:
        msg = f"sed_type must be one of {list(_SED_TYPES)}, got {sed_type!r}"
        raise ValueError(msg)
    return sed_type


_SB_QUANTITIES = (None, "err", "errn", "errp", "ul", "sensitivity")


def _check_per_solid_angle_sed_type(sed_type: str) -> str:
    if sed_type in ("likelihood", "norm"):
        msg = (
            f"per_solid_angle / surface brightness is not defined for sed_type {sed_type!r}: "
            "norms are dimensionless scale factors of the reference model fitted over the "
            "whole region, not quantities per unit solid angle; use sed_type 'dnde', "
            "'e2dnde', 'flux' or 'eflux'"
        )
        raise ValueError(msg)
    if sed_type not in _FLUX_SED_TYPES:
        msg = f"sed_type must be one of {list(_FLUX_SED_TYPES)}, got {sed_type!r}"
        raise ValueError(msg)
    return sed_type


def _check_format(format: str | None) -> str:
    if format is None:
        return "profile"
    if format != "profile":
        msg = f"format must be 'profile' (or None) for flux profiles, got {format!r}"
        raise ValueError(msg)
    return format


class ProfileQuantity:
    """One quantity of a `FluxPoints` object (light stand-in for Gammapy's RegionNDMap).

    Parameters
    ----------
    name : str
        Quantity name (e.g. "norm", "dnde", "counts").
    values : `~numpy.ndarray`
        Values of shape ``(n_x, n_energy)`` or ``(n_x, n_energy, n_k)`` (``n_k`` = number of
        datasets or of scan values). Kept without a copy.
    unit : str or `~astropy.units.Unit`
        Unit of the values.
    axes : sequence of `~fluxprofile.maps.MapAxis`
        Non-spatial axes in Gammapy order: ``[k-axis,] energy, projected-distance``.

    Notes
    -----
    ``data`` has Gammapy's shape: ``values`` followed by two length-1 spatial dimensions,
    e.g. ``(n_x, n_energy, 1, 1)`` for ``norm``. It is a view of ``values``.
    """

    def __init__(
        self, name: str, values: np.ndarray, unit: str | u.UnitBase, axes: list[MapAxis]
    ) -> None:
        self.name = name
        self._values = values
        self._unit = u.Unit(unit)
        self._axes = MapAxes(axes)

    @property
    def values(self) -> np.ndarray:
        """Values without the spatial dimensions, shape ``(n_x, n_energy[, n_k])``."""
        return self._values

    @property
    def data(self) -> np.ndarray:
        """Values in Gammapy's map layout, shape ``(n_x, n_energy[, n_k], 1, 1)``."""
        return self._values.reshape((*self._values.shape, 1, 1))

    @property
    def unit(self) -> u.UnitBase:
        """Unit of the values."""
        return self._unit

    @property
    def quantity(self) -> u.Quantity:
        """``data`` as a `~astropy.units.Quantity`."""
        return u.Quantity(self.data, self._unit, copy=False)

    @property
    def axes(self) -> MapAxes:
        """Non-spatial axes (Gammapy order: ``[k-axis,] energy, projected-distance``)."""
        return self._axes

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of ``data``."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """Data type of the values."""
        return self._values.dtype

    def to_value(self, unit: str | u.UnitBase | None = None) -> np.ndarray:
        """Values (``data`` layout) converted to ``unit``.

        Parameters
        ----------
        unit : str or `~astropy.units.Unit`, optional
            Target unit. Default is None (no conversion).

        Returns
        -------
        values : `~numpy.ndarray`
            Converted values.
        """
        if unit is None:
            return self.data
        return self.quantity.to_value(unit)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self.data
        if dtype is not None:
            data = data.astype(dtype, copy=False)
        return data.copy() if copy else data

    def __repr__(self) -> str:
        return (
            f"ProfileQuantity(name={self.name!r}, shape={self.shape}, unit={str(self.unit)!r}, "
            f"axes={self._axes.names})"
        )

    def plot(self, ax: Any = None, axis_name: str | None = None, **kwargs: Any) -> Any:
        """Plot the quantity along the profile axis (Gammapy's ``RegionNDMap.plot``).

        One `~matplotlib.axes.Axes.errorbar` series (markers "o", no line, x error bars
        spanning the bins) is drawn per bin of the other axes (energy, dataset / scan
        value), labelled by that bin; NaN values are not drawn. The y label
        ``"<name> [<unit>]"`` (``"<name>"`` if dimensionless) is set only if the axes
        have none yet.

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes to draw on. Default is None (current axes).
        axis_name : str, optional
            Axis along x. Default is None: the only axis with more than one bin, else
            "projected-distance".
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.errorbar` (``label`` replaces the default
            labels).

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
            The axes.

        Raises
        ------
        ValueError
            If ``axis_name`` is not an axis of the quantity.
        """
        from ..plotting.flux_points import plot_quantity

        return plot_quantity(
            self.name, self._values, self._unit, list(self._axes), ax=ax,
            axis_name=axis_name, **kwargs,
        )  # fmt: skip


def _as_array(name: str, value: Any) -> tuple[np.ndarray, u.UnitBase]:
    """Split a data value into an ndarray and a unit."""
    if isinstance(value, ProfileQuantity):
        return value.values, value.unit
    if isinstance(value, u.Quantity):
        return value.value, value.unit
    if isinstance(value, MaskedColumn | np.ma.MaskedArray):
        arr = np.ma.getdata(value)
        mask = np.ma.getmaskarray(value)
        if mask.any():
            arr = arr.copy()
            arr[mask] = False if arr.dtype == bool else np.nan
        return np.asarray(arr), u.Unit(getattr(value, "unit", None) or "")
    if isinstance(value, Column):
        return np.asarray(value.data), u.Unit(value.unit or "")
    try:
        return np.asarray(value), u.dimensionless_unscaled
    except (TypeError, ValueError) as err:
        msg = f"data[{name!r}] must be array-like, got {type(value).__name__}"
        raise TypeError(msg) from err


def _solid_angle_column(table: Table, name: str, column: Any) -> np.ndarray:
    """The ``solid_angle`` column in sr, needed to read a surface-brightness column."""
    if "solid_angle" not in table.colnames:
        msg = (
            f"column {name!r} is a surface brightness (unit {table[name].unit}) but the "
            "table has no 'solid_angle' column to convert it back to a flux"
        )
        raise ValueError(msg)
    omega, unit = column("solid_angle")
    if not unit.is_equivalent(u.sr):
        msg = f"column 'solid_angle' must be in units of solid angle, got {str(unit)!r}"
        raise ValueError(msg)
    return np.asarray(omega, dtype=np.float64) * unit.to(u.sr)


def _distance_node_column(axis: MapAxis) -> u.Quantity:
    """The ``x_node`` column: the centre of each distance bin as the axis defines it.

    For a centre-node axis (distances of the region centres) these are its nodes; for an
    edge axis (path boxes) the centres of its bins. Gammapy's ``x_ref`` is the midpoint of
    ``x_min`` and ``x_max`` instead (docs/profile_files.rst).
    """
    return axis.center


def _distance_axis_from_table(table: Table) -> MapAxis:
    """The projected-distance axis of a profile table (docs/profile_files.rst).

    Without fluxprofile's ``x_node`` column (tables written by Gammapy) the nodes are
    ``x_ref``, as Gammapy reads them. With it, the axis written is rebuilt bit for bit:
    the centre-node axis with nodes ``x_node`` if its edges are ``x_min``/``x_max``, else
    the edge axis of ``x_min``/``x_max`` if its bin centres are ``x_node`` (path boxes),
    else (rows cut out of a table) the centre-node axis of ``x_node``, provided each node
    lies in its bin.
    """
    if "x_node" not in table.colnames:
        return _axis_or_error(table["x_ref"].quantity, "center", "x_ref")
    missing = [c for c in ("x_min", "x_max") if c not in table.colnames]
    if missing:
        msg = f"a profile table with an 'x_node' column needs the columns {missing} too"
        raise ValueError(msg)
    unit = table["x_node"].quantity.unit
    node, lo, hi = (
        np.asarray(table[c].quantity.to_value(unit), dtype=np.float64)
        for c in ("x_node", "x_min", "x_max")
    )
    centred = _axis_or_error(node * unit, "center", "x_node")
    edges = np.append(lo, hi[-1:])
    if np.array_equal(centred.edges.value, edges) and np.array_equal(lo[1:], hi[:-1]):
        return centred
    if np.array_equal(lo[1:], hi[:-1]) and np.all(np.diff(edges) > 0):
        edged = _axis_or_error(edges * unit, "edges", "x_min/x_max")
        if np.array_equal(edged.center.value, node):
            return edged
    # a node lies inside its bin; allow the last bits of rounding of the edges
    slack = 4 * np.spacing(np.maximum(np.abs(lo), np.abs(hi)))
    outside = np.flatnonzero((node < lo - slack) | (node > hi + slack))
    if outside.size:
        k = int(outside[0])
        msg = (
            f"column 'x_node' does not fit the bins of the table: row {k} has x_node "
            f"{node[k]} outside [x_min, x_max] = [{lo[k]}, {hi[k]}] {unit}; remove the "
            "x_node column to rebuild the axis from x_ref as Gammapy does"
        )
        raise ValueError(msg)
    return centred


def _axis_or_error(values: u.Quantity, node_type: str, column: str) -> MapAxis:
    try:
        return MapAxis(
            values, name="projected-distance", node_type=node_type, interp="lin"
        )
    except ValueError as err:
        msg = f"profile table column {column!r} does not define a distance axis: {err}"
        raise ValueError(msg) from err


def _flat_if_equal(values: u.Quantity | np.ndarray, colname: str) -> Any:
    """First row of a per-row column, checking that all rows are identical."""
    if values.ndim == 1:
        return values
    if not np.all(values == values[0]):
        msg = f"column {colname!r} must be identical in all rows of a profile table"
        raise ValueError(msg)
    return values[0]


class FluxPoints:
    """Flux points along a profile: the result of `FluxProfileEstimator`.

    Stores the "likelihood" SED quantities on the axes ``energy`` x ``projected-distance``
    and converts them to the other SED types with the reference spectral model (Gammapy
    semantics, see SEMANTICS.md §4).

    Parameters
    ----------
    data : dict of str to array-like
        Stored quantities. Keys (any subset, ``norm`` required): norm, norm_err, norm_errn,
        norm_errp, norm_ul, norm_sensitivity, ts, sqrt_ts, npred, npred_excess, stat,
        stat_null, stat_scan, niter, is_ul, counts, success, n_dof, npix, solid_angle.
        Scalar quantities have shape ``(n_x, n_energy)``; counts, npred and npred_excess
        ``(n_x, n_energy, n_dataset)``; stat_scan ``(n_x, n_energy, n_scan)``. Gammapy map
        shapes (with two trailing length-1 spatial dimensions) are accepted too. Arrays are
        stored without a copy; `~astropy.units.Quantity` values keep their unit.
    energy_axis : `~fluxprofile.maps.MapAxis`
        Energy axis (edges of the energy groups).
    distance_axis : `~fluxprofile.maps.MapAxis`
        Projected-distance axis (centre nodes).
    reference_model : `~fluxprofile.models.SpectralModel` or None
        Reference spectral model used for the SED conversions (anything accepted by
        `~fluxprofile.models.as_spectral_model`, or an object with a ``spectral_model``
        attribute such as a Gammapy SkyModel). None means a power law of index 2.
    meta : dict, optional
        Meta data. Default is None: ``{"n_sigma": 1, "n_sigma_ul": 2, "sed_type_init":
        "likelihood", "SED_TYPE": "likelihood"}``. A given dict is copied and gets
        ``sed_type_init`` "likelihood" if missing.
    norm_scan : array-like, optional
        Norm values of the likelihood scan (required with ``stat_scan``). Default is None.
    dataset_names : list of str, optional
        Names of the datasets (third axis of counts/npred/npred_excess). Default is None.
    gti : `~astropy.table.Table`, optional
        Good time intervals, written to the "GTI" HDU of FITS files. Default is None.
    filter_success_nan : bool, optional
        Set norm and norm_err to NaN where ``success`` is False. Default is True.

    Raises
    ------
    TypeError
        If ``data`` is not a mapping or an axis is not a `~fluxprofile.maps.MapAxis`.
    ValueError
        For a missing ``norm``, an unknown key or inconsistent shapes.

    Examples
    --------
    >>> import numpy as np
    >>> import astropy.units as u
    >>> from fluxprofile.maps import MapAxis
    >>> from fluxprofile.models import PowerLawSpectralModel
    >>> from fluxprofile.points import FluxPoints
    >>> energy = MapAxis.from_energy_edges([10, 500] * u.GeV)
    >>> distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    >>> fp = FluxPoints({"norm": np.ones((3, 1))}, energy, distance, PowerLawSpectralModel())
    >>> fp.dnde.data.shape
    (3, 1, 1, 1)
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
            if name not in _STORABLE:
                msg = f"data key {name!r} is not a known quantity; valid keys are {list(_STORABLE)}"
                raise ValueError(msg)
            arr, unit = _as_array(name, value)
            ndim = 3 if name in _THREE_D else 2
            if arr.ndim == ndim + 2 and arr.shape[-2:] == (1, 1):
                arr = arr.reshape(arr.shape[:-2])
            if arr.ndim != ndim or arr.shape[:2] != (n_x, n_e):
                expected = f"({n_x}, {n_e}{', n' if ndim == 3 else ''})"
                msg = f"data[{name!r}] must have shape {expected}, got {arr.shape}"
                raise ValueError(msg)
            if name in _DATASET_QUANTITIES:
                if n_dataset is not None and arr.shape[2] != n_dataset:
                    msg = (
                        f"data[{name!r}] has {arr.shape[2]} datasets, other quantities "
                        f"have {n_dataset}"
                    )
                    raise ValueError(msg)
                n_dataset = arr.shape[2]
            if name in _SCAN_QUANTITIES:
                if self._norm_scan is None:
                    msg = "norm_scan is required with data['stat_scan']"
                    raise ValueError(msg)
                if arr.shape[2] != self._norm_scan.size:
                    msg = (
                        f"data[{name!r}] has {arr.shape[2]} scan values, norm_scan has "
                        f"{self._norm_scan.size}"
                    )
                    raise ValueError(msg)
            if name in _BOOL_QUANTITIES and arr.dtype != bool:
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

        if reference_model is None:
            reference_model = PowerLawSpectralModel(index=2)
        elif hasattr(reference_model, "spectral_model"):
            reference_model = reference_model.spectral_model
        self._reference_model = as_spectral_model(reference_model)

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
        self.gti = gti
        self.filter_success_nan = bool(filter_success_nan)

    # ---- axes and meta -----------------------------------------------------------------
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
        """Dataset axis: the dataset names as a `~fluxprofile.maps.LabelMapAxis` when known
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
    def n_sigma(self) -> Any:
        """Number of sigma of the errors (meta ``n_sigma``, default 1)."""
        return self.meta.get("n_sigma", 1)

    @property
    def n_sigma_ul(self) -> Any:
        """Number of sigma of the upper limits (meta ``n_sigma_ul``, None if unknown)."""
        return self.meta.get("n_sigma_ul")

    @property
    def sqrt_ts_threshold_ul(self) -> Any:
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
    def reference_model(self) -> Any:
        """Reference spectral model used for the SED conversions."""
        return self._reference_model

    @property
    def reference_spectral_model(self) -> Any:
        """Reference spectral model (same as `reference_model`)."""
        return self._reference_model

    @property
    def available_quantities(self) -> list[str]:
        """Names of the stored quantities, in storage order."""
        return list(self._data)

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

    @property
    def is_convertible_to_flux_sed_type(self) -> bool:
        """Whether integral SED types (flux, eflux) can be computed (energy edges known)."""
        if self.sed_type_init in ("dnde", "e2dnde"):
            return self._energy_axis.node_type == "edges"
        return True

    # ---- quantity access ----------------------------------------------------------------
    def _axes_for(self, name: str) -> list[MapAxis]:
        axes = [self._energy_axis, self._distance_axis]
        if name in _DATASET_QUANTITIES:
            axes.insert(0, self.dataset_axis)
        elif name in _SCAN_QUANTITIES:
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
    def has_solid_angle(self) -> bool:
        """Whether the solid angle of every bin is known (surface brightness available)."""
        return "solid_angle" in self._data

    def _solid_angle_sr(self) -> np.ndarray:
        """Solid angle of every bin in sr, NaN where it is not positive (empty regions)."""
        if not self.has_solid_angle:
            msg = (
                "surface brightness needs the solid angle of every profile bin, which these "
                "flux points do not have (e.g. a profile written by Gammapy, or one made "
                "without fluxprofile's estimator); stored quantities: "
                f"{self.available_quantities}"
            )
            raise ValueError(msg)
        unit = self._units["solid_angle"]
        if not unit.is_equivalent(u.sr):
            msg = f"solid_angle must be in units of solid angle (e.g. sr), got unit {str(unit)!r}"
            raise ValueError(msg)
        omega = np.asarray(self._data["solid_angle"], dtype=np.float64) * unit.to(u.sr)
        with np.errstate(invalid="ignore"):
            return np.where(omega > 0, omega, np.nan)

    def surface_brightness(
        self, sed_type: str = "flux", quantity: str | None = None
    ) -> ProfileQuantity:
        """A flux-like quantity divided by the solid angle of each profile bin.

        Parameters
        ----------
        sed_type : {"flux", "eflux", "dnde", "e2dnde"}, optional
            SED type. Default is "flux".
        quantity : {None, "err", "errn", "errp", "ul", "sensitivity"}, optional
            Which quantity of the SED type: the values (None), the errors, the upper
            limits or the sensitivity, e.g. ``quantity="ul"`` gives ``flux_ul`` per
            solid angle. Default is None.

        Returns
        -------
        surface_brightness : `ProfileQuantity`
            Named like the flux quantity (e.g. "flux_ul"), in the unit of the SED type
            per sr (e.g. cm-2 s-1 sr-1), shape ``(n_x, n_energy)``. Bins whose solid
            angle is zero (regions without pixels) are NaN.

        Raises
        ------
        ValueError
            For "likelihood"/"norm" (norms are scale factors of the reference model
            fitted over the whole region: they are not per unit solid angle), an
            unknown SED type or quantity, or flux points without the ``solid_angle``
            of their bins.
        AttributeError
            If the requested quantity is not stored (e.g. no upper limits).

        Examples
        --------
        >>> import numpy as np
        >>> import astropy.units as u
        >>> from fluxprofile.maps import MapAxis
        >>> from fluxprofile.points import FluxPoints
        >>> energy = MapAxis.from_energy_edges([10, 500] * u.GeV)
        >>> distance = MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
        >>> data = {"norm": np.ones((2, 1)), "solid_angle": [[1e-4], [2e-4]] * u.sr}
        >>> fp = FluxPoints(data, energy, distance)
        >>> sb = fp.surface_brightness("flux")
        >>> sb.unit
        Unit("1 / (s sr cm2)")
        >>> bool(np.allclose(sb.values, fp.flux.values / [[1e-4], [2e-4]]))
        True
        """
        _check_per_solid_angle_sed_type(sed_type)
        if quantity not in _SB_QUANTITIES:
            msg = f"quantity must be one of {list(_SB_QUANTITIES)}, got {quantity!r}"
            raise ValueError(msg)
        omega = self._solid_angle_sr()
        name = sed_type if quantity is None else f"{sed_type}_{quantity}"
        flux = getattr(self, name)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = flux.values / omega
        return self._make(name, values, flux.unit / u.sr)

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
        """Upper-limit flags (Gammapy rules, SEMANTICS.md §4.2)."""
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
        arr, _ = _as_array("is_ul", value)
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

    # ---- reference fluxes ---------------------------------------------------------------
    def _check_convertible(self, sed_type: str) -> None:
        if not self.is_convertible_to_flux_sed_type:
            msg = f"Missing energy range definition, cannot convert to SED type {sed_type!r}."
            raise ValueError(msg)

    @property
    def dnde_ref(self) -> u.Quantity:
        """Reference dN/dE at the energy-axis centres (cm-2 s-1 TeV-1), shape (n_energy,)."""
        energy = self._energy_axis.center
        return self._reference_model(energy).to(DEFAULT_UNIT["dnde"])

    @property
    def e2dnde_ref(self) -> u.Quantity:
        """Reference E² dN/dE at the energy-axis centres (erg cm-2 s-1)."""
        energy = self._energy_axis.center
        return (self._reference_model(energy) * energy**2).to(DEFAULT_UNIT["e2dnde"])

    @property
    def flux_ref(self) -> u.Quantity:
        """Reference integral flux of each energy group (cm-2 s-1)."""
        self._check_convertible("flux")
        edges = self._energy_axis.edges
        with np.errstate(invalid="ignore", divide="ignore"):
            flux = self._reference_model.integral(edges[:-1], edges[1:])
        return flux.to(DEFAULT_UNIT["flux"])

    @property
    def eflux_ref(self) -> u.Quantity:
        """Reference energy flux of each energy group (erg cm-2 s-1)."""
        self._check_convertible("eflux")
        edges = self._energy_axis.edges
        with np.errstate(invalid="ignore", divide="ignore"):
            eflux = self._reference_model.energy_flux(edges[:-1], edges[1:])
        return eflux.to(DEFAULT_UNIT["eflux"])

    def _sed_quantity(self, name: str) -> ProfileQuantity:
        sed_type, _, suffix = name.partition("_")
        norm = getattr(self, "norm" + ("_" + suffix if suffix else ""))
        ref = getattr(self, f"{sed_type}_ref")
        with np.errstate(invalid="ignore"):
            values = norm.values * ref.value
        return self._make(name, values, ref.unit)

    # ---- item access and printing -------------------------------------------------------
    def __getitem__(self, item: str) -> Any:
        if not isinstance(item, str):
            msg = f"FluxPoints item must be a quantity name (str), got {type(item).__name__}"
            raise TypeError(msg)
        if item not in _QUANTITY_NAMES:
            msg = f"{item!r} is not a FluxPoints quantity"
            raise KeyError(msg)
        return getattr(self, item)

    def __str__(self) -> str:
        name = type(self).__name__
        shape = (1, 1, self._energy_axis.nbin, self._distance_axis.nbin)
        lines = [
            ("geom", "RegionGeom"),
            ("axes", ["lon", "lat", "energy", "projected-distance"]),
            ("shape", shape),
            ("quantities", self.available_quantities),
            ("ref. model", self._reference_model.tag[-1]),
            ("n_sigma", self.n_sigma),
            ("n_sigma_ul", self.n_sigma_ul),
            ("sqrt_ts_threshold_ul", self.sqrt_ts_threshold_ul),
            ("sed type init", self.sed_type_init),
        ]
        text = f"{name}\n{'-' * len(name)}\n\n"
        text += "".join(f"\t{label:23}: {value}\n" for label, value in lines)
        return text.expandtabs(tabsize=2)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(n_distance={self._distance_axis.nbin}, "
            f"n_energy={self._energy_axis.nbin}, quantities={self.available_quantities})"
        )

    # ---- tables -------------------------------------------------------------------------
    def to_table(
        self,
        sed_type: str | None = None,
        format: str | None = "profile",
        formatted: bool = False,
        per_solid_angle: bool = False,
    ) -> Table:
        """Profile table: one row per projected-distance bin, array cells over energy.

        Parameters
        ----------
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type of the flux columns. Default is None (``sed_type_init``).
        format : {"profile"}, optional
            Table format (None is "profile"). Default is "profile".
        formatted : bool, optional
            Set display formats (".3e" for fluxes, ".3f" for norm/ts/stat/energies).
            Default is False.
        per_solid_angle : bool, optional
            Surface brightness: divide the flux-like columns of the SED type (e.g.
            flux, flux_err, flux_errn, flux_errp, flux_ul, flux_sensitivity) by the
            solid angle of each bin; their units get "sr-1" (see `surface_brightness`).
            Default is False.

        Returns
        -------
        table : `~astropy.table.Table`
            Columns x_min, x_max, x_ref, e_ref, e_min, e_max, then the SED columns in
            Gammapy's order (SEMANTICS.md §4.3), with Gammapy's values (x_ref is the
            midpoint of x_min and x_max, not the node); then fluxprofile's ``x_node``
            (the exact nodes of the distance axis, so that `from_table` rebuilds it
            bit for bit; docs/profile_files.rst) and ``npix`` and ``solid_angle`` (sr)
            when known. The meta is empty.

        Raises
        ------
        ValueError
            For an unknown ``sed_type`` or ``format``; with ``per_solid_angle`` for the
            "likelihood" SED type (norms are not per solid angle) or for flux points
            without the solid angle of their bins.
        """
        if sed_type is None:
            sed_type = self.sed_type_init
        _check_sed_type(sed_type)
        _check_format(format)
        per_sr_names: tuple[str, ...] = ()
        if per_solid_angle:
            _check_per_solid_angle_sed_type(sed_type)
            self._solid_angle_sr()  # fails early without solid angles
            per_sr_names = (sed_type, *_optional_names(sed_type))
        n_x, n_e = self._distance_axis.nbin, self._energy_axis.nbin
        columns: dict[str, Column] = {}

        def add(name: str, values: Any, unit: Any) -> None:
            columns[name] = Column(np.asarray(values), name=name, unit=unit)

        edges = self._distance_axis.edges
        x_min, x_max = edges[:-1], edges[1:]
        add("x_min", x_min.value, x_min.unit)
        add("x_max", x_max.value, x_max.unit)
        x_ref = (x_max + x_min) / 2
        add("x_ref", x_ref.value, x_ref.unit)

        def per_row(values: u.Quantity) -> np.ndarray:
            return np.broadcast_to(values.value, (n_x, n_e))

        add("e_ref", per_row(self.energy_ref), self._energy_axis.unit)
        if self.is_convertible_to_flux_sed_type:
            add("e_min", per_row(self.energy_min), self._energy_axis.unit)
            add("e_max", per_row(self.energy_max), self._energy_axis.unit)

        if sed_type == "likelihood":
            for name in ("dnde", "flux", "eflux"):
                ref = getattr(self, f"{name}_ref")
                add(f"ref_{name}", per_row(ref), ref.unit)

        for name in _all_quantities(sed_type):
            if name in _EXTRA_QUANTITIES:
                continue  # after all of Gammapy's columns, below
            try:
                if name in per_sr_names:
                    suffix = name[len(sed_type) + 1 :] or None
                    quantity = self.surface_brightness(sed_type, suffix)
                else:
                    quantity = getattr(self, name)
            except AttributeError:
                continue
            add(name, quantity.values, quantity.unit)

        if self.has_stat_profiles:
            scan = np.broadcast_to(self._norm_scan, (n_x, n_e, self._norm_scan.size))
            add("norm_scan", scan, u.dimensionless_unscaled)
            for name in ("stat", "stat_scan"):
                if name in columns:
                    add(name, self._data[name], None)

        if "is_ul" in columns:
            if self.has_ul:
                add("is_ul", self.is_ul.values, None)
            else:
                del columns["is_ul"]

        # fluxprofile's columns come last, so that Gammapy's columns keep their order:
        # the exact axis nodes (docs/profile_files.rst), then the bin sizes.
        x_node = _distance_node_column(self._distance_axis)
        add("x_node", x_node.value, x_node.unit)
        for name in _EXTRA_QUANTITIES:
            if name in self._data:
                quantity = getattr(self, name)
                add(name, quantity.values, quantity.unit)

        table = Table(list(columns.values()))
        if formatted:
            self._format_table(table)
        return table

    @staticmethod
    def _format_table(table: Table) -> Table:
        for name in table.colnames:
            if name.startswith(("dnde", "eflux", "flux", "e2dnde", "ref")):
                table[name].format = ".3e"
            elif name.startswith(
                ("e_min", "e_max", "e_ref", "sqrt_ts", "norm", "ts", "stat")
            ):
                table[name].format = ".3f"
        return table

    @staticmethod
    def _guess_sed_type(colnames: list[str]) -> str | None:
        for sed_type in ("dnde", "e2dnde", "flux", "eflux", "likelihood"):
            if set(_REQUIRED_COLUMNS[sed_type]).issubset(colnames):
                return sed_type
        return None

    @classmethod
    def from_table(
        cls,
        table: Table,
        reference_model: Any = None,
        sed_type: str | None = None,
        format: str | None = "profile",
        gti: Any = None,
    ) -> FluxPoints:
        """Create flux points from a profile table (Gammapy ``FluxPoints.from_table``).

        Parameters
        ----------
        table : `~astropy.table.Table`
            Profile table (e.g. from `to_table` or `~astropy.table.Table.read`).
        reference_model : `~fluxprofile.models.SpectralModel`, optional
            Reference spectral model. Default is None: for "likelihood" tables a
            `~fluxprofile.models.TemplateSpectralModel` through (e_ref, ref_dnde); for the
            other SED types a power law of index 2, with a warning.
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type. Default is None (meta ``SED_TYPE``, else guessed from the columns).
        format : {"profile"}, optional
            Table format (None: guessed, "profile" when an ``x_min`` column exists).
            Default is "profile".
        gti : `~astropy.table.Table`, optional
            Good time intervals. Default is None.

        Returns
        -------
        flux_points : `FluxPoints`
            Flux points; stored sqrt_ts / is_ul columns become stored quantities. The
            distance axis is the one written when the table has fluxprofile's ``x_node``
            column, else (tables written by Gammapy) Gammapy's ``from_nodes(x_ref)``
            (docs/profile_files.rst).

        Raises
        ------
        ValueError
            For an unknown format or SED type, missing columns, energy columns that
            differ between rows, or an ``x_node`` column that does not fit the bins
            ``[x_min, x_max]`` (a table edited after it was written).
        """
        table = Table(table)
        if format is None and "x_min" not in table.colnames:
            msg = f"cannot infer the format of a table with columns {table.colnames}: no x_min"
            raise ValueError(msg)
        _check_format(format)
        if sed_type is None:
            sed_type = table.meta.get("SED_TYPE") or cls._guess_sed_type(table.colnames)
        if sed_type is None:
            msg = f"Specifying the SED type is required (columns: {table.colnames})"
            raise ValueError(msg)
        _check_sed_type(sed_type)
        missing = [
            c
            for c in ("x_ref", *_REQUIRED_COLUMNS[sed_type])
            if c not in table.colnames
        ]
        if missing:
            msg = f"Missing data / column for SED type {sed_type!r}: {missing}"
            raise ValueError(msg)

        if "e_min" in table.colnames and "e_max" in table.colnames:
            e_min = _flat_if_equal(table["e_min"].quantity, "e_min")
            e_max = _flat_if_equal(table["e_max"].quantity, "e_max")
            edges = np.concatenate([np.atleast_1d(e_min), np.atleast_1d(e_max)[-1:]])
            energy_axis = MapAxis.from_energy_edges(edges, name="energy")
        else:
            e_ref = np.atleast_1d(_flat_if_equal(table["e_ref"].quantity, "e_ref"))
            energy_axis = MapAxis.from_nodes(e_ref, name="energy", interp="log")
        distance_axis = _distance_axis_from_table(table)

        norm_scan = None
        if "norm_scan" in table.colnames:
            norm_scan = np.atleast_1d(
                _flat_if_equal(np.asarray(table["norm_scan"][0]), "norm_scan")
            )

        n_x, n_e = distance_axis.nbin, energy_axis.nbin

        def column(name: str) -> tuple[np.ndarray, u.UnitBase]:
            arr, unit = _as_array(name, table[name])
            if not arr.dtype.isnative:  # FITS data are big-endian
                arr = arr.astype(arr.dtype.newbyteorder("="))
            shape = (n_x, n_e, -1) if name in _THREE_D else (n_x, n_e)
            try:  # cells of one energy group may come back squeezed
                arr = arr.reshape(shape)
            except ValueError as err:
                msg = f"column {name!r} of shape {arr.shape} does not fit {(n_x, n_e)}"
                raise ValueError(msg) from err
            return arr, unit

        meta = dict(table.meta)
        conf_ul = table.meta.get("UL_CONF")
        if conf_ul:
            meta["n_sigma_ul"] = round(NormalDist().inv_cdf(1 - 0.5 * (1 - conf_ul)), 1)
        meta.setdefault("SED_TYPE", sed_type)
        meta["sed_type_init"] = meta["SED_TYPE"]

        data: dict[str, Any] = {}
        units: dict[str, u.UnitBase] = {}
        if sed_type == "likelihood":
            if reference_model is None:
                e_ref = np.atleast_1d(_flat_if_equal(table["e_ref"].quantity, "e_ref"))
                ref_dnde = np.atleast_1d(
                    _flat_if_equal(table["ref_dnde"].quantity, "ref_dnde")
                )
                reference_model = TemplateSpectralModel(energy=e_ref, values=ref_dnde)
            for name in _all_quantities(sed_type):
                if name in table.colnames:
                    data[name], units[name] = column(name)
        else:
            if reference_model is None:
                warnings.warn(_NO_REFERENCE_MSG, UserWarning, stacklevel=2)
                reference_model = PowerLawSpectralModel(index=2)
            probe = cls(
                {"norm": np.zeros((n_x, n_e))},
                energy_axis,
                distance_axis,
                reference_model,
            )
            probe.meta["sed_type_init"] = meta["sed_type_init"]
            ref = getattr(probe, f"{sed_type}_ref")
            for name in (sed_type, *_optional_names(sed_type)):
                if name in table.colnames:
                    arr, unit = column(name)
                    if not unit.is_equivalent(ref.unit) and unit.is_equivalent(
                        ref.unit / u.sr
                    ):
                        # surface brightness written with per_solid_angle=True
                        arr = arr * _solid_angle_column(table, name, column)
                        unit = unit * u.sr
                    with np.errstate(invalid="ignore", divide="ignore"):
                        data[name.replace(sed_type, "norm", 1)] = arr / ref.to_value(
                            unit
                        )
            for name in (*_COMMON_QUANTITIES, *_EXTRA_QUANTITIES):
                if name in table.colnames:
                    data[name], units[name] = column(name)

        new = cls(
            data,
            energy_axis,
            distance_axis,
            reference_model,
            meta=meta,
            norm_scan=norm_scan,
            gti=gti,
        )
        new._units.update(units)
        return new

    # ---- files --------------------------------------------------------------------------
    @classmethod
    def read(
        cls,
        filename: str | Path,
        sed_type: str | None = None,
        format: str | None = None,
        reference_model: Any = None,
        checksum: bool = False,
        **kwargs: Any,
    ) -> FluxPoints:
        """Read a profile written by `write` or by Gammapy (ECSV or FITS).

        Parameters
        ----------
        filename : str or `~pathlib.Path`
            File name (``$VARIABLES`` and ``~`` are expanded).
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type. Default is None (guessed from the columns).
        format : {"profile"}, optional
            Table format. Default is None (guessed).
        reference_model : `~fluxprofile.models.SpectralModel`, optional
            Reference spectral model. Default is None (see `from_table`).
        checksum : bool, optional
            Verify FITS checksums. Default is False.
        **kwargs : dict
            Passed to `~astropy.table.Table.read` for non-FITS files.

        Returns
        -------
        flux_points : `FluxPoints`
            The flux points, with ``npix`` and ``solid_angle`` when the file has them;
            surface-brightness columns (written with ``per_solid_angle=True``) are
            converted back to fluxes.

        Raises
        ------
        OSError
            If the file does not exist or cannot be read as a profile table.
        """
        import os

        path = Path(os.path.expandvars(str(filename))).expanduser()
        if not path.is_file():
            msg = f"flux points file not found: {str(path)!r}"
            raise OSError(msg)
        gti = None
        with path.open("rb") as fh:
            magic = fh.read(9)
        if magic.startswith((b"SIMPLE  =", b"\x1f\x8b")):
            try:
                with fits.open(path, checksum=checksum, memmap=False) as hdulist:
                    hdu = (
                        hdulist["FLUXPOINTS"] if "FLUXPOINTS" in hdulist else hdulist[1]
                    )
                    table = Table.read(hdu)
                    if "GTI" in hdulist:
                        gti = Table.read(hdulist["GTI"])
            except (OSError, IndexError, KeyError) as err:
                msg = f"cannot read flux points from FITS file {str(path)!r}: {err}"
                raise OSError(msg) from err
        else:
            kwargs.setdefault("format", "ascii.ecsv")
            try:
                table = Table.read(path, **kwargs)
            except Exception as err:
                msg = f"cannot read flux points table {str(path)!r}: {err}"
                raise OSError(msg) from err
        return cls.from_table(
            table,
            reference_model=reference_model,
            sed_type=sed_type,
            format=format,
            gti=gti,
        )

    def write(
        self,
        filename: str | Path,
        sed_type: str | None = None,
        format: str | None = "profile",
        overwrite: bool = False,
        checksum: bool = False,
        per_solid_angle: bool = False,
    ) -> None:
        """Write the profile table (FITS if ".fits" is a suffix of the name, else astropy).

        Parameters
        ----------
        filename : str or `~pathlib.Path`
            File name; ".fits"/".fits.gz" give Gammapy's FITS layout (empty primary HDU,
            "FLUXPOINTS" table, optional "GTI"); other suffixes use `~astropy.table.Table.write`
            (e.g. ".ecsv").
        sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
            SED type. Default is None (``sed_type_init``).
        format : {"profile"}, optional
            Table format. Default is "profile".
        overwrite : bool, optional
            Overwrite an existing file. Default is False.
        checksum : bool, optional
            Add FITS DATASUM/CHECKSUM cards. Default is False.
        per_solid_angle : bool, optional
            Write surface brightness (see `to_table`). `read` recognises the "sr-1"
            units and converts back with the ``solid_angle`` column; Gammapy cannot read
            such a file as flux points. Default is False.

        Notes
        -----
        fluxprofile's ``x_node`` (exact distance nodes), ``npix`` and ``solid_angle``
        (FITS TUNIT "sr") columns come after Gammapy's columns; Gammapy ignores them and
        `read` restores the distance axis, ``npix`` and ``solid_angle`` exactly
        (docs/profile_files.rst).

        Raises
        ------
        OSError
            If the file exists and ``overwrite`` is False.
        ValueError
            See `to_table`.
        """
        import os

        path = Path(os.path.expandvars(str(filename))).expanduser()
        if path.exists() and not overwrite:
            msg = f"file {str(path)!r} already exists (use overwrite=True)"
            raise OSError(msg)
        table = self.to_table(
            sed_type=sed_type, format=format, per_solid_angle=per_solid_angle
        )
        if ".fits" not in path.suffixes:
            table.write(path, overwrite=overwrite)
            return
        hdus = [fits.PrimaryHDU(), fits.BinTableHDU(table, name="FLUXPOINTS")]
        if self.gti is not None:
            if hasattr(self.gti, "to_table_hdu"):
                hdus.append(self.gti.to_table_hdu())
            else:
                hdus.append(fits.BinTableHDU(Table(self.gti), name="GTI"))
        fits.HDUList(hdus).writeto(path, overwrite=overwrite, checksum=checksum)

    # ---- plots ------------------------------------------------------------------------
    def plot(
        self,
        ax: Any = None,
        sed_type: str | None = None,
        energy_power: float = 0,
        axis_name: str | None = None,
        per_solid_angle: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Plot the profile: points with error bars and upper-limit arrows.

        Drawn as Gammapy 2.1 draws flux points (SEMANTICS.md §4.7): y is the SED
        quantity in its default unit (NaN where the fit failed, not drawn); errors are
        symmetric (``_err``) or asymmetric (``_errn``/``_errp``) when stored; points
        flagged ``is_ul`` are drawn at the upper limit with a downward arrow to half of
        it. One series per bin of the other axis, x error bars spanning the bins,
        log y scale, a legend.

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes to draw on. Default is None (current axes).
        sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
            SED type. Default is None ("dnde" for likelihood points, else the SED type
            the points were read with).
        energy_power : float, optional
            Multiply the values by E^energy_power (E = energy-bin centre, in the energy
            unit of the SED type). Default is 0.
        axis_name : {"projected-distance", "energy"}, optional
            Axis along x. Default is None: the only axis with more than one bin, else
            "projected-distance" (Gammapy raises there).
        per_solid_angle : bool, optional
            Plot the surface brightness (values, errors and upper limits divided by the
            solid angle of each bin, y unit with "sr-1"). Default is False.
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.errorbar` (e.g. ``color``, ``label``).

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
            The axes.

        Raises
        ------
        ValueError
            For an unknown SED type or axis name; with ``per_solid_angle`` for
            ``sed_type="norm"`` or without solid angles.
        """
        from ..plotting.flux_points import plot_flux_points

        return plot_flux_points(
            self,
            ax=ax,
            sed_type=sed_type,
            energy_power=energy_power,
            axis_name=axis_name,
            per_solid_angle=per_solid_angle,
            **kwargs,
        )

    def plot_ts_profiles(
        self,
        ax: Any = None,
        sed_type: str | None = None,
        add_cbar: bool = True,
        axis_name: str | None = None,
        per_solid_angle: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Plot the likelihood scans as an image of -Δstat behind the points.

        For each profile bin the fit-statistic difference ``stat_scan - stat`` is
        interpolated (Gammapy's "stat-profile" scaling) on 500 y values from
        ``norm_scan[0] * min(ref)`` to ``norm_scan[-1] * max(ref)``; cells below -4
        are left blank (SEMANTICS.md §4.7).

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes to draw on. Default is None (current axes).
        sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
            SED type of the y axis. Default is None (as `plot`).
        add_cbar : bool, optional
            Add a colour bar "Fit statistic difference". Default is True.
        axis_name : {"projected-distance", "energy"}, optional
            Axis along x. Default is None (the axis with more than one bin).
        per_solid_angle : bool, optional
            y axis in surface brightness (sr-1), each bin scaled by its own solid
            angle. Default is False.
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.pcolormesh` (defaults vmin -4, vmax 0,
            cmap "Blues", zorder 0, linewidths 0, shading "auto").

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
            The axes.

        Raises
        ------
        ValueError
            Without ``stat_scan`` or when more than one axis has several bins (slice
            one energy bin first with `slice_by_idx`); with ``per_solid_angle`` for
            ``sed_type="norm"`` or without solid angles.
        """
        from ..plotting.ts_profiles import plot_ts_profiles

        return plot_ts_profiles(
            self,
            ax=ax,
            sed_type=sed_type,
            add_cbar=add_cbar,
            axis_name=axis_name,
            per_solid_angle=per_solid_angle,
            **kwargs,
        )

    # ---- copies and slices --------------------------------------------------------------
    def copy(self, reference_model: Any = None) -> FluxPoints:
        """Deep copy.

        Parameters
        ----------
        reference_model : `~fluxprofile.models.SpectralModel`, optional
            New reference model (changes all converted fluxes; a warning is emitted).
            Default is None (copy of the current model).

        Returns
        -------
        flux_points : `FluxPoints`
            The copy.
        """
        new = _copy.deepcopy(self)
        if reference_model is not None:
            if hasattr(reference_model, "spectral_model"):
                reference_model = reference_model.spectral_model
            new._reference_model = as_spectral_model(reference_model).copy()
            warnings.warn(
                "Changing the reference model will change the fluxes. Handle with care.",
                UserWarning,
                stacklevel=2,
            )
        return new

    def slice_by_idx(self, slices: Mapping[str, slice | int]) -> FluxPoints:
        """Select bins along axes by index.

        Parameters
        ----------
        slices : dict of str to slice or int
            Axis name ("energy", "projected-distance", "dataset" or "norm") to a step-1
            slice or an int. Unlike Gammapy, an int keeps the axis with one bin.

        Returns
        -------
        flux_points : `FluxPoints`
            Sliced copy sharing the reference model and gti, with a copy of meta.

        Raises
        ------
        ValueError
            For an unknown axis name, or a slice selecting no bin.
        """
        energy_axis, distance_axis = self._energy_axis, self._distance_axis
        index = [slice(None)] * 3
        dataset_idx, norm_idx = slice(None), slice(None)
        norm_scan = self._norm_scan
        dataset_names = self._dataset_names
        for name, idx in slices.items():
            if name not in _SLICEABLE_AXES:
                msg = f"slices: unknown axis {name!r}; valid axes are {list(_SLICEABLE_AXES)}"
                raise ValueError(msg)
            if name == "energy":
                index[1] = self._as_slice(idx, self._energy_axis.nbin)
                energy_axis = energy_axis.slice(index[1])
            elif name == "projected-distance":
                index[0] = self._as_slice(idx, self._distance_axis.nbin)
                distance_axis = distance_axis.slice(index[0])
            elif name == "dataset":
                dataset_idx = self._as_slice(idx, self._n_dataset)
                if dataset_names is not None:
                    dataset_names = dataset_names[dataset_idx]
            else:
                if norm_scan is None:
                    msg = (
                        "slices: cannot slice axis 'norm' of flux points without a scan"
                    )
                    raise ValueError(msg)
                norm_idx = self._as_slice(idx, norm_scan.size)
                norm_scan = norm_scan[norm_idx]
        data = {}
        for key, values in self._data.items():
            third = dataset_idx if key in _DATASET_QUANTITIES else norm_idx
            sl = (
                (index[0], index[1], third)
                if values.ndim == 3
                else (index[0], index[1])
            )
            data[key] = values[sl]
        new = type(self)(
            data,
            energy_axis,
            distance_axis,
            self._reference_model,
            meta=dict(self.meta),
            norm_scan=norm_scan,
            dataset_names=dataset_names,
            gti=self.gti,
            filter_success_nan=self.filter_success_nan,
        )
        new._units.update(self._units)
        return new

    @staticmethod
    def _as_slice(idx: slice | int, nbin: int) -> slice:
        if isinstance(idx, (int, np.integer)):
            i = int(idx) + nbin if idx < 0 else int(idx)
            if not 0 <= i < nbin:
                msg = f"slices: index {idx} out of range for an axis with {nbin} bins"
                raise ValueError(msg)
            return slice(i, i + 1)
        if not isinstance(idx, slice):
            msg = f"slices: expected a slice or an int, got {type(idx).__name__}"
            raise TypeError(msg)
        start, stop, step = idx.indices(nbin)
        if step != 1 or stop <= start:
            msg = f"slices: {idx} must select at least one bin with step 1 (axis has {nbin})"
            raise ValueError(msg)
        return slice(start, stop)


def _make_sed_property(name: str) -> property:
    sed_type, _, suffix = name.partition("_")
    what = {"": "values", "err": "errors (x n_sigma)", "errn": "negative errors",
            "errp": "positive errors", "ul": "upper limits",
            "sensitivity": "sensitivity"}[suffix]  # fmt: skip

    def getter(self: FluxPoints) -> ProfileQuantity:
        return self._sed_quantity(name)

    getter.__doc__ = (
        f"{sed_type} {what}: ``norm{'_' + suffix if suffix else ''} * {sed_type}_ref`` "
        f"in {DEFAULT_UNIT[sed_type]}."
    )
    return property(getter)


for _sed in _FLUX_SED_TYPES:
    for _suffix in ("", *_SUFFIXES_LIKELIHOOD):
        setattr(FluxPoints, _sed + _suffix, _make_sed_property(_sed + _suffix))
del _sed, _suffix

_QUANTITY_NAMES = frozenset(
    (
        *_STORABLE,
        "ts_scan",
        "npred_background",
        "npred_excess_ref",
        "npred_excess_err",
        "npred_excess_errn",
        "npred_excess_errp",
        "npred_excess_ul",
        *(f"{sed}_ref" for sed in _FLUX_SED_TYPES),
        *(sed + s for sed in _FLUX_SED_TYPES for s in ("", *_SUFFIXES_LIKELIHOOD)),
    )
)
