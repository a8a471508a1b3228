"""Tests of fluxprofile.io.profile_file: FITS and ECSV profile files (Gammapy's layout and
header, round trips, files written by Gammapy, errors, writes that fail)."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from flux_points_cases import (
    assert_same_distance_axis,
    assert_same_stored,
    assert_tables_equal,
    assert_tables_identical,
    case_json,
    case_model,
    distance_nodes,
    ok_cases,
    profile_from_case,
    profile_on_axis,
    simple_profile,
)

from fluxprofile import (
    FluxPoints,
    MapAxis,
)


@pytest.mark.parametrize("suffix", [".fits", ".ecsv", ".fits.gz"])
def test_write_read_round_trip(
    reference_dir: Path, tmp_path: Path, suffix: str
) -> None:
    for case in ok_cases(reference_dir):
        fp = FluxPoints.read(reference_dir / f"{case}.ecsv")
        assert fp.reference_model.tag[-1] == "template"
        path = tmp_path / f"{case}{suffix}"
        fp.write(path)
        back = FluxPoints.read(path, reference_model=fp.reference_model)
        assert_same_stored(fp, back)
        assert back.sed_type_init == "likelihood"
        with pytest.raises(OSError, match="exists"):
            fp.write(path)
        fp.write(path, overwrite=True)


def test_written_ecsv_header_equals_gammapy(
    reference_dir: Path, tmp_path: Path
) -> None:
    """ECSV written by `write` has Gammapy's header (columns, units, dtypes) plus x_node."""
    for case in ok_cases(reference_dir):
        fp = profile_from_case(reference_dir, case)
        for sed_type, suffix in (
            ("likelihood", ""),
            ("dnde", "_dnde"),
            ("flux", "_flux"),
        ):
            path = tmp_path / f"{case}{suffix}.ecsv"
            fp.write(path, sed_type=sed_type)
            mine = [line for line in path.read_text().splitlines() if line[:1] == "#"]
            ref_text = (reference_dir / f"{case}{suffix}.ecsv").read_text()
            ref = [line for line in ref_text.splitlines() if line[:1] == "#"]
            # Gammapy's header plus fluxprofile's x_node column after the last column
            x_node = "# - {name: x_node, unit: deg, datatype: float64}"
            assert mine.count(x_node) == 1, f"{case} {sed_type}"
            last = max(i for i, line in enumerate(ref) if line.startswith("# - {name:"))
            assert mine.index(x_node) == last + 1, f"{case} {sed_type}"
            assert [line for line in mine if line != x_node] == ref, (
                f"{case} {sed_type}"
            )


@pytest.mark.parametrize("suffix", [".fits", ".ecsv", ".fits.gz"])
def test_unequal_spacing_round_trips_bitwise(
    reference_dir: Path, tmp_path: Path, suffix: str
) -> None:
    """Unequally spaced nodes (tilted boxes on a TAN map, arbitrary distances, path-box
    edges) come back bit for bit, and so does the file written again."""
    tilted = distance_nodes(case_json(reference_dir, "hess_crab_map_rect"))
    axes = {
        "tilted boxes": MapAxis.from_nodes(tilted, name="projected-distance"),
        "arbitrary": MapAxis.from_nodes(
            [0.0, 0.1, 0.35, 0.4, 1.2, 1.21] * u.deg, name="projected-distance"
        ),
        "path boxes": MapAxis.from_edges(
            [0.0, 0.3, 0.6, 0.75, 0.9, 1.0] * u.deg, name="projected-distance"
        ),
    }
    for what, axis in axes.items():
        fp = profile_on_axis(axis)
        table = fp.to_table()
        # the Gammapy columns keep Gammapy's values: x_ref is the midpoint, not the node
        np.testing.assert_array_equal(table["x_min"], axis.edges.value[:-1])
        np.testing.assert_array_equal(
            table["x_ref"], (axis.edges.value[1:] + axis.edges.value[:-1]) / 2
        )
        path = tmp_path / f"{what.replace(' ', '_')}{suffix}"
        fp.write(path)
        back = FluxPoints.read(path, reference_model=fp.reference_model)
        assert_same_distance_axis(axis, back.distance_axis)
        assert_tables_identical(back.to_table(), table)
        again = tmp_path / f"again{suffix}"
        back.write(again, overwrite=True)
        again_back = FluxPoints.read(again, reference_model=fp.reference_model)
        assert_tables_identical(again_back.to_table(), table)
    # the tilted boxes' midpoints are not their nodes: Gammapy's reader would move them
    x_ref = profile_on_axis(axes["tilted boxes"]).to_table()["x_ref"]
    assert np.max(np.abs(x_ref - tilted.value)[1:] / tilted.value[1:]) > 1e-6


def test_gammapy_written_profile_reads_with_gammapy_nodes(reference_dir: Path) -> None:
    """Tables written by Gammapy have no x_node: the nodes are x_ref, as Gammapy's
    ``MapAxis.from_nodes(x_ref)`` reads them (docs/profile_files.rst), even where x_ref is not
    the regions' distance (hess_crab_map_rect, up to 6e-6 relative)."""
    for case in ok_cases(reference_dir):
        table = Table.read(reference_dir / f"{case}.ecsv")
        assert "x_node" not in table.colnames
        fp = FluxPoints.read(reference_dir / f"{case}.ecsv")
        expected = MapAxis.from_nodes(
            table["x_ref"].quantity, name="projected-distance"
        )
        assert_same_distance_axis(fp.distance_axis, expected)
        assert fp.distance_axis.node_type == "center"
    table = Table.read(reference_dir / "hess_crab_map_rect.ecsv")
    nodes = distance_nodes(case_json(reference_dir, "hess_crab_map_rect")).value
    assert np.max(np.abs(np.asarray(table["x_ref"]) - nodes)[1:] / nodes[1:]) > 1e-6


