"""Flux profiles along an axis: points with error bars and upper-limit arrows, drawn as
Gammapy 2.1 draws flux points (docs/flux_points.rst). matplotlib is imported inside the
functions only."""

from __future__ import annotations

from itertools import product
from typing import Any

import astropy.units as u
import numpy as np

from ..datamodel.axes import MapAxis
from ..vocabulary import DEFAULT_UNIT, PLOT_SED_TYPES
from .labels import axis_plot_labels, format_plot_xaxis, quantity_label

__all__ = [
    "check_plot_sed_type",
    "plot_along_axis",
    "plot_flux_points",
    "plot_quantity",
    "resolve_plot_axis",
]


def check_plot_sed_type(sed_type: str) -> str:
    """``sed_type`` if a profile plot can show it on its y axis.

    Parameters
    ----------
    sed_type : str
        Requested SED type.

    Returns
    -------
    sed_type : str
        The same SED type.

    Raises
    ------
    ValueError
        If it is not one of `~fluxprofile.vocabulary.PLOT_SED_TYPES`.
    """
    if sed_type not in PLOT_SED_TYPES:
        names = ", ".join(repr(name) for name in PLOT_SED_TYPES)
        msg = f"sed_type must be one of {names}, got {sed_type!r}"
        raise ValueError(msg)
    return sed_type


def resolve_plot_axis(axes: list[MapAxis], axis_name: str | None) -> MapAxis:
    """The axis to plot along.

    Parameters
    ----------
    axes : list of `~fluxprofile.MapAxis`
        Non-spatial axes of the plotted quantity.
    axis_name : str or None
        Requested axis. None picks the only axis with more than one bin, the longest
        axis if all have one bin (Gammapy's rule), and "projected-distance" if several
        axes have more than one bin (where Gammapy raises). Label axes (dataset
        names) are never plotted along x.

    Returns
    -------
    axis : `~fluxprofile.MapAxis`
        The axis.

    Raises
    ------
    ValueError
        If ``axis_name`` is not one of the axes.
    """
    axes = [axis for axis in axes if isinstance(axis, MapAxis)]  # no label axes along x
    names = [axis.name for axis in axes]
    if axis_name is None:
        long_axes = [axis for axis in axes if axis.nbin > 1]
        if len(long_axes) == 1:
            return long_axes[0]
        if not long_axes:
            return axes[int(np.argmax([axis.nbin for axis in axes]))]
        axis_name = "projected-distance"
    if axis_name not in names:
        msg = f"axis_name must be one of {names}, got {axis_name!r}"
        raise ValueError(msg)
    return axes[names.index(axis_name)]


def _other_axes_labels(
    axes: list[MapAxis], axis: MapAxis, center_energy: bool
) -> list[str]:
    """Series labels: product of the other axes' bin labels (Gammapy's order).

    Unlike Gammapy, the integer "dataset" axis and the "norm" scan axis are labelled
    "dataset i" / "norm v", and left out when they have a single bin.
    """
    label_lists = []
    for other in axes:
        if other.name == axis.name:
            continue
        if other.name == "dataset":
            if other.nbin > 1:
                names = getattr(other, "labels", None) or [
                    f"dataset {i}" for i in range(other.nbin)
                ]
                label_lists.append(list(names))
            continue
        if other.name == "norm":
            if other.nbin > 1:
                label_lists.append([f"norm {v:.3g}" for v in other.center.value])
            continue
        use_center = True if (center_energy and other.name == "energy") else None
        label_lists.append(axis_plot_labels(other, use_center=use_center))
    return [" ".join(labels) for labels in product(*label_lists)]


