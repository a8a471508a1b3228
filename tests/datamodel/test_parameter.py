"""Tests of fluxprofile.datamodel.parameter: scan grids (Gammapy's formulas) and the Parameters collection."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from fluxprofile import Parameter, Parameters


def test_parameter_log_scan_values() -> None:
    """The estimator's default norm scan: 11 values log-spaced from 0.2 to 5 (Gammapy's grid)."""
    norm = Parameter(
        "norm", 1, interp="log", scan_min=0.2, scan_max=5, scan_n_values=11
    )
    expected = np.exp(np.linspace(np.log(0.2), np.log(5), 11))
    np.testing.assert_allclose(norm.scan_values, expected, rtol=1e-15)
    np.testing.assert_allclose(
        norm.scan_values[[1, 5, 9]], [0.27594593, 1.0, 3.62389832], rtol=1e-8
    )
    lin = Parameter("x", 2.0, error=0.5, scan_n_sigma=2, scan_n_values=5)
    np.testing.assert_allclose(lin.scan_values, [1.0, 1.5, 2.0, 2.5, 3.0])
    lin.scan_values = np.linspace(-1, 5, 11)
    assert lin.scan_values[0] == -1
    assert Parameter("a", "3 TeV").quantity == 3 * u.TeV


def test_parameters_collection():
    a = Parameter("a", 1.0, unit="TeV")
    b = Parameter("b", "2 cm", frozen=True)
    pars = Parameters([a, b])
    assert pars.names == ["a", "b"]
    np.testing.assert_array_equal(pars.value, [1.0, 2.0])
    assert pars.value.dtype == np.float64
    assert pars["b"] is b
    assert pars[0] is a
    assert "a" in pars
    assert a in pars
    assert "c" not in pars
    assert len(pars) == 2
    assert list(pars) == [a, b]
    with pytest.raises(KeyError, match=r"'c'.*available"):
        pars["c"]
    assert pars.free_parameters.names == ["a"]
    table = pars.to_table()
    assert list(table["name"]) == ["a", "b"]
    assert list(table["unit"]) == ["TeV", "cm"]
    assert list(table["frozen"]) == [False, True]
    assert str(pars).splitlines()[0].split() == [
        "name",
        "value",
        "unit",
        "error",
        "min",
        "max",
        "frozen",
    ]
    pars.freeze_all()
    assert a.frozen
    assert pars.free_parameters.names == []
    assert str(Parameters()) == ""
