"""Tests of fluxprofile.datamodel.quantity: ProfileQuantity's layout (Gammapy's map shape,
a view of the values) and the split of quantity data into values and a unit."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Column, MaskedColumn

from fluxprofile import MapAxis
from fluxprofile.datamodel import ProfileQuantity
from fluxprofile.datamodel.quantity import values_and_unit


def _axes():
    energy = MapAxis.from_energy_edges([1, 10, 100] * u.GeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    return [energy, distance]


def test_layout_is_gammapys_and_shares_the_values():
    values = np.arange(6.0).reshape(3, 2)
    q = ProfileQuantity("flux", values, "cm-2 s-1", _axes())
    assert q.values is values
    assert q.data.shape == q.shape == (3, 2, 1, 1)
    assert np.shares_memory(q.data, values)
    assert q.dtype == np.float64
    assert q.axes.names == ["energy", "projected-distance"]
    assert q.quantity.unit == u.Unit("cm-2 s-1")
    np.testing.assert_array_equal(q.to_value("m-2 s-1"), values[..., None, None] * 1e4)
    assert q.to_value() is not None
    assert np.shares_memory(q.to_value(), values)
    np.testing.assert_array_equal(np.asarray(q), q.data)
    assert np.asarray(q, dtype=np.float32).dtype == np.float32
    assert not np.shares_memory(q.__array__(copy=True), values)
    assert repr(q) == (
        "ProfileQuantity(name='flux', shape=(3, 2, 1, 1), unit='1 / (s cm2)', "
        "axes=['energy', 'projected-distance'])"
    )


def test_values_and_unit():
    q = ProfileQuantity("norm", np.ones((3, 2)), "", _axes())
    values, unit = values_and_unit("norm", q)
    assert values is q.values
    assert unit == u.dimensionless_unscaled
    values, unit = values_and_unit("flux", [1.0, 2.0] * u.Unit("cm-2 s-1"))
    np.testing.assert_array_equal(values, [1.0, 2.0])
    assert unit == u.Unit("cm-2 s-1")
    values, unit = values_and_unit("e_ref", Column([1.0, 2.0], unit="TeV"))
    assert unit == u.TeV
    assert list(values) == [1.0, 2.0]
    # masked table entries become NaN (False for flags), never a silent 0
    values, unit = values_and_unit(
        "ts", MaskedColumn([1.0, 2.0], mask=[False, True], unit="")
    )
    assert values[0] == 1.0
    assert np.isnan(values[1])
    flags, _ = values_and_unit("is_ul", MaskedColumn([True, True], mask=[False, True]))
    assert flags.tolist() == [True, False]
    values, unit = values_and_unit("npix", [[3, 4]])
    assert values.shape == (1, 2)
    assert unit == u.dimensionless_unscaled
    with pytest.raises(TypeError, match=r"data\['norm'\] must be array-like, got list"):
        values_and_unit("norm", [[1.0, 2.0], [3.0]])  # ragged


# ---- map-like behaviour (Gammapy's RegionNDMap) ---------------------------------------------
def _q(values, unit="cm-2 s-1", name="flux"):
    return ProfileQuantity(name, np.asarray(values, dtype=float), unit, _axes())


def test_geom_has_the_axes_by_name():
    q = _q(np.arange(6.0).reshape(3, 2))
    assert q.geom.axes["energy"] is q.axes["energy"]
    assert q.geom.axes.names == ["energy", "projected-distance"]
    assert q.geom.data_shape == q.data.shape == (3, 2, 1, 1)
    assert q.geom.region is None


def test_elementwise_arithmetic_follows_gammapys_units():
    a = np.arange(1.0, 7.0).reshape(3, 2)
    b = np.linspace(2.0, 3.0, 6).reshape(3, 2)
    qa, qb = _q(a), _q(b)
    # +, - convert the other operand to this unit; *, / combine units (brute force numpy)
    total = qa + qb
    assert isinstance(total, ProfileQuantity)
    np.testing.assert_allclose(total.values, a + b)
    assert total.unit == qa.unit
    np.testing.assert_allclose((qa + qb.quantity.to("m-2 s-1")).values, a + b)
    np.testing.assert_allclose((qa - qb).values, a - b)
    np.testing.assert_allclose((qa * qb).values, a * b)
    assert (qa * qb).unit == u.Unit("cm-4 s-2")
    assert (qa / qb).unit == u.dimensionless_unscaled
    np.testing.assert_allclose((2 * qa).values, 2 * a)
    np.testing.assert_allclose((qa / 2).values, a / 2)
    np.testing.assert_allclose((1 / qa).values, 1 / a)
    assert (1 / qa).unit == u.Unit("cm2 s")
    np.testing.assert_allclose((-qa).values, -a)
    np.testing.assert_allclose(abs(-qa).values, a)
    np.testing.assert_allclose((qa**2).values, a**2)
    assert (qa**2).unit == qa.unit**2
    # ndarray on the left defers to the quantity
    arr = np.full((3, 2, 1, 1), 3.0)
    assert isinstance(arr * qa, ProfileQuantity)
    norm = _q(a, unit="", name="norm")
    np.testing.assert_allclose((1 - norm).values, 1 - a)
    # the flux points' arrays are never changed by arithmetic
    before = a.copy()
    _ = qa + qb
    np.testing.assert_array_equal(a, before)


def test_comparisons_are_elementwise_and_boolean():
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    qa, qb = _q(a), _q(a.copy())
    equal = qa == qb
    assert isinstance(equal, ProfileQuantity)
    assert equal.dtype == bool
    assert np.all(equal)
    assert not np.any(qa != qb)
    np.testing.assert_array_equal((qa > 3 * u.Unit("cm-2 s-1")).values, a > 3)
    np.testing.assert_array_equal((qa <= qb * 0.5).values, a <= 0.5 * a)
    flags = ProfileQuantity("is_ul", a > 3, "", _axes())
    np.testing.assert_array_equal((~flags).values, a <= 3)
    # plain arrays combine in the map layout (data shape), as with Gammapy's maps
    np.testing.assert_array_equal((flags & (a > 4)[..., None, None]).values, a > 4)
    np.testing.assert_array_equal(
        (flags | (a < 2)[..., None, None]).values, (a > 3) | (a < 2)
    )
    np.testing.assert_array_equal((flags ^ flags).values, np.zeros_like(a, bool))
    # a comparison of several values has no single truth value (as numpy)
    with pytest.raises(ValueError, match="truth value"):
        bool(equal)
    with pytest.raises(TypeError, match="unhashable"):
        hash(qa)


def test_arithmetic_errors():
    qa = _q(np.ones((3, 2)))
    with pytest.raises(u.UnitConversionError):
        qa + 1  # a plain number is dimensionless, as in Gammapy
    other = ProfileQuantity("x", np.ones((2, 2)), "cm-2 s-1", [
        _axes()[0], MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
    ])  # fmt: skip
    with pytest.raises(ValueError, match="inconsistent geometries"):
        qa + other
    with pytest.raises(ValueError, match="operands must broadcast"):
        qa * np.ones((5, 3, 2, 1, 1))
    with pytest.raises(TypeError, match="cannot combine"):
        qa + "x"


def test_slices_and_indexing():
    a = np.arange(6.0).reshape(3, 2)
    q = _q(a)
    high = q.slice_by_idx({"energy": slice(1, 2)})
    assert high.axes["energy"].nbin == 1
    np.testing.assert_array_equal(high.values, a[:, 1:2])
    one = q[{"projected-distance": 2}]
    assert one.axes["projected-distance"].nbin == 1
    np.testing.assert_array_equal(one.values, a[2:3])
    np.testing.assert_array_equal(q[2], a[2][..., None, None])  # numpy indexing of data
    with pytest.raises(KeyError, match="no axis named"):
        q.slice_by_idx({"time": 0})
