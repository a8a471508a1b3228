"""Energy groups: requested energy edges snapped to a dataset's reco-energy bins."""

from __future__ import annotations

import numpy as np
from astropy import units as u

__all__ = ["snap_energy_groups", "validate_energy_edges"]


def validate_energy_edges(energy_edges: u.Quantity) -> u.Quantity:
    """Check and return requested energy group edges as a 1-D energy `~astropy.units.Quantity`.

    Parameters
    ----------
    energy_edges : `~astropy.units.Quantity`
        At least two finite, positive, strictly increasing energies.

    Returns
    -------
    edges : `~astropy.units.Quantity`
        The edges as a float64 quantity.

    Raises
    ------
    TypeError
        If the edges are not a quantity with energy units.
    ValueError
        If they are fewer than two, not finite, not positive or not increasing.
    """
    if not isinstance(energy_edges, u.Quantity):
        try:
            energy_edges = u.Quantity(energy_edges)
        except TypeError as err:
            msg = f"energy_edges must be an energy Quantity, got {energy_edges!r}"
            raise TypeError(msg) from err
    if not energy_edges.unit.is_equivalent(u.TeV):
        msg = f"energy_edges must have energy units, got {energy_edges!r}"
        raise TypeError(msg)
    edges = np.atleast_1d(energy_edges.astype(np.float64))
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
    for start, stop in zip(snapped[:-1], snapped[1:]):
        groups.append((int(start), int(stop)) if stop > start else None)
    return groups
