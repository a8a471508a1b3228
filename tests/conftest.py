"""Shared fixtures: where the real data and the Gammapy references live."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


def _register_helper(name: str) -> None:
    """Make tests/NAME.py importable as ``NAME`` from the test modules.

    The suite runs with ``--import-mode=importlib``, which keeps tests/ off sys.path; the
    conftest is imported before any test module, so registering the helper here is enough.
    """
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).with_name(f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


# Issue 19's comparison of profile tables with Gammapy's (references and live runs).
_register_helper("profile_compare")
# Small synthetic datasets of the data-model and file-format tests.
_register_helper("small_datasets")
# Flux points of the reference cases, shared by the flux-point and profile-file tests.
_register_helper("flux_points_cases")


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
    return _require(
        data_dir / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz", "fermi-3fhl-gc"
    )


@pytest.fixture(scope="session")
def fermi_crab_path(data_dir: Path) -> Path:
    """Path of the Fermi-LAT Crab DL4 dataset."""
    return _require(
        data_dir / "fermi-3fhl-crab" / "Fermi-LAT-3FHL_data_Fermi-LAT.fits",
        "fermi-3fhl-crab",
    )


@pytest.fixture(scope="session")
def diffuse_path(data_dir: Path) -> Path:
    """The Fermi-LAT Galactic diffuse model cutout (CDELT1 > 0, unit not stored)."""
    return _require(
        data_dir / "fermi_3fhl" / "gll_iem_v06_cutout.fits", "gll_iem_v06_cutout"
    )


# -- Gammapy reference cases ---------------------------------------------------------------
def _sky(d):
    from astropy.coordinates import SkyCoord

    return SkyCoord(d["lon_deg"], d["lat_deg"], unit="deg", frame=d["frame"])


def _region_from_json(item):
    """A `regions` sky region from its description in a reference case json."""
    import astropy.units as u
    from regions import CircleAnnulusSkyRegion, CircleSkyRegion, RectangleSkyRegion

    center = _sky(item["center"])
    if item["type"] == "RectangleSkyRegion":
        return RectangleSkyRegion(
            center,
            item["width_deg"] * u.deg,
            item["height_deg"] * u.deg,
            item["angle_deg"] * u.deg,
        )
    if item["type"] == "CircleAnnulusSkyRegion":
        return CircleAnnulusSkyRegion(
            center, item["inner_radius_deg"] * u.deg, item["outer_radius_deg"] * u.deg
        )
    if item["type"] == "CircleSkyRegion":
        return CircleSkyRegion(center, item["radius_deg"] * u.deg)
    msg = f"unknown region type {item['type']}"
    raise ValueError(msg)


def _spectral_model_from_json(spec):
    import astropy.units as u

    import fluxprofile.datamodel.spectral as models

    cls = getattr(models, spec["class"])
    kwargs = {
        p["name"]: u.Quantity(p["value"], p["unit"]) if p["unit"] else p["value"]
        for p in spec["parameters"]
    }
    return cls(**kwargs)


class ReferenceCase:
    """Inputs and Gammapy outputs of one case of ../shared/reference."""

    def __init__(self, name, reference_dir, data_dir):
        import json

        from astropy.table import Table

        self.name = name
        self.dir = reference_dir
        self.data_dir = data_dir
        self.spec = json.loads((reference_dir / f"{name}.json").read_text())
        self.table = Table.read(reference_dir / f"{name}.ecsv", format="ascii.ecsv")

    def table_for(self, sed_type):
        from astropy.table import Table

        suffix = "" if sed_type == "likelihood" else f"_{sed_type}"
        return Table.read(self.dir / f"{self.name}{suffix}.ecsv", format="ascii.ecsv")

    @property
    def dataset_path(self):
        file = self.spec["dataset"]["file"]
        if file.startswith("$GAMMAPY_DATA/"):
            return self.data_dir / file[len("$GAMMAPY_DATA/") :]
        return self.dir / file

    def read_dataset(self):
        from fluxprofile.datamodel import datasets

        cls = getattr(datasets, self.spec["dataset"]["class"])
        return cls.read(self.dataset_path, name=self.spec["dataset"]["name"])

    @property
    def regions(self):
        return [_region_from_json(item) for item in self.spec["regions"]["list"]]

    @property
    def spectral_model(self):
        return _spectral_model_from_json(self.spec["estimator"]["spectral_model"])

    def estimator(self, **overrides):
        import astropy.units as u

        from fluxprofile import FluxProfileEstimator

        e = self.spec["estimator"]
        kwargs = {
            "spectral_model": self.spectral_model,
            "energy_edges": u.Quantity(
                e["energy_edges"]["value"], e["energy_edges"]["unit"]
            ),
            "selection_optional": e["selection_optional_requested"],
            "n_sigma": e["n_sigma"],
            "n_sigma_ul": e["n_sigma_ul"],
            "n_sigma_sensitivity": e["n_sigma_sensitivity"],
            "sum_over_energy_groups": e["sum_over_energy_groups"],
        }
        kwargs.update(overrides)
        est = FluxProfileEstimator(self.regions, **kwargs)
        if e["norm"]["explicit_scan_values_set"]:
            est.norm.scan_values = e["norm"]["scan_values"]
        return est


def reference_case_names(reference_dir=None, prefix=""):
    """Names of the reference cases whose status in index.json is ok.

    Without the reference folder this is one placeholder name, so that the tests asking for
    it reach the ``reference_dir`` fixture, which fails in CI and skips elsewhere.
    """
    import json

    reference_dir = reference_dir or (_shared_dir() / "reference")
    if not (reference_dir / "index.json").exists():
        return ["<no reference index>"]
    index = json.loads((reference_dir / "index.json").read_text())
    return [
        name
        for name, v in index.items()
        if v["status"] == "ok" and name.startswith(prefix)
    ]


def pytest_generate_tests(metafunc):
    # ``ok_reference_case``: every reference case of index.json whose status is ok.
    if "ok_reference_case" in metafunc.fixturenames:
        metafunc.parametrize("ok_reference_case", reference_case_names())


@pytest.fixture(scope="session")
def load_reference_case(reference_dir, data_dir):
    """Factory: ``load_reference_case(name)`` -> `ReferenceCase`."""
    cache = {}

    def load(name):
        if name not in cache:
            cache[name] = ReferenceCase(name, reference_dir, data_dir)
        return cache[name]

    return load
