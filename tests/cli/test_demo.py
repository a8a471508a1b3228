"""``fluxprofile demo``: the tutorial's two profiles on the built-in simulated dataset."""

from __future__ import annotations

import io

from fluxprofile import make_example_dataset
from fluxprofile.cli.demo import run_demo


def test_demo_prints_both_tables(cli, tmp_path):
    result = cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Simulated dataset: fluxprofile-example" in out
    assert "Longitude profile (49 boxes" in out
    assert "Radial profile (10 annuli, two energy groups)" in out
    longitude, radial = out.split("Radial profile")
    # 49 + 10 * 2 data rows below the header lines of each table.
    header = longitude.splitlines().index(
        next(l for l in longitude.splitlines() if l.startswith("---"))
    )
    assert len([l for l in longitude.splitlines()[header + 1 :] if l.strip()]) == 49
    assert "flux_ul" in radial


def test_run_demo_returns_the_printed_profiles():
    """In-process: both profiles are returned, measured on the dataset of the given seed."""
    out = io.StringIO()
    longitude, radial = run_demo(seed=2, n_jobs=1, out=out)
    assert longitude.norm.values.shape == (49, 1)
    assert radial.norm.values.shape == (10, 2)
    assert "Simulated dataset: fluxprofile-example" in out.getvalue()
    # The printed counts total is the simulated dataset's.
    total = make_example_dataset(seed=2).counts.data.sum()
    assert f"{total:.0f} counts" in out.getvalue()
    assert (longitude.energy_axis.nbin, radial.energy_axis.nbin) == (1, 2)
