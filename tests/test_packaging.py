"""What the distributions promise: the BSD-3-Clause licence, py.typed, no in-tree build.

``.ci/wheel`` checks the built sdist and wheel themselves (LICENSE in both, py.typed and
the compiled core in the wheel, the manylinux tag); these tests hold the sources of that:
the licence text, the project metadata and the marker of the package under test (the
installed one when the suite runs against a wheel).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fluxprofile

# The standard library's TOML reader (Python >= 3.11; the package supports 3.10).
tomllib = pytest.importorskip(
    "tomllib", reason="tomllib is in the standard library from Python 3.11"
)

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_license_is_bsd_3_clause():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License")
    assert "Copyright (c) 2026, fluxprofile developers" in text
    # The three clauses: source, binary, no endorsement.
    assert "1. Redistributions of source code must retain" in text
    assert "2. Redistributions in binary form must reproduce" in text
    assert "3. Neither the name of the copyright holder" in text


def test_metadata_declares_the_license_file():
    project = _pyproject()["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]


def test_package_is_marked_typed():
    # PEP 561: type checkers use the package's hints only when py.typed ships with it.
    assert (Path(fluxprofile.__file__).parent / "py.typed").is_file()


def test_build_does_not_write_into_the_source_tree():
    # A build-dir in the project settings makes `pip install .` write build/ into the
    # tree and reuse that CMake cache from another environment.
    assert "build-dir" not in _pyproject()["tool"]["scikit-build"]


def test_docs_extra_has_the_site_builders():
    docs = _pyproject()["project"]["optional-dependencies"]["docs"]
    names = {req.split(">")[0].split("=")[0].strip() for req in docs}
    assert {"sphinx", "numpydoc", "pydata-sphinx-theme", "sphinx-gallery"} <= names
