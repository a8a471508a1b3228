"""fluxprofile.batch: many profiles and Monte Carlo realisations, locally and on Dask.

The reference is always the serial path: ``estimator.run(MapDataset.read(path))`` one item
at a time, and for `simulate` the realisations drawn by hand with
``SeedSequence(seed).spawn(n)``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.table import vstack

import fluxprofile.datamodel.datasets as datasets_module
from fluxprofile import (
    FluxProfileEstimator,
    Map,
    MapDataset,
    PowerLawSpectralModel,
    make_orthogonal_rectangle_sky_regions,
)
from fluxprofile.batch import BatchError, ItemError, SimulationResult, read_dataset, run_many, simulate

TIMEOUT = 300  # seconds; generous for a loaded 2-core machine


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fermi_dataset(fermi_gc_path):
    return MapDataset.read(fermi_gc_path)


@pytest.fixture(scope="module")
def estimator(fermi_dataset):
    """A few 2-deg boxes along the Galactic plane, two energy groups, errors and ULs."""
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("4d", "0d", frame="galactic"),
        end_pos=SkyCoord("356d", "0d", frame="galactic"),
        wcs=fermi_dataset.counts.geom.wcs,
        height=2 * u.deg,
        nbin=4,
    )
    return FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 50, 2000] * u.GeV,
        selection_optional=["errn-errp", "ul"],
        n_jobs=1,
    )


@pytest.fixture(scope="module")
def items(fermi_gc_path, fermi_dataset, tmp_path_factory):
    """8 items: the shared file, byte copies of it under other names, dataset objects."""
    folder = tmp_path_factory.mktemp("batch_copies")
    copies = []
    for i in range(3):
        path = folder / f"copy{i}.fits.gz"
        shutil.copyfile(fermi_gc_path, path)
        copies.append(path)
    return [fermi_gc_path, str(copies[0]), copies[1], fermi_dataset, str(fermi_gc_path),
            copies[2], MapDataset.read(copies[0]), str(copies[1])]  # fmt: skip


@pytest.fixture(scope="module")
def serial(estimator, items):
    """The serial results, one ``estimator.run`` per item."""
    return [estimator.run(it if isinstance(it, MapDataset) else MapDataset.read(it)) for it in items]


@pytest.fixture(scope="module")
def corrupt_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch_corrupt") / "corrupt.fits.gz"
    path.write_bytes(b"this is not a FITS file" * 100)
    return path


def _import_distributed():
    """dask.distributed; a skip locally without it, a failure in CI (the test extra has it)."""
    if os.environ.get("CI"):
        import distributed

        return distributed
    return pytest.importorskip("distributed")


def _cluster(n_workers):
    distributed = _import_distributed()
    cluster = distributed.LocalCluster(
        n_workers=n_workers, processes=True, threads_per_worker=1, dashboard_address=":0"
    )
    client = distributed.Client(cluster, timeout="120s")
    return cluster, client


@pytest.fixture(scope="module")
def client2():
    cluster, client = _cluster(2)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(params=["local", "dask"])
def backend(request):
    """None (local threads) or the 2-worker client."""
    return None if request.param == "local" else request.getfixturevalue("client2")


def assert_same_profile(a, b):
    """Exact equality of two profiles: every stored quantity and the profile table."""
    assert a.available_quantities == b.available_quantities
    for name in a.available_quantities:
        np.testing.assert_array_equal(getattr(a, name).values, getattr(b, name).values, err_msg=name)
    ta, tb = a.to_table(format="profile"), b.to_table(format="profile")
    assert ta.colnames == tb.colnames
    for name in ta.colnames:
        np.testing.assert_array_equal(np.asarray(ta[name]), np.asarray(tb[name]), err_msg=name)
    assert a.dataset_names == b.dataset_names


# -- run_many ---------------------------------------------------------------------------------
def test_run_many_equals_serial(backend, estimator, items, serial):
    calls = []
    results = run_many(
        estimator, items, client=backend, progress=lambda done, total: calls.append((done, total)),
        timeout=TIMEOUT,
    )  # fmt: skip
    assert len(results) == len(items) == 8
    for ours, ref in zip(results, serial, strict=True):
        assert_same_profile(ours, ref)
    assert calls == [(k, 8) for k in range(1, 9)]
    assert estimator.n_jobs == 1  # the caller's estimator is not modified


def test_run_many_stacked_table(backend, estimator, items, serial):
    table = run_many(
        estimator, items, client=backend, stack=True, n_threads=2, progress=False, timeout=TIMEOUT
    )
    n_x = len(estimator.regions)
    assert len(table) == 8 * n_x
    assert table.colnames[0] == "item"
    np.testing.assert_array_equal(table["item"], np.repeat(np.arange(8), n_x))
    expected = vstack([r.to_table(format="profile") for r in serial])
    assert table.colnames[1:] == expected.colnames
    for name in expected.colnames:
        np.testing.assert_array_equal(np.asarray(table[name]), np.asarray(expected[name]), err_msg=name)
    assert table.meta["BATCH_ITEMS"][0] == str(items[0])


def test_run_many_failure_names_item_and_keeps_others(
    backend, estimator, items, serial, corrupt_path, tmp_path
):
    missing = tmp_path / "missing.fits"
    batch = [items[0], corrupt_path, items[3], str(missing), items[5]]
    with pytest.raises(BatchError) as info:
        run_many(estimator, batch, client=backend, stack=True, timeout=TIMEOUT)
    err = info.value
    assert err.failed == [1, 3]
    assert f"item 1 ({corrupt_path})" in str(err)
    assert f"item 3 ({missing})" in str(err)
    assert "2 of 5 items failed" in str(err)
    e1, e3 = err.errors
    assert isinstance(e1, ItemError)
    assert (e1.error_type, e3.error_type) == ("OSError", "FileNotFoundError")
    assert "not a readable FITS file" in e1.message
    assert "does not exist" in e3.message
    assert "Traceback" in e1.traceback
    assert err.results[1] is None and err.results[3] is None
    for index, ref in ((0, serial[0]), (2, serial[3]), (4, serial[5])):
        assert_same_profile(err.results[index], ref)
    # The stacked table of the surviving items.
    assert sorted(set(err.table["item"])) == [0, 2, 4]


def test_run_many_estimator_error_is_reported(estimator, fermi_dataset):
    """An error raised by the estimator itself (not by reading) names the dataset."""
    bad = MapDataset(
        Map(fermi_dataset.counts.geom, -np.ones(fermi_dataset.counts.data.shape)),
        fermi_dataset.exposure,
        background=fermi_dataset.background,
        name="negative",
    )
    with pytest.raises(BatchError, match=r"item 1 \(dataset 'negative'\): ValueError: .*counts must be finite and >= 0"):
        run_many(estimator, [fermi_dataset, bad], timeout=TIMEOUT)


def test_run_many_single_item_and_validation(estimator, fermi_dataset, fermi_gc_path):
    (profile,) = run_many(estimator, fermi_gc_path, timeout=TIMEOUT)
    assert_same_profile(profile, estimator.run(fermi_dataset))
    with pytest.raises(ValueError, match="datasets is empty"):
        run_many(estimator, [])
    with pytest.raises(TypeError, match=r"datasets\[1\] is a int"):
        run_many(estimator, [fermi_gc_path, 3])
    with pytest.raises(ValueError, match="n_threads must be a positive integer"):
        run_many(estimator, [fermi_gc_path], n_threads=0)
    with pytest.raises(TypeError, match="client must be a dask.distributed.Client"):
        run_many(estimator, [fermi_gc_path], client="tcp://localhost:8786")
    with pytest.raises(TypeError, match="progress must be None, a bool or a callable"):
        run_many(estimator, [fermi_gc_path], progress="yes")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        run_many(estimator, [fermi_gc_path], timeout=-1)


def test_run_many_timeout_reports_unfinished_items(estimator, fermi_gc_path):
    with pytest.raises(BatchError) as info:
        run_many(estimator, [fermi_gc_path, fermi_gc_path], n_threads=2, timeout=1e-3)
    assert info.value.failed == [0, 1]
    assert {e.error_type for e in info.value.errors} == {"TimeoutError"}
    assert "not finished after 0.001 s" in str(info.value)


def test_run_many_progress_true_prints_without_tqdm(estimator, fermi_dataset, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    run_many(estimator, [fermi_dataset], progress=True)
    assert capsys.readouterr().err.strip().splitlines() == ["run_many: 1/1"]
    run_many(estimator, [fermi_dataset])  # None: stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""


# -- read_dataset and on-off files ------------------------------------------------------------
def test_run_many_onoff_file_equals_serial(backend, load_reference_case):
    """An on-off file in the list is read as an on-off dataset (WStat) where it runs."""
    case = load_reference_case("onoff_horizontal_boxes")
    estimator = case.estimator()
    path = case.dataset_path
    expected = estimator.run(datasets_module.MapDatasetOnOff.read(path))
    assert type(read_dataset(path)).__name__ == "MapDatasetOnOff"
    results = run_many(estimator, [path, str(path)], client=backend, timeout=TIMEOUT)
    for profile in results:
        assert_same_profile(profile, expected)


# -- simulate ---------------------------------------------------------------------------------
N_SIM, SEED = 6, 2024


def _brute_force(dataset, estimator, n, seed, npred_signal=None):
    """Realisations drawn one by one from SeedSequence(seed).spawn(n), profiled serially."""
    mu = np.clip(dataset.background.data.astype(np.float64), 0, None)
    if npred_signal is not None:
        mu = mu + npred_signal
    out = []
    for child in np.random.SeedSequence(seed).spawn(n):
        counts = np.random.default_rng(child).poisson(mu).astype(dataset.counts.data.dtype)
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
    return simulate(fermi_dataset, estimator, N_SIM, SEED, npred_signal=signal_cube, timeout=TIMEOUT)


def test_simulate_matches_brute_force(simulated_local, fermi_dataset, estimator, signal_cube):
    profiles = _brute_force(fermi_dataset, estimator, N_SIM, SEED, signal_cube)
    result = simulated_local
    n_x, n_e = len(estimator.regions), 2
    for name in ("norm", "norm_err", "ts", "success"):
        assert getattr(result, name).shape == (N_SIM, n_x, n_e)
        expected = np.stack([getattr(p, name).values for p in profiles])
        np.testing.assert_array_equal(getattr(result, name), expected, err_msg=name)
    assert result.success.dtype == bool
    assert result.n == N_SIM and result.seed == SEED
    assert result.energy_axis == profiles[0].energy_axis
    assert result.distance_axis == profiles[0].distance_axis


def test_simulate_independent_of_batching_and_threads(simulated_local, fermi_dataset, estimator, signal_cube):
    other = simulate(
        fermi_dataset, estimator, N_SIM, SEED, npred_signal=Map(fermi_dataset.counts.geom, signal_cube),
        batch_size=4, n_threads=2, progress=False, timeout=TIMEOUT,
    )  # fmt: skip
    for name in ("norm", "norm_err", "ts", "success"):
        np.testing.assert_array_equal(getattr(other, name), getattr(simulated_local, name), err_msg=name)
    different = simulate(fermi_dataset, estimator, 2, SEED + 1, npred_signal=signal_cube, timeout=TIMEOUT)
    assert not np.array_equal(different.norm, simulated_local.norm[:2], equal_nan=True)


def test_simulate_same_with_1_and_2_workers(
    simulated_local, client2, fermi_dataset, fermi_gc_path, estimator, signal_cube
):
    two = simulate(fermi_dataset, estimator, N_SIM, SEED, client=client2, npred_signal=signal_cube,
                   batch_size=2, timeout=TIMEOUT)  # fmt: skip
    cluster, client1 = _cluster(1)
    try:
        # A path is read on the worker.
        one = simulate(fermi_gc_path, estimator, N_SIM, SEED, client=client1,
                       npred_signal=signal_cube, timeout=TIMEOUT)  # fmt: skip
    finally:
        client1.close()
        cluster.close()
    for name in ("norm", "norm_err", "ts", "success"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
        np.testing.assert_array_equal(getattr(two, name), getattr(simulated_local, name), err_msg=name)


def test_simulate_summary_and_p_value(simulated_local):
    result = simulated_local
    table = result.summary()
    n_x, n_e = result.norm.shape[1:]
    assert len(table) == n_x * n_e
    norm = result.norm.reshape(result.n, -1)
    ts = result.ts.reshape(result.n, -1)
    np.testing.assert_allclose(table["norm_mean"], [np.mean(c[np.isfinite(c)]) for c in norm.T])
    np.testing.assert_allclose(table["norm_std"], [np.std(c[np.isfinite(c)], ddof=1) for c in norm.T])
    np.testing.assert_allclose(table["ts_median"], [np.median(c[np.isfinite(c)]) for c in ts.T])
    np.testing.assert_array_equal(table["n_valid"], np.isfinite(norm).sum(axis=0))
    x_ref = result.distance_axis.center.to_value(u.deg)
    np.testing.assert_allclose(table["x_ref"].quantity.to_value(u.deg), np.repeat(x_ref, n_e))
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
        simulate(fermi_dataset, estimator, 2, 1, npred_signal=-np.ones(fermi_dataset.counts.data.shape))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        simulate(fermi_dataset, estimator, 2, 1, batch_size=0)

    class OnOff:
        counts = fermi_dataset.counts
        stat_type = "wstat"

    with pytest.raises(TypeError, match="Cash datasets only"):
        simulate(OnOff(), estimator, 2, 1)


def test_simulate_failing_batch_names_realisations(estimator, tmp_path):
    with pytest.raises(RuntimeError, match=r"realisations 0\.\.1 failed: FileNotFoundError"):
        simulate(tmp_path / "missing.fits", estimator, 2, 1, batch_size=2)


# -- dask stays optional -------------------------------------------------------------------------
def test_package_never_imports_dask():
    code = (
        "import sys, astropy.units as u\n"
        "from astropy.coordinates import SkyCoord\n"
        "import fluxprofile\n"
        "from fluxprofile.batch import run_many, simulate\n"
        "ds = fluxprofile.make_example_dataset()\n"
        "regions = fluxprofile.make_orthogonal_rectangle_sky_regions(SkyCoord('2d', '0d', frame='galactic'),"
        " SkyCoord('358d', '0d', frame='galactic'), ds.counts.geom.wcs, 2 * u.deg, nbin=3)\n"
        "est = fluxprofile.FluxProfileEstimator(regions, energy_edges=[10, 500] * u.GeV)\n"
        "assert len(run_many(est, [ds, ds])) == 2\n"
        "assert simulate(ds, est, 2, 0).norm.shape == (2, 3, 1)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.slow
def test_throughput_example_smoke(fermi_gc_path, tmp_path):
    """bench/batch_throughput.py runs and writes its table (tiny sizes)."""
    _import_distributed()
    script = Path(__file__).resolve().parents[1] / "bench" / "batch_throughput.py"
    output = tmp_path / "throughput.md"
    args = ["--data", str(fermi_gc_path), "--items", "2", "--realisations", "2", "--repeat", "1",
            "--output", str(output)]  # fmt: skip
    out = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    lines = output.read_text().splitlines()
    rows = [line for line in lines if line.startswith("| ") and "backend" not in line]
    assert [r.split("|")[1].strip().split(",")[0] for r in rows] == [
        "Dask LocalCluster", "Dask LocalCluster", "local threads (client=None"
    ]
    rates = np.array([[float(c) for c in r.split("|")[2:4]] for r in rows])
    assert np.all(rates > 0)
