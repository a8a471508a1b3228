"""Tests of MapDatasetOnOff (reading Gammapy's on-off DL4 layout, alpha, background, write
round trip), read_dataset auto-detection, the Datasets container and as_dataset_list.

Expected numbers come from the `dataset` section of the reference json (onoff_radial.json:
the construction recipe of Gammapy's test dataset), an independent astropy read of the
file, and closed forms.
"""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from fluxprofile.datamodel.datasets import (
    Datasets,
    MapDataset,
    MapDatasetOnOff,
    as_dataset_list,
    read_dataset,
)
from fluxprofile import Map, MapAxis, WcsGeom


@pytest.fixture(scope="module")
def onoff_path(reference_dir: Path) -> Path:
    return reference_dir / "onoff_simple_dataset.fits"


@pytest.fixture(scope="module")
def onoff_spec(reference_dir: Path) -> dict:
    return json.loads((reference_dir / "onoff_radial.json").read_text())["dataset"]


@pytest.fixture(scope="module")
def onoff(onoff_path: Path) -> MapDatasetOnOff:
    return MapDatasetOnOff.read(onoff_path)


def _small_onoff(name: str = "small-onoff", seed: int = 1) -> MapDatasetOnOff:
    energy = MapAxis.from_energy_bounds("0.1 TeV", "10 TeV", 3)
    true = MapAxis.from_energy_bounds("0.05 TeV", "20 TeV", 4, name="energy_true")
    geom = WcsGeom.create(skydir=(10, 20), binsz=0.1, width=(0.6, 0.4), frame="icrs", axes=[energy])
    rng = np.random.default_rng(seed)
    shape = geom.data_shape
    counts = Map(geom, rng.poisson(4.0, shape).astype(np.float64))
    counts_off = Map(geom, rng.poisson(8.0, shape).astype(np.float64))
    acceptance = Map(geom, rng.uniform(0.5, 1.5, shape).astype(np.float32))
    acceptance_off = Map(geom, rng.uniform(2.0, 6.0, shape).astype(np.float32))
    acceptance_off.data[0, 0, 0] = 0.0  # alpha undefined there
    acceptance.data[0, 0, 0] = 0.0
    exposure = Map(geom.to_image().to_cube([true]), np.full((4, *shape[1:]), 3e9), unit="cm2 s")
    mask = np.ones(shape, bool)
    mask[:, :, 0] = False
    return MapDatasetOnOff(counts, counts_off, acceptance, acceptance_off, exposure,
                           mask_safe=mask, name=name)  # fmt: skip


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
        onoff.energy_axis.edges.to_value("TeV"), onoff_spec["counts_geom"]["axes"][0]["edges"], rtol=1e-15
    )
    np.testing.assert_allclose(
        onoff.energy_axis_true.edges.to_value("TeV"), onoff_spec["exposure_geom_axes"][0]["edges"], rtol=1e-15
    )
    # recipe: counts 5, counts_off 1, acceptance 1, acceptance_off 1, exposure 1000 m2 s
    np.testing.assert_array_equal(onoff.counts.data, 5.0)
    np.testing.assert_array_equal(onoff.counts_off.data, 1.0)
    np.testing.assert_array_equal(onoff.alpha.data, 1.0)
    assert onoff.exposure.unit == u.Unit(onoff_spec["exposure_unit"])
    np.testing.assert_allclose(onoff.exposure.quantity.to_value("cm2 s"), 1e7, rtol=1e-15)
    np.testing.assert_allclose(onoff.exposure.quantity.to_value("m2 s"), 1000.0, rtol=1e-15)
    for item in onoff_spec["mask_safe"]["per_energy_bin"]:
        assert onoff.mask_safe.data[item["energy_bin"]].sum() == item["n_true"] == 1600
    assert onoff.mask_safe.data.all()
    assert onoff.mask_fit is None
    livetime = np.sum(onoff.gti["STOP"].quantity - onoff.gti["START"].quantity).to_value("s")
    assert livetime == pytest.approx(onoff_spec["gti_livetime_s"], rel=1e-15)
    assert livetime == pytest.approx((5 * u.h).to_value("s"), rel=1e-12)
    assert onoff_spec["edisp_class"] == "EDispKernelMap"
    assert onoff.edisp.is_spatial == (onoff_spec["edisp_geom_type"] == "WcsGeom")
    # diagonal (identity) kernel on identical axes
    np.testing.assert_allclose(onoff.edisp.get_kernels(onoff.counts.geom.center_skydir)[0], np.eye(2), atol=1e-7)


