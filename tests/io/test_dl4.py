"""Tests of fluxprofile.io.dl4: reading Gammapy's DL4 dataset files (Fermi-LAT GC and Crab,
Gammapy's on-off test file), the checks on malformed files, and write -> read round trips.

Expected numbers come from the Fermi-LAT GC file's known content (docs/data_model.rst),
the reference json (fermi_rect_seed.json, onoff_radial.json: the construction recipe of
Gammapy's on-off test dataset), and independent reads of the files with astropy.
"""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from small_datasets import small_dataset, small_onoff

from fluxprofile import Map, MapAxis, MapDataset, MapDatasetOnOff, WcsGeom, read_dataset

# The Fermi-LAT GC file's content (docs/data_model.rst; an independent astropy read agrees)
GC_COUNTS_PER_BIN = [13744, 7716, 4415, 2706, 1662, 1019, 609, 380, 219, 137, 77]


@pytest.fixture(scope="module")
def gc(fermi_gc_path: Path) -> MapDataset:
    return MapDataset.read(fermi_gc_path)


@pytest.fixture(scope="module")
def crab(fermi_crab_path: Path) -> MapDataset:
    return MapDataset.read(fermi_crab_path)


@pytest.fixture(scope="module")
def rect_ref(reference_dir: Path) -> dict:
    return json.loads((reference_dir / "fermi_rect_seed.json").read_text())


def test_gc_arrays_kept_as_stored(gc):
    assert gc.counts.data.dtype == np.int32
    assert gc.background.data.dtype == np.float32
    assert gc.exposure.data.dtype == np.float32
    assert gc.mask_safe.data.dtype == bool
    for array in (gc.counts.data, gc.background.data, gc.exposure.data):
        assert array.dtype.isnative
        assert array.flags.c_contiguous
    assert gc.mask_fit is None
    assert gc.gti is None
    assert gc.meta_table is None
    assert gc.models is None
    assert gc.stat_type == "cash"


def test_gc_counts_totals(gc, rect_ref):
    np.testing.assert_array_equal(gc.counts.data.sum(axis=(1, 2)), GC_COUNTS_PER_BIN)
    assert (
        gc.counts.data.sum()
        == rect_ref["dataset"]["total_counts"]
        == sum(GC_COUNTS_PER_BIN)
    )


def test_gc_geometry_matches_reference(gc, rect_ref):
    ref = rect_ref["dataset"]["counts_geom"]
    geom = gc.counts.geom
    assert geom.npix == (ref["npix_lon"], ref["npix_lat"])
    assert list(geom.data_shape) == ref["data_shape"]
    header = ref["wcs_header"]
    np.testing.assert_allclose(geom.wcs.wcs.crpix, [header["CRPIX1"], header["CRPIX2"]])
    np.testing.assert_allclose(geom.wcs.wcs.cdelt, [header["CDELT1"], header["CDELT2"]])
    np.testing.assert_allclose(geom.wcs.wcs.crval, [header["CRVAL1"], header["CRVAL2"]])
    assert list(geom.wcs.wcs.ctype) == [header["CTYPE1"], header["CTYPE2"]]
    assert geom.frame == ref["frame"]
    assert geom.center_skydir.l.deg == pytest.approx(
        ref["center"]["lon_deg"], abs=1e-10
    )
    assert geom.center_skydir.b.deg == pytest.approx(
        ref["center"]["lat_deg"], abs=1e-10
    )
    assert gc.exposure.geom.npix == geom.npix
    assert gc.exposure.data.shape == (12, *geom.data_shape[1:])


