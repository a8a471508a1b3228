"""The profile figures of the command line (``run --plot`` and ``demo --output``).

Points are drawn by `~fluxprofile.FluxPoints.plot` exactly as Gammapy 2.1 draws flux
points (errors, upper limits as arrows at the limit); only the y scale differs. Gammapy
always uses a log axis, on which a bin whose flux is negative (and not an upper limit)
is clipped away: such profiles are drawn on a linear axis by default, where those points
show with their error bars below a line at zero, as Gammapy's points do once the axis
is made linear. matplotlib's figure modules are imported inside the functions only (they
take a while to import).
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..datamodel import FluxPoints
from ..exceptions import FluxProfileWarning
from ..io.atomic import staged_file
from .display import energy_display_unit

__all__ = [
    "YSCALES",
    "default_yscale",
    "negative_points",
    "profile_figure",
    "write_plot",
]

#: The y scales of the profile plots.
YSCALES: tuple[str, ...] = ("linear", "log")


def negative_points(profile: FluxPoints) -> int:
    """How many plotted points of ``profile`` are below zero.

    A point is drawn at the norm, or at the upper limit for an upper-limit bin (as
    Gammapy draws it): a significant negative excess has a negative signed sqrt(TS), so
    it is an upper limit, whose limit can be negative too. The sign is that of the norm:
    every SED type is the norm times a positive reference flux.

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints`
        The profile.

    Returns
    -------
    n : int
        Number of (bin, energy group) points below zero (NaN bins are not counted).
    """
    y = np.array(profile.norm.values, dtype=float)
    if profile.has_ul:
        is_ul = np.asarray(profile.is_ul.values, dtype=bool)
        y[is_ul] = np.asarray(profile.norm_ul.values, dtype=float)[is_ul]
    with np.errstate(invalid="ignore"):
        return int(np.sum(y < 0))


def default_yscale(profile: FluxPoints) -> str:
    """ "linear" when a plotted point is negative (a log axis would hide it), else "log".

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints`
        The profile.

    Returns
    -------
    yscale : {"linear", "log"}
        The scale.
    """
    return "linear" if negative_points(profile) else "log"


def profile_figure(
    profile: FluxPoints,
    sed_type: str,
    title: str,
    yscale: str | None = None,
    per_solid_angle: bool = False,
) -> Any:
    """The figure of a profile along the projected distance, one series per energy group.

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints`
        The profile.
    sed_type : str
        SED type of the y axis (see `~fluxprofile.FluxPoints.plot`).
    title : str
        Figure title.
    yscale : {"linear", "log"}, optional
        Scale of the y axis. Default is None (`default_yscale`).
    per_solid_angle : bool, optional
        Plot the surface brightness. Default is False.

    Returns
    -------
    figure : `~matplotlib.figure.Figure`
        A figure of its own (with an Agg canvas; no pyplot state).

    Raises
    ------
    ValueError
        For an unknown y scale.

    Warns
    -----
    FluxProfileWarning
        On a log axis, when negative points are left out (naming how many).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if yscale is None:
        yscale = default_yscale(profile)
    if yscale not in YSCALES:
        msg = f"yscale must be one of {', '.join(YSCALES)}, got {yscale!r}"
        raise ValueError(msg)
    fig = Figure(figsize=(8, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    profile.plot(
        ax=ax,
        sed_type=sed_type,
        axis_name="projected-distance",
        per_solid_angle=per_solid_angle,
    )
    handles, _ = ax.get_legend_handles_labels()
    energy = profile.energy_axis.edges
    if (
        len(handles) == len(energy) - 1
    ):  # one series per energy group: readable energies
        unit = energy_display_unit(energy)
        labels = [
            f"{lo:.4g} - {hi:.4g} {unit}"
            for lo, hi in itertools.pairwise(energy.to_value(unit))
        ]
        ax.legend(handles, labels)
    edges = profile.distance_axis.edges
    ax.set_xlim(edges[0].value, edges[-1].value)  # the whole first and last bins
    n_negative = negative_points(profile)
    if yscale == "linear":
        ax.set_yscale("linear")
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    elif n_negative:
        noun = "point is" if n_negative == 1 else "points are"
        warnings.warn(
            FluxProfileWarning(
                f"{n_negative} negative {noun} not shown on the log y axis "
                "(--yscale linear shows them)"
            ),
            stacklevel=2,
        )
    ax.set_title(title, fontsize="medium")
    return fig


def write_plot(figure: Any, path: Path, overwrite: bool = False) -> None:
    """Save ``figure`` to ``path`` (format from the suffix) at 120 dpi, atomically.

    Parameters
    ----------
    figure : `~matplotlib.figure.Figure`
        The figure.
    path : `~pathlib.Path`
        Output file (written to a temporary file in its folder, then moved onto it).
    overwrite : bool, optional
        Replace an existing file. Default is False.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path).expanduser()
    fmt = path.suffix.lower().lstrip(".") or None
    with staged_file(path, overwrite, "plot") as temporary:
        figure.savefig(temporary, dpi=120, format=fmt)
