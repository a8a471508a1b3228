"""Shared inputs of the benchmarks: the Fermi-LAT GC dataset and the seed cases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The benchmarks share helpers in bench/cases.py (pytest runs with --import-mode=importlib,
# which does not put this folder on sys.path by itself).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import shared_dir


@pytest.fixture(scope="session")
def fermi_dataset():
    """The Fermi-LAT Galactic-centre dataset, read once."""
    from fluxprofile import MapDataset

    path = shared_dir() / "data" / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"
    if not path.exists():
        pytest.fail(f"benchmark data not found at {path}")
    return MapDataset.read(path, name="fermi-dataset")