def plot_along_axis(
    ax: Any,
    values: np.ndarray,
    axes: list[MapAxis],
    axis: MapAxis,
    yerr: tuple[np.ndarray, np.ndarray] | None = None,
    uplims: np.ndarray | None = None,
    center_energy: bool = False,
    **kwargs: Any,
) -> Any:
    """One `~matplotlib.axes.Axes.errorbar` call per bin of the other axes (RegionNDMap.plot).

    Parameters
    ----------
    ax : `~matplotlib.axes.Axes`
        Axes.
    values : `~numpy.ndarray`
        Values with one dimension per axis of ``axes``, in reversed order (fluxprofile
        layout: ``(n_x, n_energy[, n_k])`` for axes ``[k-axis,] energy, distance``).
    axes : list of `~fluxprofile.MapAxis`
        Axes in Gammapy order.
    axis : `~fluxprofile.MapAxis`
        The axis plotted along x.
    yerr : tuple of `~numpy.ndarray`, optional
        Lower and upper errors, same shape as ``values``. Default is None.
    uplims : `~numpy.ndarray`, optional
        Upper-limit flags, same shape as ``values``. Default is None.
    center_energy : bool, optional
        Label energy bins by their centre. Default is False.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.errorbar`; ``label`` replaces all labels.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.
    """
    # Gammapy axis order (first axis = last array dimension): move the plotted axis
    # to the front and flatten the others in Gammapy's iteration order.
    names = [a.name for a in axes]
    dim = len(axes) - 1 - names.index(axis.name)

    def arrange(array: np.ndarray) -> np.ndarray:
        array = np.moveaxis(np.asarray(array), dim, 0)
        # remaining dims are in reversed Gammapy order: reverse them for product order
        rest = tuple(range(array.ndim - 1, 0, -1))
        return array.transpose((0, *rest)).reshape(array.shape[0], -1)

    y = arrange(values)
    errn = errp = ul = None
    if yerr is not None:
        errn, errp = arrange(yerr[0]), arrange(yerr[1])
    if uplims is not None:
        ul = arrange(uplims)

    kwargs.setdefault("marker", "o")
    kwargs.setdefault("markersize", 4)
    kwargs.setdefault("ls", "None")
    center = axis.center.value
    kwargs.setdefault(
        "xerr", (center - axis.edges_min.value, axis.edges_max.value - center)
    )
    label_default = kwargs.pop("label", None)
    labels = _other_axes_labels(axes, axis, center_energy)
    for j in range(y.shape[1]):
        ax.errorbar(
            x=center,
            y=y[:, j],
            yerr=None if errn is None else (errn[:, j], errp[:, j]),
            uplims=None if ul is None else ul[:, j],
            label=labels[j] if label_default is None else label_default,
            **kwargs,
        )
    format_plot_xaxis(ax, axis)
    if "energy" in axis.name:
        ax.set_yscale("log", nonpositive="clip")
    return ax


def _energy_scale(
    fp: Any, unit: u.UnitBase, energy_power: float
) -> tuple[np.ndarray, u.UnitBase]:
    """Factor E^p (per energy bin) and the scaled unit, as Gammapy's scale_plot_flux."""
    energy = fp.energy_axis.center
    eunits = [b for b in unit.bases if b.physical_type == "energy"]
    eunit = eunits[0] if eunits else energy.unit
    factor = energy.to_value(eunit) ** energy_power
    return factor, unit * eunit**energy_power


