"""pytest-benchmark timings of the four pipeline rows of issue 14 (docs/performance.rst).

Every round is what a pipeline does: a freshly read dataset and a new estimator (read and
construction untimed, except in the read row), n_jobs=1 unless parametrised. The shared
geometry caches are warm after the first round, as they are in a pipeline that runs many
profiles in one process; the ``cold`` variants empty them before every round.

Run with ``pytest bench --benchmark-only``; CI runs them once with ``--benchmark-disable``
as a smoke test. Each benchmark also checks its result, so a fast wrong answer fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from cases import (
    annulus_seed_estimator,
    fermi_gc_path,
    hawc_estimator,
    hawc_yaml_path,
    load_case,
    rect_seed_estimator,
)

import fluxprofile as fp
from fluxprofile.pipeline.geometry import clear_caches

ROUNDS = 10


def _fresh_fermi():
    return fp.MapDataset.read(fermi_gc_path(), name="fermi-dataset")


def _check_rect(profile):
    reference = load_case("fermi_rect_seed")["result"]["key_numbers"]
    assert profile.counts.data.sum() == reference["counts_total"]
    assert np.isclose(
        np.nansum(profile.norm.data), reference["norm_sum_finite"], rtol=1e-3
    )


@pytest.mark.benchmark(group="issue14-rect-run")
@pytest.mark.parametrize(("n_jobs", "cold"), [(1, False), (2, False), (1, True)])
def test_rect_seed_run(benchmark, n_jobs, cold):
    def setup():
        if cold:
            clear_caches()
        dataset = _fresh_fermi()
        return (
            rect_seed_estimator(dataset.counts.geom.wcs, n_jobs=n_jobs),
            dataset,
        ), {}

    profile = benchmark.pedantic(
        lambda est, data: est.run(data), setup=setup, rounds=ROUNDS, warmup_rounds=1
    )
    _check_rect(profile)


@pytest.mark.benchmark(group="issue14-annulus-run")
@pytest.mark.parametrize(("n_jobs", "cold"), [(1, False), (2, False), (1, True)])
def test_annulus_seed_run(benchmark, n_jobs, cold):
    def setup():
        if cold:
            clear_caches()
        return (annulus_seed_estimator(n_jobs=n_jobs), _fresh_fermi()), {}

    profile = benchmark.pedantic(
        lambda est, data: est.run(data), setup=setup, rounds=ROUNDS, warmup_rounds=1
    )
    reference = load_case("fermi_annulus_seed")["result"]["key_numbers"]
    assert profile.counts.data.sum() == reference["counts_total"]


@pytest.mark.benchmark(group="issue14-read-and-run")
def test_read_and_rect_run(benchmark):
    def read_and_run():
        dataset = _fresh_fermi()
        return rect_seed_estimator(dataset.counts.geom.wcs).run(dataset)

    profile = benchmark.pedantic(read_and_run, rounds=ROUNDS, warmup_rounds=1)
    _check_rect(profile)


@pytest.mark.benchmark(group="issue14-hawc-joint")
@pytest.mark.parametrize(("n_jobs", "cold"), [(1, False), (2, False), (1, True)])
def test_hawc_joint_run(benchmark, n_jobs, cold):
    path = hawc_yaml_path()
    if not path.exists():
        pytest.fail(f"benchmark data not found at {path}")

    def setup():
        if cold:
            clear_caches()
        datasets = fp.Datasets.read(path)
        return (hawc_estimator(datasets, n_jobs=n_jobs), datasets), {}

    clear_caches()
    datasets = fp.Datasets.read(path)
    expected = hawc_estimator(datasets).run(datasets)  # cold caches, one thread
    profile = benchmark.pedantic(
        lambda est, data: est.run(data), setup=setup, rounds=ROUNDS, warmup_rounds=1
    )
    assert profile.norm.data.shape[:2] == (4, 2)  # 4 annuli (5 radii), 2 groups
    assert np.all(np.isfinite(profile.norm.data))
    np.testing.assert_array_equal(profile.norm.data, expected.norm.data)
    np.testing.assert_array_equal(profile.counts.data, expected.counts.data)
