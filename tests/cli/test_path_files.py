"""Path files of ``fluxprofile run --path``: every accepted layout and every refused input."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.table import Table

from fluxprofile.cli.errors import InputError
from fluxprofile.cli.path_files import read_path_file


def _read(
    tmp_path,
    text,
    name="path.csv",
    frame=None,
    default_frame="galactic",
    encoding="utf-8",
):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return read_path_file(path, frame, default_frame)


def _assert_positions(coords, frame, lon, lat):
    assert coords.frame.name == frame
    spherical = coords.spherical
    np.testing.assert_allclose(spherical.lon.to_value(u.deg), lon, atol=1e-12)
    np.testing.assert_allclose(spherical.lat.to_value(u.deg), lat, atol=1e-12)


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("9,0\n0,0.5\n351,-1\n", "icrs"),  # no header: the map's frame
        ("9;0\n0;0.5\n351;-1\n", "icrs"),  # semicolons
        ("9 0\n0\t0.5\n351    -1\n", "icrs"),  # white space, tabs, runs of spaces
        ("9, 0,\n 0 , 0.5\n,351,,-1\n", "icrs"),  # spaces around fields, empty fields
        (
            "# a path\n\n9,0  # start\n0,0.5\n# bend\n351,-1\n",
            "icrs",
        ),  # comments, blank lines
        (
            "glon,glat\n9,0\n0,0.5\n351,-1\n",
            "galactic",
        ),  # header: the frame of its names
        ("L B\n9 0\n0 0.5\n351 -1\n", "galactic"),  # names in any case
        ('"l","b"\n"9","0"\n0,0.5\n351,-1\n', "galactic"),  # quoted CSV fields
        ("lon,lat\n9,0\n0,0.5\n351,-1\n", "icrs"),  # lon/lat: the map's frame
        ("x,y\n9,0\n0,0.5\n351,-1\n", "icrs"),  # unknown names: the first two columns
    ],
)
def test_accepted_text_layouts(tmp_path, text, frame):
    coords = _read(tmp_path, text, default_frame="icrs")
    _assert_positions(coords, frame, [9, 0, 351], [0, 0.5, -1])


def test_header_selects_columns_in_any_order_and_ignores_the_others(tmp_path):
    text = "name,dec,ra,note\nstart,-29,266.4,first point\nend,-28.5,267,\n"
    coords = _read(tmp_path, text)
    _assert_positions(coords, "icrs", [266.4, 267], [-29, -28.5])


def test_byte_order_mark_is_not_part_of_the_header(tmp_path):
    coords = _read(
        tmp_path, "glon,glat\n1,0\n2,0\n", default_frame="icrs", encoding="utf-8-sig"
    )
    _assert_positions(coords, "galactic", [1, 2], [0, 0])


def test_frame_option_overrides_the_file(tmp_path):
    coords = _read(tmp_path, "glon,glat\n1,0\n2,0\n", frame="fk5")
    assert coords.frame.name == "fk5"
    np.testing.assert_allclose(coords.spherical.lon.to_value(u.deg), [1, 2])


def test_ecsv_units_and_frame(tmp_path):
    table = Table({"GLON": [60.0, 0.0] * u.arcmin, "GLAT": [0.0, 30.0] * u.arcmin})
    table.write(tmp_path / "p.ecsv")
    _assert_positions(
        read_path_file(tmp_path / "p.ecsv", None, "icrs"), "galactic", [1, 0], [0, 0.5]
    )
    table = Table({"a": [266.4, 267.0], "b": [-29.0, -28.5]}, meta={"frame": "fk5"})
    table.write(
        tmp_path / "q.ecsv"
    )  # no names: the first two columns, degrees, meta frame
    _assert_positions(
        read_path_file(tmp_path / "q.ecsv", None, "galactic"),
        "fk5",
        [266.4, 267],
        [-29, -28.5],
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "has no positions"),
        ("# only a comment\nglon,glat\n", "has no positions"),
        ("9,0\n", "a path needs at least two positions, got 1"),
        ("9,0\nfoo,bar\n", "line 2: expected two numbers lon, lat, got 'foo,bar'"),
        ("9\n0\n", "line 1: expected two numbers lon, lat, got '9'"),
        ("name,glon,glat\na,9\nb,0,0\n", "a row has fewer columns than the header"),
        ("glon,glat\n9,x\n0,0\n", "line 2: expected two numbers"),
        (
            "1;0\n9,5;0,5\n",
            "line 2: expected two numbers",
        ),  # decimal commas are refused
        ("9,0\n0,95\n", "positions must be finite with |lat| <= 90 deg"),
        ("9,0\nnan,0\n", "positions must be finite with |lat| <= 90 deg"),
    ],
)
def test_refused_text(tmp_path, text, fragment):
    with pytest.raises(InputError, match=r"path\.csv") as info:
        _read(tmp_path, text)
    assert fragment in str(info.value)


def test_refused_files(tmp_path):
    with pytest.raises(InputError, match=r"path file not found: .*missing\.csv"):
        read_path_file(tmp_path / "missing.csv", None, "galactic")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\xfa\x00 9,0")
    with pytest.raises(InputError, match=r"cannot read path file .*binary\.csv"):
        read_path_file(tmp_path / "binary.csv", None, "galactic")
    (tmp_path / "bad.ecsv").write_text("# %ECSV 1.0\nnot a table\n")
    with pytest.raises(InputError, match=r"cannot read path file .*bad\.ecsv"):
        read_path_file(tmp_path / "bad.ecsv", None, "galactic")
    Table({"lon": [1.0, 2.0]}).write(tmp_path / "one.ecsv")
    with pytest.raises(InputError, match="needs two columns"):
        read_path_file(tmp_path / "one.ecsv", None, "galactic")
    Table({"lon": [1.0, 2.0] * u.m, "lat": [0.0, 0.0] * u.deg}).write(
        tmp_path / "m.ecsv"
    )
    with pytest.raises(InputError, match="column 'lon' is not an angle"):
        read_path_file(tmp_path / "m.ecsv", None, "galactic")
