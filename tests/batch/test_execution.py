"""fluxprofile.batch.execution: the local and Dask backends, progress, argument checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fluxprofile.batch.execution import (
    Progress,
    check_client,
    check_threads,
    check_timeout,
    execute,
    local_pool_size,
)

TIMEOUT = 300  # seconds; generous for a loaded 2-core machine


# -- progress ------------------------------------------------------------------------------------
def test_progress_options(capsys):
    calls = []
    bar = Progress(lambda done, total: calls.append((done, total)), 3, "steps")
    bar.update()
    bar.update(2)
    bar.close()
    assert calls == [(1, 3), (3, 3)]
    for quiet in (False, None):  # None: standard error is not a terminal under pytest
        bar = Progress(quiet, 2, "quiet")
        bar.update(2)
        bar.close()
        assert bar.done == 2
    assert capsys.readouterr().err == ""
    bar = Progress(True, 2, "loud")
    bar.update(2)
    bar.close()
    err = capsys.readouterr().err
    assert "loud" in err
    assert "2/2" in err
    with pytest.raises(
        TypeError, match="progress must be None, a bool or a callable, got str 'yes'"
    ):
        Progress("yes", 1, "x")


# -- argument checks -----------------------------------------------------------------------------
def test_argument_checks():
    assert check_threads(None) == 1
    assert check_threads(np.int64(3)) == 3
    for bad in (0, True, 2.0, "2"):
        with pytest.raises(
            ValueError, match="n_threads must be a positive integer or None"
        ):
            check_threads(bad)
    assert check_timeout(None) is None
    assert check_timeout(2) == 2.0
    for bad in (0, -1, [1, 2]):
        with pytest.raises(
            ValueError, match="timeout must be a positive number of seconds"
        ):
            check_timeout(bad)
    check_client(None)
    with pytest.raises(
        TypeError, match=r"client must be a dask\.distributed\.Client or None, got str"
    ):
        check_client("tcp://localhost:8786")
    cores = os.cpu_count() or 1
    assert local_pool_size(1000, 1) == cores
    assert local_pool_size(1, 1) == 1
    assert local_pool_size(1000, 10 * cores) == 1


# -- local execution -------------------------------------------------------------------------------
def _offset_square(offset, x):
    if x == 3:
        msg = "three"
        raise ValueError(msg)
    return offset + x * x


def test_execute_locally_yields_every_task_once():
    bar = Progress(False, 6, "squares")
    runs = execute(
        _offset_square, [(x,) for x in range(6)], None, [10], 1, bar, "squares", TIMEOUT
    )
    seen = {}
    for index, value, exc in runs:
        assert index not in seen
        seen[index] = (value, exc)
    assert sorted(seen) == list(range(6))
    for x, (value, exc) in seen.items():
        if x == 3:
            assert value is None
            assert isinstance(exc, ValueError)
        else:
            assert exc is None
            assert value == 10 + x * x
    assert bar.done == 6


_STUCK = """
import sys, threading, time
import astropy.units as u
from astropy.coordinates import SkyCoord
import fluxprofile
import fluxprofile.batch.many as many
from fluxprofile.batch import BatchError, run_many

folder = sys.argv[1]
dataset = fluxprofile.make_example_dataset()
good = f"{folder}/good.fits"
dataset.write(good)
real_read = many.read_dataset

def read_dataset(path):
    if str(path).endswith("stuck.fits"):
        threading.Event().wait()  # never returns: a stuck item
    return real_read(path)

many.read_dataset = read_dataset
regions = fluxprofile.make_orthogonal_rectangle_sky_regions(
    SkyCoord("2d", "0d", frame="galactic"), SkyCoord("358d", "0d", frame="galactic"),
    dataset.counts.geom.wcs, 2 * u.deg, nbin=3)
estimator = fluxprofile.FluxProfileEstimator(regions, energy_edges=[10, 500] * u.GeV)
start = time.monotonic()
try:
    run_many(estimator, [good, f"{folder}/stuck.fits", good], timeout=float(sys.argv[2]))
except BatchError as err:
    print([str(e) for e in err.errors])
    print([r is not None for r in err.results])
print(f"returned after {time.monotonic() - start:.1f} s", flush=True)
"""


def test_timeout_reports_the_stuck_item_and_the_process_exits(tmp_path):
    """A stuck item: reported as timed out, the others kept, and Python then exits (the
    stuck worker is a daemon thread, not one the interpreter waits for at exit)."""
    timeout = 3 if (os.cpu_count() or 1) > 1 else 20  # the good items need a free core
    proc = subprocess.run(
        [sys.executable, "-c", _STUCK, str(tmp_path), str(timeout)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    errors, kept, returned = proc.stdout.splitlines()
    assert (
        f"item 1 ({tmp_path}/stuck.fits): TimeoutError: not finished after {float(timeout)} s"
        in errors
    )
    assert "item 0" not in errors
    assert "item 2" not in errors
    assert kept == "[True, False, True]"
    assert returned.startswith("returned after")


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
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.slow
def test_throughput_example_smoke(distributed, fermi_gc_path, tmp_path):
    """bench/batch_throughput.py runs and writes its table (tiny sizes)."""
    script = Path(__file__).resolve().parents[2] / "bench" / "batch_throughput.py"
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
        "Dask LocalCluster",
        "Dask LocalCluster",
        "local threads (client=None",
    ]
    rates = np.array([[float(c) for c in r.split("|")[2:4]] for r in rows])
    assert np.all(rates > 0)
