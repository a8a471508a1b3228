"""``fluxprofile demo``: the tutorial's two profiles on the built-in simulated dataset."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table

from .. import (
    FluxPoints,
    FluxProfileEstimator,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_example_dataset,
    make_orthogonal_rectangle_sky_regions,
)
from .errors import PROG, InputError
from .figures import profile_figure, write_plot

__all__ = ["DEMO_FILES", "demo_command", "run_demo", "write_demo"]


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
    table = _long_table(
        radial.to_table(sed_type="flux", formatted=True),
        ["x_ref", "e_min", "e_max", "flux", "flux_err", "flux_ul", "ts"],
    )
    for line in table.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)
    return longitude, radial


def _long_table(table: Table, names: list[str]) -> Table:
    """One row per (profile bin, energy group) instead of one array cell per energy
    group, keeping the units and display formats."""
    n_e = max(
        np.shape(table[name])[1] if np.ndim(table[name]) > 1 else 1 for name in names
    )
    long = Table()
    for name in names:
        column = table[name]
        values = np.asarray(column)
        values = np.repeat(values, n_e) if values.ndim == 1 else values.reshape(-1)
        long[name] = values
        long[name].unit = column.unit
        long[name].format = column.format
    return long


#: The files ``demo --output DIR`` writes, by profile (FITS table, PNG figure).
DEMO_FILES: dict[str, tuple[str, str]] = {
    "longitude": ("longitude_profile.fits", "longitude_profile.png"),
    "radial": ("radial_profile.fits", "radial_profile.png"),
}

_TITLES = {
    "longitude": "simulated Galactic centre: 49 boxes along the plane, 10-500 GeV",
    "radial": "simulated Galactic centre: 10 annuli around (0, 0), two energy groups",
}


def _demo_paths(folder: Path, overwrite: bool) -> list[Path]:
    """The files of `DEMO_FILES` in ``folder``; an error if one exists (no overwrite)."""
    paths = [folder / name for names in DEMO_FILES.values() for name in names]
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        msg = f"output file {str(existing[0])!r} already exists (use --overwrite)"
        raise InputError(msg)
    return paths


def write_demo(
    profiles: dict[str, FluxPoints], folder: Path, overwrite: bool = False
) -> list[Path]:
    """Write the demo profiles (FITS, likelihood SED type) and their figures (PNG).

    Parameters
    ----------
    profiles : dict of str to `~fluxprofile.FluxPoints`
        The "longitude" and "radial" profiles.
    folder : `~pathlib.Path`
        Output folder (created with its parents if missing).
    overwrite : bool, optional
        Replace existing files. Default is False.

    Returns
    -------
    paths : list of `~pathlib.Path`
        The files written, in the order of `DEMO_FILES`.

    Raises
    ------
    InputError
        If a file exists and ``overwrite`` is False (checked before anything is
        written), or the folder cannot be created.
    """
    folder = Path(folder).expanduser()
    paths = _demo_paths(folder, overwrite)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = f"cannot create the output folder {str(folder)!r}: {err.strerror or err}"
        raise InputError(msg) from err
    for key, (table, figure) in DEMO_FILES.items():
        profile = profiles[key]
        profile.write(folder / table, sed_type="likelihood", overwrite=overwrite)
        write_plot(
            profile_figure(profile, "flux", _TITLES[key]), folder / figure, overwrite
        )
    return paths


def _next_steps(paths: list[Path] | None) -> list[str]:
    """What to try after the demo: the files' use, then the command on real data."""
    data = os.environ.get("GAMMAPY_DATA")
    gc = Path(data) / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz" if data else None
    dataset = str(gc) if gc is not None and gc.is_file() else "DATASET.fits"
    lines = []
    if paths is None:
        lines.append(
            "To write these profiles (FITS) and their figures (PNG): "
            f"{PROG} demo --output DIR"
        )
    else:
        lines.append(
            "In Python: from fluxprofile import FluxPoints; "
            f"FluxPoints.read({str(paths[0])!r}).plot()"
        )
    lines.append(
        "Next, the longitude profile of a dataset of yours (a DL4 map dataset file):"
    )
    lines.append(
        f"  {PROG} run {dataset} --start 9,0 --end 351,0 --height 3 --nbin 49 "
        '--energy-edges "10,2000 GeV" --index 2.3 --selection ul --plot profile.png'
    )
    return lines


def demo_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``fluxprofile demo``.

    Parameters
    ----------
    args : `argparse.Namespace`
        The parsed arguments (``seed``, ``n_jobs``, ``output``, ``overwrite``).
    out : file-like
        Where to print the two profiles, the files written and what to try next.

    Returns
    -------
    status : int
        0.

    Raises
    ------
    InputError
        If an output file exists (without ``--overwrite``) or cannot be written.
    """
    output = getattr(args, "output", None)
    overwrite = bool(getattr(args, "overwrite", False))
    if output is not None:
        _demo_paths(Path(output).expanduser(), overwrite)  # before the seconds of work
    longitude, radial = run_demo(seed=args.seed, n_jobs=args.n_jobs, out=out)
    paths = None
    if output is not None:
        paths = write_demo(
            {"longitude": longitude, "radial": radial},
            Path(output),
            overwrite=overwrite,
        )
        print("\nWrote:", file=out)
        for path in paths:
            print(f"  {path}", file=out)
    print(file=out)
    for line in _next_steps(paths):
        print(line, file=out)
    return 0
