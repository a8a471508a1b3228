"""Tests of fluxprofile.datamodel.datasets: DL4 reading/writing, EDispKernelMap, MapDataset.

Expected numbers come from SEMANTICS.md section 6.1, the reference json (fermi_rect_seed.json),
closed forms, or an independent read of the FITS file with astropy.
"""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table

from fluxprofile.datamodel.datasets import EDispKernelMap, MapDataset
from fluxprofile import Map, MapAxis, WcsGeom

# SEMANTICS.md 6.1
GC_COUNTS_PER_BIN = [13744, 7716, 4415, 2706, 1662, 1019, 609, 380, 219, 137, 77]
GC_K00, GC_K10 = 0.54433805, 0.45566195


@pytest.fixture(scope="module")
def gc(fermi_gc_path: Path) -> MapDataset:
    return MapDataset.read(fermi_gc_path)


@pytest.fixture(scope="module")
def crab(fermi_crab_path: Path) -> MapDataset:
    return MapDataset.read(fermi_crab_path)


@pytest.fixture(scope="module")
def rect_ref(reference_dir: Path) -> dict:
    return json.loads((reference_dir / "fermi_rect_seed.json").read_text())


def _small_dataset(rng_seed: int = 0, with_edisp: bool = True) -> MapDataset:
    energy = MapAxis.from_energy_bounds("10 GeV", "100 GeV", 3)
    true = MapAxis.from_energy_bounds("5 GeV", "200 GeV", 4, name="energy_true")
    geom = WcsGeom.create(skydir=(1, 2), binsz=0.5, width=(3, 2), frame="galactic", axes=[energy])
    rng = np.random.default_rng(rng_seed)
    counts = Map(geom, rng.poisson(3.0, geom.data_shape).astype(np.int32))
    exposure = Map(geom.to_image().to_cube([true]), np.full((4, 4, 6), 1e11, np.float32), unit="cm2 s")
    background = Map(geom, rng.uniform(-0.5, 3.0, geom.data_shape).astype(np.float32))
    mask = np.ones(geom.data_shape, bool)
    mask[:, 0, :] = False
    edisp = EDispKernelMap.from_diagonal_response(energy, true) if with_edisp else None
    return MapDataset(counts, exposure, background=background, mask_safe=mask, edisp=edisp, name="small")


# ---------------------------------------------------------------------------------------
# Fermi GC file
# ---------------------------------------------------------------------------------------


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
    assert gc.counts.data.sum() == rect_ref["dataset"]["total_counts"] == sum(GC_COUNTS_PER_BIN)


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
    assert geom.center_skydir.l.deg == pytest.approx(ref["center"]["lon_deg"], abs=1e-10)
    assert geom.center_skydir.b.deg == pytest.approx(ref["center"]["lat_deg"], abs=1e-10)
    assert gc.exposure.geom.npix == geom.npix
    assert gc.exposure.data.shape == (12, *geom.data_shape[1:])


def test_gc_energy_axes(gc, rect_ref, fermi_gc_path):
    ref_reco = rect_ref["dataset"]["counts_geom"]["axes"][0]
    axis = gc.energy_axis
    assert axis.name == ref_reco["name"] == "energy"
    assert axis.unit == u.Unit(ref_reco["unit"]) == u.keV
    assert axis.node_type == "edges" and axis.interp == "log"
    np.testing.assert_allclose(axis.edges.to_value(u.keV), ref_reco["edges"], rtol=1e-14)

    ref_true = rect_ref["dataset"]["exposure_geom_axes"][0]
    true = gc.energy_axis_true
    assert true.name == ref_true["name"] == "energy_true"
    assert true.unit == u.MeV
    assert true.node_type == "center"
    np.testing.assert_allclose(true.edges.to_value(u.MeV), ref_true["edges"], rtol=1e-14)
    # closed form (SEMANTICS 3.3): log-midpoints of the stored nodes, read independently
    nodes = np.unique(np.asarray(fits.getdata(fermi_gc_path, "EXPOSURE_BANDS")["ENERGY_TRUE"], float))
    ln = np.log(nodes)
    mids = np.exp((ln[1:] + ln[:-1]) / 2)
    np.testing.assert_allclose(true.edges.value[1:-1], mids, rtol=1e-13)
    np.testing.assert_array_equal(true.center.value, nodes)
    assert true.edges[0].to_value(u.GeV) == pytest.approx(8.3709, rel=1e-4)
    assert true.edges[-1].to_value(u.GeV) == pytest.approx(597.30, rel=1e-4)
    assert gc.exposure.unit == u.Unit(rect_ref["dataset"]["exposure_unit"]) == u.Unit("cm2 s")


