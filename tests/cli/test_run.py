"""``fluxprofile run``, in subprocesses (``python -m fluxprofile``) and in-process.

Each profile runs on the shared Fermi-LAT Galactic-centre file (and the built-in example);
written profiles are read back and compared with Gammapy 2.1's reference results
(independent numbers) and with in-process estimator runs of the same settings.
"""

from __future__ import annotations

import io
import sys

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord

import fluxprofile
from fluxprofile import (
    FluxPoints,
    FluxProfileEstimator,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    make_path_sky_regions,
    read_dataset,
)
from fluxprofile.cli import main


def _cells(table, name) -> np.ndarray:
    return np.array([np.asarray(v, dtype=float) for v in table[name]])


def _rect_regions(dataset, nbin=51):
    return make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord(9, 0, unit="deg", frame="galactic"),
        end_pos=SkyCoord(351, 0, unit="deg", frame="galactic"),
        wcs=dataset.counts.geom.wcs,
        height=3 * u.deg,
        nbin=nbin,
    )


def test_run_rectangles_fits_ecsv_png(cli, fermi_gc_path, reference_dir, tmp_path):
    """The tutorial longitude profile: files equal Gammapy's reference and the in-process run."""
    result = cli(
        "run",
        fermi_gc_path,
        "--start",
        "9,0",
        "--end",
        "351,0",
        "--height",
        "3",
        "--nbin",
        "51",
        "--energy-edges",
        "10,2000 GeV",
        "--index",
        "2.3",
        "--selection",
        "ul",
        "--output",
        "profile.fits",
        "-o",
        "profile.ecsv",
        "--plot",
        "profile.png",
        cwd=tmp_path,
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
    np.testing.assert_allclose(
        np.asarray(table["x_ref"]), np.asarray(ref["x_ref"]), atol=1e-6
    )

    # The same settings in-process.
    dataset = read_dataset(fermi_gc_path)
    expected = FluxProfileEstimator(
        _rect_regions(dataset),
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    ).run(dataset)
    np.testing.assert_allclose(
        ours.norm.values, expected.norm.values, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        ours.norm_ul.values, expected.norm_ul.values, rtol=1e-12, atol=1e-12
    )


def test_run_annuli_flux_ecsv(cli, fermi_gc_path, reference_dir, tmp_path):
    """The tutorial radial profile: --nbin 10 gives Gammapy's nbin=11 (10 annuli)."""
    result = cli(
        "run",
        fermi_gc_path,
        "--center",
        "0,0",
        "--radius-max",
        "1.5",
        "--nbin",
        "10",
        "--energy-edges",
        "10,100,2000 GeV",
        "--index",
        "2.3",
        "--selection",
        "ul,scan",
        "--sed-type",
        "flux",
        "--output",
        "radial.ecsv",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""
    # A flux table: the reference model (the CLI's power law) is given back to read it.
    ours = FluxPoints.read(
        tmp_path / "radial.ecsv", reference_model=PowerLawSpectralModel(index=2.3)
    )
    table = ours.to_table(sed_type="flux")
    assert len(table) == 10

    from astropy.table import Table

    ref = Table.read(
        reference_dir / "fermi_annulus_seed_flux.ecsv", format="ascii.ecsv"
    )
    ok = _cells(ref, "success").astype(bool)
    for name in ("flux", "flux_ul"):
        a = _cells(table, name) * u.Unit(table[name].unit)
        b = (_cells(ref, name) * u.Unit(ref[name].unit)).to_value(a.unit)
        tol = 0.01 * (_cells(ref, "flux_err") * u.Unit(ref["flux_err"].unit)).to_value(
            a.unit
        )
        assert np.all(np.abs(a.value - b)[ok] <= tol[ok] + 1e-30), name

    dataset = read_dataset(fermi_gc_path)
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord(0, 0, unit="deg", frame="galactic"),
        radius_max=1.5 * u.deg,
        nbin=11,
    )
    expected = FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul", "scan"],
    ).run(dataset)
    np.testing.assert_allclose(
        ours.flux.to_value("cm-2 s-1"), expected.flux.to_value("cm-2 s-1"), rtol=1e-9
    )
    np.testing.assert_allclose(
        ours.norm.values, expected.norm.values, rtol=1e-9, atol=1e-12
    )