def test_gc_energy_axes(gc, rect_ref, fermi_gc_path):
    ref_reco = rect_ref["dataset"]["counts_geom"]["axes"][0]
    axis = gc.energy_axis
    assert axis.name == ref_reco["name"] == "energy"
    assert axis.unit == u.Unit(ref_reco["unit"]) == u.keV
    assert axis.node_type == "edges"
    assert axis.interp == "log"
    np.testing.assert_allclose(
        axis.edges.to_value(u.keV), ref_reco["edges"], rtol=1e-14
    )

    ref_true = rect_ref["dataset"]["exposure_geom_axes"][0]
    true = gc.energy_axis_true
    assert true.name == ref_true["name"] == "energy_true"
    assert true.unit == u.MeV
    assert true.node_type == "center"
    np.testing.assert_allclose(
        true.edges.to_value(u.MeV), ref_true["edges"], rtol=1e-14
    )
    # closed form (docs/data_model.rst): log-midpoints of the stored nodes, read independently
    nodes = np.unique(
        np.asarray(fits.getdata(fermi_gc_path, "EXPOSURE_BANDS")["ENERGY_TRUE"], float)
    )
    ln = np.log(nodes)
    mids = np.exp((ln[1:] + ln[:-1]) / 2)
    np.testing.assert_allclose(true.edges.value[1:-1], mids, rtol=1e-13)
    np.testing.assert_array_equal(true.center.value, nodes)
    assert true.edges[0].to_value(u.GeV) == pytest.approx(8.3709, rel=1e-4)
    assert true.edges[-1].to_value(u.GeV) == pytest.approx(597.30, rel=1e-4)
    assert (
        gc.exposure.unit
        == u.Unit(rect_ref["dataset"]["exposure_unit"])
        == u.Unit("cm2 s")
    )


def test_gc_mask_safe_pattern(gc, rect_ref):
    mask = gc.mask_safe.data
    expected = np.zeros(mask.shape[1:], bool)
    expected[20:180, 20:380] = True  # x in [20, 379], y in [20, 179]
    for plane, ref in zip(
        mask, rect_ref["dataset"]["mask_safe"]["per_energy_bin"], strict=True
    ):
        np.testing.assert_array_equal(plane, expected)
        assert plane.sum() == ref["n_true"] == 57600
    np.testing.assert_array_equal(gc.mask, mask)


def test_crab_geometry_and_arrays(crab, fermi_crab_path):
    with fits.open(fermi_crab_path) as hdul:
        header = hdul["COUNTS"].header
        raw_counts = hdul["COUNTS"].data.astype(np.float64)
        exposure_dtype = hdul["EXPOSURE"].data.dtype
    geom = crab.counts.geom
    assert geom.npix == (header["NAXIS1"], header["NAXIS2"]) == (50, 40)
    assert geom.data_shape == (5, 40, 50)
    np.testing.assert_allclose(geom.wcs.wcs.crval, [header["CRVAL1"], header["CRVAL2"]])
    np.testing.assert_allclose(geom.wcs.wcs.cdelt, [header["CDELT1"], header["CDELT2"]])
    np.testing.assert_allclose(geom.wcs.wcs.crpix, [header["CRPIX1"], header["CRPIX2"]])
    assert geom.frame == "galactic"
    assert crab.counts.data.dtype == np.float32
    assert crab.exposure.data.dtype == exposure_dtype.newbyteorder("=")
    np.testing.assert_array_equal(crab.counts.data, raw_counts)
    assert crab.name == "Fermi-LAT-3FHL_data_Fermi-LAT"
    assert crab.exposure.unit == u.Unit("cm2 s")
    true = crab.energy_axis_true
    assert true.node_type == "edges"
    assert true.name == "energy_true"
    assert crab.energy_axis.nbin == true.nbin == 5


def test_crab_gti_empty_table(crab):
    assert isinstance(crab.gti, Table)
    assert len(crab.gti) == 0
    assert crab.gti.colnames == ["START", "STOP"]
    assert crab.gti.meta["MJDREFI"] == 51544


def test_read_missing_file(tmp_path):
    missing = tmp_path / "nope.fits"
    with pytest.raises(OSError, match=r"nope.fits"):
        MapDataset.read(missing)


def test_read_not_fits(tmp_path):
    path = tmp_path / "notes.fits"
    path.write_text("this is not a FITS file\n" * 200)
    with pytest.raises(OSError, match=r"notes.fits"):
        MapDataset.read(path)


@pytest.mark.parametrize("drop", ["COUNTS", "EXPOSURE"])
def test_read_missing_hdu(tmp_path, drop):
    hdul = small_dataset().to_hdulist()
    kept = fits.HDUList([h for h in hdul if h.name not in (drop, f"{drop}_BANDS")])
    path = tmp_path / f"no_{drop.lower()}.fits"
    kept.writeto(path)
    with pytest.raises(ValueError, match=rf"no_{drop.lower()}.fits.*no {drop} HDU"):
        MapDataset.read(path)


