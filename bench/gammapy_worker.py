"""The Gammapy 2.1 side of ``compare_gammapy.py --pipeline``, run in Gammapy's environment.

It imports only Gammapy, astropy, numpy and the standard library (fluxprofile need not be
installed there), times the four pipeline rows of issue 14 exactly as the fluxprofile side
does (a freshly read dataset and a new estimator every call, n_jobs=1; read and
construction untimed except in the read row) and prints one JSON object on stdout::

    {"version": ..., "times": {row: [s, ...]}, "norms": {row: [[norm], [norm_err]]}}

Usage, from the repository root::

    .venv-gammapy/bin/python bench/gammapy_worker.py --repeat 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The ../shared folder (as bench/cases.py finds it)."""
    env = os.environ.get("FLUXPROFILE_TEST_DATA")
    return Path(env).resolve().parent if env else (ROOT / ".." / "shared").resolve()


def fermi_path() -> Path:
    return shared_dir() / "data" / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"


def hawc_path() -> Path:
    return shared_dir() / "data" / "hawc-dl4-crab" / "HAWC_pass4_public_Crab.yaml"


def read_fermi():
    from gammapy.datasets import MapDataset

    return MapDataset.read(fermi_path(), name="fermi-dataset")


def rect_estimator(dataset):
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from gammapy.estimators import FluxProfileEstimator
    from gammapy.modeling.models import PowerLawSpectralModel
    from gammapy.utils.regions import make_orthogonal_rectangle_sky_regions

    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=dataset.counts.geom.wcs,
        height=3 * u.deg,
        nbin=51,
    )
    return FluxProfileEstimator(
        regions=regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
        n_jobs=1,
    )


def annulus_estimator(dataset):
    import numpy as np
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from gammapy.estimators import FluxProfileEstimator
    from gammapy.modeling.models import PowerLawSpectralModel
    from gammapy.utils.regions import make_concentric_annulus_sky_regions

    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max=1.5 * u.deg, nbin=11
    )
    estimator = FluxProfileEstimator(
        regions=regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul", "scan"],
        n_jobs=1,
    )
    estimator.norm.scan_values = np.linspace(-1, 5, 11)
    return estimator


def read_hawc():
    from gammapy.datasets import Datasets

    return Datasets.read(hawc_path())


def hawc_estimator(datasets):
    from astropy import units as u
    from gammapy.estimators import FluxProfileEstimator
    from gammapy.modeling.models import PowerLawSpectralModel
    from gammapy.utils.regions import make_concentric_annulus_sky_regions

    regions = make_concentric_annulus_sky_regions(
        center=datasets[0].counts.geom.center_skydir, radius_max=1.0 * u.deg, nbin=5
    )
    return FluxProfileEstimator(
        regions=regions,
        spectral_model=PowerLawSpectralModel(index=2.6),
        energy_edges=[1, 10, 316] * u.TeV,
        selection_optional=["errn-errp", "ul", "scan"],
        n_jobs=1,
    )


def _timed_run(read, build):
    data = read()
    estimator = build(data)
    start = time.perf_counter()
    profile = estimator.run(data)
    return time.perf_counter() - start, profile


def _timed_read_and_run():
    start = time.perf_counter()
    data = read_fermi()
    profile = rect_estimator(data).run(data)
    return time.perf_counter() - start, profile


ROWS = {
    "rect": lambda: _timed_run(read_fermi, rect_estimator),
    "annulus": lambda: _timed_run(read_fermi, annulus_estimator),
    "read_rect": _timed_read_and_run,
    "hawc": lambda: _timed_run(read_hawc, hawc_estimator),
}


def _norms(profile):
    table = profile.to_table(format="profile", sed_type="likelihood")

    def clean(values):
        return [None if not math.isfinite(v) else float(v) for v in values]

    norm = [float(v) for v in table["norm"].data.ravel()]
    err = [float(v) for v in table["norm_err"].data.ravel()]
    return [clean(norm), clean(err)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rows", default=",".join(ROWS))
    args = parser.parse_args(argv)
    import gammapy

    warnings.simplefilter("ignore")
    out = {"version": gammapy.__version__, "times": {}, "norms": {}}
    read_fermi()  # imports and file caches warm, untimed
    for row in args.rows.split(","):
        times = []
        profile = None
        for _ in range(max(1, args.repeat)):
            elapsed, profile = ROWS[row]()
            times.append(elapsed)
        out["times"][row] = times
        out["norms"][row] = _norms(profile)
        print(f"gammapy {row}: {times}", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
