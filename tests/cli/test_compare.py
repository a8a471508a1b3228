"""``fluxprofile run ... --compare TEMPLATE.fits``: the template's profile in the table
and the plot, end to end (the command's main in this process)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table

from fluxprofile import make_orthogonal_rectangle_sky_regions, make_template_profile
from fluxprofile.cli import main
from fluxprofile.compare import as_template_map

UNIT = "cm-2 s-1 MeV-1 sr-1"


def _run_args(fermi_gc_path, *extra):
    return [
        "run", str(fermi_gc_path), "--start", "5,0", "--end", "355,0", "--height", "2",
        "--nbin", "12", "--frame", "galactic", "--energy-edges", "10,100,500 GeV",
        "--selection", "ul", *map(str, extra),
    ]  # fmt: skip


def _regions(fermi_gc_path):
    from fluxprofile import read_dataset

    wcs = read_dataset(fermi_gc_path).counts.geom.wcs
    return make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("5d", "0d", frame="galactic"),
        end_pos=SkyCoord("355d", "0d", frame="galactic"),
        wcs=wcs, height=2 * u.deg, nbin=12,
    )  # fmt: skip


def test_compare_adds_the_template_to_table_and_plot(
    fermi_gc_path, diffuse_path, tmp_path, capsys
):
    table_path, plot_path = tmp_path / "profile.ecsv", tmp_path / "profile.png"
    status = main(
        _run_args(
            fermi_gc_path, "--compare", diffuse_path, "--compare-unit", UNIT,
            "--sed-type", "flux", "-o", table_path, "-o", tmp_path / "profile.fits",
            "--plot", plot_path,
        )
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    table = Table.read(table_path)
    assert "template_flux" in table.colnames
    assert table["template_flux"].unit == u.Unit("cm-2 s-1")
    assert table.meta["TEMPLATE"] == diffuse_path.name
    # the column is the template's profile in the profile's regions and energy groups
    e_min, e_max = table["e_min"].quantity[0], table["e_max"].quantity[0]
    edges = np.append(e_min.value, e_max.value[-1]) * e_min.unit
    expected = make_template_profile(
        diffuse_path, _regions(fermi_gc_path), energy_edges=edges, unit=UNIT
    )
    np.testing.assert_allclose(
        table["template_flux"].quantity.to_value("cm-2 s-1"),
        expected.integral.to_value("cm-2 s-1"),
        rtol=1e-10,
    )
    fits_table = Table.read(tmp_path / "profile.fits", hdu="FLUXPOINTS")
    np.testing.assert_allclose(
        fits_table["template_flux"].quantity.value,
        table["template_flux"].quantity.value,
        rtol=1e-6,
    )
    assert plot_path.stat().st_size > 10_000


def test_compare_in_the_printed_table_and_norms(fermi_gc_path, diffuse_path, capsys):
    status = main(
        _run_args(fermi_gc_path, "--compare", diffuse_path, "--compare-unit", UNIT)
    )
    out = capsys.readouterr().out
    assert status == 0
    header = out.splitlines()[1]
    assert "template_norm" in header  # likelihood tables carry the template's norm
    lines = [line for line in out.splitlines()[4:] if line.strip()]
    assert len(lines) == 12 * 2


def test_compare_image_template(fermi_gc_path, diffuse_path, tmp_path, capsys):
    # a gas-like image (no energy axis): the integral per region, on its own axis
    tmap = as_template_map(diffuse_path)
    header = tmap.geom.wcs.to_header()
    header["BUNIT"] = "K km s-1"
    image = tmp_path / "gas.fits"
    fits.PrimaryHDU(np.asarray(tmap.data[5], dtype=np.float64), header).writeto(image)
    table_path = tmp_path / "gas.ecsv"
    status = main(
        _run_args(
            fermi_gc_path, "--compare", image, "-o", table_path,
            "--plot", tmp_path / "gas.png", "--per-solid-angle", "--sed-type", "flux",
        )
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    table = Table.read(table_path)
    assert table["template_surface_brightness"].unit == u.Unit("K km s-1")
    expected = make_template_profile(image, _regions(fermi_gc_path))
    np.testing.assert_allclose(
        table["template_surface_brightness"][:, 0],
        expected.surface_brightness.value,
        rtol=1e-10,
    )


@pytest.mark.parametrize(
    ("extra", "status", "fragment"),
    [
        (["--compare", "/nonexistent/t.fits"], 1, "template file not found"),
        (["--compare-unit", "sr-1"], 2, "--compare-unit needs --compare"),
    ],
)
def test_compare_errors(fermi_gc_path, capsys, extra, status, fragment):
    assert main(_run_args(fermi_gc_path, *extra)) == status
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert fragment in err


def test_compare_unit_that_does_not_fit(fermi_gc_path, diffuse_path, capsys):
    assert main(_run_args(fermi_gc_path, "--compare", diffuse_path)) == 1
    err = capsys.readouterr().err
    assert "--compare" in err
    assert "not per energy" in err
