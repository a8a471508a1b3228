"""The core's folding of exposure, reference flux and energy dispersion into predicted
signal counts, against a brute-force NumPy version."""

from __future__ import annotations

import numpy as np
import pytest

from fluxprofile import _core


def brute_force_signal(exposure_sums, npix_total, flux, scale, kernels):
    n, n_true, n_reco = exposure_sums.shape[0], flux.size, kernels.shape[-1]
    signal = np.full((n, n_reco), np.nan)
    for r in range(n):
        if npix_total[r] == 0:
            continue
        kernel = kernels[0] if len(kernels) == 1 else kernels[r]
        for i in range(n_reco):
            signal[r, i] = sum(
                exposure_sums[r, i * n_true + j]
                / npix_total[r]
                * flux[j]
                * scale
                * kernel[j, i]
                for j in range(n_true)
            )
    return signal


@pytest.mark.parametrize("per_region_kernels", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_fold_signal_matches_brute_force(per_region_kernels, n_threads):
    rng = np.random.default_rng(3)
    n, n_true, n_reco = 37, 6, 4
    exposure_sums = rng.uniform(0, 1e11, (n, n_reco * n_true))
    npix_total = rng.integers(0, 50, n).astype(float)
    npix_total[[0, 5]] = 0.0  # regions without pixels
    flux = rng.uniform(1e-12, 1e-10, n_true)
    kernels = rng.uniform(0, 1, (n if per_region_kernels else 1, n_true, n_reco))
    got = _core.fold_signal(exposure_sums, npix_total, flux, 1e4, kernels, n_threads)
    expected = brute_force_signal(exposure_sums, npix_total, flux, 1e4, kernels)
    assert got.shape == (n, n_reco)
    assert np.isnan(got[[0, 5]]).all()
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_fold_signal_rejects_mismatched_shapes():
    sums, totals, flux = np.ones((3, 8)), np.ones(3), np.ones(4)
    with pytest.raises(ValueError, match="kernels must have shape"):
        _core.fold_signal(sums, totals, flux, 1.0, np.ones((1, 3, 2)))
    with pytest.raises(ValueError, match="1 kernel or one per region"):
        _core.fold_signal(sums, totals, flux, 1.0, np.ones((2, 4, 2)))
    with pytest.raises(ValueError, match="exposure_sums must be"):
        _core.fold_signal(sums, totals, flux, 1.0, np.ones((1, 4, 3)))
