"""Tests of fluxprofile.plotting.labels: Gammapy 2.1's axis and legend label strings.

Expected strings are written out from Gammapy's templates: ``"quantity [unit]"`` with the
unit in astropy's "latex_inline" form, bin labels ``"lo - hi"`` (edges) or the centre, and
the x-axis names and scales of Gammapy's ``MapAxis.format_plot_xaxis``.
"""

from __future__ import annotations

import astropy.units as u
import matplotlib.pyplot as plt
import pytest

from fluxprofile import MapAxis
from fluxprofile.plotting.labels import (
    axis_plot_labels,
    format_plot_xaxis,
    quantity_label,
    unit_label,
)


def test_quantity_and_unit_labels():
    # Gammapy's template: the unit in astropy's "latex_inline" form
    inline = u.Unit("cm-2 s-1").to_string("latex_inline")
    assert inline.startswith("$")
    assert "frac" not in inline
    assert unit_label("cm-2 s-1") == inline
    assert quantity_label("flux", "cm-2 s-1") == f"flux [{inline}]"
    assert quantity_label("norm", "") == "norm"  # dimensionless: no brackets
    assert quantity_label("ts", u.dimensionless_unscaled) == "ts"


def test_bin_labels_of_edge_and_centre_axes():
    edges = MapAxis.from_energy_edges([10, 100, 500] * u.GeV)
    assert axis_plot_labels(edges) == [
        "1.00e+01 GeV - 1.00e+02 GeV",
        "1.00e+02 GeV - 5.00e+02 GeV",
    ]
    assert axis_plot_labels(edges, use_center=True) == [
        f"{c:.2e}" for c in edges.center
    ]
    nodes = MapAxis.from_nodes([0.5, 1.5] * u.deg, name="projected-distance")
    assert axis_plot_labels(nodes) == ["5.00e-01 deg", "1.50e+00 deg"]


@pytest.mark.parametrize(
    ("axis", "label", "scale"),
    [
        (MapAxis.from_energy_edges([1, 10] * u.TeV), "Energy [$\\mathrm{TeV}$]", "log"),
        (
            MapAxis.from_energy_edges([1, 10] * u.TeV, name="energy_true"),
            "True Energy [$\\mathrm{TeV}$]",
            "log",
        ),
        (
            MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance"),
            "Projected-distance [$\\mathrm{{}^{\\circ}}$]",
            "linear",
        ),
    ],
)
def test_x_axis_name_scale_and_limits(axis, label, scale):
    fig, ax = plt.subplots()
    try:
        assert format_plot_xaxis(ax, axis) is ax
        assert ax.get_xlabel() == label
        assert ax.get_xscale() == scale
        assert ax.get_xlim() == pytest.approx(tuple(axis.bounds.value))
    finally:
        plt.close(fig)
