"""What FluxPoints.plot and ProfileQuantity.plot draw (fluxprofile.plotting.flux_points).

Expected values come from the Gammapy 2.1 reference tables (``CASE_dnde.ecsv`` etc.). Every
figure is also saved as a PNG in ``tests/artifacts/plotting`` (gitignored) to be looked at.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Table
from flux_points_cases import simple_profile
from plot_helpers import DEG_LABEL, SED_UNITS, errorbar_parts, latex, read_case

from fluxprofile import (
    FluxPoints,
    MapAxis,
)


# ---- FluxPoints.plot ------------------------------------------------------------------
@pytest.mark.parametrize("sed_type", ["dnde", "e2dnde", "flux", "eflux"])
@pytest.mark.parametrize("case", ["fermi_rect_seed", "fermi_annulus_seed"])
def test_plot_draws_reference_points_and_upper_limits(
    reference_dir, figure, case, sed_type
):
    fp, _ = read_case(reference_dir, case)
    # The flux/eflux/e2dnde tables are not all stored; dnde/flux are, e2dnde/eflux are
    # derived from them with the closed forms e2dnde = dnde * e_ref^2 and eflux =
    # flux * (eflux_ref / flux_ref) of the reference model stored in CASE.ecsv.
    ref = Table.read(reference_dir / f"{case}.ecsv", format="ascii.ecsv")
    if sed_type in ("dnde", "e2dnde"):
        table = Table.read(reference_dir / f"{case}_dnde.ecsv", format="ascii.ecsv")
        scale = 1.0 * u.Unit(SED_UNITS["dnde"])
        if sed_type == "e2dnde":
            scale = scale * table["e_ref"].quantity ** 2
        expected = {
            k: table[f"dnde{k}"] * scale.to_value(SED_UNITS[sed_type])
            for k in ("", "_err", "_ul")
        }
    else:
        table = Table.read(reference_dir / f"{case}_flux.ecsv", format="ascii.ecsv")
        scale = 1.0 * u.Unit(SED_UNITS["flux"])
        if sed_type == "eflux":
            scale = scale * ref["ref_eflux"].quantity / ref["ref_flux"].quantity
        expected = {
            k: table[f"flux{k}"] * scale.to_value(SED_UNITS[sed_type])
            for k in ("", "_err", "_ul")
        }
    is_ul = np.asarray(table["is_ul"], bool)
    n_x, n_e = is_ul.shape

    ax = figure.add_subplot()
    out = fp.plot(ax=ax, sed_type=sed_type)
    assert out is ax
    assert len(ax.containers) == n_e  # one series per energy group
    for i_e, container in enumerate(ax.containers):
        x, y, carets, segments = errorbar_parts(container)
        np.testing.assert_allclose(x, ref["x_ref"], rtol=1e-12)
        assert len(y) == n_x
        want = np.where(is_ul[:, i_e], expected["_ul"][:, i_e], expected[""][:, i_e])
        np.testing.assert_allclose(y, want, rtol=1e-9, equal_nan=True)
        assert carets == is_ul[:, i_e].sum()
        # vertical bars: [y - err, y + err]; upper limits: [ul - max(ul / 2, 0), ul]
        lower = np.where(is_ul[:, i_e], 0.5 * want, expected["_err"][:, i_e])
        lo = want - np.clip(lower, 0, None)
        hi = np.where(
            is_ul[:, i_e], want, want + np.clip(expected["_err"][:, i_e], 0, None)
        )
        got = np.array([[s[0, 1], s[1, 1]] for s in segments])
        keep = np.isfinite(lo) & np.isfinite(hi)
        np.testing.assert_allclose(np.sort(got[:, 0]), np.sort(lo[keep]), rtol=1e-9)
        np.testing.assert_allclose(np.sort(got[:, 1]), np.sort(hi[keep]), rtol=1e-9)

    assert ax.get_xlabel() == DEG_LABEL
    assert ax.get_ylabel() == f"{sed_type} [{latex(SED_UNITS[sed_type])}]"
    assert ax.get_yscale() == "log"
    assert ax.get_xlim() == pytest.approx(
        (ref["x_ref"][0], ref["x_ref"][-1]), rel=1e-12
    )
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    e_ref, e_min, e_max = (np.asarray(ref[c][0]) for c in ("e_ref", "e_min", "e_max"))
    if sed_type in ("dnde", "e2dnde"):
        assert texts == [f"{e:.2e} keV" for e in e_ref]
    else:
        assert texts == [
            f"{lo:.2e} keV - {hi:.2e} keV" for lo, hi in zip(e_min, e_max, strict=True)
        ]


def test_plot_asymmetric_errors_and_energy_power(reference_dir, figure):
    """onoff_horizontal_boxes has errn/errp: bars use errn below, errp above; E^2 scaling."""
    fp, table = read_case(reference_dir, "onoff_horizontal_boxes", "dnde")
    # Gammapy found no upper limit at threshold 2; a higher threshold makes some points
    # upper limits: is_ul = sqrt_ts < threshold, from Gammapy's sqrt_ts column.
    threshold = float(np.median(table["sqrt_ts"]))
    fp.sqrt_ts_threshold_ul = threshold
    is_ul = np.asarray(table["sqrt_ts"]) < threshold
    assert is_ul.any()
    assert (~is_ul).any()
    ax = figure.add_subplot()
    fp.plot(ax=ax, sed_type="dnde", energy_power=2)
    e2 = (table["e_ref"].quantity[0] ** 2).to_value("TeV2")
    for i_e, container in enumerate(ax.containers):
        _x, y, carets, segments = errorbar_parts(container)
        dnde = np.where(is_ul[:, i_e], table["dnde_ul"][:, i_e], table["dnde"][:, i_e])
        np.testing.assert_allclose(y, dnde * e2[i_e], rtol=1e-9)
        assert carets == is_ul[:, i_e].sum()
        errn = np.where(is_ul[:, i_e], 0.5 * dnde, table["dnde_errn"][:, i_e])
        errp = np.where(is_ul[:, i_e], 0.0, table["dnde_errp"][:, i_e])
        got = np.array([[s[0, 1], s[1, 1]] for s in segments])
        np.testing.assert_allclose(
            got[:, 0], (dnde - np.clip(errn, 0, None)) * e2[i_e], rtol=1e-9
        )
        np.testing.assert_allclose(got[:, 1], (dnde + errp) * e2[i_e], rtol=1e-9)
    assert ax.get_ylabel() == f"e2 * dnde [{latex('TeV s-1 cm-2')}]"


def test_plot_without_ul_draws_no_arrows_and_takes_kwargs(reference_dir, figure):
    fp, table = read_case(reference_dir, "onoff_radial_default", "dnde")
    ax = figure.add_subplot()
    fp.plot(ax=ax, color="tab:orange", label="mine", markersize=7)
    assert "is_ul" not in table.colnames  # no UL computed, so no arrows
    (container,) = ax.containers
    _x, y, carets, _segments = errorbar_parts(container)
    assert carets == 0
    np.testing.assert_allclose(y, table["dnde"][:, 0], rtol=1e-9)
    line = container.lines[0]
    assert line.get_color() == "tab:orange"
    assert line.get_markersize() == 7
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["mine"]


def test_plot_along_energy_and_errors(reference_dir, figure):
    fp, _ = read_case(reference_dir, "fermi_annulus_seed")
    ax = figure.add_subplot()
    fp.slice_by_idx({"projected-distance": slice(0, 1)}).plot(ax=ax, sed_type="flux")
    (container,) = ax.containers
    x, _, _, _ = errorbar_parts(container)
    np.testing.assert_allclose(x, fp.energy_axis.center.value, rtol=1e-12)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == f"Energy [{latex('keV')}]"
    with pytest.raises(ValueError, match="sed_type must be one of"):
        fp.plot(ax=ax, sed_type="likelihood")
    with pytest.raises(ValueError, match="axis_name must be one of"):
        fp.plot(ax=ax, axis_name="time")


# ---- quantities -----------------------------------------------------------------------
def test_quantity_plots_of_the_tutorial(reference_dir, figure):
    fp, table = read_case(reference_dir, "fermi_rect_seed")
    ax = figure.add_subplot()
    names = ["npred", "npred_excess", "npred_background"]
    for name in names:
        assert fp[name].plot(ax=ax, label=name.title()) is ax
    assert len(ax.containers) == 3
    npred = np.asarray(table["npred"])[:, 0, 0]
    excess = np.asarray(table["npred_excess"])[:, 0, 0]
    expected = [npred, excess, npred - excess]
    for container, want in zip(ax.containers, expected, strict=True):
        x, y, carets, _ = errorbar_parts(container)
        np.testing.assert_allclose(x, table["x_ref"], rtol=1e-12)
        np.testing.assert_allclose(y, want, rtol=1e-6)
        assert carets == 0
        assert container.lines[0].get_linestyle() == "None"
        assert container.lines[0].get_marker() == "o"
    assert [c.get_label() for c in ax.containers] == [n.title() for n in names]
    assert ax.get_xlabel() == DEG_LABEL
    assert (
        ax.get_ylabel() == "npred"
    )  # dimensionless: no unit; first quantity's label kept
    ax.set_ylabel("Counts")
    ax.legend()


def test_quantity_plot_several_series_has_legend(reference_dir, figure):
    fp, table = read_case(reference_dir, "fermi_annulus_seed")
    ax = figure.add_subplot()
    fp.counts.plot(ax=ax)
    counts = np.asarray(table["counts"])[..., 0]
    assert len(ax.containers) == 2
    for i_e, container in enumerate(ax.containers):
        np.testing.assert_array_equal(errorbar_parts(container)[1], counts[:, i_e])
    e_min, e_max = np.asarray(table["e_min"][0]), np.asarray(table["e_max"][0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"{lo:.2e} keV - {hi:.2e} keV" for lo, hi in zip(e_min, e_max, strict=True)
    ]


def test_dataset_axis_labels_and_plot(figure):
    energy = MapAxis.from_energy_edges([10, 100, 500] * u.GeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    counts = np.arange(12, dtype=float).reshape(3, 2, 2)
    fp = FluxPoints(
        {"norm": np.ones((3, 2)), "counts": counts},
        energy,
        distance,
        dataset_names=["fermi", "hess"],
    )
    axis = fp.counts.axes["dataset"]
    assert list(axis.center) == ["fermi", "hess"]  # Gammapy's LabelMapAxis after a run
    assert list(fp.slice_by_idx({"dataset": 1}).counts.axes["dataset"].center) == [
        "hess"
    ]
    unnamed = FluxPoints({"norm": np.ones((3, 2)), "counts": counts}, energy, distance)
    np.testing.assert_array_equal(
        unnamed.counts.axes["dataset"].edges.value, [-0.5, 0.5, 1.5]
    )

    ax = figure.add_subplot()
    fp.counts.plot(ax=ax)
    assert len(ax.containers) == 4  # 2 datasets x 2 energy groups, along the profile
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    energy_labels = ["1.00e+01 GeV - 1.00e+02 GeV", "1.00e+02 GeV - 5.00e+02 GeV"]
    assert texts == [f"{d} {e}" for d in ("fermi", "hess") for e in energy_labels]
    for k, container in enumerate(ax.containers):
        i_d, i_e = divmod(k, 2)
        np.testing.assert_array_equal(errorbar_parts(container)[1], counts[:, i_e, i_d])


def test_profile_quantity_plot() -> None:
    import matplotlib.pyplot as plt

    fp = simple_profile(n_x=4, n_e=2)
    fig, ax = plt.subplots()
    try:
        out = fp.dnde.plot(ax=ax, color="k")
        assert out is ax
        assert len(ax.lines) == 2
        np.testing.assert_array_equal(
            ax.lines[0].get_xdata(), fp.distance_axis.center.value
        )
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), fp.dnde.values[:, 1])
        # Gammapy's label: unit in astropy's "latex_inline" format (degree sign)
        assert ax.get_xlabel() == "Projected-distance [$\\mathrm{{}^{\\circ}}$]"
        assert ax.get_legend() is not None
    finally:
        plt.close(fig)