def test_run_two_datasets_prints_joint_profile(cli, fermi_gc_path, tmp_path):
    """Fermi file + the built-in example written to a file: one joint fit, printed table."""
    example = fluxprofile.make_example_dataset(seed=1)
    example.write(tmp_path / "example.fits")
    result = cli(
        "run",
        fermi_gc_path,
        "example.fits",
        "--start",
        "-4,0.5",
        "--end",
        "4,0.5",
        "--height",
        "1",
        "--nbin",
        "4",
        "--energy-edges",
        "10 100 2000 GeV",
        "--index",
        "2.5",
        "--n-jobs",
        "2",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "Profile of fermi-3fhl-gc, fluxprofile-example: 4 rectangles, 2 energy group(s)"
    )
    dash = next(i for i, line in enumerate(lines) if line.startswith("---"))
    names = lines[dash - 2].split()
    rows = [line.split() for line in lines[dash + 1 :]]
    assert len(rows) == 8  # 4 boxes x 2 energy groups, one row each
    norm = np.array([float(r[names.index("norm")]) for r in rows])
    counts = np.array([float(r[names.index("counts")]) for r in rows])

    datasets = [read_dataset(fermi_gc_path), read_dataset(tmp_path / "example.fits")]
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord(-4, 0.5, unit="deg", frame="galactic"),
        end_pos=SkyCoord(4, 0.5, unit="deg", frame="galactic"),
        wcs=datasets[0].counts.geom.wcs,
        height=1 * u.deg,
        nbin=4,
    )
    expected = FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.5),
        energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul"],
    ).run(datasets)
    np.testing.assert_allclose(norm, expected.norm.values.reshape(-1), atol=6e-4)
    np.testing.assert_array_equal(
        counts, np.asarray(expected.counts.values).reshape(8, -1).sum(axis=1)
    )
    # Both datasets contribute: more counts than the Fermi file alone.
    alone = FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.5),
        energy_edges=[10, 100, 2000] * u.GeV,
    ).run(datasets[0])
    assert np.all(counts > np.asarray(alone.counts.values).reshape(8, -1).sum(axis=1))


def test_run_path_file(cli, fermi_gc_path, tmp_path):
    """A straight path read from a CSV file gives the boxes (and profile) of the rectangles."""
    (tmp_path / "plane.csv").write_text(
        "# along the Galactic plane\nglon,glat\n9,0\n0,0\n351,0\n"
    )
    result = cli(
        "run",
        fermi_gc_path,
        "--path",
        "plane.csv",
        "--width",
        "3",
        "--nbin",
        "6",
        "--energy-edges",
        "10,2000 GeV",
        "--index",
        "2.3",
        "-o",
        "path.fits",
        "--plot",
        "path.png",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "path.png").stat().st_size > 1000
    ours = FluxPoints.read(tmp_path / "path.fits")

    dataset = read_dataset(fermi_gc_path)
    path = SkyCoord([9, 0, 351], [0, 0, 0], unit="deg", frame="galactic")
    model = PowerLawSpectralModel(index=2.3)
    expected = FluxProfileEstimator(
        make_path_sky_regions(path, 3 * u.deg, nbin=6, wcs=dataset.counts.geom.wcs),
        spectral_model=model,
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    ).run(dataset)
    np.testing.assert_allclose(
        ours.norm.values, expected.norm.values, rtol=1e-12, atol=1e-12
    )
    # Straight path: the profile of the same six boxes made as rectangles.
    boxes = FluxProfileEstimator(
        _rect_regions(dataset, nbin=6),
        spectral_model=model,
        energy_edges=[10, 2000] * u.GeV,
    ).run(dataset)
    np.testing.assert_allclose(
        ours.norm.values, boxes.norm.values, rtol=1e-6, atol=1e-8
    )
    np.testing.assert_array_equal(ours.counts.values, boxes.counts.values)


