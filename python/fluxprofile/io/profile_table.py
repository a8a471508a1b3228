"""Gammapy's "profile" table of flux points: `FluxPoints` to an astropy Table and back
(the column layout and the rules for rebuilding the axes are in docs/profile_files.rst).

`flux_points_to_table` reads the flux points through their public accessors and
`flux_points_arguments_from_table` returns constructor arguments: this module never
imports `fluxprofile.datamodel.flux_points`, whose ``to_table``/``from_table`` call it.
"""

from __future__ import annotations

import logging
from statistics import NormalDist
from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Column, Table

from ..datamodel._arrays import native_byte_order
from ..datamodel.axes import MapAxis
from ..datamodel.quantity import values_and_unit
from ..datamodel.sed import (
    check_per_solid_angle_sed_type,
    check_sed_type,
    reference_flux,
    reference_spectral_model,
)
from ..datamodel.spectral import PowerLawSpectralModel, TemplateSpectralModel
from ..vocabulary import (
    COMMON_QUANTITIES,
    DATASET_QUANTITIES,
    EXTRA_QUANTITIES,
    SCAN_QUANTITIES,
    sed_quantities,
    table_quantities,
)

__all__ = [
    "check_profile_format",
    "flux_points_arguments_from_table",
    "flux_points_to_table",
    "format_table",
]

_THREE_D = DATASET_QUANTITIES + SCAN_QUANTITIES
#: The columns a table of each SED type must have.
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
log = logging.getLogger(__name__)
_NO_REFERENCE_MSG = (
    "No reference model set for FluxMaps. Assuming point source with E^-2 spectrum."
)


def check_profile_format(format: str | None) -> str:
    """The table format of flux profiles: "profile" (None means "profile").

    Parameters
    ----------
    format : str or None
        Requested format.

    Returns
    -------
    format : str
        "profile".

    Raises
    ------
    ValueError
        For any other format.
    """
    if format is None:
        return "profile"
    if format != "profile":
        msg = f"format must be 'profile' (or None) for flux profiles, got {format!r}"
        raise ValueError(msg)
    return format


def flux_points_to_table(
    flux_points: Any,
    sed_type: str | None = None,
    format: str | None = "profile",
    formatted: bool = False,
    per_solid_angle: bool = False,
) -> Table:
    """The profile table of flux points (see `FluxPoints.to_table`).

    Parameters
    ----------
    flux_points : `~fluxprofile.FluxPoints`
        The flux points.
    sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
        SED type of the flux columns. Default is None (``sed_type_init``).
    format : {"profile"}, optional
        Table format (None is "profile"). Default is "profile".
    formatted : bool, optional
        Set display formats (`format_table`). Default is False.
    per_solid_angle : bool, optional
        Write the flux-like columns of the SED type as surface brightness. Default is
        False.

    Returns
    -------
    table : `~astropy.table.Table`
        One row per projected-distance bin, array cells over energy; the columns are
        listed in docs/profile_files.rst.

    Raises
    ------
    ValueError
        For an unknown ``sed_type`` or ``format``; with ``per_solid_angle`` for the
        "likelihood" SED type or flux points without the solid angle of their bins.
    """
    if sed_type is None:
        sed_type = flux_points.sed_type_init
    check_sed_type(sed_type)
    check_profile_format(format)
    per_sr_names: tuple[str, ...] = ()
    if per_solid_angle:
        check_per_solid_angle_sed_type(sed_type)
        flux_points.solid_angle_sr()  # fails early without solid angles
        per_sr_names = (sed_type, *sed_quantities(sed_type))
    n_x, n_e = flux_points.distance_axis.nbin, flux_points.energy_axis.nbin
    columns: dict[str, Column] = {}

    def add(name: str, values: Any, unit: Any) -> None:
        columns[name] = Column(np.asarray(values), name=name, unit=unit)

    edges = flux_points.distance_axis.edges
    x_min, x_max = edges[:-1], edges[1:]
    add("x_min", x_min.value, x_min.unit)
    add("x_max", x_max.value, x_max.unit)
    x_ref = (x_max + x_min) / 2
    add("x_ref", x_ref.value, x_ref.unit)

    def per_row(values: u.Quantity) -> np.ndarray:
        return np.broadcast_to(values.value, (n_x, n_e))

    add("e_ref", per_row(flux_points.energy_ref), flux_points.energy_axis.unit)
    if flux_points.is_convertible_to_flux_sed_type:
        add("e_min", per_row(flux_points.energy_min), flux_points.energy_axis.unit)
        add("e_max", per_row(flux_points.energy_max), flux_points.energy_axis.unit)

    if sed_type == "likelihood":
        for name in ("dnde", "flux", "eflux"):
            ref = getattr(flux_points, f"{name}_ref")
            add(f"ref_{name}", per_row(ref), ref.unit)

    for name in table_quantities(sed_type):
        if name in EXTRA_QUANTITIES:
            continue  # after all of Gammapy's columns, below
        try:
            if name in per_sr_names:
                suffix = name[len(sed_type) + 1 :] or None
                quantity = flux_points.surface_brightness(sed_type, suffix)
            else:
                quantity = getattr(flux_points, name)
        except AttributeError:
            continue
        add(name, quantity.values, quantity.unit)

    if flux_points.has_stat_profiles:
        scan = np.broadcast_to(
            flux_points.norm_scan, (n_x, n_e, flux_points.norm_scan.size)
        )
        add("norm_scan", scan, u.dimensionless_unscaled)
        for name in ("stat", "stat_scan"):
            if name in columns:
                add(name, getattr(flux_points, name).values, None)

    if "is_ul" in columns:
        if flux_points.has_ul:
            add("is_ul", flux_points.is_ul.values, None)
        else:
            del columns["is_ul"]

    # fluxprofile's columns come last, so that Gammapy's columns keep their order: the
    # exact axis nodes (the bin centres as the axis defines them: the nodes of a
    # centre-node axis, the centres of an edge axis; Gammapy's x_ref is the midpoint of
    # x_min and x_max instead; docs/profile_files.rst), then the bin sizes.
    x_node = flux_points.distance_axis.center
    add("x_node", x_node.value, x_node.unit)
    for name in EXTRA_QUANTITIES:
        if name in flux_points.available_quantities:
            quantity = getattr(flux_points, name)
            add(name, quantity.values, quantity.unit)

    table = Table(list(columns.values()))
    if formatted:
        format_table(table)
    return table


