"""Tests of fluxprofile.io.paths: ``$VARIABLES``/``~`` expansion and FITS file stems."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxprofile.io.paths import expand_path, file_stem


def test_expand_path(tmp_path, monkeypatch):
    monkeypatch.setenv("FP_PATHS_TEST", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert expand_path("$FP_PATHS_TEST/a.fits") == tmp_path / "a.fits"
    assert expand_path("~/b.fits") == tmp_path / "home" / "b.fits"
    assert expand_path(Path("relative/c.fits")) == Path("relative/c.fits")
    with pytest.raises(TypeError, match="filename must be a str or a path, got int 3"):
        expand_path(3)


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("a.fits.gz", "a"),
        ("A.FITS", "A"),
        ("nHit-5.fits", "nHit-5"),
        ("x.fit.fz", "x"),
        ("data.v2.fits", "data.v2"),  # only FITS suffixes go
        (".fits", ".fits"),  # a name is never emptied
        ("plain", "plain"),
    ],
)
def test_file_stem(name, stem):
    assert file_stem(Path("folder") / name) == stem


def test_unset_variable_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("GAMMAPY_DATA", raising=False)
    monkeypatch.delenv("FP_UNSET_TOO", raising=False)
    with pytest.raises(
        FileNotFoundError, match=r"environment variable \$GAMMAPY_DATA is not set"
    ):
        expand_path("$GAMMAPY_DATA/fermi-3fhl-gc/fermi-3fhl-gc.fits.gz")
    with pytest.raises(
        FileNotFoundError, match=r"\$GAMMAPY_DATA, \$FP_UNSET_TOO are not set"
    ):
        expand_path("${GAMMAPY_DATA}/$FP_UNSET_TOO/x.fits")
    # a file whose name has a literal "$" is a file name, not a variable
    literal = tmp_path / "$GAMMAPY_DATA.fits"
    literal.write_bytes(b"")
    assert expand_path(literal) == literal


def test_readers_name_the_unset_variable(monkeypatch):
    from fluxprofile import FluxPoints, MapDataset, read_dataset

    monkeypatch.delenv("GAMMAPY_DATA", raising=False)
    for read in (MapDataset.read, read_dataset, FluxPoints.read):
        with pytest.raises(OSError, match=r"\$GAMMAPY_DATA is not set"):
            read("$GAMMAPY_DATA/fermi-3fhl-gc/fermi-3fhl-gc.fits.gz")
