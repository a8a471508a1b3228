"""Energy groups: requested energy edges snapped to the datasets' reco-energy bins.

The rules (snapping, empty and dropped groups, the energy axis of the result, joint
datasets) are in docs/energy_groups.rst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import cast

import numpy as np
from astropy import units as u

__all__ = [
    "EnergyGroups",
    "parse_energy_edges",
    "plan_energy_groups",
    "snap_energy_groups",
    "validate_energy_edges",
]

# A requested edge closer than this (relative) to the data's first or last reco edge is
# taken to be on it: rows of empty groups are kept only where they span more than that.
# (Requested edges converted to the dataset unit differ from the axis ends by round-off.)
_EDGE_RTOL = 1e-6


def parse_energy_edges(text: str) -> u.Quantity:
    """Energy edges written as text: values separated by commas or spaces, then a unit.

    Parameters
    ----------
    text : str
        E.g. ``"10,100,2000 GeV"``, ``"10 100 2000 GeV"`` or ``"[1, 10] TeV"``.

    Returns
    -------
    edges : `~astropy.units.Quantity`
        The values in the unit (not checked further: see `validate_energy_edges`).

    Raises
    ------
    ValueError
        Naming the text, if it has no value, no unit, or a unit that is not an energy.
    """
    example = "expected values and a unit, e.g. '10,100,2000 GeV'"
    tokens = [
        t
        for t in re.split(r"[,\s]+", text.strip().replace("[", " ").replace("]", " "))
        if t
    ]
    values: list[float] = []
    while tokens:
        try:
            values.append(float(tokens[0]))
        except ValueError:
            break
        tokens.pop(0)
    unit_text = " ".join(tokens)
    if not values:
        msg = f"invalid energy edges {text!r}: no values ({example})"
        raise ValueError(msg)
    if not unit_text:
        msg = f"invalid energy edges {text!r}: no unit ({example})"
        raise ValueError(msg)
    try:
        unit = u.Unit(unit_text)
    except ValueError as err:
        # astropy's suggestion ("Did you mean GeV?") without the rest of its message
        hint = re.search(r"Did you mean [^?]*\?", str(err))
        why = f"; {hint.group(0)}" if hint else ""
        msg = f"invalid energy edges {text!r}: {unit_text!r} is not a unit{why} ({example})"
        raise ValueError(msg) from err
    if unit.physical_type != "energy":
        msg = f"invalid energy edges {text!r}: {unit_text!r} is not an energy unit ({example})"
        raise ValueError(msg)
    return u.Quantity(values, unit)


def validate_energy_edges(energy_edges: u.Quantity) -> u.Quantity:
    """Check and return requested energy group edges as a 1-D energy `~astropy.units.Quantity`.

    Parameters
    ----------
    energy_edges : `~astropy.units.Quantity` or str
        At least two finite, positive, strictly increasing energies; a string such as
        ``"10,2000 GeV"`` is read by `parse_energy_edges`.

    Returns
    -------
    edges : `~astropy.units.Quantity`
        The edges as a float64 quantity.

    Raises
    ------
    TypeError
        If the edges are not a quantity with energy units.
    ValueError
        If they are fewer than two, not finite, not positive or not increasing, or a
        string is not values and an energy unit.
    """
    if isinstance(energy_edges, str):
        energy_edges = parse_energy_edges(energy_edges)
    if not isinstance(energy_edges, u.Quantity):
        try:
            energy_edges = u.Quantity(energy_edges)
        except TypeError as err:
            msg = f"energy_edges must be an energy Quantity, got {energy_edges!r}"
            raise TypeError(msg) from err
    if not energy_edges.unit.is_equivalent(u.TeV):
        msg = f"energy_edges must have energy units, got {energy_edges!r}"
        raise TypeError(msg)
    edges = cast(u.Quantity, np.atleast_1d(energy_edges.astype(np.float64)))
    if edges.ndim != 1 or edges.size < 2:
        msg = f"energy_edges needs at least two values, got {energy_edges!r}"
        raise ValueError(msg)
    values = edges.value
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        msg = f"energy_edges must be finite and positive, got {energy_edges!r}"
        raise ValueError(msg)
    if np.any(np.diff(values) <= 0):
        msg = f"energy_edges must be strictly increasing, got {energy_edges!r}"
        raise ValueError(msg)
    return edges


def snap_energy_groups(
    axis_edges: u.Quantity, energy_edges: u.Quantity
) -> list[tuple[int, int] | None]:
    """Reco-bin index range of each requested energy group on one dataset's axis.

    Each requested edge moves to the nearest axis edge in log-energy (ties to the even
    index, as numpy rounds), and edges beyond the axis move to its ends, as Gammapy does.

    Parameters
    ----------
    axis_edges : `~astropy.units.Quantity`
        Edges of the dataset's reco-energy axis (log-spaced bins).
    energy_edges : `~astropy.units.Quantity`
        Requested group edges (validated by `validate_energy_edges`).

    Returns
    -------
    groups : list of (int, int) or None
        For group k, the half-open bin range ``(start, stop)``, or None when both edges snap
        to the same axis edge (the group does not overlap the dataset).
    """
    log_axis = np.log(axis_edges.to_value(axis_edges.unit))
    log_req = np.log(energy_edges.to_value(axis_edges.unit))
    n = log_axis.size - 1
    index = np.arange(n + 1) - 0.5
    # np.interp clamps outside the axis, which is where Gammapy's clip puts those edges too.
    pix = np.interp(log_req, log_axis, index)
    snapped = np.round(pix + 0.5).astype(int)  # index of the nearest edge
    groups: list[tuple[int, int] | None] = []
    for start, stop in pairwise(snapped):
        groups.append((int(start), int(stop)) if stop > start else None)
    return groups


@dataclass(frozen=True)
class EnergyGroups:
    """The energy groups of a profile: what is fitted, what is a NaN row, what is dropped.

    Attributes
    ----------
    edges : `~astropy.units.Quantity`
        Edges of the result's energy axis (strictly increasing, in the first dataset's
        unit), one bin per kept group: the range each group actually fits.
    requested : `~astropy.units.Quantity`
        The requested edges.
    kept : tuple of int
        For each result group, the index of the requested group.
    ranges : list of list
        ``ranges[d][k]``: reco-bin range ``(start, stop)`` of result group k on dataset d,
        or None where the group does not overlap that dataset.
    empty : tuple of int
        Requested groups kept as NaN rows: no dataset overlaps them (they lie beyond the
        data's reco-energy range).
    dropped : tuple of int
        Requested groups inside the data's range that contain no reco-bin of their own
        (both edges snap to the same reco edge); their energies are fitted by the
        neighbouring groups.
    """

    edges: u.Quantity
    requested: u.Quantity
    kept: tuple[int, ...]
    ranges: list[list[tuple[int, int] | None]]
    empty: tuple[int, ...]
    dropped: tuple[int, ...]


def plan_energy_groups(
    axis_edges: list[u.Quantity], energy_edges: u.Quantity
) -> EnergyGroups:
    """Snap requested energy groups to the datasets' reco bins and build the energy axis.

    Each dataset's reco axis is snapped as Gammapy does (`snap_energy_groups`). A group's
    range is the union over the datasets it overlaps (lowest first edge, highest last
    edge). Groups overlapping no dataset are kept as NaN rows where they lie beyond the
    data (their requested edges, the edge next to the data moved onto the data's end),
    and dropped where they lie inside it (they span no reco bin: their energies belong to
    the neighbouring groups' fits), so that the axis is strictly increasing and every
    group's edges are the range it fits (docs/energy_groups.rst).

    Parameters
    ----------
    axis_edges : list of `~astropy.units.Quantity`
        Edges of each dataset's reco-energy axis (log-spaced bins).
    energy_edges : `~astropy.units.Quantity`
        Requested group edges (validated by `validate_energy_edges`).

    Returns
    -------
    groups : `EnergyGroups`
        The plan: result edges, kept / empty / dropped groups and per-dataset bin ranges.
    """
    unit = axis_edges[0].unit
    snapped = [snap_energy_groups(edges, energy_edges) for edges in axis_edges]
    n_groups = energy_edges.size - 1
    requested = energy_edges.to_value(unit)
    lows = np.full(n_groups, np.inf)
    highs = np.full(n_groups, -np.inf)
    for edges, groups in zip(axis_edges, snapped, strict=True):
        values = edges.to_value(unit)
        for g, bins in enumerate(groups):
            if bins is not None:
                lows[g] = min(lows[g], values[bins[0]])
                highs[g] = max(highs[g], values[bins[1]])
    valid = np.isfinite(lows)
    if not valid.any():
        kept = tuple(range(n_groups))
        return EnergyGroups(
            edges=requested * unit,
            requested=energy_edges,
            kept=kept,
            ranges=[[None] * n_groups for _ in snapped],
            empty=kept,
            dropped=(),
        )
    first, last = np.flatnonzero(valid)[[0, -1]]
    data_min, data_max = lows[first], highs[last]
    kept_list: list[int] = []
    lower: list[float] = []
    empty: list[int] = []
    dropped: list[int] = []
    for g in range(n_groups):
        if valid[g]:
            kept_list.append(g)
            lower.append(lows[g])
        elif g < first and requested[g] < data_min * (1 - _EDGE_RTOL):
            # below the data: its requested edges; the next group's edge closes it
            kept_list.append(g)
            empty.append(g)
            lower.append(requested[g])
        elif g > last and requested[g + 1] > data_max * (1 + _EDGE_RTOL):
            # above the data: starts where the data end (the last fitted edge)
            lower.append(data_max if kept_list[-1] == last else requested[g])
            kept_list.append(g)
            empty.append(g)
        else:
            dropped.append(g)
    upper = data_max if kept_list[-1] == last else requested[-1]
    edges = np.append(lower, upper)
    if not np.all(np.diff(edges) > 0):  # guaranteed by the construction above
        msg = (
            f"energy groups {requested} {unit} give non-increasing edges {edges} {unit}"
        )
        raise RuntimeError(msg)
    return EnergyGroups(
        edges=edges * unit,
        requested=energy_edges,
        kept=tuple(kept_list),
        ranges=[[groups[g] for g in kept_list] for groups in snapped],
        empty=tuple(empty),
        dropped=tuple(dropped),
    )
