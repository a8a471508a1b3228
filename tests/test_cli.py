"""The ``fluxprofile`` command line, run in subprocesses (``python -m fluxprofile``).

Each command runs on the shared Fermi-LAT Galactic-centre file and on the built-in
example; written profiles are read back and compared with Gammapy 2.1's reference
results (independent numbers) and with in-process estimator runs of the same settings.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits

import fluxprofile
from fluxprofile import (
    FluxPoints,
    FluxProfileEstimator,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    read_dataset,
)
from fluxprofile.cli._cli import main

TIMEOUT = 120


def _env() -> dict:
    env = dict(os.environ)
    env.pop("FLUXPROFILE_DEBUG", None)
    env.pop("PYTHONWARNINGS", None)
    return env


def _start(args, cwd) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "fluxprofile", *map(str, args)],
        cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )


def _finish(proc) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def cli(*args, cwd) -> subprocess.CompletedProcess:
    """Run ``python -m fluxprofile ARGS`` (stderr is a pipe: no progress bar)."""
    return _finish(_start(args, cwd))


def assert_one_line_error(result, status: int, *fragments: str) -> None:
    assert result.returncode == status, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fluxprofile: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""


def _cells(table, name) -> np.ndarray:
    return np.array([np.asarray(v, dtype=float) for v in table[name]])


def _rect_regions(dataset, nbin=51):
    return make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord(9, 0, unit="deg", frame="galactic"),
        end_pos=SkyCoord(351, 0, unit="deg", frame="galactic"),
        wcs=dataset.counts.geom.wcs, height=3 * u.deg, nbin=nbin,
    )


# -- demo and help ------------------------------------------------------------------------
def test_demo_prints_both_tables(tmp_path):
    result = cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Simulated dataset: fluxprofile-example" in out
    assert "Longitude profile (49 boxes" in out
    assert "Radial profile (10 annuli, two energy groups)" in out
    longitude, radial = out.split("Radial profile")
    # 49 + 10 * 2 data rows below the header lines of each table.
    header = longitude.splitlines().index(next(l for l in longitude.splitlines() if l.startswith("---")))
    assert len([l for l in longitude.splitlines()[header + 1:] if l.strip()]) == 49
    assert "flux_ul" in radial


def test_help_of_every_command(tmp_path, capsys):
    result = cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "info", "demo", "examples:", "Exit status"):
        assert command in result.stdout
    for command, expected in (
        ("run", ["--start", "--end", "--height", "--center", "--radius-max", "--radius-min",
                 "--path", "--width", "--bin-size", "--nbin", "--frame", "--energy-edges",
                 "--index", "--amplitude", "--reference", "--selection", "--n-jobs",
                 "--containment", "--sum-over-energy-groups", "--output", "--sed-type",
                 "--plot", "--overwrite", "--quiet", "examples:"]),
        ("info", ["DATASET", "examples:"]),
        ("demo", ["--seed", "--n-jobs", "examples:"]),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        text = capsys.readouterr().out
        for option in expected:
            assert option in text, (command, option)


# -- info -----------------------------------------------------------------------------------
def test_info_fermi(fermi_gc_path, tmp_path):
    result = cli("info", fermi_gc_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    # Independent numbers, straight from the FITS file.
    with fits.open(fermi_gc_path) as hdul:
        counts = np.asarray(hdul["COUNTS"].data, dtype=float)
        background = np.asarray(hdul["BACKGROUND"].data, dtype=float)
        mask = np.asarray(hdul["MASK_SAFE"].data, dtype=bool)
        exposure = np.asarray(hdul["EXPOSURE"].data, dtype=float)
        header = hdul["COUNTS"].header
    assert f"{header['NAXIS1']} x {header['NAXIS2']} pixels" in out
    assert "galactic" in out
    assert "CAR" in out
    assert f"{abs(header['CDELT1']):.6g} x {abs(header['CDELT2']):.6g} deg" in out
    assert "centre        : lon 0.0000 deg, lat 0.0000 deg" in out
    assert "reco          : 11 bins, 10 - 500 GeV" in out
    assert "true          : 12 bins" in out
    assert f"counts {counts.sum():.0f} ({counts[mask].sum():.0f} safe)" in out
    assert f"background {background.sum():.2f} ({background[mask].sum():.2f} safe)" in out
    assert f"{exposure.min():.4g} - {exposure.max():.4g} cm2 s" in out
    assert f"mask_safe     : {mask.sum()} of {mask.size} bins" in out
    assert "within x 20..379, y 20..179" in out  # the 1 deg unsafe border
    assert "EDispKernelMap" in out
    assert "name          : fermi-3fhl-gc" in out
    # Per energy bin counts: one table row per bin, with the counts of the file.
    rows = [line.split() for line in out.splitlines() if line.strip()[:2].strip().isdigit()]
    per_bin = {int(r[0]): float(r[3]) for r in rows if len(r) >= 7}
    assert per_bin == dict(enumerate(counts.sum(axis=(1, 2))))


# -- run ------------------------------------------------------------------------------------
def test_run_rectangles_fits_ecsv_png(fermi_gc_path, reference_dir, tmp_path):
    """The tutorial longitude profile: files equal Gammapy's reference and the in-process run."""
    result = cli(
        "run", fermi_gc_path, "--start", "9,0", "--end", "351,0", "--height", "3", "--nbin", "51",
        "--energy-edges", "10,2000 GeV", "--index", "2.3", "--selection", "ul",
        "--output", "profile.fits", "-o", "profile.ecsv", "--plot", "profile.png", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no progress bar; no warnings
    assert "wrote profile.fits" in result.stdout
    assert "wrote profile.png" in result.stdout

    png = tmp_path / "profile.png"
    assert png.stat().st_size > 1000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    ours = FluxPoints.read(tmp_path / "profile.fits")
    from_ecsv = FluxPoints.read(tmp_path / "profile.ecsv")
    np.testing.assert_array_equal(from_ecsv.norm.values, ours.norm.values)
    assert ours.norm.values.shape == (51, 1)  # (profile bins, energy groups)

    # Gammapy 2.1 on the same inputs (an independent implementation).
    from astropy.table import Table

    ref = Table.read(reference_dir / "fermi_rect_seed.ecsv", format="ascii.ecsv")
    table = ours.to_table(sed_type="likelihood")
    ok = _cells(ref, "success").astype(bool)
    tol = 0.01 * _cells(ref, "norm_err") + 1e-6
    for name in ("norm", "norm_ul"):
        diff = np.abs(_cells(table, name) - _cells(ref, name))
        assert np.all(diff[ok] <= tol[ok]), name
    np.testing.assert_array_equal(_cells(table, "counts"), _cells(ref, "counts"))
    np.testing.assert_allclose(np.asarray(table["x_ref"]), np.asarray(ref["x_ref"]), atol=1e-6)

    # The same settings in-process.
    dataset = read_dataset(fermi_gc_path)
    expected = FluxProfileEstimator(
        _rect_regions(dataset), spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV, selection_optional=["ul"],
    ).run(dataset)
    np.testing.assert_allclose(ours.norm.values, expected.norm.values, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.norm_ul.values, expected.norm_ul.values, rtol=1e-12, atol=1e-12)


def test_run_annuli_flux_ecsv(fermi_gc_path, reference_dir, tmp_path):
    """The tutorial radial profile: --nbin 10 gives Gammapy's nbin=11 (10 annuli)."""
    result = cli(
        "run", fermi_gc_path, "--center", "0,0", "--radius-max", "1.5", "--nbin", "10",
        "--energy-edges", "10,100,2000 GeV", "--index", "2.3", "--selection", "ul,scan",
        "--sed-type", "flux", "--output", "radial.ecsv", "--quiet", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""
    # A flux table: the reference model (the CLI's power law) is given back to read it.
    ours = FluxPoints.read(tmp_path / "radial.ecsv", reference_model=PowerLawSpectralModel(index=2.3))
    table = ours.to_table(sed_type="flux")
    assert len(table) == 10

    from astropy.table import Table

    ref = Table.read(reference_dir / "fermi_annulus_seed_flux.ecsv", format="ascii.ecsv")
    ok = _cells(ref, "success").astype(bool)
    for name in ("flux", "flux_ul"):
        a = _cells(table, name) * u.Unit(table[name].unit)
        b = (_cells(ref, name) * u.Unit(ref[name].unit)).to_value(a.unit)
        tol = 0.01 * (_cells(ref, "flux_err") * u.Unit(ref["flux_err"].unit)).to_value(a.unit)
        assert np.all(np.abs(a.value - b)[ok] <= tol[ok] + 1e-30), name

    dataset = read_dataset(fermi_gc_path)
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord(0, 0, unit="deg", frame="galactic"), radius_max=1.5 * u.deg, nbin=11
    )
    expected = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 100, 2000] * u.GeV, selection_optional=["ul", "scan"],
    ).run(dataset)
    np.testing.assert_allclose(ours.flux.to_value("cm-2 s-1"), expected.flux.to_value("cm-2 s-1"), rtol=1e-9)
    np.testing.assert_allclose(ours.norm.values, expected.norm.values, rtol=1e-9, atol=1e-12)


