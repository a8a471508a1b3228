"""Smoke test of bench/healpix.py on a small cube: it runs, and its ring of boxes covers
the band exactly once."""

from __future__ import annotations

import sys

import healpix as bench_healpix
import numpy as np


def test_healpix_benchmark_small(monkeypatch, capsys):
    argv = [
        "healpix.py",
        "--nside",
        "32",
        "--n-energy",
        "2",
        "--nbin",
        "36",
        "--repeat",
        "1",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    bench_healpix.main()
    out = capsys.readouterr().out
    assert "NSIDE 32: 12288 pixels x 2 energy bins, 36 boxes of 10 x 10 deg" in out
    dataset = bench_healpix.make_cube(32, 2)
    b = np.rad2deg(dataset.counts.geom.pixel_lonlat()[1])
    assert f"(total {np.sum(np.abs(b) < 5)})" in out
    # The sparse top energy bin of this small cube leaves boxes without counts: the
    # estimator's warning is reported after the timings instead of failing the run.
    assert "FluxProfileWarning: Regions" in out
