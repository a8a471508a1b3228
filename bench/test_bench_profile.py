"""pytest-benchmark timings of `FluxProfileEstimator.run` on the seed cases.

Run with ``pytest bench --benchmark-only``; CI runs them once with ``--benchmark-disable``
as a smoke test. Each benchmark also checks its result, so a fast wrong answer fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import annulus_seed_estimator, load_case, rect_seed_estimator


@pytest.mark.benchmark(group="run-fermi_rect_seed")
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_run_rect_seed(benchmark, fermi_dataset, n_jobs):
    estimator = rect_seed_estimator(fermi_dataset.counts.geom.wcs, n_jobs=n_jobs)
    profile = benchmark(estimator.run, fermi_dataset)
    reference = load_case("fermi_rect_seed")["result"]["key_numbers"]
    assert profile.counts.data.sum() == reference["counts_total"]
    assert np.isclose(
        np.nansum(profile.norm.data), reference["norm_sum_finite"], rtol=1e-3
    )


@pytest.mark.benchmark(group="run-fermi_annulus_seed")
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_run_annulus_seed(benchmark, fermi_dataset, n_jobs):
    estimator = annulus_seed_estimator(n_jobs=n_jobs)
    profile = benchmark(estimator.run, fermi_dataset)
    reference = load_case("fermi_annulus_seed")["result"]["key_numbers"]
    assert profile.counts.data.sum() == reference["counts_total"]
