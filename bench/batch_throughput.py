"""Throughput of `fluxprofile.batch` on a Dask LocalCluster with 1 and 2 workers.

Profiles per second of `run_many` over copies of the Fermi-LAT Galactic-centre file (each
path read on the worker: reading is part of the work) and of `simulate` (Poisson
realisations, profiled in batches), with the local thread pool for comparison. Writes a
small markdown table.

Usage::

    python bench/batch_throughput.py [--data FILE] [--items 32] [--realisations 64]
                                        [--output bench/batch_throughput.md]

Needs the optional extra: ``pip install "fluxprofile[distributed]"``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import astropy.units as u
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxProfileEstimator,
    MapDataset,
    PowerLawSpectralModel,
    make_orthogonal_rectangle_sky_regions,
)
from fluxprofile.batch import run_many, simulate

__all__ = ["main"]

HERE = Path(__file__).resolve().parent


def default_data() -> Path:
    """The shared Fermi-LAT GC file (``FLUXPROFILE_TEST_DATA`` or ../shared/data)."""
    env = os.environ.get("FLUXPROFILE_TEST_DATA")
    root = Path(env) if env else HERE.parent.parent / "shared" / "data"
    return root / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"


def make_estimator(wcs) -> FluxProfileEstimator:
    """The tutorial's longitude profile: 51 boxes of 3 deg height, one energy group."""
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=wcs,
        height=3 * u.deg,
        nbin=51,
    )
    return FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    )


def timed(func, repeat: int) -> float:
    """Best wall time of ``repeat`` calls, after one warm-up call."""
    func()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> list[dict]:
    """Run the benchmark, print and write the markdown table; returns the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=default_data(), help="DL4 dataset file"
    )
    parser.add_argument("--items", type=int, default=16, help="paths per run_many call")
    parser.add_argument(
        "--realisations", type=int, default=32, help="realisations per simulate call"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed repetitions (best is kept)"
    )
    parser.add_argument("--output", type=Path, default=HERE / "batch_throughput.md")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    dataset = MapDataset.read(args.data)
    estimator = make_estimator(dataset.counts.geom.wcs)
    paths = [str(args.data)] * args.items

    def measure(client) -> tuple[float, float]:
        t_many = timed(
            lambda: run_many(estimator, paths, client=client, progress=False),
            args.repeat,
        )
        t_sim = timed(
            lambda: simulate(
                dataset, estimator, args.realisations, 0, client=client, progress=False
            ),
            args.repeat,
        )
        return args.items / t_many, args.realisations / t_sim

    load_before = os.getloadavg()[0]
    rows = []
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster,
            Client(cluster) as client,
        ):
            many, sim = measure(client)
        rows.append({"backend": f"Dask LocalCluster, {workers} worker{'s' * (workers > 1)} x 1 thread",
                     "run_many": many, "simulate": sim})  # fmt: skip
        print(
            f"{rows[-1]['backend']}: {many:.1f} profiles/s (files), {sim:.1f} profiles/s (realisations)"
        )
    many, sim = measure(None)
    backend = f"local threads (client=None, {os.cpu_count()} threads)"
    rows.append({"backend": backend, "run_many": many, "simulate": sim})
    print(
        f"{rows[-1]['backend']}: {many:.1f} profiles/s (files), {sim:.1f} profiles/s (realisations)"
    )

    lines = [
        "# fluxprofile.batch throughput",
        "",
        (
            f"Profiles per second (best of {args.repeat}, after a warm-up call) for the tutorial's "
            f"51-box longitude profile of `{args.data.name}` ({dataset.counts.data.shape} counts cube): "
            f"`run_many` over {args.items} paths (each file read and decompressed on the worker) and "
            f"`simulate` of {args.realisations} Poisson realisations. Machine: {os.cpu_count()} CPUs, "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}. "
            f"Load average (1 min) before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f}; other "
            "processes on the machine slow the parallel rows down. "
            "Generated by `python bench/batch_throughput.py`."
        ),
        "",
        "| backend | run_many (profiles/s) | simulate (profiles/s) |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {r['backend']} | {r['run_many']:.1f} | {r['simulate']:.1f} |" for r in rows
    ]
    args.output.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.output}")
    return rows


if __name__ == "__main__":
    main()
