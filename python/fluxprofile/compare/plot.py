"""One call that puts a flux profile next to templates and other profiles: a shared
distance axis, a second y axis or normalisation, upper limits kept, a table and the
correlations (docs/comparison.rst)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Table, vstack

from .correlation import (
    ProfileCorrelation,
    ProfileValues,
    profile_correlation,
    profile_values,
)

__all__ = [
    "ProfileComparison",
    "compare_profiles",
    "comparison_table",
    "plot_profile_comparison",
]


def _distance_axis(profile: Any) -> Any:
    axis = getattr(profile, "distance_axis", None)
    if axis is None:
        msg = f"{type(profile).__name__} has no distance axis: the first profile must be flux points or a template profile"
        raise TypeError(msg)
    return axis


def _series(
    profile: Any,
    comparisons: Any,
    energy_index: int,
    comparison_energy_index: int | Sequence[int] | None,
    sed_type: str,
    quantity: str,
    per_solid_angle: bool,
    labels: Sequence[str] | None,
) -> list[ProfileValues]:
    if not isinstance(comparisons, (list, tuple)):
        comparisons = [comparisons]
    n = len(comparisons) + 1
    if labels is not None and len(labels) != n:
        msg = f"labels needs {n} names (the profile and each comparison), got {len(labels)}"
        raise ValueError(msg)
    if comparison_energy_index is None or isinstance(comparison_energy_index, int):
        indices = [comparison_energy_index] * len(comparisons)
    else:
        indices = list(comparison_energy_index)
    out = [
        profile_values(
            profile,
            energy_index,
            sed_type,
            quantity,
            per_solid_angle,
            None if labels is None else labels[0],
        )
    ]
    for i, (comparison, k) in enumerate(zip(comparisons, indices, strict=True)):
        index = energy_index if k is None else k
        try:
            values = profile_values(
                comparison,
                index,
                sed_type,
                quantity,
                per_solid_angle,
                None if labels is None else labels[i + 1],
            )
        except IndexError:
            values = profile_values(
                comparison,
                0,
                sed_type,
                quantity,
                per_solid_angle,
                None if labels is None else labels[i + 1],
            )
        if values.value.shape != out[0].value.shape:
            msg = (
                f"comparison {values.label!r} has {values.value.size} bins, the profile "
                f"{out[0].value.size}: compare profiles in the same regions"
            )
            raise ValueError(msg)
        out.append(values)
    names = [s.label for s in out]
    if len(set(names)) != len(names):
        msg = f"the series need distinct labels, got {names} (use labels=...)"
        raise ValueError(msg)
    return out


def _normalised(series: ProfileValues, index: int) -> ProfileValues:
    ref = series.value[index]
    if not np.isfinite(ref.value) or ref.value <= 0:
        msg = f"cannot normalise {series.label!r} to bin {index}: its value there is {ref}"
        raise ValueError(msg)

    def scale(q: u.Quantity | None) -> u.Quantity | None:
        return None if q is None else (q / ref).to(u.dimensionless_unscaled)

    return ProfileValues(
        series.value / ref,
        scale(series.errn),
        scale(series.errp),
        scale(series.ul),
        series.is_ul,
        series.label,
        series.energy_label,
        series.kind,
    )


def _label(series: ProfileValues) -> str:
    return (
        f"{series.label} ({series.energy_label})"
        if series.energy_label
        else series.label
    )


def _draw(
    ax: Any, x: np.ndarray, xerr: np.ndarray, s: ProfileValues, unit: Any, **kw: Any
) -> None:
    y = s.value.to_value(unit)
    label = _label(s)
    if s.kind == "line":
        ax.plot(x, y, marker="o", ms=3, label=label, **kw)
        return
    errn = np.zeros_like(y) if s.errn is None else np.abs(s.errn.to_value(unit))
    errp = np.zeros_like(y) if s.errp is None else np.abs(s.errp.to_value(unit))
    points = ~s.is_ul
    line = ax.errorbar(
        x[points], y[points], xerr=xerr[:, points], yerr=[errn[points], errp[points]],
        fmt="o", ms=4, label=label, **kw,
    )  # fmt: skip
    if s.ul is not None and s.is_ul.any():
        ul = s.ul.to_value(unit)
        color = line.lines[0].get_color()
        ax.errorbar(
            x[s.is_ul], ul[s.is_ul], xerr=xerr[:, s.is_ul], yerr=0.5 * ul[s.is_ul],
            uplims=True, fmt="none", color=color,
        )  # fmt: skip


def plot_profile_comparison(
    profile: Any,
    comparisons: Any,
    ax: Any = None,
    energy_index: int = 0,
    comparison_energy_index: int | Sequence[int] | None = None,
    sed_type: str = "flux",
    quantity: str = "integral",
    per_solid_angle: bool = False,
    normalize: int | None = None,
    labels: Sequence[str] | None = None,
    yscale: str = "linear",
) -> tuple[Any, Any]:
    """Plot a profile with one or more comparison profiles on a shared distance axis.

    Flux points are drawn with their errors and, where flagged ``is_ul``, as upper-limit
    arrows; templates and predicted profiles as lines. Without ``normalize``, comparisons
    whose unit differs from the profile's (a gas map's K km s-1 sr, say) go to a second y
    axis on the right; with ``normalize=k`` every series (errors and upper limits
    included) is divided by its value in bin k and all share one axis. The labels carry
    each series' energy range, so that profiles of different instruments are told apart.

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints` or `~fluxprofile.compare.TemplateProfile`
        The main profile (its distance axis is the x axis).
    comparisons : profile or list of profiles
        Template profiles, predicted profiles, other flux points or Quantity arrays along
        the same regions.
    ax : `~matplotlib.axes.Axes`, optional
        Axes. Default is None (the current axes).
    energy_index : int, optional
        Energy group of the profile. Default is 0.
    comparison_energy_index : int or list of int, optional
        Energy index of each comparison. Default is None (``energy_index``, 0 for
        comparisons with fewer bins).
    sed_type : str, optional
        SED type of flux points. Default is "flux".
    quantity : str, optional
        Quantity of template profiles. Default is "integral".
    per_solid_angle : bool, optional
        Surface brightness of flux points. Default is False.
    normalize : int, optional
        Bin to which every series is normalised. Default is None (units kept).
    labels : list of str, optional
        Names of the profile and of each comparison. Default is None.
    yscale : {"linear", "log"}, optional
        Scale of the y axes. Default is "linear".

    Returns
    -------
    ax, ax_right : `~matplotlib.axes.Axes`
        The axes, and the second y axis (None when not needed).

    Raises
    ------
    ValueError
        Comparisons with other numbers of bins, units that fit neither axis, a bin that
        cannot be normalised to.
    """
    import matplotlib.pyplot as plt

    series = _series(
        profile, comparisons, energy_index, comparison_energy_index, sed_type,
        quantity, per_solid_angle, labels,
    )  # fmt: skip
    if normalize is not None:
        series = [_normalised(s, int(normalize)) for s in series]
    axis = _distance_axis(profile)
    x = axis.center.to_value(u.deg)
    xerr = np.vstack(
        [x - axis.edges_min.to_value(u.deg), axis.edges_max.to_value(u.deg) - x]
    )
    if ax is None:
        ax = plt.gca()
    main_unit = series[0].value.unit
    on_left = [s.value.unit.is_equivalent(main_unit) for s in series]
    right = [s for s, flag in zip(series, on_left, strict=True) if not flag]
    if right and any(
        not s.value.unit.is_equivalent(right[0].value.unit) for s in right
    ):
        units = sorted({str(s.value.unit) for s in series})
        msg = f"the series have units {units}, more than two axes: use normalize=<bin>"
        raise ValueError(msg)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for n, (s, flag) in enumerate(zip(series, on_left, strict=True)):
        if flag:
            _draw(ax, x, xerr, s, main_unit, color=colors[n % len(colors)])
    ax_right = None
    if right:
        ax_right = ax.twinx()
        unit = right[0].value.unit
        for n, (s, flag) in enumerate(zip(series, on_left, strict=True)):
            if not flag:
                _draw(
                    ax_right, x, xerr, s, unit, color=colors[n % len(colors)], ls="--"
                )
        ax_right.set_ylabel(f"{right[0].label} [{unit.to_string()}]")
        ax_right.set_yscale(yscale)
    ylabel = (
        f"normalised to bin {normalize}"
        if normalize is not None
        else f"{sed_type if series[0].kind == 'points' else series[0].label} [{main_unit.to_string()}]"
    )
    ax.set_ylabel(ylabel)
    ax.set_yscale(yscale)
    ax.set_xlabel("Projected distance [deg]")
    ax.set_xlim(axis.edges[0].to_value(u.deg), axis.edges[-1].to_value(u.deg))
    handles, names = ax.get_legend_handles_labels()
    if ax_right is not None:
        h2, n2 = ax_right.get_legend_handles_labels()
        handles, names = handles + h2, names + n2
    ax.legend(handles, names, fontsize="small")
    return ax, ax_right


def comparison_table(
    profile: Any,
    comparisons: Any,
    energy_index: int = 0,
    comparison_energy_index: int | Sequence[int] | None = None,
    sed_type: str = "flux",
    quantity: str = "integral",
    per_solid_angle: bool = False,
    labels: Sequence[str] | None = None,
) -> Table:
    """The profile and its comparisons side by side, one row per profile bin.

    Parameters
    ----------
    profile, comparisons, energy_index, comparison_energy_index, sed_type, quantity, per_solid_angle, labels
        As in `plot_profile_comparison`.

    Returns
    -------
    table : `~astropy.table.Table`
        x_min, x_ref, x_max, then for each series its values (column named by its label)
        and, where it has them, ``<label>_errn``, ``<label>_errp``, ``<label>_ul`` and
        ``<label>_is_ul``; each column's meta ``energy`` gives its energy range.
    """
    series = _series(
        profile, comparisons, energy_index, comparison_energy_index, sed_type,
        quantity, per_solid_angle, labels,
    )  # fmt: skip
    axis = _distance_axis(profile)
    table = Table()
    table["x_min"] = axis.edges_min
    table["x_ref"] = axis.center
    table["x_max"] = axis.edges_max
    for s in series:
        table[s.label] = s.value
        table[s.label].description = s.energy_label
        for suffix, q in (("errn", s.errn), ("errp", s.errp), ("ul", s.ul)):
            if q is not None:
                table[f"{s.label}_{suffix}"] = q
        if s.ul is not None:
            table[f"{s.label}_is_ul"] = s.is_ul
    table.meta["energy"] = {s.label: s.energy_label for s in series}
    return table


@dataclass
class ProfileComparison:
    """A profile compared with templates or other profiles (`compare_profiles`).

    Attributes
    ----------
    table : `~astropy.table.Table`
        The series side by side (`comparison_table`).
    correlations : list of `~fluxprofile.compare.ProfileCorrelation`
        The profile's correlation with each comparison.
    arguments : dict
        The arguments of the series (for `plot`).
    """

    table: Table
    correlations: list[ProfileCorrelation]
    arguments: dict[str, Any]

    @property
    def correlation_table(self) -> Table:
        """All correlations in one table (a ``comparison`` column names the series)."""
        tables = []
        for c in self.correlations:
            t = c.to_table()
            t.add_column([c.labels[1]] * len(t), name="comparison", index=0)
            t.meta.clear()
            tables.append(t)
        return vstack(tables)

    def plot(
        self, ax: Any = None, normalize: int | None = None, **kwargs: Any
    ) -> tuple[Any, Any]:
        """Plot the comparison (`plot_profile_comparison`).

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes. Default is None.
        normalize : int, optional
            Bin to normalise every series to. Default is None.
        **kwargs : dict
            More arguments of `plot_profile_comparison` (e.g. ``yscale``).

        Returns
        -------
        ax, ax_right : `~matplotlib.axes.Axes`
        """
        return plot_profile_comparison(
            ax=ax, normalize=normalize, **{**self.arguments, **kwargs}
        )


def compare_profiles(
    profile: Any,
    comparisons: Any,
    energy_index: int = 0,
    comparison_energy_index: int | Sequence[int] | None = None,
    sed_type: str = "flux",
    quantity: str = "integral",
    per_solid_angle: bool = False,
    labels: Sequence[str] | None = None,
    n_samples: int = 1000,
    seed: int = 0,
) -> ProfileComparison:
    """Compare a profile with templates or other profiles: table, correlations, plot.

    Parameters
    ----------
    profile, comparisons, energy_index, comparison_energy_index, sed_type, quantity, per_solid_angle, labels
        As in `plot_profile_comparison`.
    n_samples, seed : int, optional
        Monte-Carlo draws of `~fluxprofile.compare.profile_correlation`. Defaults are
        1000 and 0.

    Returns
    -------
    comparison : `ProfileComparison`
        ``.table``, ``.correlations``, ``.correlation_table`` and ``.plot()``.
    """
    arguments = {
        "profile": profile, "comparisons": comparisons, "energy_index": energy_index,
        "comparison_energy_index": comparison_energy_index, "sed_type": sed_type,
        "quantity": quantity, "per_solid_angle": per_solid_angle, "labels": labels,
    }  # fmt: skip
    table = comparison_table(**arguments)
    items = comparisons if isinstance(comparisons, (list, tuple)) else [comparisons]
    if comparison_energy_index is None or isinstance(comparison_energy_index, int):
        indices = [comparison_energy_index] * len(items)
    else:
        indices = list(comparison_energy_index)
    names = list(table.meta["energy"])
    correlations = []
    for i, (item, k) in enumerate(zip(items, indices, strict=True)):
        c = profile_correlation(
            profile, item, energy_index, k, sed_type, quantity, n_samples, seed,
            per_solid_angle=per_solid_angle,
        )  # fmt: skip
        c.labels = (names[0], names[i + 1])
        correlations.append(c)
    return ProfileComparison(table, correlations, arguments)