def test_run_two_datasets_prints_joint_profile(fermi_gc_path, tmp_path):
    """Fermi file + the built-in example written to a file: one joint fit, printed table."""
    example = fluxprofile.make_example_dataset(seed=1)
    example.write(tmp_path / "example.fits")
    result = cli(
        "run", fermi_gc_path, "example.fits", "--start", "-4,0.5", "--end", "4,0.5",
        "--height", "1", "--nbin", "4", "--energy-edges", "10 100 2000 GeV", "--index", "2.5",
        "--n-jobs", "2", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Profile of fermi-3fhl-gc, fluxprofile-example: 4 rectangles, 2 energy group(s)"
    dash = next(i for i, line in enumerate(lines) if line.startswith("---"))
    names = lines[dash - 2].split()
    rows = [line.split() for line in lines[dash + 1:]]
    assert len(rows) == 8  # 4 boxes x 2 energy groups, one row each
    norm = np.array([float(r[names.index("norm")]) for r in rows])
    counts = np.array([float(r[names.index("counts")]) for r in rows])

    datasets = [read_dataset(fermi_gc_path), read_dataset(tmp_path / "example.fits")]
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord(-4, 0.5, unit="deg", frame="galactic"),
        end_pos=SkyCoord(4, 0.5, unit="deg", frame="galactic"),
        wcs=datasets[0].counts.geom.wcs, height=1 * u.deg, nbin=4,
    )
    expected = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=2.5),
        energy_edges=[10, 100, 2000] * u.GeV, selection_optional=["ul"],
    ).run(datasets)
    np.testing.assert_allclose(norm, expected.norm.values.reshape(-1), atol=6e-4)
    np.testing.assert_array_equal(counts, np.asarray(expected.counts.values).reshape(8, -1).sum(axis=1))
    # Both datasets contribute: more counts than the Fermi file alone.
    alone = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=2.5), energy_edges=[10, 100, 2000] * u.GeV,
    ).run(datasets[0])
    assert np.all(counts > np.asarray(alone.counts.values).reshape(8, -1).sum(axis=1))