@pytest.mark.parametrize("hdu", ["BACKGROUND", "MASK_SAFE"])
def test_read_shape_mismatch(tmp_path, hdu):
    hdul = small_dataset().to_hdulist()
    bad = hdul[hdu].data[:, :-1, :]  # drop one latitude row
    hdul[hdu] = fits.ImageHDU(bad, header=hdul[hdu].header, name=hdu)
    path = tmp_path / "bad.fits"
    hdul.writeto(path)
    with pytest.raises(ValueError, match=rf"bad.fits.*{hdu} shape"):
        MapDataset.read(path)


def test_write_does_not_overwrite(tmp_path):
    small = small_dataset()
    path = tmp_path / "small.fits"
    small.write(path)
    with pytest.raises(OSError, match=r"small.fits"):
        small.write(path)
    small.write(path, overwrite=True)
    assert MapDataset.read(path).name == "small"


def test_path_expansion(tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("FP_TEST_DATA_DIR", str(data_dir))
    ds = MapDataset.read(
        "$FP_TEST_DATA_DIR/fermi-3fhl-crab/Fermi-LAT-3FHL_data_Fermi-LAT.fits"
    )
    assert ds.counts.data.shape == (5, 40, 50)
    monkeypatch.setenv("HOME", str(tmp_path))
    small_dataset().write("~/sub/small.fits")
    assert (tmp_path / "sub" / "small.fits").is_file()
    assert MapDataset.read("~/sub/small.fits").name == "small"


def test_gc_write_read_round_trip(gc, tmp_path):
    path = tmp_path / "gc.fits"
    gc.write(path)
    back = MapDataset.read(path)
    assert back.name == gc.name  # stored in the primary header NAME
    for attr in ("counts", "background", "exposure", "mask_safe"):
        a, b = getattr(back, attr), getattr(gc, attr)
        assert a.data.dtype == b.data.dtype
        np.testing.assert_array_equal(a.data, b.data)
        assert a.unit == b.unit
        assert a.geom == b.geom
    assert back.energy_axis.node_type == "edges"
    assert back.energy_axis_true.node_type == "center"
    np.testing.assert_array_equal(
        back.energy_axis_true.center.value, gc.energy_axis_true.center.value
    )
    np.testing.assert_allclose(
        back.energy_axis.edges.value, gc.energy_axis.edges.value, rtol=1e-14
    )
    np.testing.assert_array_equal(back.edisp.data, gc.edisp.data)
    assert not back.edisp.is_spatial
    np.testing.assert_array_equal(back.edisp.exposure, gc.edisp.exposure)
    assert back.gti is None
    assert MapDataset.read(path, name="renamed").name == "renamed"


def test_crab_write_read_round_trip(crab, tmp_path):
    ds = MapDataset(
        crab.counts, crab.exposure, background=crab.background, mask_safe=crab.mask_safe,
        mask_fit=~crab.mask_safe.data, edisp=crab.edisp, gti=crab.gti, name="crab",
        meta_table=Table({"TELESCOP": ["Fermi-LAT"]}),
    )  # fmt: skip
    path = tmp_path / "out" / "crab.fits.gz"
    ds.write(path)
    back = MapDataset.read(path)
    assert back.name == "crab"
    np.testing.assert_array_equal(back.counts.data, crab.counts.data)
    assert back.counts.data.dtype == np.float32
    np.testing.assert_array_equal(back.mask_fit.data, ~crab.mask_safe.data)
    assert back.mask is not None
    assert not back.mask.any()
    assert back.edisp.is_spatial
    assert back.edisp.geom == crab.edisp.geom
    np.testing.assert_array_equal(back.edisp.data, crab.edisp.data)
    np.testing.assert_array_equal(back.edisp.exposure, crab.edisp.exposure)
    assert len(back.gti) == 0
    assert back.gti.meta["MJDREFI"] == crab.gti.meta["MJDREFI"]
    assert list(back.meta_table["TELESCOP"]) == ["Fermi-LAT"]
    assert back.exposure.unit == crab.exposure.unit


def test_exposure_axis_named_energy_is_renamed(tmp_path):
    small = small_dataset()
    hdul = small.to_hdulist()
    bands = hdul["EXPOSURE_BANDS"]
    columns = [
        fits.Column(name=n, format="D", unit="GeV", array=bands.data[o])
        for n, o in (
            ("ENERGY", "ENERGY_TRUE"),
            ("E_MIN", "ENERGY_TRUE_MIN"),
            ("E_MAX", "ENERGY_TRUE_MAX"),
        )
    ]
    new = fits.BinTableHDU.from_columns(columns, name="EXPOSURE_BANDS")
    new.header["AXCOLS1"] = "E_MIN,E_MAX"
    new.header["INTERP1"] = "log"
    hdul["EXPOSURE_BANDS"] = new
    path = tmp_path / "old.fits"
    hdul.writeto(path)
    back = MapDataset.read(path)
    assert back.energy_axis_true.name == "energy_true"
    np.testing.assert_allclose(
        back.energy_axis_true.edges.value, small.energy_axis_true.edges.value
    )


@pytest.fixture(scope="module")
def onoff_path(reference_dir: Path) -> Path:
    return reference_dir / "onoff_simple_dataset.fits"


@pytest.fixture(scope="module")
def onoff_spec(reference_dir: Path) -> dict:
    return json.loads((reference_dir / "onoff_radial.json").read_text())["dataset"]


@pytest.fixture(scope="module")
def onoff(onoff_path: Path) -> MapDatasetOnOff:
    return MapDatasetOnOff.read(onoff_path)


# ---------------------------------------------------------------------------------------
# reading Gammapy's on-off file
# ---------------------------------------------------------------------------------------
def test_read_onoff_reference_numbers(onoff, onoff_spec):
    assert onoff_spec["class"] == "MapDatasetOnOff"
    assert isinstance(onoff, MapDatasetOnOff)
    assert isinstance(onoff, MapDataset)
    assert onoff.stat_type == onoff_spec["stat_type"] == "wstat"
    assert onoff.name == onoff_spec["name"]  # primary header NAME
    assert onoff.counts.data.sum() == onoff_spec["total_counts"] == 16000
    assert onoff.counts.data.shape == tuple(onoff_spec["counts_geom"]["data_shape"])
    np.testing.assert_allclose(
        onoff.energy_axis.edges.to_value("TeV"),
        onoff_spec["counts_geom"]["axes"][0]["edges"],
        rtol=1e-15,
    )
    np.testing.assert_allclose(
        onoff.energy_axis_true.edges.to_value("TeV"),
        onoff_spec["exposure_geom_axes"][0]["edges"],
        rtol=1e-15,
    )
    # recipe: counts 5, counts_off 1, acceptance 1, acceptance_off 1, exposure 1000 m2 s
    np.testing.assert_array_equal(onoff.counts.data, 5.0)
    np.testing.assert_array_equal(onoff.counts_off.data, 1.0)
    np.testing.assert_array_equal(onoff.alpha.data, 1.0)
    assert onoff.exposure.unit == u.Unit(onoff_spec["exposure_unit"])
    np.testing.assert_allclose(
        onoff.exposure.quantity.to_value("cm2 s"), 1e7, rtol=1e-15
    )
    np.testing.assert_allclose(
        onoff.exposure.quantity.to_value("m2 s"), 1000.0, rtol=1e-15
    )
    for item in onoff_spec["mask_safe"]["per_energy_bin"]:
        assert onoff.mask_safe.data[item["energy_bin"]].sum() == item["n_true"] == 1600
    assert onoff.mask_safe.data.all()
    assert onoff.mask_fit is None
    livetime = np.sum(
        onoff.gti["STOP"].quantity - onoff.gti["START"].quantity
    ).to_value("s")
    assert livetime == pytest.approx(onoff_spec["gti_livetime_s"], rel=1e-15)
    assert livetime == pytest.approx((5 * u.h).to_value("s"), rel=1e-12)
    assert onoff_spec["edisp_class"] == "EDispKernelMap"
    assert onoff.edisp.is_spatial == (onoff_spec["edisp_geom_type"] == "WcsGeom")
    # diagonal (identity) kernel on identical axes
    np.testing.assert_allclose(
        onoff.edisp.get_kernels(onoff.counts.geom.center_skydir)[0],
        np.eye(2),
        atol=1e-7,
    )


def test_read_onoff_arrays_as_stored(onoff, onoff_path):
    with fits.open(onoff_path) as hdul:
        for attr in (
            "counts",
            "counts_off",
            "acceptance",
            "acceptance_off",
            "exposure",
        ):
            stored = hdul[attr.upper()].data
            got = getattr(onoff, attr).data
            assert got.dtype == stored.dtype.newbyteorder("=")
            np.testing.assert_array_equal(got, stored)
        assert "BACKGROUND" not in hdul


# ---------------------------------------------------------------------------------------
# errors and auto-detection
# ---------------------------------------------------------------------------------------
def test_mapdataset_read_refuses_onoff_file(onoff_path):
    with pytest.raises(ValueError, match=r"MapDatasetOnOff\.read"):
        MapDataset.read(onoff_path)


def test_onoff_read_refuses_plain_file(tmp_path):
    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 2)
    geom = WcsGeom.create(skydir=(0, 0), binsz=0.1, width=(0.3, 0.2), axes=[energy])
    true = energy.copy(name="energy_true")
    ds = MapDataset(Map.from_geom(geom), Map(geom.to_image().to_cube([true]), np.ones((2, 2, 3)), unit="m2 s"),
                    name="plain")  # fmt: skip
    path = tmp_path / "plain.fits"
    ds.write(path)
    with pytest.raises(ValueError, match=r"COUNTS_OFF.*MapDataset\.read"):
        MapDatasetOnOff.read(path)
    assert type(read_dataset(path)) is MapDataset
    with pytest.raises(FileNotFoundError, match=r"missing.fits"):
        MapDatasetOnOff.read(tmp_path / "missing.fits")


