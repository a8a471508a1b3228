"""``fluxprofile demo``: the tutorial's two profiles on the built-in simulated dataset."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord

from .. import (
    FluxPoints,
    FluxProfileEstimator,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_example_dataset,
    make_orthogonal_rectangle_sky_regions,
)

__all__ = ["demo_command", "run_demo"]


def run_demo(
    seed: int = 0, n_jobs: int | None = None, out: TextIO | None = None
) -> tuple[FluxPoints, FluxPoints]:
    """Run the tutorial's two profiles on the built-in simulated dataset and print them.

    Parameters
    ----------
    seed : int, optional
        Seed of the simulated dataset. Default is 0.
    n_jobs : int or None, optional
        Threads (None: all cores). Default is None.
    out : file-like, optional
        Where to print. Default is None (`sys.stdout`).

    Returns
    -------
    profiles : tuple of `~fluxprofile.FluxPoints`
        The rectangle (longitude) profile and the annulus (radial) profile.
    """
    out = out or sys.stdout
    dataset = make_example_dataset(seed=seed)
    print(
        f"Simulated dataset: {dataset.name}, {dataset.counts.data.shape} "
        f"(energy, lat, lon), {dataset.counts.data.sum():.0f} counts",
        file=out,
    )

    boxes = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=dataset.counts.geom.wcs,
        height=3 * u.deg,
        nbin=49,
    )
    model = PowerLawSpectralModel(index=2.3)
    longitude = FluxProfileEstimator(
        boxes,
        spectral_model=model,
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
        n_jobs=n_jobs,
    ).run(dataset)
    columns = ["x_ref", "norm", "norm_err", "norm_ul", "ts", "counts", "is_ul"]
    print("\nLongitude profile (49 boxes, 10-500 GeV):", file=out)
    table = longitude.to_table(sed_type="likelihood", formatted=True)[columns]
    for line in table.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)

    annuli = make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max=1.5 * u.deg, nbin=11
    )
    estimator = FluxProfileEstimator(
        annuli,
        spectral_model=model,
        energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul", "scan"],
        n_jobs=n_jobs,
    )
    estimator.norm.scan_values = np.linspace(-1, 5, 11)
    radial = estimator.run(dataset)
    print("\nRadial profile (10 annuli, two energy groups):", file=out)
    table = radial.to_table(sed_type="flux", formatted=True)
    table = table[["x_ref", "e_min", "e_max", "flux", "flux_err", "flux_ul", "ts"]]
    for line in table.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)
    return longitude, radial


def demo_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``fluxprofile demo``.

    Parameters
    ----------
    args : `argparse.Namespace`
        The parsed arguments (``seed``, ``n_jobs``).
    out : file-like
        Where to print the two profiles.

    Returns
    -------
    status : int
        0.
    """
    run_demo(seed=args.seed, n_jobs=args.n_jobs, out=out)
    return 0