def test_fits_layout_and_gti(tmp_path: Path) -> None:
    fp = simple_profile()
    fp.gti = Table({"START": [0.0, 0.0], "STOP": [1e7, 1e7]}, meta={"MJDREFI": 51910})
    path = tmp_path / "profile.fits"
    fp.write(path)
    with fits.open(path) as hdulist:
        assert [h.name for h in hdulist] == ["PRIMARY", "FLUXPOINTS", "GTI"]
        header = hdulist["FLUXPOINTS"].header
        assert "SED_TYPE" not in header
        assert "UL_CONF" not in header
        names = hdulist["FLUXPOINTS"].columns.names
        formats = dict(zip(names, hdulist["FLUXPOINTS"].columns.formats, strict=True))
        dims = dict(zip(names, hdulist["FLUXPOINTS"].columns.dims, strict=True))
        assert formats["npred_excess"].endswith("E")
        assert formats["success"].endswith("L")
        assert formats["norm"].endswith("D")
        assert dims["counts"] == "(1,2)"  # FITS order (n_dataset, n_energy)
        assert dims["stat_scan"] == "(3,2)"
    back = FluxPoints.read(path)
    np.testing.assert_array_equal(back.gti["STOP"], [1e7, 1e7])
    assert back.gti.meta["MJDREFI"] == 51910
    assert_same_stored(fp, back)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="not found"):
        FluxPoints.read(tmp_path / "missing.ecsv")
    bad = tmp_path / "bad.ecsv"
    bad.write_text("this is not a table\n\x00\x01")
    with pytest.raises(OSError, match=r"bad\.ecsv"):
        FluxPoints.read(bad)


def test_read_non_likelihood_uses_default_model(
    reference_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    table = Table.read(reference_dir / "onoff_radial_dnde.ecsv")
    # logged, not warned, as Gammapy does
    with caplog.at_level("WARNING", logger="fluxprofile"):
        fp = FluxPoints.from_table(table)
    assert "Assuming point source with E^-2 spectrum" in caplog.text
    assert fp.sed_type_init == "dnde"
    assert fp.reference_model.tag[-1] == "pl"
    assert fp.reference_model.index.value == 2
    # norm = dnde / (1e-12 (E / 1 TeV)^-2)  (closed form of the default model)
    e_ref = np.asarray(table["e_ref"][0])
    expected = np.asarray(table["dnde"]) / (1e-12 * e_ref**-2)
    np.testing.assert_allclose(fp._data["norm"], expected, rtol=1e-12)
    assert fp.available_quantities[:6] == [
        "norm", "norm_err", "norm_errp", "norm_errn", "norm_ul", "norm_sensitivity"
    ]  # fmt: skip
    # default sed type of to_table is the initial one; dnde values come back unchanged
    assert_tables_equal(
        fp.to_table(), table, "dnde round trip", skip=("x_min", "x_max")
    )
    # a file: same message
    path = tmp_path / "dnde.ecsv"
    fp.write(path)
    caplog.clear()
    with caplog.at_level("WARNING", logger="fluxprofile"):
        again = FluxPoints.read(path)
    assert "No reference model set" in caplog.text
    assert again.sed_type_init == "dnde"
    assert again.meta["SED_TYPE"] == "dnde"
    assert again.n_sigma_ul is None


def test_read_dnde_with_reference_model_recovers_norm(reference_dir: Path) -> None:
    case = "onoff_horizontal_boxes"
    model = case_model(case_json(reference_dir, case))
    table = Table.read(reference_dir / f"{case}_flux.ecsv")
    fp = FluxPoints.from_table(table, reference_model=model)
    likelihood = Table.read(reference_dir / f"{case}.ecsv")
    for name in (
        "norm",
        "norm_err",
        "norm_errn",
        "norm_errp",
        "norm_ul",
        "norm_sensitivity",
    ):
        np.testing.assert_allclose(
            fp._data[name], likelihood[name], rtol=1e-9, err_msg=name
        )


@pytest.mark.parametrize("suffix", [".ecsv", ".fits"])
def test_failed_write_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch, suffix: str
) -> None:
    fp = simple_profile()
    path = tmp_path / f"profile{suffix}"
    fp.write(path)
    before = path.read_bytes()

    def broken(self, target, *args, **kwargs):
        Path(target).write_bytes(b"half a file")
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(Table, "write", broken)
    monkeypatch.setattr(fits.HDUList, "writeto", broken)
    with pytest.raises(OSError, match="disk full"):
        fp.write(path, overwrite=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    monkeypatch.undo()
    np.testing.assert_array_equal(FluxPoints.read(path).norm.values, fp.norm.values)


@pytest.mark.parametrize("suffix", [".fits", ".fits.gz"])
@pytest.mark.parametrize("hdu", ["FLUXPOINTS", "GTI"])
def test_profile_cut_inside_a_header_is_an_error_naming_the_file(
    tmp_path: Path, suffix: str, hdu: str
) -> None:
    import gzip

    fp = simple_profile()
    fp.gti = Table({"START": [0.0], "STOP": [1e7]}, meta={"MJDREFI": 51910})
    whole = tmp_path / "whole.fits"
    fp.write(whole)
    data = whole.read_bytes()
    with fits.open(whole) as hdulist:
        offset = hdulist.fileinfo(hdulist.index_of(hdu))["hdrLoc"]
    cut = data[: offset + 80]  # one card into the header
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(gzip.compress(cut) if suffix.endswith(".gz") else cut)
    with pytest.raises(OSError, match=r"cut\.fits.*truncated"):
        FluxPoints.read(path)