def test_read_onoff_arrays_as_stored(onoff, onoff_path):
    with fits.open(onoff_path) as hdul:
        for attr in ("counts", "counts_off", "acceptance", "acceptance_off", "exposure"):
            stored = hdul[attr.upper()].data
            got = getattr(onoff, attr).data
            assert got.dtype == stored.dtype.newbyteorder("=")
            np.testing.assert_array_equal(got, stored)
        assert "BACKGROUND" not in hdul


def test_background_is_alpha_times_counts_off(onoff):
    expected = onoff.alpha.data * onoff.counts_off.data
    np.testing.assert_array_equal(onoff.background.data, expected)
    assert onoff.background.data.sum() == 3200.0  # 2 x 40 x 40 pixels x alpha 1 x n_off 1
    # recomputed on every access: editing the returned map changes nothing (as in Gammapy)
    onoff.background.data[...] = -1
    np.testing.assert_array_equal(onoff.background.data, expected)
    with pytest.raises(AttributeError, match="cannot be set"):
        onoff.background = onoff.counts


def test_alpha_undefined_is_zero_and_units():
    ds = _small_onoff()
    alpha = ds.alpha.data
    assert alpha.dtype == np.float64
    assert alpha[0, 0, 0] == 0.0  # 0 / 0
    sel = (slice(None), slice(1, None))
    np.testing.assert_allclose(
        alpha[sel], ds.acceptance.data[sel].astype(float) / ds.acceptance_off.data[sel], rtol=1e-15
    )
    np.testing.assert_array_equal(ds._alpha_counts_off(), alpha * ds.counts_off.data)


def test_npred_and_stat_closed_form():
    ds = _small_onoff()
    alpha = ds.alpha.data
    n_on, n_off = ds.counts.data, ds.counts_off.data
    # WStat background profile with no signal: mu_b = (n_on + n_off) / (1 + alpha)
    np.testing.assert_allclose(ds.npred().data, alpha * (n_on + n_off) / (1 + alpha), rtol=1e-14)
    # brute force: minimise W over mu_b for one bin numerically
    i = (1, 2, 3)
    a, non, noff = alpha[i], n_on[i], n_off[i]
    grid = np.linspace(0.01, 50, 200001)
    w = 2 * ((1 + a) * grid - non * np.log(a * grid) - noff * np.log(grid))
    w += 2 * (-non * (1 - np.log(non)) - noff * (1 - np.log(noff)))
    from fluxprofile.datamodel.datasets import _wstat_null

    assert _wstat_null(np.array(non), np.array(noff), np.array(a)) == pytest.approx(w.min(), abs=1e-6)


def test_str_mentions_onoff_totals(onoff):
    text = str(onoff)
    assert "Fit statistic type              : wstat" in text
    assert "Total counts_off                : 3200" in text
    assert "Total counts                    : 16000" in text


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
    with pytest.raises(FileNotFoundError, match="missing.fits"):
        MapDatasetOnOff.read(tmp_path / "missing.fits")


def test_read_dataset_detects_onoff(onoff_path):
    ds = read_dataset(onoff_path, name="renamed")
    assert type(ds) is MapDatasetOnOff
    assert ds.name == "renamed"


