"""Thread safety: `FluxProfileEstimator.run` (and the core it calls) used concurrently from a
thread pool gives exactly the serial results. The core releases the GIL, so these calls
really overlap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxProfileEstimator,
    _core,
    make_concentric_annulus_sky_regions,
    make_example_dataset,
    make_orthogonal_rectangle_sky_regions,
)

pytestmark = pytest.mark.timeout(300)

N_WORKERS = 8
N_CALLS = 24


@pytest.fixture(scope="module")
def dataset():
    return make_example_dataset(seed=0)


def _estimators(dataset):
    wcs = dataset.counts.geom.wcs
    boxes = make_orthogonal_rectangle_sky_regions(
        SkyCoord(-6, 0, unit="deg", frame="galactic"),
        SkyCoord(6, 0, unit="deg", frame="galactic"),
        wcs=wcs,
        height=1.5 * u.deg,
        nbin=24,
    )
    annuli = make_concentric_annulus_sky_regions(
        SkyCoord(0, 0, unit="deg", frame="galactic"), radius_max=3 * u.deg, nbin=12
    )
    edges = [10, 30, 100, 500] * u.GeV
    return [
        (
            "boxes-all-threads",
            lambda: FluxProfileEstimator(
                boxes, energy_edges=edges, selection_optional="all"
            ),
        ),
        (
            "boxes-1-thread",
            lambda: FluxProfileEstimator(
                boxes, energy_edges=edges, selection_optional="all", n_jobs=1
            ),
        ),
        (
            "annuli-2-threads",
            lambda: FluxProfileEstimator(
                annuli, energy_edges=edges, selection_optional=["ul"], n_jobs=2
            ),
        ),
        (
            "annuli-summed",
            lambda: FluxProfileEstimator(
                annuli, energy_edges=edges, sum_over_energy_groups=True
            ),
        ),
    ]


def _as_arrays(profile) -> dict:
    table = profile.to_table()
    return {name: np.asarray(table[name]) for name in table.colnames}


def _assert_same(a: dict, b: dict, label: str) -> None:
    assert a.keys() == b.keys(), label
    for name, value in a.items():
        np.testing.assert_array_equal(value, b[name], err_msg=f"{label}: column {name}")


def test_concurrent_runs_equal_serial(dataset):
    makers = _estimators(dataset)
    serial = {label: _as_arrays(make().run(dataset)) for label, make in makers}
    # The same estimator object shared by several threads, and fresh ones, interleaved.
    shared = {label: make() for label, make in makers}
    jobs = []
    for i in range(N_CALLS):
        label, make = makers[i % len(makers)]
        jobs.append((label, shared[label] if i % 2 else make()))
    with ThreadPoolExecutor(max_workers=N_WORKERS) as pool:
        futures = [(label, pool.submit(est.run, dataset)) for label, est in jobs]
        results = [(label, future.result(timeout=240)) for label, future in futures]
    assert len(results) == N_CALLS
    for label, profile in results:
        _assert_same(serial[label], _as_arrays(profile), label)


def test_concurrent_runs_on_different_datasets(dataset):
    """Threads reading different datasets do not mix their data."""
    other = make_example_dataset(seed=1)
    label, make = _estimators(dataset)[0]
    serial = [_as_arrays(make().run(d)) for d in (dataset, other)]
    assert not np.array_equal(serial[0]["counts"], serial[1]["counts"])
    with ThreadPoolExecutor(max_workers=N_WORKERS) as pool:
        futures = [pool.submit(make().run, (dataset, other)[i % 2]) for i in range(12)]
        for i, future in enumerate(futures):
            _assert_same(
                serial[i % 2], _as_arrays(future.result(timeout=240)), f"{label} #{i}"
            )


def test_concurrent_core_fits_equal_serial():
    rng = np.random.default_rng(5)
    n_problems, n_bins = 2000, 4
    offsets = np.arange(n_problems + 1, dtype=np.int64) * n_bins
    kind = rng.integers(0, 2, n_problems * n_bins).astype(np.int8)
    kind = np.repeat(kind[::n_bins], n_bins)  # one statistic per problem
    counts = rng.poisson(50, n_problems * n_bins).astype(float)
    background = rng.uniform(10, 60, n_problems * n_bins)
    alpha = np.where(kind == 1, 0.3, 0.0)
    signal = rng.uniform(1, 20, n_problems * n_bins)
    problems = _core.FitProblems(offsets, kind, counts, background, alpha, signal)
    options = _core.FitOptions(
        errn_errp=True, ul=True, sensitivity=True, scan_values=[0.0, 0.5, 1.0, 2.0]
    )
    serial = _core.fit_norms(problems, options, n_threads=1)
    with ThreadPoolExecutor(max_workers=N_WORKERS) as pool:
        futures = [
            pool.submit(_core.fit_norms, problems, options, t % 3) for t in range(16)
        ]
        for future in futures:
            result = future.result(timeout=240)
            for key in serial.fields:
                np.testing.assert_array_equal(
                    getattr(serial, key), getattr(result, key), err_msg=key
                )
