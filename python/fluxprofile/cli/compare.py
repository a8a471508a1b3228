"""``fluxprofile run ... --compare TEMPLATE.fits``: the template's profile in the same
regions, added to the table (columns ``template_*``) and to the plot
(docs/comparison.rst)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import astropy.units as u
import numpy as np
from astropy.table import Table

from ..vocabulary import DEFAULT_UNIT
from .errors import InputError, UsageError

if TYPE_CHECKING:
    from ..compare import TemplateProfile
    from ..datamodel import FluxPoints, Map

# (the comparison itself is imported when --compare is used: parsing stays light)

__all__ = [
    "ProfileWithTemplate",
    "add_compare_arguments",
    "check_compare",
    "with_template",
]


def add_compare_arguments(group: Any) -> None:
    """The options of the comparison, in their own group of ``fluxprofile run``.

    Parameters
    ----------
    group : `argparse._ArgumentGroup`
        The group to add them to.
    """
    group.add_argument(
        "--compare",
        type=Path,
        metavar="TEMPLATE",
        help="FITS image or cube (e.g. a gas map or a diffuse model, with its energy table) "
        "whose profile in the same regions is added to the table (template_* columns) and "
        "the plot",
    )
    group.add_argument(
        "--compare-unit",
        metavar="UNIT",
        help="unit of the template's values when the file has none (BUNIT), e.g. "
        "'cm-2 s-1 MeV-1 sr-1' for the Fermi-LAT diffuse model",
    )


def check_compare(args: argparse.Namespace) -> None:
    """Fail before any work on a missing template file or a unit that is not one.

    Parameters
    ----------
    args : `argparse.Namespace`
        The parsed arguments of ``fluxprofile run``.

    Raises
    ------
    UsageError
        For --compare-unit without --compare, or an invalid unit.
    InputError
        If the template file does not exist.
    """
    compare = getattr(args, "compare", None)
    unit = getattr(args, "compare_unit", None)
    if compare is None:
        if unit is not None:
            msg = "--compare-unit needs --compare"
            raise UsageError(msg)
        return
    if not Path(compare).expanduser().is_file():
        msg = f"template file not found: {str(compare)!r}"
        raise InputError(msg)
    if unit is not None:
        try:
            u.Unit(unit)
        except ValueError:
            msg = f"--compare-unit {unit!r} is not a unit"
            raise UsageError(msg) from None


def _sed_columns(
    template: Map,
    regions: list[Any],
    profile: FluxPoints,
    containment: str,
    n_jobs: Any,
) -> tuple[dict[str, u.Quantity], dict[str, u.Quantity]]:
    """The template's SED quantities per profile bin and energy group, and per sr.

    flux: integral over each group; eflux: of E x intensity; dnde: at each group's e_ref;
    e2dnde: e_ref^2 dnde; norm: flux over the reference model's flux.
    """
    from ..compare import evaluate_template, integrate_template, make_template_profile

    edges = profile.energy_axis.edges
    e_ref = profile.energy_ref

    def run(tmap: Any) -> TemplateProfile:
        return make_template_profile(
            tmap, regions, containment=containment, n_jobs=n_jobs, name="template"
        )

    flux = run(integrate_template(template, edges))
    eflux = run(integrate_template(template, edges, energy_power=1))
    dnde = run(evaluate_template(template, e_ref))
    model = profile.reference_model
    flux_ref = model.integral(edges[:-1], edges[1:])
    values = {
        "flux": flux.integral,
        "eflux": eflux.integral,
        "dnde": dnde.integral,
        "e2dnde": dnde.integral * e_ref[None, :] ** 2,
        "norm": flux.integral / flux_ref[None, :],
    }
    # in the units of the profile's own tables and plots
    values = {k: v.to(DEFAULT_UNIT[k]) for k, v in values.items()}
    solid = flux.solid_angle[:, None]
    per_sr = {k: v / solid for k, v in values.items() if k != "norm"}
    return values, per_sr


class ProfileWithTemplate:
    """A flux profile whose table and plot carry a template's profile as well.

    Everything else is the profile's own (attribute access goes through to it).

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints`
        The measured profile.
    values : dict of str to `~astropy.units.Quantity`
        Template values by SED type ("flux", "norm", ...; "integral" for an image), shape
        (n_x, n_energy) or (n_x,).
    per_sr : dict of str to `~astropy.units.Quantity`
        The same per solid angle ("surface_brightness" for an image).
    label : str
        The template's name (file name) for the plot legend.
    """

    def __init__(
        self,
        profile: FluxPoints,
        values: dict[str, u.Quantity],
        per_sr: dict[str, u.Quantity],
        label: str,
    ) -> None:
        self._profile = profile
        self._values = values
        self._per_sr = per_sr
        self._label = label

    def __getattr__(self, name: str) -> Any:
        return getattr(self._profile, name)

    def _series(self, sed_type: str, per_solid_angle: bool) -> tuple[str, u.Quantity]:
        key = "norm" if sed_type in ("likelihood", "norm") else sed_type
        values = self._per_sr if per_solid_angle else self._values
        if key in values:
            return f"template_{key}", values[key]
        name, value = next(iter(values.items()))
        return f"template_{name}", value

    def to_table(
        self,
        sed_type: str | None = None,
        format: str | None = "profile",
        per_solid_angle: bool = False,
    ) -> Table:
        """The profile's table with the template's column ``template_<sed type>``
        (``template_integral`` / ``template_surface_brightness`` for an image).

        Parameters
        ----------
        sed_type, format, per_solid_angle
            As `~fluxprofile.FluxPoints.to_table`.

        Returns
        -------
        table : `~astropy.table.Table`
        """
        table = self._profile.to_table(
            sed_type=sed_type, format=format, per_solid_angle=per_solid_angle
        )
        name, value = self._series(sed_type or "likelihood", per_solid_angle)
        if value.ndim == 1 and "e_min" in table.colnames and table["e_min"].ndim == 2:
            value = np.repeat(value[:, None], table["e_min"].shape[1], axis=1)
        table[name] = value
        table[name].description = f"profile of the template {self._label}"
        table.meta["TEMPLATE"] = self._label
        return table

    def write(
        self,
        filename: Any,
        sed_type: str | None = None,
        format: str | None = "profile",
        overwrite: bool = False,
        checksum: bool = False,
        per_solid_angle: bool = False,
    ) -> None:
        """Write the table with the template's column (see `~fluxprofile.FluxPoints.write`).

        Parameters
        ----------
        filename, sed_type, format, overwrite, checksum, per_solid_angle
            As `~fluxprofile.FluxPoints.write`.
        """
        from ..io.profile_file import write_flux_points

        write_flux_points(
            self, filename, sed_type=sed_type, format=format, overwrite=overwrite,
            checksum=checksum, per_solid_angle=per_solid_angle,
        )  # fmt: skip

    def plot(
        self,
        ax: Any = None,
        sed_type: str | None = None,
        axis_name: str | None = None,
        per_solid_angle: bool = False,
        **kwargs: Any,
    ) -> Any:
        """The profile's plot, with the template as dashed lines (one per energy group):
        on the same axis when the units agree, else on a second y axis.

        Parameters
        ----------
        ax, sed_type, axis_name, per_solid_angle, **kwargs
            As `~fluxprofile.FluxPoints.plot`.

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
        """
        from matplotlib.container import ErrorbarContainer
        from matplotlib.legend import Legend

        ax = self._profile.plot(
            ax=ax, sed_type=sed_type, axis_name=axis_name,
            per_solid_angle=per_solid_angle, **kwargs,
        )  # fmt: skip
        _, value = self._series(sed_type or "dnde", per_solid_angle)
        x = self._profile.distance_axis.center.to_value(u.deg)
        # one colour per energy group, as the profile's own series
        colors = list(
            dict.fromkeys(
                c.lines[0].get_color()
                for c in ax.containers
                if isinstance(c, ErrorbarContainer) and c.lines[0] is not None
            )
        )
        # the profile's plot draws values in the SED type's default unit
        plot_type = sed_type or self._profile.sed_type_plot_default or "dnde"
        y_unit = DEFAULT_UNIT.get(plot_type)
        if y_unit is not None and per_solid_angle:
            y_unit = y_unit / u.sr
        target = ax
        unit = value.unit
        if y_unit is None or not unit.is_equivalent(y_unit):
            target = ax.twinx()
            target.set_yscale(ax.get_yscale())
            target.set_ylabel(f"{self._label} [{unit.to_string()}]")
        else:
            unit = y_unit
        columns = value.reshape(value.shape[0], -1)
        drawn = []
        for k in range(columns.shape[1]):
            color = colors[k % len(colors)] if colors else None
            (line,) = target.plot(
                x, columns[:, k].to_value(unit), ls="--", color=color, label="_template"
            )
            drawn.append(line)
        # a legend of its own: the profile's legend (one entry per energy group) stays as
        # its callers make it
        ax.add_artist(
            Legend(ax, drawn[:1], [f"{self._label} (dashed)"], loc="upper left",
                   fontsize="small")
        )  # fmt: skip
        return ax


def with_template(
    profile: FluxPoints, args: argparse.Namespace, estimator: Any
) -> FluxPoints:
    """The profile with the --compare template's profile in the same regions.

    A template with an energy axis gives every SED type in each of the profile's energy
    groups (`~fluxprofile.compare.integrate_template`); an image gives its integral
    (value x solid angle) and surface brightness.

    Parameters
    ----------
    profile : `~fluxprofile.FluxPoints`
        The measured profile.
    args : `argparse.Namespace`
        The parsed arguments (``compare``, ``compare_unit``, ``containment``, ``n_jobs``).
    estimator : `~fluxprofile.FluxProfileEstimator`
        The estimator of the run (its regions).

    Returns
    -------
    profile : `ProfileWithTemplate` or `~fluxprofile.FluxPoints`
        The profile itself when no template is given (a `ProfileWithTemplate` stands in
        for the flux points it wraps, hence the annotation).

    Raises
    ------
    InputError
        If the template cannot be read or used (the message names the file).
    """
    path = getattr(args, "compare", None)
    if path is None:
        return profile
    from ..compare import as_template_map, make_template_profile

    path = Path(path).expanduser()
    label = path.name
    try:
        template = as_template_map(path, unit=getattr(args, "compare_unit", None))
        regions = list(estimator.regions)
        if len(template.geom.axes):
            values, per_sr = _sed_columns(
                template, regions, profile, args.containment, args.n_jobs
            )
        else:
            image = make_template_profile(
                template, regions, containment=args.containment, n_jobs=args.n_jobs
            )
            values = {"integral": image.integral}
            per_sr = {"surface_brightness": image.surface_brightness}
    except (ValueError, TypeError, OSError) as err:
        msg = f"--compare {str(path)!r}: {err}"
        raise InputError(msg) from None
    return cast("FluxPoints", ProfileWithTemplate(profile, values, per_sr, label))
