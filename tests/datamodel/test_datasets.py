"""Tests of fluxprofile.datamodel.datasets: MapDataset and MapDatasetOnOff as data (npred,
alpha, background, the summary and its fit statistic, constructor checks).

Expected numbers come from closed forms, brute-force minimisation of WStat and the
content of the Fermi-LAT GC file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from small_datasets import small_dataset, small_onoff

from fluxprofile import EDispKernelMap, Map, MapAxis, MapDataset, MapDatasetOnOff, _core


@pytest.fixture(scope="module")
def gc(fermi_gc_path: Path) -> MapDataset:
    return MapDataset.read(fermi_gc_path)


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
    small = small_dataset()
    assert (small.background.data < 0).any()
    assert small.npred().data.min() == 0
    no_bkg = MapDataset(small.counts, small.exposure)
    assert not no_bkg.npred().data.any()


def test_constructor_errors():
    small = small_dataset()
    with pytest.raises(TypeError, match="counts"):
        MapDataset(small.counts.data, small.exposure)
    with pytest.raises(TypeError, match="exposure"):
        MapDataset(small.counts, None)
    geom = small.counts.geom
    wrong = Map(
        geom.to_image().to_cube([geom.axes[0].slice(slice(0, 2))]), np.zeros((2, 4, 6))
    )
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


@pytest.fixture(scope="module")
def onoff_path(reference_dir: Path) -> Path:
    return reference_dir / "onoff_simple_dataset.fits"


@pytest.fixture(scope="module")
def onoff(onoff_path: Path) -> MapDatasetOnOff:
    return MapDatasetOnOff.read(onoff_path)


def test_background_is_alpha_times_counts_off(onoff):
    expected = onoff.alpha.data * onoff.counts_off.data
    np.testing.assert_array_equal(onoff.background.data, expected)
    assert (
        onoff.background.data.sum() == 3200.0
    )  # 2 x 40 x 40 pixels x alpha 1 x n_off 1
    # recomputed on every access: editing the returned map changes nothing (as in Gammapy)
    onoff.background.data[...] = -1
    np.testing.assert_array_equal(onoff.background.data, expected)
    with pytest.raises(AttributeError, match="cannot be set"):
        onoff.background = onoff.counts


def test_alpha_undefined_is_zero_and_units():
    ds = small_onoff()
    alpha = ds.alpha.data
    assert alpha.dtype == np.float64
    assert alpha[0, 0, 0] == 0.0  # 0 / 0
    sel = (slice(None), slice(1, None))
    np.testing.assert_allclose(
        alpha[sel],
        ds.acceptance.data[sel].astype(float) / ds.acceptance_off.data[sel],
        rtol=1e-15,
    )
    np.testing.assert_array_equal(ds._alpha_counts_off(), alpha * ds.counts_off.data)


def test_npred_and_stat_closed_form():
    ds = small_onoff()
    alpha = ds.alpha.data
    n_on, n_off = ds.counts.data, ds.counts_off.data
    # WStat background profile with no signal: mu_b = (n_on + n_off) / (1 + alpha)
    np.testing.assert_allclose(
        ds.npred().data, alpha * (n_on + n_off) / (1 + alpha), rtol=1e-14
    )
    # brute force: minimise W over mu_b numerically, bin by bin (Gammapy's WStat without
    # signal, with its data-only terms); the core's value of one bin first
    grid = np.linspace(0.01, 50, 200001)

    def w_min(a, non, noff):
        w = 2 * ((1 + a) * grid - non * np.log(a * grid) - noff * np.log(grid))
        for n in (non, noff):
            w -= 2 * n * (1 - np.log(n)) if n > 0 else 0.0
        return w.min()

    i = (1, 2, 3)
    assert _core.wstat(n_on[i], n_off[i], alpha[i], 0.0) == pytest.approx(
        w_min(alpha[i], n_on[i], n_off[i]), abs=1e-6
    )
    # the summary's statistic: the sum over the fit bins; bins with alpha = 0 count 0 as in
    # Gammapy (its closed form gives NaN there, mapped to 0)
    assert alpha[0, 0, 0] == 0
    for mask in (ds.mask, None):
        unmasked = MapDatasetOnOff(ds.counts, ds.counts_off, ds.acceptance, ds.acceptance_off, ds.exposure,
                                   mask_safe=mask)  # fmt: skip
        sel = np.ones(alpha.shape, bool) if mask is None else mask
        expected = sum(
            w_min(alpha[k], n_on[k], n_off[k])
            for k in zip(*np.nonzero(sel & (alpha != 0)), strict=True)
        )
        assert unmasked.stat_sum() == pytest.approx(expected, abs=1e-4)
    assert f"{ds.stat_sum():.2f}" in str(ds)


def test_cash_stat_sum_closed_form():
    ds = small_dataset()
    assert (ds.npred().data == 0).any()  # clipped negative background: truncated bins
    n = ds.counts.data.astype(np.float64)
    mu = ds.npred().data.astype(np.float64)
    # Gammapy's Cash: 2 (mu - n ln mu) with mu <= 1e-25 replaced by 1e-25
    mu_t = np.where(mu > 1e-25, mu, 1e-25)
    expected = np.sum((2 * (mu_t - n * np.log(mu_t)))[ds.mask])
    assert ds.stat_sum() == pytest.approx(expected, rel=1e-9)
    no_mask = MapDataset(ds.counts, ds.exposure, background=ds.background)
    assert no_mask.stat_sum() == pytest.approx(
        np.sum(2 * (mu_t - n * np.log(mu_t))), rel=1e-9
    )
    # Gammapy evaluates the statistic of a MapDataset only with models: print shows nan
    assert "Fit statistic value (-2 log(L)) : nan" in str(ds)


def test_str_mentions_onoff_totals(onoff):
    text = str(onoff)
    assert "Fit statistic type              : wstat" in text
    assert "Total counts_off                : 3200" in text
    assert "Total counts                    : 16000" in text


def test_constructor_checks():
    ds = small_onoff()
    with pytest.raises(TypeError, match="counts_off must be a fluxprofile Map"):
        MapDatasetOnOff(ds.counts, None, ds.acceptance, ds.acceptance_off, ds.exposure)
    bad = Map(ds.counts.geom.to_image(), np.ones(ds.counts.data.shape[1:]))
    with pytest.raises(ValueError, match="acceptance_off shape"):
        MapDatasetOnOff(ds.counts, ds.counts_off, ds.acceptance, bad, ds.exposure)
    off_m = Map(ds.counts.geom, ds.acceptance_off.data, unit="m")
    with pytest.raises(ValueError, match="not compatible"):
        MapDatasetOnOff(ds.counts, ds.counts_off, ds.acceptance, off_m, ds.exposure)