def plot_flux_points(
    fp: Any,
    ax: Any = None,
    sed_type: str | None = None,
    energy_power: float = 0,
    axis_name: str | None = None,
    per_solid_angle: bool = False,
    **kwargs: Any,
) -> Any:
    """Flux points with errors and upper-limit arrows (see `FluxPoints.plot`).

    Parameters
    ----------
    fp : `~fluxprofile.FluxPoints`
        Flux points.
    ax : `~matplotlib.axes.Axes`, optional
        Axes. Default is None (current axes).
    sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
        SED type. Default is None (``fp.sed_type_plot_default``).
    energy_power : float, optional
        Multiply the fluxes by E^energy_power. Default is 0.
    axis_name : str, optional
        Axis along x. Default is None (see `resolve_plot_axis`).
    per_solid_angle : bool, optional
        Plot the surface brightness (`FluxPoints.surface_brightness`). Default is False.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.errorbar`.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.

    Raises
    ------
    ValueError
        For an unknown SED type or axis name; with ``per_solid_angle`` for
        ``sed_type="norm"`` or flux points without solid angles.
    """
    import matplotlib.pyplot as plt

    if sed_type is None:
        sed_type = fp.sed_type_plot_default
    check_plot_sed_type(sed_type)
    axes = [fp.energy_axis, fp.distance_axis]
    axis = resolve_plot_axis(axes, axis_name)
    unit = u.Unit(DEFAULT_UNIT[sed_type])
    if per_solid_angle:
        unit = unit / u.sr

        def get(suffix: str | None) -> np.ndarray:
            return fp.surface_brightness(sed_type, suffix).to_value(unit)[..., 0, 0]

        get(None)  # fails early (norm, no solid angle) before touching the axes
    else:

        def get(suffix: str | None) -> np.ndarray:
            name = sed_type if suffix is None else f"{sed_type}_{suffix}"
            return getattr(fp, name).to_value(unit)[..., 0, 0]

    if ax is None:
        ax = plt.gca()

    y = np.array(get(None), dtype=np.float64)
    errn = errp = None
    if "norm_err" in fp.available_quantities:
        errn = np.array(get("err"))
        errp = errn.copy()
    if "norm_errp" in fp.available_quantities:
        errn = np.array(get("errn"))
        errp = np.array(get("errp"))

    is_ul = np.asarray(fp.is_ul.values, dtype=bool)
    uplims = None
    if fp.has_ul and errn is not None and is_ul.any():
        flux_ul = get("ul")
        with np.errstate(invalid="ignore"):
            errn[is_ul] = np.clip(0.5 * flux_ul[is_ul], 0, np.inf)
        errp[is_ul] = 0
        y[is_ul] = flux_ul[is_ul]
        uplims = is_ul

    factor, plot_unit = _energy_scale(fp, unit, energy_power)
    y = y * factor
    yerr = None
    if errn is not None:
        with np.errstate(invalid="ignore"):
            yerr = (
                np.clip(errn * factor, 0, np.inf),
                np.clip(errp * factor, 0, np.inf),
            )
    if uplims is not None:
        kwargs.setdefault("uplims", uplims)
    uplims = kwargs.pop("uplims", None)
    plot_along_axis(
        ax,
        y,
        axes,
        axis,
        yerr=kwargs.pop("yerr", yerr),
        uplims=uplims,
        center_energy=sed_type in ("dnde", "e2dnde"),
        **kwargs,
    )
    quantity = f"e{energy_power} * {sed_type}" if energy_power > 0 else sed_type
    ax.set_ylabel(quantity_label(quantity, plot_unit))
    ax.set_yscale("log", nonpositive="clip")
    ax.legend()
    return ax


def plot_quantity(
    name: str,
    values: np.ndarray,
    unit: u.UnitBase,
    axes: list[MapAxis],
    ax: Any = None,
    axis_name: str | None = None,
    **kwargs: Any,
) -> Any:
    """One quantity of flux points along an axis (see `ProfileQuantity.plot`).

    Parameters
    ----------
    name : str
        Quantity name (y label ``"<name> [<unit>]"``, set if the axes have none).
    values : `~numpy.ndarray`
        Values, one dimension per axis in reversed order (``(n_x, n_energy[, n_k])``).
    unit : `~astropy.units.UnitBase`
        Unit of the values.
    axes : list of `~fluxprofile.datamodel.axes.MapAxis`
        Axes in Gammapy order (``[k-axis,] energy, projected-distance``).
    ax : `~matplotlib.axes.Axes`, optional
        Axes to draw on. Default is None (current axes).
    axis_name : str, optional
        Axis along x. Default is None (see `resolve_plot_axis`).
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
        If ``axis_name`` is not one of the axes.
    """
    import matplotlib.pyplot as plt

    axis = resolve_plot_axis(axes, axis_name)
    if ax is None:
        ax = plt.gca()
    values = np.asarray(values, dtype=np.float64)
    plot_along_axis(ax, values, axes, axis, **kwargs)
    if not ax.get_ylabel():
        ax.set_ylabel(quantity_label(name, unit))
    if values.size // axis.nbin > 1 and "label" not in kwargs:
        ax.legend()
    return ax
