"""fluxprofile.batch.simulate: profiles of Poisson realisations, locally and on Dask.

The reference is the realisations drawn by hand with ``SeedSequence(seed).spawn(n)`` and
profiled one by one.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from fluxprofile import Map, MapDataset
from fluxprofile.batch import SimulationResult, simulate

TIMEOUT = 300  # seconds; generous for a loaded 2-core machine


N_SIM, SEED = 6, 2024


def _brute_force(dataset, estimator, n, seed, npred_signal=None):
    """Realisations drawn one by one from SeedSequence(seed).spawn(n), profiled serially."""
    mu = np.clip(dataset.background.data.astype(np.float64), 0, None)
    if npred_signal is not None:
        mu = mu + npred_signal
    out = []
    for child in np.random.SeedSequence(seed).spawn(n):
        counts = (
            np.random.default_rng(child).poisson(mu).astype(dataset.counts.data.dtype)
        )
        realisation = MapDataset(
            Map(dataset.counts.geom, counts), dataset.exposure, background=dataset.background,
            mask_safe=dataset.mask_safe, edisp=dataset.edisp, name=dataset.name,
        )  # fmt: skip
        out.append(estimator.run(realisation))
    return out


@pytest.fixture(scope="module")
def signal_cube(fermi_dataset):
    """A smooth signal: 20% of the background in the central 4 deg of longitude."""
    lon = np.arange(fermi_dataset.counts.data.shape[-1])
    near = np.abs(lon - lon.size / 2) < 40
    return 0.2 * np.clip(fermi_dataset.background.data, 0, None) * near


@pytest.fixture(scope="module")
def simulated_local(fermi_dataset, estimator, signal_cube):
    return simulate(
        fermi_dataset, estimator, N_SIM, SEED, npred_signal=signal_cube, timeout=TIMEOUT
    )


def test_simulate_matches_brute_force(
    simulated_local, fermi_dataset, estimator, signal_cube
):
    profiles = _brute_force(fermi_dataset, estimator, N_SIM, SEED, signal_cube)
    result = simulated_local
    n_x, n_e = len(estimator.regions), 2
    for name in ("norm", "norm_err", "ts", "success"):
        assert getattr(result, name).shape == (N_SIM, n_x, n_e)
        expected = np.stack([getattr(p, name).values for p in profiles])
        np.testing.assert_array_equal(getattr(result, name), expected, err_msg=name)
    assert result.success.dtype == bool
    assert result.n == N_SIM
    assert result.seed == SEED
    assert result.energy_axis == profiles[0].energy_axis
    assert result.distance_axis == profiles[0].distance_axis


def test_simulate_independent_of_batching_and_threads(
    simulated_local, fermi_dataset, estimator, signal_cube
):
    other = simulate(
        fermi_dataset, estimator, N_SIM, SEED, npred_signal=Map(fermi_dataset.counts.geom, signal_cube),
        batch_size=4, n_threads=2, progress=False, timeout=TIMEOUT,
    )  # fmt: skip
    for name in ("norm", "norm_err", "ts", "success"):
        np.testing.assert_array_equal(
            getattr(other, name), getattr(simulated_local, name), err_msg=name
        )
    different = simulate(
        fermi_dataset, estimator, 2, SEED + 1, npred_signal=signal_cube, timeout=TIMEOUT
    )
    assert not np.array_equal(different.norm, simulated_local.norm[:2], equal_nan=True)


def test_simulate_same_with_1_and_2_workers(
    simulated_local,
    client2,
    make_cluster,
    fermi_dataset,
    fermi_gc_path,
    estimator,
    signal_cube,
):
    two = simulate(fermi_dataset, estimator, N_SIM, SEED, client=client2, npred_signal=signal_cube,
                   batch_size=2, timeout=TIMEOUT)  # fmt: skip
    cluster, client1 = make_cluster(1)
    try:
        # A path is read on the worker.
        one = simulate(fermi_gc_path, estimator, N_SIM, SEED, client=client1,
                       npred_signal=signal_cube, timeout=TIMEOUT)  # fmt: skip
    finally:
        client1.close()
        cluster.close()
    for name in ("norm", "norm_err", "ts", "success"):
        np.testing.assert_array_equal(
            getattr(one, name), getattr(two, name), err_msg=name
        )
        np.testing.assert_array_equal(
            getattr(two, name), getattr(simulated_local, name), err_msg=name
        )


def test_simulate_summary_and_p_value(simulated_local):
    result = simulated_local
    table = result.summary()
    n_x, n_e = result.norm.shape[1:]
    assert len(table) == n_x * n_e
    norm = result.norm.reshape(result.n, -1)
    ts = result.ts.reshape(result.n, -1)
    np.testing.assert_allclose(
        table["norm_mean"], [np.mean(c[np.isfinite(c)]) for c in norm.T]
    )
    np.testing.assert_allclose(
        table["norm_std"], [np.std(c[np.isfinite(c)], ddof=1) for c in norm.T]
    )
    np.testing.assert_allclose(
        table["ts_median"], [np.median(c[np.isfinite(c)]) for c in ts.T]
    )
    np.testing.assert_array_equal(table["n_valid"], np.isfinite(norm).sum(axis=0))
    x_ref = result.distance_axis.center.to_value(u.deg)
    np.testing.assert_allclose(
        table["x_ref"].quantity.to_value(u.deg), np.repeat(x_ref, n_e)
    )
    assert table.meta == {"n_realisations": N_SIM, "seed": SEED}

    # p-value: closed form on known ts values 0, 1, ..., n-1 in every bin.
    n = 9
    known = SimulationResult(
        norm=np.zeros((n, 2, 1)), norm_err=np.zeros((n, 2, 1)),
        ts=np.broadcast_to(np.arange(n, dtype=float)[:, None, None], (n, 2, 1)).copy(),
        success=np.ones((n, 2, 1), bool), energy_axis=result.energy_axis,
        distance_axis=result.distance_axis, seed=0,
    )  # fmt: skip
    p = known.p_value([[3.0], [8.5]])
    np.testing.assert_allclose(p, [[(n - 3 + 1) / (n + 1)], [1 / (n + 1)]])


def test_simulate_validation(fermi_dataset, estimator):
    with pytest.raises(ValueError, match="n must be at least 1"):
        simulate(fermi_dataset, estimator, 0, 1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        simulate(fermi_dataset, estimator, 2, 1.5)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        simulate(fermi_dataset, estimator, 2, -1)
    with pytest.raises(ValueError, match="npred_signal shape"):
        simulate(fermi_dataset, estimator, 2, 1, npred_signal=np.ones(3))
    with pytest.raises(ValueError, match="finite and non-negative"):
        simulate(
            fermi_dataset,
            estimator,
            2,
            1,
            npred_signal=-np.ones(fermi_dataset.counts.data.shape),
        )
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        simulate(fermi_dataset, estimator, 2, 1, batch_size=0)

    class OnOff:
        counts = fermi_dataset.counts
        stat_type = "wstat"

    with pytest.raises(TypeError, match="Cash datasets only"):
        simulate(OnOff(), estimator, 2, 1)


def test_simulate_failing_batch_names_realisations(estimator, tmp_path):
    with pytest.raises(
        RuntimeError, match=r"realisations 0\.\.1 failed: FileNotFoundError"
    ):
        simulate(tmp_path / "missing.fits", estimator, 2, 1, batch_size=2)
