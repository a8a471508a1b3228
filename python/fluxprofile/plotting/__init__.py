"""Figures: flux profiles, TS profiles, sky images and their labels (matplotlib is
imported inside the functions)."""

from __future__ import annotations

from .flux_points import (
    check_plot_sed_type,
    plot_along_axis,
    plot_flux_points,
    plot_quantity,
    resolve_plot_axis,
)
from .images import plot_image
from .labels import axis_plot_labels, format_plot_xaxis, quantity_label, unit_label
from .ts_profiles import interp_stat_profile, plot_ts_profiles

__all__ = [
    "axis_plot_labels",
    "check_plot_sed_type",
    "format_plot_xaxis",
    "interp_stat_profile",
    "plot_along_axis",
    "plot_flux_points",
    "plot_image",
    "plot_quantity",
    "plot_ts_profiles",
    "quantity_label",
    "resolve_plot_axis",
    "unit_label",
]
