"""Fixtures of the comparison tests: the synthetic cases and the Fermi-LAT diffuse model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# tests/compare/cases.py as the module ``compare_cases`` (the suite uses importlib mode).
_spec = importlib.util.spec_from_file_location(
    "compare_cases", Path(__file__).with_name("cases.py")
)
_module = importlib.util.module_from_spec(_spec)
sys.modules["compare_cases"] = _module
_spec.loader.exec_module(_module)


@pytest.fixture(scope="session")
def diffuse_path(data_dir: Path) -> Path:
    """The Fermi-LAT Galactic diffuse model cutout (CDELT1 > 0, unit not stored)."""
    path = data_dir / "fermi_3fhl" / "gll_iem_v06_cutout.fits"
    if not path.is_file():
        pytest.fail(f"the diffuse model cutout is missing at {path}")
    return path
