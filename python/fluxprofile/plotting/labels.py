"""Axis and unit labels of the figures, as Gammapy 2.1 writes them."""

from __future__ import annotations

from typing import Any

import astropy.units as u

from ..datamodel.axes import MapAxis

__all__ = [
    "PLOT_AXIS_LABEL",
    "axis_plot_labels",
    "format_plot_xaxis",
    "quantity_label",
    "unit_label",
]

#: Axis names Gammapy labels specially; others are capitalised ("Projected-distance").
PLOT_AXIS_LABEL = {
    "energy": "Energy",
    "energy_true": "True Energy",
    "offset": "FoV Offset",
    "rad": "Source Offset",
}
_MPL_SCALE = {"lin": "linear", "sqrt": "linear", "log": "log"}


def quantity_label(quantity: str, unit: Any) -> str:
    """Axis label "quantity [unit]" (Gammapy's template); just "quantity" if dimensionless.

    Parameters
    ----------
    quantity : str
        Name of the plotted quantity.
    unit : str or `~astropy.units.Unit`
        Its unit.

    Returns
    -------
    label : str
        The label.
    """
    unit = u.Unit(unit)
    if unit == u.dimensionless_unscaled:
        return quantity
    return f"{quantity} [{unit_label(unit)}]"


def unit_label(unit: Any) -> str:
    """Unit as Gammapy writes it in axis labels (astropy "latex_inline").

    Parameters
    ----------
    unit : str or `~astropy.units.Unit`
        Unit.

    Returns
    -------
    label : str
        E.g. ``$\\mathrm{TeV^{-1}\\,s^{-1}\\,cm^{-2}}$``.
    """
    return u.Unit(unit).to_string("latex_inline")


def axis_plot_labels(axis: MapAxis, use_center: bool | None = None) -> list[str]:
    """Legend labels of the bins of an axis ("7.07e+07 keV" or "1.00e+07 keV - 8.45e+07 keV").

    Parameters
    ----------
    axis : `~fluxprofile.MapAxis`
        Axis.
    use_center : bool, optional
        Label bins by their centre. Default is None (centre for centre-node axes,
        edges otherwise).

    Returns
    -------
    labels : list of str
        One label per bin.
    """
    if use_center is None:
        use_center = axis.node_type == "center"
    if use_center:
        return [f"{value:.2e}" for value in axis.center]
    return [
        f"{lo:.2e} - {hi:.2e}"
        for lo, hi in zip(axis.edges_min, axis.edges_max, strict=True)
    ]


def format_plot_xaxis(ax: Any, axis: MapAxis) -> Any:
    """Scale, label and limits of the x axis for a plot along ``axis``.

    Parameters
    ----------
    ax : `~matplotlib.axes.Axes`
        Axes.
    axis : `~fluxprofile.MapAxis`
        The plotted axis.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.
    """
    ax.set_xscale(_MPL_SCALE[axis.interp])
    name = PLOT_AXIS_LABEL.get(axis.name, axis.name.capitalize())
    ax.set_xlabel(f"{name} [{unit_label(axis.unit)}]")
    lo, hi = axis.bounds.value
    if lo != hi:
        ax.set_xlim(lo, hi)
    return ax
