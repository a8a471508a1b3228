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
