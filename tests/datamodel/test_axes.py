"""Tests of fluxprofile.datamodel.axes: MapAxis and MapAxes (closed forms, Gammapy's arithmetic, brute force)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxprofile import MapAxes, MapAxis


def test_centre_node_lin_axis_edges_semantics_1_5():
    nodes = np.array([0.0, 1.0, 3.0, 6.0])
    axis = MapAxis.from_nodes(nodes * u.deg, name="projected-distance")
    # docs/data_model.rst: midpoints, ends extrapolated by half a step
    expected = [0 - 0.5, 0.5, 2.0, 4.5, 6 + 1.5]
    np.testing.assert_allclose(axis.edges.to_value(u.deg), expected, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(axis.center.to_value(u.deg), nodes)
    np.testing.assert_array_equal(axis.bounds.to_value(u.deg), [0.0, 6.0])
    assert axis.node_type == "center"
    assert axis.interp == "lin"
    assert axis.unit == u.deg
    assert axis.nbin == 4
    np.testing.assert_allclose(axis.edges_min.value, expected[:-1], atol=1e-14)
    np.testing.assert_allclose(axis.edges_max.value, expected[1:], atol=1e-14)


def test_axis_arithmetic_is_gammapys_bit_for_bit(reference_dir):
    """Edges, centres and pixel coordinates use the arithmetic of SciPy's degree-1
    ``interp1d`` (Gammapy's axes), so that profile files have Gammapy's x_min/x_max to the
    last bit (docs/profile_files.rst)."""
    from scipy.interpolate import interp1d

    rng = np.random.default_rng(3)
    for trial in range(200):
        n = int(rng.integers(2, 40))
        nodes = (
            np.unique(rng.uniform(0, 10, n))
            if trial % 2
            else np.cumsum(rng.uniform(0.01, 1, n))
        )
        if nodes.size < 2:
            continue
        axis = MapAxis.from_nodes(nodes, name="projected-distance")
        index = np.arange(nodes.size, dtype=float)
        pix = np.arange(nodes.size + 1) - 0.5
        gammapy_edges = interp1d(index, nodes, kind=1, fill_value="extrapolate")(pix)
        np.testing.assert_array_equal(axis.edges.value, gammapy_edges)
        coords = rng.uniform(nodes[0] - 1, nodes[-1] + 1, 20)
        gammapy_pix = interp1d(nodes, index, kind=1, fill_value="extrapolate")(coords)
        np.testing.assert_array_equal(axis.coord_to_pix(coords), gammapy_pix)
        log_axis = MapAxis.from_edges(nodes + 1, interp="log")
        log_centres = np.exp(
            interp1d(index, np.log(nodes + 1), kind=1)(index[:-1] + 0.5)
        )
        np.testing.assert_array_equal(log_axis.center, log_centres)
    # the H.E.S.S. tilted boxes: the edges Gammapy 2.1 computed, bit for bit
    import json

    info = json.loads((reference_dir / "hess_crab_map_rect.json").read_text())
    regions = info["regions"]["list"]
    first = SkyCoord(
        regions[0]["center"]["lon_deg"],
        regions[0]["center"]["lat_deg"],
        unit="deg",
        frame="icrs",
    )
    centres = SkyCoord(
        [r["center"]["lon_deg"] for r in regions],
        [r["center"]["lat_deg"] for r in regions],
        unit="deg",
        frame="icrs",
    )
    axis = MapAxis.from_nodes(first.separation(centres).deg, name="projected-distance")
    np.testing.assert_array_equal(
        axis.edges.value, info["result"]["projected_distance_axis"]["edges"]
    )


def test_tutorial_box_distance_axis():
    # the tutorial's boxes have nodes k * 18/49 deg, first edge -9/49 deg
    nodes = np.arange(49) * 18 / 49
    axis = MapAxis.from_nodes(nodes, unit="deg", name="projected-distance")
    assert axis.edges[0].to_value(u.deg) == pytest.approx(-9 / 49, abs=1e-12)
    assert axis.edges[-1].to_value(u.deg) == pytest.approx(
        nodes[-1] + 9 / 49, abs=1e-12
    )
    np.testing.assert_allclose(np.diff(axis.edges.value), 18 / 49, rtol=1e-12)


def test_centre_node_log_axis_fermi_true_energy():
    # docs/data_model.rst: 12 log nodes 10..500 GeV, edges are log-midpoints (8.3709 .. 597.30 GeV)
    nodes = np.geomspace(1e4, 5e5, 12)
    axis = MapAxis.from_nodes(nodes * u.MeV, name="energy_true", interp="log")
    ln = np.log(nodes)
    expected = np.exp(
        np.concatenate(
            [
                [ln[0] - (ln[1] - ln[0]) / 2],
                (ln[1:] + ln[:-1]) / 2,
                [ln[-1] + (ln[-1] - ln[-2]) / 2],
            ]
        )
    )
    np.testing.assert_allclose(axis.edges.to_value(u.MeV), expected, rtol=1e-13)
    assert axis.edges[0].to_value(u.GeV) == pytest.approx(8.3709, rel=1e-4)
    assert axis.edges[-1].to_value(u.GeV) == pytest.approx(597.30, rel=1e-4)
    np.testing.assert_array_equal(axis.center.to_value(u.MeV), nodes)


def test_edge_axis_log_centres_are_geometric_means():
    edges = np.array([1.0, 10.0, 1000.0])
    axis = MapAxis.from_edges(edges, unit="TeV", interp="log", name="energy")
    np.testing.assert_allclose(
        axis.center.to_value(u.TeV), np.sqrt(edges[:-1] * edges[1:]), rtol=1e-14
    )
    np.testing.assert_allclose(axis.edges.to_value(u.TeV), edges, rtol=1e-14)
    np.testing.assert_allclose(axis.bounds.to_value(u.TeV), [1.0, 1000.0], rtol=1e-14)


def test_sqrt_axis_centres():
    axis = MapAxis.from_bounds(1.0, 25.0, nbin=2, interp="sqrt")
    # nodes evenly spaced in sqrt: 1, 9, 25; centres at sqrt-midpoints 2^2, 4^2
    np.testing.assert_allclose(axis.edges.value, [1.0, 9.0, 25.0], rtol=1e-14)
    np.testing.assert_allclose(axis.center.value, [4.0, 16.0], rtol=1e-14)


def test_from_energy_bounds():
    axis = MapAxis.from_energy_bounds("10 GeV", "500 GeV", nbin=11)
    assert axis.name == "energy"
    assert axis.interp == "log"
    assert axis.unit == u.GeV
    np.testing.assert_allclose(axis.edges.value, np.geomspace(10, 500, 12), rtol=1e-13)
    true_axis = MapAxis.from_energy_bounds(
        0.1, 100, 5, unit="TeV", per_decade=True, name="energy_true"
    )
    assert true_axis.nbin == 15  # 3 decades x 5
    assert true_axis.name == "energy_true"
    centre = MapAxis.from_energy_bounds(1 * u.TeV, 100 * u.TeV, 3, node_type="center")
    np.testing.assert_allclose(centre.center.value, [1, 10, 100], rtol=1e-13)


def test_from_energy_edges():
    axis = MapAxis.from_energy_edges([1, 2, 4] * u.TeV)
    assert axis.name == "energy"
    assert axis.interp == "log"
    np.testing.assert_allclose(axis.edges.to_value(u.TeV), [1, 2, 4], rtol=1e-14)
    converted = MapAxis.from_energy_edges([1, 2] * u.TeV, unit="GeV")
    np.testing.assert_allclose(converted.edges.value, [1000, 2000], rtol=1e-14)
    assert converted.unit == u.GeV


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: MapAxis.from_energy_edges([1, 2] * u.deg), "energy"),
        (lambda: MapAxis.from_energy_edges([1, 2] * u.TeV, name="rad"), "energy_true"),
        (lambda: MapAxis.from_energy_bounds("2 TeV", "1 TeV", 3), "energy_min"),
        (lambda: MapAxis([1, 3, 2]), "sorted"),
        (lambda: MapAxis([1, 2, 2]), "sorted"),
        (lambda: MapAxis([1]), "at least 2"),
        (lambda: MapAxis.from_nodes([]), "at least 1"),
        (lambda: MapAxis([1, 2], interp="cubic"), "interp"),
        (lambda: MapAxis([1, 2], node_type="middle"), "node_type"),
        (lambda: MapAxis([-1, 2], interp="log"), "non-negative"),
        (lambda: MapAxis([1, np.nan]), "finite"),
        (lambda: MapAxis.from_bounds(0, 1, 0), "nbin"),
    ],
)
def test_axis_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_axis_name_must_be_str():
    with pytest.raises(TypeError, match="name"):
        MapAxis([1, 2], name=3)


def test_coord_to_pix_edges_and_extrapolation():
    edges = np.geomspace(1, 1000, 4)  # one decade per bin
    axis = MapAxis.from_edges(edges, interp="log", unit="TeV")
    np.testing.assert_allclose(axis.coord_to_pix(edges), np.arange(4) - 0.5, atol=1e-12)
    # closed form for a log axis with constant step: pix = log10(E) - 0.5, also outside
    e = np.array([0.1, 3.0, 50.0, 1e4])
    np.testing.assert_allclose(axis.coord_to_pix(e), np.log10(e) - 0.5, atol=1e-12)
    np.testing.assert_allclose(
        axis.coord_to_pix(3000 * u.GeV), np.log10(3.0) - 0.5, atol=1e-12
    )
    # lower edges are inclusive, the last upper edge is not
    e = axis.edges.value
    idx = axis.coord_to_idx([0.5, e[0], 9.99, e[1], 999.0, e[3], 2000.0, np.nan])
    np.testing.assert_array_equal(idx, [-1, 0, 0, 1, 2, -1, -1, -1])
    np.testing.assert_array_equal(axis.coord_to_idx([0.5, 2000.0], clip=True), [0, 2])
    with pytest.raises(ValueError, match="cannot be converted"):
        axis.coord_to_pix(1 * u.m)


def test_coord_to_pix_centre_axis():
    axis = MapAxis.from_nodes([0.0, 1.0, 3.0], unit="deg")
    np.testing.assert_allclose(
        axis.coord_to_pix([0.0, 1.0, 2.0, 3.0, 4.0]), [0, 1, 1.5, 2, 2.5]
    )


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0.01, 1e3), min_size=2, max_size=12, unique=True),
    st.sampled_from(["lin", "log", "sqrt"]),
)
def test_pix_coord_round_trip(values, interp):
    nodes = np.sort(values)
    if np.any(np.diff(nodes) <= 1e-9 * nodes[1:]):
        return
    axis = MapAxis(nodes, interp=interp)
    pix = axis.coord_to_pix(nodes)
    np.testing.assert_allclose(pix, np.arange(nodes.size) - 0.5, atol=1e-9)
    np.testing.assert_allclose(axis.pix_to_coord(pix), nodes, rtol=1e-9)
    # edges are monotonic and bracket the centres
    assert np.all(np.diff(axis.edges.value) > 0)
    assert np.all(
        (axis.center.value > axis.edges_min.value)
        & (axis.center.value < axis.edges_max.value)
    )


def test_slice_squash_copy_equality():
    axis = MapAxis.from_energy_bounds("10 GeV", "500 GeV", nbin=11)
    sub = axis.slice(slice(2, 5))
    np.testing.assert_array_equal(sub.edges.value, axis.edges.value[2:6])
    assert sub.name == axis.name
    assert sub.interp == axis.interp
    one = axis.slice(-1)
    np.testing.assert_array_equal(one.edges.value, axis.edges.value[-2:])
    centre = MapAxis.from_nodes([0, 1, 3, 6], unit="deg")
    np.testing.assert_array_equal(centre.slice(slice(1, 3)).center.value, [1, 3])
    with pytest.raises(ValueError, match="step"):
        axis.slice(slice(0, 4, 2))
    with pytest.raises(ValueError, match="no bin"):
        axis.slice(slice(4, 4))
    squashed = axis.squash()
    assert squashed.nbin == 1
    np.testing.assert_array_equal(squashed.edges.value, axis.edges.value[[0, -1]])
    assert axis.copy() == axis
    assert axis.copy(name="energy_true") != axis
    assert axis.rename("energy_true").name == "energy_true"
    # equal within 1e-6 and unit-aware
    assert axis == MapAxis.from_energy_bounds("0.01 TeV", "0.5 TeV", nbin=11).copy(
        unit="TeV"
    )
    assert axis.is_allclose(MapAxis.from_energy_bounds("0.01 TeV", "0.5 TeV", nbin=11))
    assert axis != MapAxis.from_energy_bounds("10 GeV", "500 GeV", nbin=10)
    assert axis != "energy"
    with pytest.raises(TypeError, match="unknown"):
        axis.copy(foo=1)
    text = repr(axis)
    assert "energy" in text
    assert "nbins" in text
    assert "11" in text


def test_axis_arrays_are_read_only():
    axis = MapAxis.from_edges([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="read-only"):
        axis.edges.value[0] = 5.0


def test_map_axes():
    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 3)
    true = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 4, name="energy_true")
    axes = MapAxes([energy, true])
    assert axes.names == ["energy", "energy_true"]
    assert axes.shape == (3, 4)
    assert len(axes) == 2
    assert axes["energy_true"] is true
    assert axes[0] is energy
    assert list(axes) == [energy, true]
    assert axes.index("energy_true") == 1
    with pytest.raises(KeyError, match="rad"):
        axes["rad"]
    with pytest.raises(ValueError, match="unique"):
        MapAxes([energy, energy])
    with pytest.raises(TypeError, match=r"axes\[1\]"):
        MapAxes([energy, "energy_true"])
    assert axes == MapAxes([energy.copy(), true.copy()])
