"""examples/flux_profiles.py (Gammapy 2.1's flux_profiles tutorial with only its imports
swapped to fluxprofile) runs end to end, draws every figure of the tutorial and gives
Gammapy's numbers.

The script runs in a subprocess, as a user would run it (``-W error``: it must not warn),
with its figures saved in ``tests/artifacts/examples/`` (gitignored); an in-process run
hands back its variables, whose radial profile is compared with Gammapy's result of the
same tutorial step (the stored reference ``fermi_annulus_seed``). With gammapy installed
(`pytest -m gammapy`, in .ci/interop) the script runs there too and its longitude profile
is compared with a live Gammapy run on some of its boxes.
"""

from __future__ import annotations

import ast
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from profile_compare import compare_to_reference

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "flux_profiles.py"
ARTIFACTS = ROOT / "tests" / "artifacts" / "examples"
#: The tutorial's figures: counts image, boxes, dnde, eflux, npred, the profile read back,
#: annuli, radial flux, high-energy points with their scans (one plt.show() has none).
N_FIGURES = 9
#: The import lines the tutorial has, module by module, in Gammapy 2.1, with the names
#: fluxprofile provides in their place.
GAMMAPY_IMPORTS = {
    "gammapy.datasets": ["MapDataset"],
    "gammapy.estimators": ["FluxPoints", "FluxProfileEstimator"],
    "gammapy.maps": ["RegionGeom"],
    "gammapy.modeling.models": ["PowerLawSpectralModel"],
    "gammapy.utils.regions": [
        "make_concentric_annulus_sky_regions",
        "make_orthogonal_rectangle_sky_regions",
    ],
    "gammapy.utils.check": ["check_tutorials_setup"],
    "IPython.display": ["display"],
}


def run_example(output_dir: Path, env_update: dict[str, str | None]):
    output_dir.mkdir(parents=True, exist_ok=True)
    for old in output_dir.glob("*.png"):
        old.unlink()
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("FLUXPROFILE_FIGURES", None)
    for key, value in env_update.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT), str(output_dir)],
        cwd=output_dir,  # the tutorial writes its profile file to the current folder
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def check_figures(output_dir: Path) -> None:
    import matplotlib.image as mpimg

    pngs = sorted(p.name for p in output_dir.glob("*.png"))
    assert pngs == [f"figure_{i:02d}.png" for i in range(1, N_FIGURES + 1)]
    for name in pngs:
        image = mpimg.imread(output_dir / name)
        assert image.shape[0] > 250, name
        assert image.shape[1] > 350, name
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


def test_the_example_is_the_tutorial_with_its_imports_swapped() -> None:
    """Every name the tutorial imports from gammapy (and IPython) comes from fluxprofile,
    and no line of the script imports gammapy."""
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported[alias.name] = node.module
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("gammapy") for a in node.names)
    for names in GAMMAPY_IMPORTS.values():
        for name in names:
            assert imported[name].split(".")[0] == "fluxprofile", name
    assert not any(m.startswith("gammapy") for m in imported.values())
    # sphinx-gallery layout: a docstring with an RST title first, then "# %%" cells
    docstring = ast.get_docstring(tree)
    title, underline = docstring.splitlines()[:2]
    assert set(underline) == {"="}
    assert len(underline) == len(title)
    assert SCRIPT.read_text(encoding="utf-8").count("\n# %%\n") >= 20