def test_gc_mask_safe_pattern(gc, rect_ref):
    mask = gc.mask_safe.data
    expected = np.zeros(mask.shape[1:], bool)
    expected[20:180, 20:380] = True  # x in [20, 379], y in [20, 179]
    for plane, ref in zip(mask, rect_ref["dataset"]["mask_safe"]["per_energy_bin"]):
        np.testing.assert_array_equal(plane, expected)
        assert plane.sum() == ref["n_true"] == 57600
    np.testing.assert_array_equal(gc.mask, mask)


def test_gc_edisp_kernel(gc):
    edisp = gc.edisp
    assert isinstance(edisp, EDispKernelMap)
    assert not edisp.is_spatial
    assert edisp.edisp_map is None
    assert edisp.energy_axis == gc.energy_axis
    assert edisp.energy_axis_true == gc.energy_axis_true
    positions = SkyCoord([0, 5, -8], [0, 1, -2], unit="deg", frame="galactic")
    kernels = edisp.get_kernels(positions)
    assert kernels.shape == (3, 12, 11)
    assert kernels.dtype == np.float64
    assert kernels[0, 0, 0] == pytest.approx(GC_K00, rel=1e-7)
    assert kernels[0, 1, 0] == pytest.approx(GC_K10, rel=1e-7)
    assert np.all(kernels[0].sum(axis=1) <= 1 + 1e-6)
    np.testing.assert_array_equal(kernels[1], kernels[0])
    np.testing.assert_array_equal(kernels[2], kernels[0])
    assert edisp.get_kernels(positions[0]).shape == (1, 12, 11)
    assert edisp.exposure.shape == (12, 1)
    with pytest.raises(TypeError, match="SkyCoord"):
        edisp.get_kernels((0, 0))
    with pytest.raises(ValueError, match="constant"):
        edisp.nearest_pixels(positions)


def test_gc_name_and_str(gc, fermi_gc_path):
    assert gc.name == "fermi-3fhl-gc"
    assert MapDataset.read(fermi_gc_path, name="fermi-dataset").name == "fermi-dataset"
    text = str(gc)
    assert "fermi-3fhl-gc" in text
    assert f"{gc.counts.data[gc.mask].sum():.0f}" in text
    assert "cash" in text


def test_npred_is_background_clipped(gc):
    npred = gc.npred()
    np.testing.assert_array_equal(npred.data, np.clip(gc.background.data, 0, None))
    small = _small_dataset()
    assert (small.background.data < 0).any()
    assert small.npred().data.min() == 0
    no_bkg = MapDataset(small.counts, small.exposure)
    assert not no_bkg.npred().data.any()


# ---------------------------------------------------------------------------------------
# Fermi Crab file: float32 counts, WCS EDISP, empty GTI
# ---------------------------------------------------------------------------------------


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
    assert true.node_type == "edges" and true.name == "energy_true"
    assert crab.energy_axis.nbin == true.nbin == 5


def test_crab_gti_empty_table(crab):
    assert isinstance(crab.gti, Table)
    assert len(crab.gti) == 0
    assert crab.gti.colnames == ["START", "STOP"]
    assert crab.gti.meta["MJDREFI"] == 51544