def flux_points_arguments_from_table(
    table: Table,
    reference_model: Any = None,
    sed_type: str | None = None,
    format: str | None = "profile",
    gti: Any = None,
) -> tuple[dict[str, Any], dict[str, u.UnitBase]]:
    """The constructor arguments of `FluxPoints` stored in a profile table (see
    `FluxPoints.from_table`).

    Parameters
    ----------
    table : `~astropy.table.Table`
        Profile table.
    reference_model : `~fluxprofile.SpectralModel`, optional
        Reference spectral model. Default is None: for "likelihood" tables a
        `~fluxprofile.TemplateSpectralModel` through (e_ref, ref_dnde); for the other
        SED types a power law of index 2, with a warning.
    sed_type : {"likelihood", "dnde", "e2dnde", "flux", "eflux"}, optional
        SED type. Default is None (meta ``SED_TYPE``, else guessed from the columns).
    format : {"profile"}, optional
        Table format (None: "profile" when an ``x_min`` column exists). Default is
        "profile".
    gti : `~astropy.table.Table`, optional
        Good time intervals. Default is None.

    Returns
    -------
    kwargs : dict
        ``data`` (norm-based quantities), ``energy_axis``, ``distance_axis``,
        ``reference_model``, ``meta``, ``norm_scan`` and ``gti``.
    units : dict
        Units of the stored quantities read from the table, by name.

    Raises
    ------
    ValueError
        For an unknown format or SED type, missing columns, energy columns that
        differ between rows, or an ``x_node`` column that does not fit the bins.
    """
    table = Table(table)
    if format is None and "x_min" not in table.colnames:
        msg = f"cannot infer the format of a table with columns {table.colnames}: no x_min"
        raise ValueError(msg)
    check_profile_format(format)
    if sed_type is None:
        sed_type = table.meta.get("SED_TYPE") or _guess_sed_type(table.colnames)
    if sed_type is None:
        msg = f"Specifying the SED type is required (columns: {table.colnames})"
        raise ValueError(msg)
    check_sed_type(sed_type)
    missing = [
        c for c in ("x_ref", *_REQUIRED_COLUMNS[sed_type]) if c not in table.colnames
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
        arr, unit = values_and_unit(name, table[name])
        arr = native_byte_order(arr)  # FITS data are big-endian
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
        for name in table_quantities(sed_type):
            if name in table.colnames:
                data[name], units[name] = column(name)
    else:
        if reference_model is None:
            # logged, not warned, as Gammapy does (a suite that turns warnings into
            # errors must not fail on reading a dnde file; docs/from_gammapy.rst)
            log.warning(_NO_REFERENCE_MSG)
            reference_model = PowerLawSpectralModel(index=2)
        ref = reference_flux(
            reference_spectral_model(reference_model), energy_axis, sed_type
        )
        for name in (sed_type, *sed_quantities(sed_type)):
            if name in table.colnames:
                arr, unit = column(name)
                if not unit.is_equivalent(ref.unit) and unit.is_equivalent(
                    ref.unit / u.sr
                ):
                    # surface brightness written with per_solid_angle=True
                    arr = arr * _solid_angle_column(table, name, column)
                    unit = unit * u.sr
                with np.errstate(invalid="ignore", divide="ignore"):
                    data[name.replace(sed_type, "norm", 1)] = arr / ref.to_value(unit)
        for name in (*COMMON_QUANTITIES, *EXTRA_QUANTITIES):
            if name in table.colnames:
                data[name], units[name] = column(name)

    kwargs = {
        "data": data, "energy_axis": energy_axis, "distance_axis": distance_axis,
        "reference_model": reference_model, "meta": meta, "norm_scan": norm_scan, "gti": gti,
    }  # fmt: skip
    return kwargs, units


def format_table(table: Table) -> Table:
    """Set Gammapy's display formats of a profile table (in place).

    Parameters
    ----------
    table : `~astropy.table.Table`
        Profile table.

    Returns
    -------
    table : `~astropy.table.Table`
        The same table: ".3e" for the flux and reference columns (Gammapy's) and the
        bin solid angles, ".3f" for energies, norms, TS and statistics (Gammapy's) and
        the distances x_min, x_max, x_ref and x_node, which Gammapy leaves unformatted.
    """
    for name in table.colnames:
        if name.startswith(("dnde", "eflux", "flux", "e2dnde", "ref", "solid_angle")):
            table[name].format = ".3e"
        elif name.startswith(
            ("e_min", "e_max", "e_ref", "sqrt_ts", "norm", "ts", "stat")
        ) or name in ("x_min", "x_max", "x_ref", "x_node"):
            table[name].format = ".3f"
    return table


def _guess_sed_type(colnames: list[str]) -> str | None:
    for sed_type in ("dnde", "e2dnde", "flux", "eflux", "likelihood"):
        if set(_REQUIRED_COLUMNS[sed_type]).issubset(colnames):
            return sed_type
    return None


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
