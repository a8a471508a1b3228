"""The ``fluxprofile`` command line."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "run_demo"]


def run_demo(seed: int = 0, n_jobs: int | None = None, out=None) -> tuple:
    """Run the tutorial's two profiles on the built-in simulated dataset and print them.

    Parameters
    ----------
    seed : int, optional
        Seed of the simulated dataset. Default is 0.
    n_jobs : int or None, optional
        Threads (None: all cores). Default is None.
    out : file-like, optional
        Where to print. Default is `sys.stdout`.

    Returns
    -------
    profiles : tuple of `~fluxprofile.FluxPoints`
        The rectangle (longitude) profile and the annulus (radial) profile.
    """
    import numpy as np
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    from .demo import make_example_dataset
    from .estimator import FluxProfileEstimator
    from .models import PowerLawSpectralModel
    from .regions import make_concentric_annulus_sky_regions, make_orthogonal_rectangle_sky_regions

    out = out or sys.stdout
    dataset = make_example_dataset(seed=seed)
    print(f"Simulated dataset: {dataset.name}, {dataset.counts.data.shape} "
          f"(energy, lat, lon), {dataset.counts.data.sum():.0f} counts", file=out)

    boxes = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=dataset.counts.geom.wcs,
        height=3 * u.deg,
        nbin=49,
    )
    model = PowerLawSpectralModel(index=2.3)
    longitude = FluxProfileEstimator(
        boxes, spectral_model=model, energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"], n_jobs=n_jobs,
    ).run(dataset)
    columns = ["x_ref", "norm", "norm_err", "norm_ul", "ts", "counts", "is_ul"]
    print("\nLongitude profile (49 boxes, 10-500 GeV):", file=out)
    longitude.to_table(sed_type="likelihood", formatted=True)[columns].pprint(max_lines=-1, max_width=-1)

    annuli = make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max=1.5 * u.deg, nbin=11
    )
    estimator = FluxProfileEstimator(
        annuli, spectral_model=model, energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul", "scan"], n_jobs=n_jobs,
    )
    estimator.norm.scan_values = np.linspace(-1, 5, 11)
    radial = estimator.run(dataset)
    print("\nRadial profile (10 annuli, two energy groups):", file=out)
    table = radial.to_table(sed_type="flux", formatted=True)
    table[["x_ref", "e_min", "e_max", "flux", "flux_err", "flux_ul", "ts"]].pprint(max_lines=-1, max_width=-1)
    return longitude, radial


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fluxprofile", description="Flux profiles of gamma-ray sky maps (a fast FluxProfileEstimator)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the tutorial profiles on a built-in simulated dataset")
    demo.add_argument("--seed", type=int, default=0, help="seed of the simulated dataset (default 0)")
    demo.add_argument("--n-jobs", type=int, default=None, help="threads (default: all cores)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fluxprofile`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        Exit status: 0 on success, 1 on an input error (reported on one line).
    """
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(seed=args.seed, n_jobs=args.n_jobs)
    except (ValueError, TypeError, OSError) as err:
        print(f"fluxprofile: error: {err}", file=sys.stderr)
        return 1
    return 0