def test_crab_edisp_nearest_pixel(crab, fermi_crab_path):
    edisp = crab.edisp
    assert edisp.is_spatial
    raw = fits.getdata(fermi_crab_path, "EDISP").astype(np.float64)  # (n_true, n_reco, ny, nx)
    assert edisp.data.shape == raw.shape == (5, 5, 20, 25)
    geom = edisp.geom
    rng = np.random.default_rng(3)
    ix = rng.integers(0, 25, 30)
    iy = rng.integers(0, 20, 30)
    # positions within 0.3 pixel of a pixel centre: that pixel is the nearest one
    dx, dy = rng.uniform(-0.3, 0.3, (2, 30))
    positions = geom.pix_to_skycoord(ix + dx, iy + dy)
    kernels = edisp.get_kernels(positions.icrs)
    for k, i, j in zip(kernels, ix, iy):
        np.testing.assert_array_equal(k, raw[:, :, j, i])
    # brute force: the pixel centre with the smallest angular separation
    centres = geom.get_skycoord()
    for pos, i, j in zip(positions[:5], ix, iy):
        sep = pos.separation(centres).deg
        assert np.unravel_index(np.argmin(sep), sep.shape) == (j, i)
    # outside the coarse grid: nearest edge pixel
    outside = geom.pix_to_skycoord([-3.0, 30.0], [5.0, 25.0])
    k_out = edisp.get_kernels(outside)
    np.testing.assert_array_equal(k_out[0], raw[:, :, 5, 0])
    np.testing.assert_array_equal(k_out[1], raw[:, :, 19, 24])
    assert np.all(raw.sum(axis=1) <= 1 + 1e-6)


# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------


def test_read_missing_file(tmp_path):
    missing = tmp_path / "nope.fits"
    with pytest.raises(OSError, match="nope.fits"):
        MapDataset.read(missing)


def test_read_not_fits(tmp_path):
    path = tmp_path / "notes.fits"
    path.write_text("this is not a FITS file\n" * 200)
    with pytest.raises(OSError, match="notes.fits"):
        MapDataset.read(path)


@pytest.mark.parametrize("drop", ["COUNTS", "EXPOSURE"])
def test_read_missing_hdu(tmp_path, drop):
    hdul = _small_dataset().to_hdulist()
    kept = fits.HDUList([h for h in hdul if h.name not in (drop, f"{drop}_BANDS")])
    path = tmp_path / f"no_{drop.lower()}.fits"
    kept.writeto(path)
    with pytest.raises(ValueError, match=rf"no_{drop.lower()}.fits.*no {drop} HDU"):
        MapDataset.read(path)


@pytest.mark.parametrize("hdu", ["BACKGROUND", "MASK_SAFE"])
def test_read_shape_mismatch(tmp_path, hdu):
    hdul = _small_dataset().to_hdulist()
    bad = hdul[hdu].data[:, :-1, :]  # drop one latitude row
    hdul[hdu] = fits.ImageHDU(bad, header=hdul[hdu].header, name=hdu)
    path = tmp_path / "bad.fits"
    hdul.writeto(path)
    with pytest.raises(ValueError, match=rf"bad.fits.*{hdu} shape"):
        MapDataset.read(path)


def test_constructor_errors():
    small = _small_dataset()
    with pytest.raises(TypeError, match="counts"):
        MapDataset(small.counts.data, small.exposure)
    with pytest.raises(TypeError, match="exposure"):
        MapDataset(small.counts, None)
    geom = small.counts.geom
    wrong = Map(geom.to_image().to_cube([geom.axes[0].slice(slice(0, 2))]), np.zeros((2, 4, 6)))
    with pytest.raises(ValueError, match="background shape"):
        MapDataset(small.counts, small.exposure, background=wrong)
    with pytest.raises(ValueError, match="mask_safe shape"):
        MapDataset(small.counts, small.exposure, mask_safe=np.ones((2, 4, 6), bool))
    other_true = MapAxis.from_energy_bounds("5 GeV", "200 GeV", 2, name="energy_true")
    bad_edisp = EDispKernelMap.from_diagonal_response(geom.axes[0], other_true)
    with pytest.raises(ValueError, match="edisp"):
        MapDataset(small.counts, small.exposure, edisp=bad_edisp)
    with pytest.raises(TypeError, match="name"):
        MapDataset(small.counts, small.exposure, name=3)


def test_write_does_not_overwrite(tmp_path):
    small = _small_dataset()
    path = tmp_path / "small.fits"
    small.write(path)
    with pytest.raises(OSError, match="small.fits"):
        small.write(path)
    small.write(path, overwrite=True)
    assert MapDataset.read(path).name == "small"


# ---------------------------------------------------------------------------------------
# paths, round trips
# ---------------------------------------------------------------------------------------


