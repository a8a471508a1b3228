"""Build the seed profiles' estimators the way the reference cases describe them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxProfileEstimator,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
)

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The ../shared folder (data and Gammapy references)."""
    env = os.environ.get("FLUXPROFILE_TEST_DATA")
    return Path(env).resolve().parent if env else (ROOT / ".." / "shared").resolve()


def load_case(name: str) -> dict:
    """The json description of a reference case."""
    return json.loads((shared_dir() / "reference" / f"{name}.json").read_text())


def rect_seed_estimator(wcs, n_jobs=1, nbin=51):
    """The tutorial's longitude profile (fermi_rect_seed)."""
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=wcs,
        height=3 * u.deg,
        nbin=nbin,
    )
    return FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
        n_jobs=n_jobs,
    )


def annulus_seed_estimator(n_jobs=1):
    """The tutorial's radial profile (fermi_annulus_seed)."""
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max=1.5 * u.deg, nbin=11
    )
    estimator = FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul", "scan"],
        n_jobs=n_jobs,
    )
    estimator.norm.scan_values = np.linspace(-1, 5, 11)
    return estimator


def fermi_gc_path() -> Path:
    """The Fermi-LAT Galactic-centre dataset file."""
    return shared_dir() / "data" / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"


def hawc_yaml_path() -> Path:
    """The Datasets YAML index of the five HAWC nHit datasets (DL4, Crab)."""
    return shared_dir() / "data" / "hawc-dl4-crab" / "HAWC_pass4_public_Crab.yaml"


def hawc_estimator(datasets, n_jobs=1):
    """The joint HAWC radial profile: 4 annuli (5 radii) out to 1 deg around the map centre, two
    energy groups, errn-errp, ul and scan (as in tests/test_interop_instruments.py)."""
    regions = make_concentric_annulus_sky_regions(
        center=datasets[0].counts.geom.center_skydir, radius_max=1.0 * u.deg, nbin=5
    )
    return FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.6),
        energy_edges=[1, 10, 316] * u.TeV,
        selection_optional=["errn-errp", "ul", "scan"],
        n_jobs=n_jobs,
    )
