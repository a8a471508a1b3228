"""Side by side with Gammapy 2.1 on every instrument's data (issue 19).

For each dataset of ../shared/data — Fermi-LAT Galactic centre, Fermi-LAT Crab (its
Datasets YAML), the five HAWC nHit datasets fitted jointly (their Datasets YAML), H.E.S.S.
Crab map and on-off — a line of boxes across the source (tilted on most) and a set of
annuli are run through Gammapy 2.1's ``FluxProfileEstimator`` and fluxprofile's on the same
inputs (the same region objects, spectral model, energy edges and options), and the tables
are compared with issue 19's tolerances (`profile_compare.compare_to_reference`): the
likelihood table and the flux and dnde tables.

The regions are ones Gammapy accepts: fully inside the maps and each inside a spatially
uniform part of mask_safe (Fermi-LAT GC: 1 deg border; Fermi-LAT Crab: 2-pixel border;
H.E.S.S. and HAWC: whole planes). All cases ask for errn-errp, ul and scan. Energy edges
are given in other units than the data and beyond their range. Annuli around a map centre
put the energy-dispersion kernel lookup on corners of the IRF grid (HAWC, H.E.S.S.).

Gammapy's runs are cached per module; the joint HAWC fits and Gammapy's on-off reduction
take longest and are marked ``slow``.
These tests need gammapy 2.1 (regions < 0.11): CI runs them in the second environment of
``.ci/interop`` (``pytest -m gammapy``); without gammapy they are skipped.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from profile_compare import compare_to_reference

pytestmark = [
    pytest.mark.gammapy,
    # Gammapy reads the Fermi-LAT GC file (written by an older Gammapy) with astropy's
    # checksum check on; its stored checksums do not match.
    pytest.mark.filterwarnings("ignore:Checksum verification failed:UserWarning"),
]
gammapy = pytest.importorskip("gammapy")

from gammapy.datasets import Datasets as GPDatasets
from gammapy.datasets import MapDataset as GPMapDataset
from gammapy.datasets import MapDatasetOnOff as GPMapDatasetOnOff
from gammapy.estimators import FluxProfileEstimator as GPFluxProfileEstimator
from gammapy.modeling.models import PowerLawSpectralModel as GPPowerLaw
from gammapy.utils.regions import (
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
)

import fluxprofile

SED_TABLE_TYPES = ["flux", "dnde"]
OPTIONAL = ["errn-errp", "ul", "scan"]


# ---- the datasets ------------------------------------------------------------------------
@dataclass(frozen=True)
class DataFile:
    """One dataset (or Datasets YAML index) of ../shared/data."""

    path: str
    kind: str  # "MapDataset", "MapDatasetOnOff" or "yaml"
    name: str | None = None  # dataset name (a YAML index names its own)


DATA = {
    "fermi-gc": DataFile(
        "fermi-3fhl-gc/fermi-3fhl-gc.fits.gz", "MapDataset", "fermi-gc"
    ),
    "fermi-crab": DataFile("fermi-3fhl-crab/Fermi-LAT-3FHL_datasets.yaml", "yaml"),
    "hawc": DataFile("hawc-dl4-crab/HAWC_pass4_public_Crab.yaml", "yaml"),
    "hess-map": DataFile(
        "hess-dl3-dr1-crab/hess_crab_map.fits.gz", "MapDataset", "hess-crab"
    ),
    "hess-onoff": DataFile(
        "hess-dl3-dr1-crab/hess_crab_onoff.fits.gz",
        "MapDatasetOnOff",
        "hess-crab-onoff",
    ),
}


def _yaml_entries(path: Path) -> list[dict]:
    import yaml

    return yaml.safe_load(path.read_text())["datasets"]


def read_gammapy(data_dir: Path, key: str) -> GPDatasets:
    item = DATA[key]
    path = data_dir / item.path
    if item.kind == "yaml":
        return GPDatasets.read(path)
    cls = GPMapDatasetOnOff if item.kind == "MapDatasetOnOff" else GPMapDataset
    return GPDatasets([cls.read(path, name=item.name)])


def read_fluxprofile(data_dir: Path, key: str) -> fluxprofile.Datasets:
    """The same data read by fluxprofile itself (not converted from Gammapy's objects)."""
    item = DATA[key]
    path = data_dir / item.path
    if item.kind != "yaml":
        return fluxprofile.Datasets(
            [getattr(fluxprofile, item.kind).read(path, name=item.name)]
        )
    if hasattr(fluxprofile.Datasets, "read"):
        return fluxprofile.Datasets.read(path)
    # Before fluxprofile reads Gammapy's YAML index itself: each listed file, with its name.
    return fluxprofile.Datasets(
        [
            getattr(fluxprofile, e["type"]).read(
                path.parent / e["filename"], name=e["name"]
            )
            for e in _yaml_entries(path)
        ]
    )


# ---- the cases ---------------------------------------------------------------------------
def _gal(lon, lat):
    return SkyCoord(lon, lat, unit="deg", frame="galactic")


def _icrs(lon, lat):
    return SkyCoord(lon, lat, unit="deg", frame="icrs")


CRAB = _icrs(83.633, 22.0145)


@dataclass(frozen=True)
class Case:
    """Regions, spectral index, energy edges and options run on one dataset key."""

    data: str
    regions: str  # "boxes" or "annuli"
    geometry: dict
    energy_edges: u.Quantity
    index: float
    optional: list = field(default_factory=lambda: list(OPTIONAL))

    def make_regions(self, datasets):
        g = self.geometry
        if self.regions == "boxes":
            wcs = datasets[0].counts.geom.wcs
            return make_orthogonal_rectangle_sky_regions(
                start_pos=g["start"],
                end_pos=g["end"],
                wcs=wcs,
                height=g["height"],
                nbin=g["nbin"],
            )
        center = (
            g["center"]
            if g["center"] is not None
            else datasets[0].counts.geom.center_skydir
        )
        return make_concentric_annulus_sky_regions(
            center=center, radius_max=g["radius_max"], nbin=g["nbin"]
        )


CASES = {
    # Galactic centre: boxes tilted across Sgr A*, edges in TeV up to 2 TeV (data: 10-500 GeV).
    "fermi_gc_boxes": Case(
        "fermi-gc", "boxes", {"start": _gal(1.5, -1.0), "end": _gal(-1.5, 1.0), "height": 0.6 * u.deg, "nbin": 5},
        [0.01, 0.03, 2] * u.TeV, 2.3,
    ),
    "fermi_gc_annuli": Case(
        "fermi-gc", "annuli", {"center": _gal(0.3, -0.2), "radius_max": 2 * u.deg, "nbin": 5},
        [10, 30, 500] * u.GeV, 2.3,
    ),
    # Crab, 0.1 deg pixels and an EDISP map on a 0.2 deg grid: boxes along galactic longitude.
    "fermi_crab_boxes": Case(
        "fermi-crab", "boxes", {"start": _gal(185.8, -5.78), "end": _gal(183.3, -5.78), "height": 1.2 * u.deg, "nbin": 5},
        [0.01, 0.1, 2] * u.TeV, 2.3,
    ),
    "fermi_crab_annuli": Case(
        "fermi-crab", "annuli", {"center": CRAB.galactic, "radius_max": 1.5 * u.deg, "nbin": 5},
        [10, 100, 2000] * u.GeV, 2.3,
    ),
    # HAWC: five event classes fitted jointly (each with its own safe energy bins); annuli
    # around the map centre, which lies on corners of the 1 deg EDISP grid.
    "hawc_boxes": Case(
        "hawc", "boxes", {"start": _icrs(84.6, 22.6), "end": _icrs(82.66, 21.42), "height": 0.5 * u.deg, "nbin": 5},
        [1, 10, 316] * u.TeV, 2.6,
    ),
    "hawc_annuli": Case(
        "hawc", "annuli", {"center": None, "radius_max": 1.0 * u.deg, "nbin": 5}, [1, 10, 316] * u.TeV, 2.6,
    ),
    # H.E.S.S.: TAN maps, EDISP map on a 0.2 deg grid; annuli around the map centre.
    "hess_map_boxes": Case(
        "hess-map", "boxes", {"start": _icrs(83.9, 21.8), "end": _icrs(83.35, 22.25), "height": 0.25 * u.deg, "nbin": 5},
        [0.5, 1.5, 50] * u.TeV, 2.6,
    ),
    "hess_map_annuli": Case(
        "hess-map", "annuli", {"center": None, "radius_max": 0.5 * u.deg, "nbin": 5}, [0.5, 1.5, 50] * u.TeV, 2.6,
    ),
    "hess_onoff_boxes": Case(
        "hess-onoff", "boxes", {"start": _icrs(83.9, 21.8), "end": _icrs(83.35, 22.25), "height": 0.25 * u.deg, "nbin": 5},
        [0.5, 1.5, 50] * u.TeV, 2.6,
    ),
    "hess_onoff_annuli": Case(
        "hess-onoff", "annuli", {"center": None, "radius_max": 0.5 * u.deg, "nbin": 5}, [0.5, 1.5, 50] * u.TeV, 2.6,
    ),
}  # fmt: skip
SLOW_DATA = {"hawc", "hess-onoff"}


def _params(names):
    return [
        pytest.param(n, marks=pytest.mark.slow) if CASES[n].data in SLOW_DATA else n
        for n in names
    ]


# ---- runs (cached per module) ------------------------------------------------------------
@pytest.fixture(scope="module")
def datasets(data_dir):
    """Factory: ``datasets(key)`` -> (Gammapy's Datasets, fluxprofile's Datasets)."""
    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = (read_gammapy(data_dir, key), read_fluxprofile(data_dir, key))
        return cache[key]

    return get


@pytest.fixture(scope="module")
def gammapy_run(datasets):
    """Factory: ``gammapy_run(case)`` -> Gammapy's FluxPoints of a case (run once)."""
    cache = {}

    def run(name):
        if name not in cache:
            case = CASES[name]
            gp_data, _ = datasets(case.data)
            estimator = GPFluxProfileEstimator(
                case.make_regions(gp_data),
                spectral_model=GPPowerLaw(index=case.index),
                energy_edges=case.energy_edges,
                selection_optional=case.optional,
                n_jobs=1,
            )
            with warnings.catch_warnings():
                # Gammapy's own NumPy noise on the on-off reduction (means of masked, empty
                # energy bins) and in its eflux formula; fluxprofile's side runs unfiltered.
                warnings.simplefilter("ignore", RuntimeWarning)
                cache[name] = estimator.run(gp_data)
        return cache[name]

    return run


@pytest.fixture(scope="module")
def fluxprofile_run(datasets):
    """Factory: ``fluxprofile_run(case)`` -> fluxprofile's FluxPoints of a case (run once)."""
    cache = {}

    def run(name):
        if name not in cache:
            case = CASES[name]
            gp_data, fp_data = datasets(case.data)
            estimator = fluxprofile.FluxProfileEstimator(
                case.make_regions(gp_data),
                spectral_model=fluxprofile.PowerLawSpectralModel(index=case.index),
                energy_edges=case.energy_edges,
                selection_optional=case.optional,
            )
            cache[name] = estimator.run(fp_data)
        return cache[name]

    return run


# ---- tests -------------------------------------------------------------------------------
def test_gammapy_version():
    assert gammapy.__version__ == "2.1"


@pytest.mark.parametrize(
    "key",
    [pytest.param(k, marks=pytest.mark.slow) if k in SLOW_DATA else k for k in DATA],
)
def test_datasets_read_as_gammapy_reads_them(key, datasets, data_dir):
    """Same names (from the YAML index where there is one), counts and safe masks."""
    gp_data, fp_data = datasets(key)
    assert fp_data.names == gp_data.names
    if DATA[key].kind == "yaml":
        assert fp_data.names == [
            e["name"] for e in _yaml_entries(data_dir / DATA[key].path)
        ]
    for gp, fp in zip(gp_data, fp_data, strict=True):
        assert type(fp).__name__ == type(gp).__name__
        np.testing.assert_array_equal(fp.counts.data, gp.counts.data)
        np.testing.assert_array_equal(fp.mask_safe.data, gp.mask_safe.data)


@pytest.mark.parametrize("name", _params(CASES))
def test_profile_matches_gammapy(name, gammapy_run, fluxprofile_run):
    gp = gammapy_run(name).to_table(format="profile", sed_type="likelihood")
    assert np.all(np.asarray(gp["success"])), (
        "choose regions where Gammapy's fits succeed"
    )
    ours = fluxprofile_run(name).to_table(format="profile", sed_type="likelihood")
    compare_to_reference(ours, gp)


@pytest.mark.parametrize("sed_type", SED_TABLE_TYPES)
@pytest.mark.parametrize("name", _params(CASES))
def test_sed_tables_match_gammapy(name, sed_type, gammapy_run, fluxprofile_run):
    gp = gammapy_run(name)
    ours = fluxprofile_run(name).to_table(format="profile", sed_type=sed_type)
    ref = gp.to_table(format="profile", sed_type=sed_type)
    compare_to_reference(
        ours, ref, ref_likelihood=gp.to_table(format="profile", sed_type="likelihood")
    )