# -- in-process: progress bar ------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(fermi_gc_path, tmp_path, monkeypatch, capsys):
    args = [
        "run",
        str(fermi_gc_path),
        "--center",
        "0,0",
        "--radius-max",
        "1",
        "--nbin",
        "3",
        "--energy-edges",
        "10,2000 GeV",
    ]
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
        FluxPoints.read(tmp_path / "a.fits").norm.values,
        FluxPoints.read(tmp_path / "b.fits").norm.values,
    )


# -- in-process: surface brightness -------------------------------------------------------------
def test_per_solid_angle_table_and_plot(fermi_gc_path, tmp_path, capsys):
    """--per-solid-angle writes the fluxes per steradian of the in-process profile."""
    args = ["run", str(fermi_gc_path), "--center", "0,0", "--radius-max", "1", "--nbin", "3",
            "--energy-edges", "10,2000 GeV", "--index", "2.3"]  # fmt: skip
    assert main([*args, "--sed-type", "flux", "--per-solid-angle", "-o", str(tmp_path / "sb.ecsv"),
                 "--plot", str(tmp_path / "sb.png"), "--quiet"]) == 0  # fmt: skip
    assert (tmp_path / "sb.png").stat().st_size > 1000
    from astropy.table import Table

    table = Table.read(tmp_path / "sb.ecsv", format="ascii.ecsv")
    dataset = read_dataset(fermi_gc_path)
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord(0, 0, unit="deg", frame="galactic"),
        radius_max=1 * u.deg,
        nbin=4,
    )
    profile = FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    ).run(dataset)
    # Independent of the table code: norm x reference flux / solid angle of the region.
    flux_ref = profile.flux_ref.to_value("cm-2 s-1")
    omega = np.asarray(profile.solid_angle.values).reshape(-1)
    expected = profile.norm.values.reshape(-1) * flux_ref.reshape(-1) / omega
    assert u.Unit(table["flux"].unit) == u.Unit("cm-2 s-1 sr-1")
    np.testing.assert_allclose(_cells(table, "flux").reshape(-1), expected, rtol=1e-10)

    # Norms are not per solid angle: a usage error before any work.
    assert main([*args, "--per-solid-angle", "-o", str(tmp_path / "n.ecsv")]) == 2
    assert (
        "--per-solid-angle needs --sed-type dnde, e2dnde, flux or eflux"
        in capsys.readouterr().err
    )
    assert (
        main(
            [
                *args,
                "--per-solid-angle",
                "--plot",
                str(tmp_path / "n.png"),
                "--plot-sed-type",
                "norm",
            ]
        )
        == 2
    )
    assert "--plot-sed-type other than norm" in capsys.readouterr().err
    assert not (tmp_path / "n.ecsv").exists()


# -- in-process: y scale of the plot, all-NaN profiles ------------------------------------------
_SEED = ["--start", "9,0", "--end", "351,0", "--height", "3", "--nbin", "51",
         "--energy-edges", "10,2000 GeV", "--index", "2.3", "--selection", "ul"]  # fmt: skip


def _record_figures(monkeypatch) -> list:
    import fluxprofile.cli.run as run_module

    figures = []
    original = run_module.write_plot

    def record(figure, path, overwrite=False):
        figures.append(figure)
        original(figure, path, overwrite)

    monkeypatch.setattr(run_module, "write_plot", record)
    return figures


