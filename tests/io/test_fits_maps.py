"""Tests of fluxprofile.io.fits_maps: map HDUs and BANDS tables in Gammapy's layout."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from fluxprofile import Map, MapAxes, MapAxis, WcsGeom
from fluxprofile.io.fits_maps import axes_from_bands_hdu, axes_to_bands_hdu


def _cube_geom() -> WcsGeom:
    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 3)
    return WcsGeom.create(
        skydir=(0, 0), binsz=0.5, width=(3, 2), frame="galactic", axes=[energy]
    )


def test_map_fits_round_trip():
    geom = _cube_geom()
    rng = np.random.default_rng(0)
    data = rng.normal(size=geom.data_shape).astype(np.float32)
    m = Map(geom, data, unit="cm2 s")
    hdulist = fits.HDUList([fits.PrimaryHDU(), *m.to_hdulist("EXPOSURE")])
    assert hdulist["EXPOSURE"].header["BANDSHDU"] == "EXPOSURE_BANDS"
    back = Map.from_hdulist(hdulist, "EXPOSURE")
    np.testing.assert_array_equal(back.data, data)
    assert back.data.dtype == np.float32
    assert back.unit == u.Unit("cm2 s")
    assert back.geom == geom
    mask = Map(geom, data > 0)
    hdulist = fits.HDUList([fits.PrimaryHDU(), *mask.to_hdulist("MASK_SAFE")])
    np.testing.assert_array_equal(
        Map.from_hdulist(hdulist, "MASK_SAFE").data.astype(bool), data > 0
    )
    with pytest.raises(ValueError, match="no COUNTS HDU"):
        Map.from_hdulist(hdulist, "COUNTS")


def test_bands_table_layout_first_axis_fastest():
    energy = MapAxis.from_edges([1, 2, 4], unit="keV", name="energy", interp="log")
    true = MapAxis.from_nodes(
        [1.0, 2.0, 3.0], unit="MeV", name="energy_true", interp="log"
    )
    hdu = axes_to_bands_hdu(MapAxes([energy, true]), "EDISP_BANDS")
    assert hdu.header["AXCOLS1"] == "E_MIN,E_MAX"
    assert hdu.header["AXCOLS2"] == "ENERGY_TRUE"
    np.testing.assert_array_equal(hdu.data["CHANNEL"], np.arange(6))
    np.testing.assert_array_equal(hdu.data["E_MIN"], [1, 2, 1, 2, 1, 2])
    np.testing.assert_array_equal(hdu.data["ENERGY_TRUE"], [1, 1, 2, 2, 3, 3])
    axes = axes_from_bands_hdu(hdu)
    assert axes.names == ["energy", "energy_true"]
    assert axes[0] == energy
    assert axes[1] == true
    assert axes[1].node_type == "center"
