"""Helpers of the plotting tests (registered as ``plot_helpers`` by tests/plotting/conftest.py):
reading a reference case, taking errorbar containers apart, Gammapy's label strings."""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.table import Table
from matplotlib.lines import CARETDOWNBASE

from fluxprofile import (
    FluxPoints,
    PowerLawSpectralModel,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "plotting"


SED_UNITS = {
    "dnde": "cm-2 s-1 TeV-1",
    "e2dnde": "erg cm-2 s-1",
    "flux": "cm-2 s-1",
    "eflux": "erg cm-2 s-1",
}


DEG_LABEL = "Projected-distance [$\\mathrm{{}^{\\circ}}$]"


def read_case(reference_dir: Path, case: str, sed_type: str = "likelihood"):
    """(fluxprofile FluxPoints read from CASE.ecsv, Gammapy's table of ``sed_type``).

    The case's reference spectral model (from CASE.json) is passed to the reader, so that
    integral fluxes equal Gammapy's even for one energy group (the fallback template
    model through a single (e_ref, ref_dnde) node integrates differently).
    """
    spec = json.loads((reference_dir / f"{case}.json").read_text())["estimator"][
        "spectral_model"
    ]
    assert spec["type"] == "PowerLawSpectralModel"
    model = PowerLawSpectralModel(
        **{p["name"]: u.Quantity(p["value"], p["unit"]) for p in spec["parameters"]}
    )
    fp = FluxPoints.read(
        reference_dir / f"{case}.ecsv", format="profile", reference_model=model
    )
    suffix = "" if sed_type == "likelihood" else f"_{sed_type}"
    table = Table.read(reference_dir / f"{case}{suffix}.ecsv", format="ascii.ecsv")
    return fp, table


def errorbar_parts(container):
    """(x, y, number of upper-limit carets, vertical bar segments) of an errorbar container."""
    data_line, caplines, barcols = container.lines
    carets = sum(
        int(np.count_nonzero(np.isfinite(np.asarray(line.get_ydata(), dtype=float))))
        for line in caplines
        if line.get_marker() == CARETDOWNBASE
    )
    vertical = barcols[-1].get_segments() if container.has_yerr else []
    return (
        np.asarray(data_line.get_xdata(), float),
        np.asarray(data_line.get_ydata(), float),
        carets,
        vertical,
    )


def latex(unit: str) -> str:
    return u.Unit(unit).to_string("latex_inline")
