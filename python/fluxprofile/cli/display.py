"""How the command line shows energies: the unit of its tables, titles and legends."""

from __future__ import annotations

from astropy import units as u

__all__ = ["energy_display_unit"]


def energy_display_unit(edges: u.Quantity) -> u.UnitBase:
    """GeV, or TeV when the energies reach 10 TeV.

    Parameters
    ----------
    edges : `~astropy.units.Quantity`
        Energies (any energy unit).

    Returns
    -------
    unit : `~astropy.units.UnitBase`
        ``u.TeV`` if the largest energy is at least 1e4 GeV, else ``u.GeV``.
    """
    top = edges.to_value(u.GeV).max()
    return u.TeV if top >= 1e4 else u.GeV
