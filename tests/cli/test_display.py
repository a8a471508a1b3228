"""The energy unit of the command line's tables, titles and legends."""

from __future__ import annotations

from astropy import units as u

from fluxprofile.cli.display import energy_display_unit


def test_gev_below_10_tev_else_tev():
    assert energy_display_unit([10, 2000] * u.GeV) == u.GeV
    assert energy_display_unit([0.5, 9.99] * u.TeV) == u.GeV
    assert energy_display_unit([0.5, 10] * u.TeV) == u.TeV
    assert energy_display_unit([1e6, 1e7] * u.MeV) == u.TeV
