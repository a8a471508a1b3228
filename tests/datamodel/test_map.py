"""Tests of fluxprofile.datamodel.map: Map data handling, sums and errors."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from fluxprofile import Map, MapAxis, WcsGeom, WcsNDMap


def _cube_geom() -> WcsGeom:
    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 3)
    return WcsGeom.create(skydir=(0, 0), binsz=0.5, width=(3, 2), frame="galactic", axes=[energy])


def test_map_uses_data_in_place_and_sums():
    geom = _cube_geom()
    data = np.arange(np.prod(geom.data_shape), dtype=np.int32).reshape(geom.data_shape)
    m = Map(geom, data, unit="")
    assert m.data is data
    assert WcsNDMap is Map
    image = m.sum_over_axes()
    assert image.geom.is_image
    np.testing.assert_array_equal(image.data, data.sum(axis=0))
    kept = m.sum_over_axes(keepdims=True)
    assert kept.data.shape == (1, 4, 6)
    assert kept.geom.axes[0].nbin == 1
    fdata = data.astype(np.float32)
    fdata[0, 0, 0] = np.nan
    fm = Map(geom, fdata, unit="cm2 s")
    assert np.isfinite(fm.sum_over_axes().data).all()
    assert fm.quantity.unit == u.Unit("cm2 s")
    assert np.shares_memory(fm.quantity.value, fdata)
    copy = fm.copy()
    assert not np.shares_memory(copy.data, fdata)
    assert "Map" in repr(m) and "int32" in repr(m)


def test_map_from_geom_and_errors():
    geom = _cube_geom()
    zeros = Map.from_geom(geom, unit="sr", dtype=np.float32)
    assert zeros.data.shape == geom.data_shape
    assert zeros.data.dtype == np.float32
    assert not zeros.data.any()
    with pytest.raises(ValueError, match="data shape"):
        Map(geom, np.zeros((2, 4, 6)))
    with pytest.raises(TypeError, match="WcsGeom"):
        Map("geom", np.zeros(3))
    with pytest.raises(TypeError, match="unit"):
        Map(geom, np.zeros(geom.data_shape) * u.m)
    with pytest.raises(ValueError, match="unit"):
        Map(geom, np.zeros(geom.data_shape), unit="not-a-unit")