def test_constructor_checks():
    ds = _small_onoff()
    with pytest.raises(TypeError, match="counts_off must be a fluxprofile Map"):
        MapDatasetOnOff(ds.counts, None, ds.acceptance, ds.acceptance_off, ds.exposure)
    bad = Map(ds.counts.geom.to_image(), np.ones(ds.counts.data.shape[1:]))
    with pytest.raises(ValueError, match="acceptance_off shape"):
        MapDatasetOnOff(ds.counts, ds.counts_off, ds.acceptance, bad, ds.exposure)
    off_m = Map(ds.counts.geom, ds.acceptance_off.data, unit="m")
    with pytest.raises(ValueError, match="not compatible"):
        MapDatasetOnOff(ds.counts, ds.counts_off, ds.acceptance, off_m, ds.exposure)


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
    for attr in ("counts", "counts_off", "acceptance", "acceptance_off", "exposure", "mask_safe"):
        a, b = getattr(onoff, attr), getattr(back, attr)
        np.testing.assert_array_equal(b.data, a.data)
        assert b.data.dtype == a.data.dtype
        assert b.unit == a.unit
        assert b.geom == a.geom
    np.testing.assert_array_equal(back.edisp.data, onoff.edisp.data)
    np.testing.assert_array_equal(back.gti["STOP"], onoff.gti["STOP"])


def test_write_read_round_trip_small(tmp_path):
    ds = _small_onoff()
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


# ---------------------------------------------------------------------------------------
# Datasets and as_dataset_list
# ---------------------------------------------------------------------------------------
def test_datasets_container(onoff):
    a, b = _small_onoff("a", 1), _small_onoff("b", 2)
    datasets = Datasets([a, b])
    assert len(datasets) == 2
    assert datasets.names == ["a", "b"]
    assert datasets[0] is a
    assert datasets["b"] is b
    assert datasets[-1] is b
    assert list(datasets) == [a, b]
    assert "a" in datasets
    assert b in datasets
    assert datasets.index("b") == 1
    assert datasets.stat_type == ["wstat", "wstat"]
    assert isinstance(datasets[:1], Datasets)
    assert datasets[:1].names == ["a"]
    datasets.append(onoff)
    assert datasets.names == ["a", "b", "test-on-off"]
    del datasets["a"]
    assert datasets.names == ["b", "test-on-off"]
    assert Datasets(a).names == ["a"]
    assert Datasets().names == []
    assert Datasets(datasets).names == datasets.names
    assert "Name       : b" in str(datasets)


def test_datasets_errors():
    a = _small_onoff("a")
    with pytest.raises(ValueError, match="unique.*'a'"):
        Datasets([a, _small_onoff("a", 3)])
    datasets = Datasets([a])
    with pytest.raises(ValueError, match="unique"):
        datasets.append(_small_onoff("a", 4))
    with pytest.raises(KeyError, match="no dataset named 'zz'"):
        datasets["zz"]
    with pytest.raises(IndexError, match="out of range"):
        datasets[3]
    with pytest.raises(TypeError, match="expected a fluxprofile MapDataset"):
        Datasets([a, 42])
    with pytest.raises(TypeError, match="datasets must be a dataset or an iterable"):
        Datasets(3.5)
    datasets[0] = _small_onoff("a", 5)  # replacing under the same name is fine
    assert datasets.names == ["a"]


def test_as_dataset_list():
    a, b = _small_onoff("a", 1), _small_onoff("b", 2)
    assert as_dataset_list(a) == [a]
    assert as_dataset_list([a, b]) == [a, b]
    assert as_dataset_list((b, a)) == [b, a]
    assert as_dataset_list(Datasets([a, b])) == [a, b]
    with pytest.raises(TypeError, match=r"builtins\.dict"):
        as_dataset_list({"a": a})
    with pytest.raises(TypeError, match=r"datasets\[1\] is a builtins\.str"):
        as_dataset_list([a, "b"])
    with pytest.raises(ValueError, match="empty"):
        as_dataset_list([])
    assert as_dataset_list([], allow_empty=True) == []
    with pytest.raises(ValueError, match="unique"):
        as_dataset_list([a, a])