def test_seed_plot_is_linear_and_shows_negative_points(
    fermi_gc_path, reference_dir, tmp_path, capsys, monkeypatch
):
    """The tutorial profile has bins whose drawn value (the upper limit of a significant
    negative excess) is negative: linear axis by default, with those points in it."""
    from astropy.table import Table

    ref = Table.read(reference_dir / "fermi_rect_seed.ecsv", format="ascii.ecsv")
    ul = _cells(ref, "is_ul").astype(bool).ravel()
    drawn = np.where(ul, _cells(ref, "norm_ul").ravel(), _cells(ref, "norm").ravel())
    n_negative = int(np.sum(drawn < 0))
    assert n_negative == 5  # Gammapy's own profile (5.5-7.4 deg)

    figures = _record_figures(monkeypatch)
    png = tmp_path / "seed.png"
    assert main(["run", str(fermi_gc_path), *_SEED, "--plot", str(png), "-q"]) == 0
    assert capsys.readouterr().err == ""
    (ax,) = figures[-1].axes
    assert ax.get_yscale() == "linear"
    (container,) = ax.containers
    y = np.asarray(container.lines[0].get_ydata(), dtype=float)
    assert np.sum(y < 0) == n_negative
    assert ax.get_ylim()[0] < np.nanmin(y)

    # --yscale log: Gammapy's axis, and a warning that says what it hides
    assert main(["run", str(fermi_gc_path), *_SEED, "--plot", str(png), "-q",
                 "--overwrite", "--yscale", "log"]) == 0  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert err == [
        (
            "fluxprofile: warning: 5 negative points are not shown on the log y axis "
            "(--yscale linear shows them)"
        )
    ]
    assert figures[-1].axes[0].get_yscale() == "log"
    assert (
        main(
            [
                "run",
                str(fermi_gc_path),
                *_SEED,
                "--plot",
                str(png),
                "--yscale",
                "symlog",
            ]
        )
        == 2
    )
    assert "--yscale: invalid choice: 'symlog'" in capsys.readouterr().err


def test_all_nan_profile_is_an_error_and_writes_nothing(
    fermi_gc_path, tmp_path, capsys
):
    out = tmp_path / "p.fits"
    plot = tmp_path / "p.png"
    cases = [
        # energy edges above the data (10-500 GeV)
        (["--start", "9,0", "--end", "351,0", "--height", "3", "--energy-edges", "1,10 TeV"],
         ("every bin of the profile is NaN: the energy edges 1-10 TeV are outside the "
         "datasets' energies (10-500 GeV); nothing written")),
        # boxes off the map (it spans |b| < 5 deg)
        (["--start", "40,40", "--end", "50,40", "--height", "1", "--nbin", "5"],
         "every bin of the profile is NaN: the regions are off the maps; nothing written"),
        (["--center", "40,40", "--radius-max", "1"],
         "every bin of the profile is NaN: the regions are off the maps; nothing written"),
    ]  # fmt: skip
    for options, message in cases:
        status = main(
            ["run", str(fermi_gc_path), *options, "-o", str(out), "--plot", str(plot)]
        )
        assert status == 1
        captured = capsys.readouterr()
        assert captured.err.splitlines() == [f"fluxprofile: error: {message}"]
        assert captured.out == ""
        assert not out.exists()
        assert not plot.exists()
    # printing the table is refused the same way
    assert main(["run", str(fermi_gc_path), *cases[0][0]]) == 1
    assert capsys.readouterr().err.startswith(
        "fluxprofile: error: every bin of the profile is NaN"
    )


def test_partly_nan_profile_keeps_its_warnings(fermi_gc_path, tmp_path, capsys):
    """Some boxes off the map: the profile is written and the estimator's warning shown."""
    args = ["run", str(fermi_gc_path), "--start", "0,3", "--end", "0,8", "--height", "1",
            "--nbin", "5", "-o", str(tmp_path / "p.ecsv")]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "contain no pixel centre of any dataset" in err
    profile = FluxPoints.read(tmp_path / "p.ecsv")
    assert np.isnan(profile.norm.values).any()
    assert not np.isnan(profile.norm.values).all()
