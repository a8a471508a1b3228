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