def test_tutorial_on_the_fermi_gc_file(fermi_gc_path: Path) -> None:
    data_root = fermi_gc_path.parents[1]
    output_dir = ARTIFACTS / "fermi-3fhl-gc"
    result = run_example(output_dir, {"GAMMAPY_DATA": str(data_root)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"GAMMAPY_DATA           : {data_root} (from GAMMAPY_DATA)" in result.stdout
    # printed results of the tutorial: the counts cube, the profile, the profile table
    assert "shape : (400, 200, 11)" in result.stdout
    assert "shape                  : (1, 1, 1, 49)" in result.stdout
    assert "Length = 49 rows" in result.stdout
    # reading the dnde file without a reference model is logged, as Gammapy does
    assert "No reference model set" in result.stderr
    check_figures(output_dir)
    check_profile_file(output_dir, 49)


@pytest.fixture(scope="module")
def example_globals(fermi_gc_path: Path, tmp_path_factory) -> dict:
    """The variables of an in-process run of the example (figures saved, not shown)."""
    import matplotlib.pyplot as plt

    folder = tmp_path_factory.mktemp("example")
    old = (os.getcwd(), sys.argv, plt.show, dict(os.environ))
    os.chdir(folder)
    sys.argv = [str(SCRIPT), str(folder)]
    os.environ["GAMMAPY_DATA"] = str(fermi_gc_path.parents[1])
    os.environ["FLUXPROFILE_FIGURES"] = str(folder)
    try:
        names = runpy.run_path(str(SCRIPT), run_name="flux_profiles_example")
    finally:
        os.chdir(old[0])
        sys.argv = old[1]
        plt.show = old[2]
        os.environ.clear()
        os.environ.update(old[3])
        plt.close("all")
    names["_folder"] = folder
    return names


def test_tutorial_radial_profile_is_gammapys(example_globals, load_reference_case):
    """The tutorial's last profile (annuli, two energy groups, ul and scan) against
    Gammapy 2.1's run of the same step, within issue 19's tolerances."""
    case = load_reference_case("fermi_annulus_seed")
    profile = example_globals["profile"]
    assert profile.stat_scan.geom.axes["norm"].nbin == 11
    compare_to_reference(profile.to_table(sed_type="likelihood"), case.table)
    assert len(list(example_globals["_folder"].glob("figure_*.png"))) == N_FIGURES


def test_tutorial_profile_file_reads_back(example_globals) -> None:
    """The written dnde profile reads back with the same dnde values (the tutorial's
    serialisation step)."""
    table = example_globals["table"]  # likelihood table of the box profile
    new = example_globals["profile_new"]  # its dnde file read back (E^-2 reference)
    dnde = np.asarray(table["norm"]) * np.asarray(table["ref_dnde"])
    np.testing.assert_allclose(
        new.dnde.quantity.to_value(table["ref_dnde"].unit).ravel(),
        dnde.ravel(),
        rtol=1e-10,
    )
    assert new.geom.axes.names == ["energy", "projected-distance"]


@pytest.mark.slow
def test_tutorial_on_the_simulated_dataset() -> None:
    output_dir = ARTIFACTS / "simulated"
    result = run_example(
        output_dir, {"GAMMAPY_DATA": None, "FLUXPROFILE_TEST_DATA": None}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "the simulated example" in result.stdout
    check_figures(output_dir)
    check_profile_file(output_dir, 49)


# ---------------------------------------------------------------------------------------
# with gammapy installed (.ci/interop)
# ---------------------------------------------------------------------------------------
@pytest.mark.gammapy
def test_tutorial_with_gammapy_installed_gives_gammapys_numbers(
    example_globals, fermi_gc_path
) -> None:
    """With gammapy installed the example still runs on fluxprofile; its longitude
    profile equals Gammapy's own estimator run on three of the same boxes (each box and
    energy group is its own fit, so a subset of boxes gives the same numbers)."""
    pytest.importorskip("gammapy")
    import astropy.units as u
    from astropy.coordinates import SkyCoord
    from gammapy.datasets import MapDataset as GammapyMapDataset
    from gammapy.estimators import FluxProfileEstimator as GammapyEstimator
    from gammapy.modeling.models import PowerLawSpectralModel as GammapyPowerLaw
    from gammapy.utils.regions import make_orthogonal_rectangle_sky_regions

    table = example_globals["table"]  # the tutorial's likelihood table of the boxes
    boxes = [0, 24, 48]
    dataset = GammapyMapDataset.read(fermi_gc_path, name="fermi-dataset")
    all_boxes = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=dataset.counts.geom.wcs,
        height="3 deg",
        nbin=49,
    )
    estimator = GammapyEstimator(
        regions=[all_boxes[i] for i in boxes],
        spectral_model=GammapyPowerLaw(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    )
    theirs = estimator.run(datasets=dataset).to_table(sed_type="likelihood")

    def column(t, name, rows=slice(None)):
        return np.asarray(t[name], dtype=float)[rows].ravel()

    norm_err = column(theirs, "norm_err")
    # issue 19's tolerances (tests/profile_compare.py)
    for name in ("norm", "norm_ul"):
        diff = np.abs(column(table, name, boxes) - column(theirs, name))
        assert np.all(diff <= 0.01 * norm_err + 1e-6), name
    np.testing.assert_allclose(column(table, "norm_err", boxes), norm_err, rtol=1e-3)
    ts = column(theirs, "ts")
    assert np.all(np.abs(column(table, "ts", boxes) - ts) <= 1e-3 + 1e-5 * ts)
    np.testing.assert_array_equal(
        column(table, "counts", boxes), column(theirs, "counts")
    )