def test_run_path_file(fermi_gc_path, tmp_path):
    """A straight path read from a CSV file gives the boxes (and profile) of the rectangles."""
    (tmp_path / "plane.csv").write_text("# along the Galactic plane\nglon,glat\n9,0\n0,0\n351,0\n")
    result = cli(
        "run", fermi_gc_path, "--path", "plane.csv", "--width", "3", "--nbin", "6",
        "--energy-edges", "10,2000 GeV", "--index", "2.3", "-o", "path.fits", "--plot", "path.png",
        cwd=tmp_path,
    )
    try:
        from fluxprofile.regions import make_path_sky_regions
    except ImportError:
        assert_one_line_error(result, 1, "make_path_sky_regions")
        return
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "path.png").stat().st_size > 1000
    ours = FluxPoints.read(tmp_path / "path.fits")

    dataset = read_dataset(fermi_gc_path)
    path = SkyCoord([9, 0, 351], [0, 0, 0], unit="deg", frame="galactic")
    model = PowerLawSpectralModel(index=2.3)
    expected = FluxProfileEstimator(
        make_path_sky_regions(path, 3 * u.deg, nbin=6, wcs=dataset.counts.geom.wcs),
        spectral_model=model, energy_edges=[10, 2000] * u.GeV, selection_optional=["ul"],
    ).run(dataset)
    np.testing.assert_allclose(ours.norm.values, expected.norm.values, rtol=1e-12, atol=1e-12)
    # Straight path: the profile of the same six boxes made as rectangles.
    boxes = FluxProfileEstimator(
        _rect_regions(dataset, nbin=6), spectral_model=model, energy_edges=[10, 2000] * u.GeV,
    ).run(dataset)
    np.testing.assert_allclose(ours.norm.values, boxes.norm.values, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(ours.counts.values, boxes.counts.values)


# -- errors -----------------------------------------------------------------------------------
ERROR_CASES = {
    "missing file": (["run", "nofile.fits", "--center", "0,0", "--radius-max", "1"], 1, ["nofile.fits", "not found"]),
    "not a dataset": (["info", "notes.txt"], 1, ["notes.txt"]),
    "bad energy edges (no unit)": (["run", "{fermi}", "--center", "0,0", "--radius-max", "1",
                                    "--energy-edges", "10,100"], 2, ["--energy-edges", "unit"]),
    "bad energy edges (order)": (["run", "{fermi}", "--center", "0,0", "--radius-max", "1",
                                  "--energy-edges", "100,10 GeV"], 2, ["--energy-edges", "increasing"]),
    "missing required option": (["run", "{fermi}", "--start", "9,0", "--height", "3"], 2, ["--end"]),
    "no regions": (["run", "{fermi}"], 2, ["--start/--end", "--center", "--path"]),
    "two kinds of regions": (["run", "{fermi}", "--center", "0,0", "--radius-max", "1", "--path", "p.csv",
                              "--width", "1", "--nbin", "3"], 2, ["one kind"]),
    "unknown command": (["frobnicate"], 2, ["frobnicate"]),
    "no command": ([], 2, ["COMMAND"]),
    "existing output": (["run", "{fermi}", "--center", "0,0", "--radius-max", "1", "-o", "exists.fits"],
                        1, ["exists.fits", "--overwrite"]),
    "bad output format": (["run", "{fermi}", "--center", "0,0", "--radius-max", "1", "-o", "x.txt"],
                          2, ["x.txt", ".ecsv"]),
    "same file twice": (["run", "{fermi}", "{fermi}", "--center", "0,0", "--radius-max", "1"], 2, ["twice"]),
    "data error": (["run", "{fermi}", "--start", "0,0", "--end", "0,0", "--height", "1"], 1, ["differ"]),
}


@pytest.fixture(scope="module")
def error_results(fermi_gc_path, tmp_path_factory):
    """Run every error case at once (each subprocess mostly waits on its imports)."""
    cwd = tmp_path_factory.mktemp("cli-errors")
    (cwd / "notes.txt").write_text("not a FITS file\n")
    (cwd / "exists.fits").write_bytes(b"")
    procs = {
        name: _start([str(fermi_gc_path) if a == "{fermi}" else a for a in args], cwd)
        for name, (args, _, _) in ERROR_CASES.items()
    }
    results = {name: _finish(proc) for name, proc in procs.items()}
    assert (cwd / "exists.fits").read_bytes() == b""  # not overwritten
    return results


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line(error_results, case):
    _, status, fragments = ERROR_CASES[case]
    assert_one_line_error(error_results[case], status, *fragments)


# -- in-process: progress bar, argument parsing ------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(fermi_gc_path, tmp_path, monkeypatch, capsys):
    import tqdm  # noqa: F401  (a run-time dependency: its absence is a failure)
    args = ["run", str(fermi_gc_path), "--center", "0,0", "--radius-max", "1", "--nbin", "3",
            "--energy-edges", "10,2000 GeV"]
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*args, "-o", str(tmp_path / "a.fits")]) == 0
    assert "read fermi-3fhl-gc.fits.gz" in terminal.getvalue()
    assert "write a.fits" in terminal.getvalue()
    assert "wrote" in capsys.readouterr().out

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*args, "-o", str(tmp_path / "b.fits"), "--quiet"]) == 0
    assert terminal.getvalue() == ""
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(
        FluxPoints.read(tmp_path / "a.fits").norm.values, FluxPoints.read(tmp_path / "b.fits").norm.values
    )


def test_argument_values():
    from fluxprofile.cli._cli import _build_parser, _join_negative_positions

    parser = _build_parser()
    args = parser.parse_args(_join_negative_positions([
        "run", "x.fits", "--start", "-5,0.5", "--end", "17h45m40s,-29d", "--height", "30arcmin",
        "--energy-edges", "0.01, 0.1, 2 TeV", "--selection", "all", "--amplitude", "2e-12 cm-2 s-1 TeV-1",
    ]))
    assert args.start[0].to_value(u.deg) == -5
    assert args.start[1].to_value(u.deg) == 0.5
    assert args.end[0].to_value(u.deg) == pytest.approx(266.41666666666667)
    assert args.end[1].to_value(u.deg) == -29
    assert args.height.to_value(u.deg) == pytest.approx(0.5)
    np.testing.assert_allclose(args.energy_edges.to_value(u.GeV), [10, 100, 2000])
    assert args.selection == ["errn-errp", "ul", "scan", "sensitivity"]
    assert args.amplitude.to_value("cm-2 s-1 TeV-1") == pytest.approx(2e-12)
    assert parser.parse_args(["run", "x", "--selection", "none"]).selection == []
    assert parser.parse_args(["run", "x"]).selection == ["ul"]
