"""``fluxprofile demo``: the tutorial's two profiles on the built-in simulated dataset."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

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


def _args(**kwargs):
    import argparse

    base = {"seed": 0, "n_jobs": 1, "output": None, "overwrite": False}
    return argparse.Namespace(**{**base, **kwargs})


def test_demo_output_writes_profiles_and_figures(tmp_path, monkeypatch):
    from fluxprofile import FluxPoints
    from fluxprofile.cli.demo import DEMO_FILES, demo_command

    monkeypatch.delenv("GAMMAPY_DATA", raising=False)
    folder = tmp_path / "new" / "demo"  # created with its parents
    out = io.StringIO()
    assert demo_command(_args(output=folder), out) == 0
    text = out.getvalue()
    longitude, radial = run_demo(seed=0, n_jobs=1, out=io.StringIO())
    for key, profile in (("longitude", longitude), ("radial", radial)):
        table, figure = (folder / name for name in DEMO_FILES[key])
        assert f"  {table}\n" in text
        assert f"  {figure}\n" in text
        read = FluxPoints.read(table)
        np.testing.assert_array_equal(read.norm.values, profile.norm.values)
        np.testing.assert_array_equal(read.norm_ul.values, profile.norm_ul.values)
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        name for names in DEMO_FILES.values() for name in names
    )
    # where to go next: the files in Python, then the command on one's own data
    assert f"FluxPoints.read({str(folder / 'longitude_profile.fits')!r})" in text
    assert "fluxprofile run DATASET.fits --start 9,0 --end 351,0" in text

    # existing files: refused before any work, kept
    before = (folder / "radial_profile.png").stat().st_mtime_ns
    from fluxprofile.cli.errors import InputError

    with pytest.raises(InputError, match="already exists \\(use --overwrite\\)"):
        demo_command(_args(output=folder), io.StringIO())
    assert (folder / "radial_profile.png").stat().st_mtime_ns == before
    assert demo_command(_args(output=folder, overwrite=True), io.StringIO()) == 0


def test_demo_without_output_says_how_to_write_and_what_next(tmp_path, monkeypatch):
    from fluxprofile.cli.demo import demo_command

    gc = tmp_path / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"
    gc.parent.mkdir()
    gc.write_bytes(b"")
    monkeypatch.setenv("GAMMAPY_DATA", str(tmp_path))
    out = io.StringIO()
    assert demo_command(_args(), out) == 0
    text = out.getvalue()
    assert "fluxprofile demo --output DIR" in text
    assert (
        f"fluxprofile run {gc} --start 9,0" in text
    )  # the tutorial's file, when present
    assert list(tmp_path.iterdir()) == [gc.parent]  # nothing written


def test_demo_tables_format_distances():
    """x_ref is printed with three decimals, not as raw floats."""
    out = io.StringIO()
    longitude, _ = run_demo(seed=0, n_jobs=1, out=out)
    lines = out.getvalue().splitlines()
    start = lines.index(next(l for l in lines if l.startswith("Longitude profile")))
    rows = list(lines[start + 4 : start + 4 + 49])
    x_ref = longitude.to_table(sed_type="likelihood")["x_ref"]
    assert [row.split()[0] for row in rows] == [f"{x:.3f}" for x in np.asarray(x_ref)]


def test_demo_cli_output(cli, tmp_path):
    result = cli("demo", "--output", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Wrote:" in result.stdout
    assert (tmp_path / "out" / "longitude_profile.fits").is_file()
    again = cli("demo", "--output", "out", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        (
            f"fluxprofile: error: output file {str(Path('out') / 'longitude_profile.fits')!r} "
            "already exists (use --overwrite)"
        )
    ]


def test_demo_radial_table_has_one_row_per_annulus_and_group():
    out = io.StringIO()
    _, radial = run_demo(seed=0, n_jobs=1, out=out)
    lines = out.getvalue().splitlines()
    start = lines.index(next(l for l in lines if l.startswith("Radial profile")))
    rows = [l.split() for l in lines[start + 4 : start + 4 + 20]]
    x = radial.distance_axis.center.to_value("deg")
    e = radial.energy_axis.edges.to_value("GeV")
    flux = radial.flux.quantity.to_value("cm-2 s-1")[..., 0, 0]  # (n_x, n_e)
    expected = [
        [f"{x[i]:.3f}", f"{e[j]:.3f}", f"{e[j + 1]:.3f}", f"{flux[i, j]:.3e}"]
        for i in range(10)
        for j in range(2)
    ]
    assert [row[:4] for row in rows] == expected