def test_path_expansion(tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("FP_TEST_DATA_DIR", str(data_dir))
    ds = MapDataset.read("$FP_TEST_DATA_DIR/fermi-3fhl-crab/Fermi-LAT-3FHL_data_Fermi-LAT.fits")
    assert ds.counts.data.shape == (5, 40, 50)
    monkeypatch.setenv("HOME", str(tmp_path))
    _small_dataset().write("~/sub/small.fits")
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
    np.testing.assert_array_equal(back.energy_axis_true.center.value, gc.energy_axis_true.center.value)
    np.testing.assert_allclose(back.energy_axis.edges.value, gc.energy_axis.edges.value, rtol=1e-14)
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
    assert back.mask is not None and not back.mask.any()
    assert back.edisp.is_spatial
    assert back.edisp.geom == crab.edisp.geom
    np.testing.assert_array_equal(back.edisp.data, crab.edisp.data)
    np.testing.assert_array_equal(back.edisp.exposure, crab.edisp.exposure)
    assert len(back.gti) == 0
    assert back.gti.meta["MJDREFI"] == crab.gti.meta["MJDREFI"]
    assert list(back.meta_table["TELESCOP"]) == ["Fermi-LAT"]
    assert back.exposure.unit == crab.exposure.unit


def test_exposure_axis_named_energy_is_renamed(tmp_path):
    small = _small_dataset()
    hdul = small.to_hdulist()
    bands = hdul["EXPOSURE_BANDS"]
    columns = [
        fits.Column(name=n, format="D", unit="GeV", array=bands.data[o])
        for n, o in (("ENERGY", "ENERGY_TRUE"), ("E_MIN", "ENERGY_TRUE_MIN"), ("E_MAX", "ENERGY_TRUE_MAX"))
    ]
    new = fits.BinTableHDU.from_columns(columns, name="EXPOSURE_BANDS")
    new.header["AXCOLS1"] = "E_MIN,E_MAX"
    new.header["INTERP1"] = "log"
    hdul["EXPOSURE_BANDS"] = new
    path = tmp_path / "old.fits"
    hdul.writeto(path)
    back = MapDataset.read(path)
    assert back.energy_axis_true.name == "energy_true"
    np.testing.assert_allclose(back.energy_axis_true.edges.value, small.energy_axis_true.edges.value)


# ---------------------------------------------------------------------------------------
# diagonal kernel
# ---------------------------------------------------------------------------------------


def test_diagonal_response_closed_form():
    same = MapAxis.from_energy_edges([1, 2, 4, 8] * u.TeV)
    kernel = EDispKernelMap.from_diagonal_response(same, same.copy(name="energy_true"))
    np.testing.assert_allclose(kernel.data, np.eye(3), atol=1e-15)
    reco = MapAxis.from_energy_edges([1, 3, 4] * u.TeV)
    true = MapAxis.from_energy_edges([1000, 2000, 4000] * u.GeV, name="energy_true")
    k = EDispKernelMap.from_diagonal_response(reco, true)
    # true [1, 2] lies in reco [1, 3]; true [2, 4]: half in [1, 3], half in [3, 4]
    np.testing.assert_allclose(k.data, [[1.0, 0.0], [0.5, 0.5]], atol=1e-14)
    swapped = EDispKernelMap.from_diagonal_response(true, reco)
    np.testing.assert_array_equal(swapped.data, k.data)
    geom = WcsGeom.create(binsz=1, width=(3, 2))
    spatial = EDispKernelMap.from_diagonal_response(reco, true, geom=geom)
    assert spatial.data.shape == (2, 2, 2, 3)
    pos = SkyCoord([0.3, -1.0], [0.0, 0.4], unit="deg")
    np.testing.assert_allclose(spatial.get_kernels(pos), np.broadcast_to(k.data, (2, 2, 2)))
    small = _small_dataset(with_edisp=False)
    assert small.edisp is None
    fallback = small.edisp_or_diagonal()
    assert fallback.data.shape == (4, 3)
    assert np.all(fallback.data.sum(axis=1) <= 1 + 1e-12)
    with pytest.raises(ValueError, match="data shape"):
        EDispKernelMap(np.zeros((3, 3)), true, reco)
