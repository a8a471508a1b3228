"""examples/flux_profiles.py (Gammapy's flux_profiles tutorial) runs end to end.

The script runs in a subprocess, as a user would run it; its PNG figures are kept in
``tests/artifacts/examples/`` (gitignored) and checked to exist and show something.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "flux_profiles.py"
ARTIFACTS = ROOT / "tests" / "artifacts" / "examples"
FIGURES = [
    "01_counts_image",
    "02_box_regions",
    "03_profile_dnde",
    "03_profile_e2dnde",
    "03_profile_flux",
    "03_profile_eflux",
    "04_profile_eflux_threshold",
    "05_profile_npred",
    "06_profile_read_back",
    "07_annulus_regions",
    "08_radial_profile_flux",
    "09_radial_profile_ts",
]


def run_example(
    output_dir: Path, env_update: dict[str, str | None]
) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    for key, value in env_update.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        # -W error: the script must not emit warnings (it catches the one Gammapy emits too)
        [sys.executable, "-W", "error", str(SCRIPT), str(output_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def check_figures(output_dir: Path) -> None:
    import matplotlib.image as mpimg

    pngs = sorted(p.stem for p in output_dir.glob("*.png"))
    assert pngs == sorted(FIGURES)
    for name in FIGURES:
        path = output_dir / f"{name}.png"
        assert path.stat().st_size > 10_000, name
        image = mpimg.imread(path)
        assert image.shape[0] > 300, name
        assert image.shape[1] > 400, name
        rgb = image[..., :3].reshape(-1, 3)
        # non-trivial: many distinct colours and a good share of non-white pixels
        assert len(np.unique(rgb, axis=0)) > 20, name
        assert np.mean(np.all(rgb > 0.98, axis=1)) < 0.97, name


def check_profile_file(output_dir: Path, n_regions: int) -> None:
    from astropy.table import Table

    table = Table.read(output_dir / "flux_profile_fermi.fits", hdu="FLUXPOINTS")
    assert len(table) == n_regions
    assert table.colnames[:7] == [
        "x_min",
        "x_max",
        "x_ref",
        "e_ref",
        "e_min",
        "e_max",
        "dnde",
    ]
    assert np.all(np.isfinite(table["counts"]))
    assert np.all(np.asarray(table["counts"]) > 0)


def test_tutorial_on_the_fermi_gc_file(fermi_gc_path: Path) -> None:
    data_root = fermi_gc_path.parents[1]
    output_dir = ARTIFACTS / "fermi-3fhl-gc"
    result = run_example(output_dir, {"GAMMAPY_DATA": str(data_root)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Reading {fermi_gc_path}" in result.stdout
    # printed results of the tutorial: the counts cube, the profile, the profile table
    assert "shape : (400, 200, 11)" in result.stdout
    assert "shape                  : (1, 1, 1, 49)" in result.stdout
    assert "shape                  : (1, 1, 2, 10)" in result.stdout
    assert "Length = 49 rows" in result.stdout
    check_figures(output_dir)
    check_profile_file(output_dir, 49)


def test_dataset_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GAMMAPY_DATA first, then FLUXPROFILE_TEST_DATA, else None (the simulated dataset)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("flux_profiles_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    gammapy_data, test_data, empty = (
        tmp_path / "gp",
        tmp_path / "fp",
        tmp_path / "empty",
    )
    for folder in (gammapy_data, test_data):
        (folder / "fermi-3fhl-gc").mkdir(parents=True)
        (folder / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz").write_bytes(b"")
    empty.mkdir()
    monkeypatch.setenv("GAMMAPY_DATA", str(gammapy_data))
    monkeypatch.setenv("FLUXPROFILE_TEST_DATA", str(test_data))
    assert (
        module.find_dataset_file()
        == gammapy_data / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"
    )
    monkeypatch.setenv("GAMMAPY_DATA", str(empty))
    assert (
        module.find_dataset_file()
        == test_data / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"
    )
    monkeypatch.delenv("GAMMAPY_DATA")
    monkeypatch.delenv("FLUXPROFILE_TEST_DATA")
    assert module.find_dataset_file() is None


@pytest.mark.slow
def test_tutorial_on_the_simulated_dataset() -> None:
    output_dir = ARTIFACTS / "simulated"
    result = run_example(
        output_dir, {"GAMMAPY_DATA": None, "FLUXPROFILE_TEST_DATA": None}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "using the simulated example" in result.stdout
    check_figures(output_dir)
    check_profile_file(output_dir, 49)
