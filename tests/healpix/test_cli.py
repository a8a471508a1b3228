"""The command line on HEALPix dataset files: info, and a full-ring profile whose
regions are defined on the sphere."""

from __future__ import annotations

import io

import numpy as np
from astropy.table import Table
from hpx_helpers import hpx_dataset

from fluxprofile.cli import main
from fluxprofile.cli.info import describe_dataset


def test_run_full_ring_and_info(tmp_path):
    path = tmp_path / "hpx.fits"
    dataset = hpx_dataset(32, poisson_seed=1, edges_gev=(10, 2000))
    dataset.write(path)
    out = tmp_path / "ring.ecsv"
    argv = ["run", str(path), "--start", "0,0", "--end", "360,0", "--height", "10", "--nbin", "36",
            "--sed-type", "flux", "--per-solid-angle", "-o", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    table = Table.read(out)
    assert len(table) == 36
    np.testing.assert_allclose(table["x_ref"], 10.0 * np.arange(36))
    # every pixel of the band |b| < 5 deg is in exactly one box
    b = dataset.counts.geom.get_skycoord().b.deg
    assert np.sum(table["npix"]) == np.sum(np.abs(b) < 5)
    assert np.sum(table["counts"]) == dataset.counts.data[:, np.abs(b) < 5].sum()
    text = io.StringIO()
    describe_dataset(str(path), text)
    assert "12288 HEALPix pixels (all sky)" in text.getvalue()
    assert "nside         : 32 (NESTED)" in text.getvalue()