def test_read_dataset_detects_onoff(onoff_path):
    ds = read_dataset(onoff_path, name="renamed")
    assert type(ds) is MapDatasetOnOff
    assert ds.name == "renamed"


# ---------------------------------------------------------------------------------------
# write -> read round trip
# ---------------------------------------------------------------------------------------
def test_write_read_round_trip_reference(onoff, tmp_path):
    path = tmp_path / "onoff.fits"
    onoff.write(path)
    with fits.open(path) as hdul:
        names = [h.name for h in hdul]
    assert "BACKGROUND" not in names
    assert names[-6:] == ["COUNTS_OFF", "COUNTS_OFF_BANDS", "ACCEPTANCE", "ACCEPTANCE_BANDS",
                          "ACCEPTANCE_OFF", "ACCEPTANCE_OFF_BANDS"]  # fmt: skip
    back = MapDatasetOnOff.read(path)
    assert back.name == onoff.name
    for attr in (
        "counts",
        "counts_off",
        "acceptance",
        "acceptance_off",
        "exposure",
        "mask_safe",
    ):
        a, b = getattr(onoff, attr), getattr(back, attr)
        np.testing.assert_array_equal(b.data, a.data)
        assert b.data.dtype == a.data.dtype
        assert b.unit == a.unit
        assert b.geom == a.geom
    np.testing.assert_array_equal(back.edisp.data, onoff.edisp.data)
    np.testing.assert_array_equal(back.gti["STOP"], onoff.gti["STOP"])


def test_write_read_round_trip_small(tmp_path):
    ds = small_onoff()
    path = tmp_path / "sub" / "small.fits"
    ds.write(path)
    with pytest.raises(FileExistsError):
        ds.write(path)
    back = read_dataset(path)
    assert isinstance(back, MapDatasetOnOff)
    np.testing.assert_array_equal(back.alpha.data, ds.alpha.data)
    np.testing.assert_array_equal(back.background.data, ds.background.data)
    np.testing.assert_array_equal(back.mask_safe.data, ds.mask_safe.data)
    assert back.acceptance.data.dtype == np.float32
