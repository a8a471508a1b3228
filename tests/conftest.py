"""Shared fixtures: where the real data and the Gammapy references live."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path:
    env = os.environ.get("FLUXPROFILE_TEST_DATA")
    if env:
        return Path(env).expanduser().resolve().parent
    return (ROOT / ".." / "shared").resolve()


def _data_dir() -> Path:
    env = os.environ.get("FLUXPROFILE_TEST_DATA")
    return Path(env).expanduser().resolve() if env else _shared_dir() / "data"


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        # In CI a missing data folder is an error, not a skip: tests must never pass silently.
        if os.environ.get("CI"):
            pytest.fail(f"{what} not found at {path} (set FLUXPROFILE_TEST_DATA)")
        pytest.skip(f"{what} not found at {path} (set FLUXPROFILE_TEST_DATA)")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the real Fermi-LAT datasets (``FLUXPROFILE_TEST_DATA`` or ../shared/data)."""
    return _require(_data_dir(), "test data")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Folder of the Gammapy 2.1 reference results (../shared/reference)."""
    return _require(_shared_dir() / "reference", "Gammapy reference results")


@pytest.fixture(scope="session")
def fermi_gc_path(data_dir: Path) -> Path:
    """Path of the Fermi-LAT Galactic-centre DL4 dataset."""
    return _require(data_dir / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz", "fermi-3fhl-gc")


@pytest.fixture(scope="session")
def fermi_crab_path(data_dir: Path) -> Path:
    """Path of the Fermi-LAT Crab DL4 dataset."""
    return _require(data_dir / "fermi-3fhl-crab" / "Fermi-LAT-3FHL_data_Fermi-LAT.fits", "fermi-3fhl-crab")
