"""Tests of fluxprofile.io.edisp_hdus: EDISP and EDISP_EXPOSURE HDUs in Gammapy's layout
(a region kernel as a CHANNEL/DATA table, a WCS kernel as an image), written and read back
bit for bit, and the refusal of migration maps."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from fluxprofile import EDispKernelMap, MapAxes, MapAxis, WcsGeom
from fluxprofile.io.edisp_hdus import edisp_hdus, read_edisp_hdus
from fluxprofile.io.fits_maps import region_table_hdus


def _axes():
    reco = MapAxis.from_energy_edges([1, 3, 10] * u.TeV)
    true = MapAxis.from_energy_bounds("0.5 TeV", "20 TeV", 3, name="energy_true")
    return reco, true


def test_region_kernel_round_trip():
    reco, true = _axes()
    rng = np.random.default_rng(1)
    data = rng.uniform(0, 0.5, (3, 2))
    exposure = rng.uniform(1e8, 2e8, (3, 1))
    hdus = edisp_hdus(
        data, true, reco, exposure=exposure, exposure_unit=u.Unit("cm2 s")
    )
    assert [h.name for h in hdus] == [
        "EDISP",
        "EDISP_BANDS",
        "EDISP_EXPOSURE",
        "EDISP_EXPOSURE_BANDS",
    ]
    assert hdus[0].columns.names == ["CHANNEL", "DATA"]
    hdulist = fits.HDUList([fits.PrimaryHDU(), *hdus])
    kwargs = read_edisp_hdus(hdulist, filename="mem.fits")
    assert kwargs["geom"] is None
    np.testing.assert_array_equal(kwargs["data"], data)
    np.testing.assert_array_equal(kwargs["exposure"], exposure)
    assert kwargs["exposure_unit"] == u.Unit("cm2 s")
    assert kwargs["energy_axis"] == reco
    assert kwargs["energy_axis_true"] == true
    back = EDispKernelMap.from_hdulist(hdulist)
    np.testing.assert_array_equal(back.data, data)
    assert [h.name for h in back.to_hdulist()] == [h.name for h in hdus]


def test_wcs_kernel_round_trip():
    reco, true = _axes()
    geom = WcsGeom.create(skydir=(83.6, 22.0), binsz=1.0, width=(3, 2))
    kernel = EDispKernelMap.from_diagonal_response(reco, true, geom=geom)
    hdus = kernel.to_hdulist()
    assert [h.name for h in hdus] == ["EDISP", "EDISP_BANDS"]
    assert isinstance(hdus[0], fits.ImageHDU)
    assert hdus[0].data.shape == (3, 2, 2, 3)
    back = EDispKernelMap.from_hdulist(fits.HDUList([fits.PrimaryHDU(), *hdus]))
    assert back.is_spatial
    assert back.geom == kernel.geom
    np.testing.assert_array_equal(back.data, kernel.data)


def test_refusals():
    _reco, true = _axes()
    with pytest.raises(ValueError, match=r"x.fits: no EDISP HDU"):
        read_edisp_hdus(fits.HDUList([fits.PrimaryHDU()]), filename="x.fits")
    # a migration map (axes migra, energy_true) is not a kernel map
    migra = MapAxis.from_edges([0.2, 1, 5], name="migra")
    hdus = region_table_hdus(
        np.ones((3, 2)), MapAxes([migra, true]), u.dimensionless_unscaled, "EDISP"
    )
    with pytest.raises(
        ValueError,
        match=r"EDISP has axes \['migra', 'energy_true'\].*migration EDispMaps",
    ):
        read_edisp_hdus(fits.HDUList([fits.PrimaryHDU(), *hdus]))
