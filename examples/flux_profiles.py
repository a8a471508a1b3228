"""Flux profile estimation: Gammapy's "flux_profiles" tutorial, written against fluxprofile.

Runs every step of the Gammapy 2.1 tutorial on the Fermi-LAT Galactic-centre dataset and
saves each figure as a PNG (no window is opened, nothing is downloaded):

1. read the dataset and show the counts image, smoothed, with a square-root stretch;
2. 49 boxes of height 3 deg along the Galactic plane from l = 9 deg to l = 351 deg,
   drawn on the image;
3. a longitude profile with upper limits: printed, plotted as dnde, e2dnde, flux and
   eflux, and the predicted counts (npred, npred_excess, npred_background);
4. the profile written to FITS, read back and plotted; its table printed;
5. a radial profile in 10 annuli around the Galactic centre in two energy groups with a
   likelihood scan (norm -1 ... 5), and the high-energy bin with its scan image.

Data: ``$GAMMAPY_DATA/fermi-3fhl-gc/fermi-3fhl-gc.fits.gz`` if GAMMAPY_DATA is set, else
``$FLUXPROFILE_TEST_DATA/fermi-3fhl-gc/fermi-3fhl-gc.fits.gz``, else the simulated
`fluxprofile.make_example_dataset()` with the same layout.

Usage::

    python examples/flux_profiles.py [OUTPUT_DIR]      # default ./flux_profiles_output
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

import astropy.units as u
import matplotlib
import numpy as np
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxPoints,
    FluxProfileEstimator,
    MapDataset,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_example_dataset,
    make_orthogonal_rectangle_sky_regions,
    plot_regions,
)

__all__ = ["find_dataset_file", "main", "run_tutorial"]

GC_FILE = Path("fermi-3fhl-gc") / "fermi-3fhl-gc.fits.gz"


def find_dataset_file() -> Path | None:
    """The Fermi GC file from $GAMMAPY_DATA or $FLUXPROFILE_TEST_DATA, or None.

    Returns
    -------
    path : `~pathlib.Path` or None
        First existing candidate.
    """
    for variable in ("GAMMAPY_DATA", "FLUXPROFILE_TEST_DATA"):
        folder = os.environ.get(variable)
        if folder and (Path(folder).expanduser() / GC_FILE).is_file():
            return Path(folder).expanduser() / GC_FILE
    return None


def run_tutorial(output_dir: Path) -> list[Path]:
    """Run all steps of the tutorial, saving figures and files in ``output_dir``.

    Parameters
    ----------
    output_dir : `~pathlib.Path`
        Folder for the PNG figures and the profile files (created if needed).

    Returns
    -------
    figures : list of `~pathlib.Path`
        The PNG files written.
    """
    import matplotlib.pyplot as plt

    output_dir.mkdir(parents=True, exist_ok=True)
    figures: list[Path] = []

    def save(fig, name: str) -> None:
        path = output_dir / f"{name}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        figures.append(path)
        print(f"saved {path}")

    # ---- read and introduce the data ------------------------------------------------
    path = find_dataset_file()
    if path is not None:
        print(f"Reading {path}")
        dataset = MapDataset.read(path, name="fermi-dataset")
    else:
        print(
            "No Fermi GC file found (GAMMAPY_DATA / FLUXPROFILE_TEST_DATA): using the simulated example"
        )
        dataset = make_example_dataset()

    counts_image = dataset.counts.sum_over_axes()
    fig = plt.figure(figsize=(10, 5))
    counts_image.smooth("0.1 deg").plot(stretch="sqrt", add_cbar=True)
    save(fig, "01_counts_image")

    print(dataset.counts)

    # ---- longitude profile: 49 boxes along the plane --------------------------------
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("9d", "0d", frame="galactic"),
        end_pos=SkyCoord("351d", "0d", frame="galactic"),
        wcs=counts_image.geom.wcs,
        height="3 deg",
        nbin=49,
    )
    fig = plt.figure(figsize=(10, 5))
    ax = counts_image.smooth("0.1 deg").plot(stretch="sqrt")
    plot_regions(regions, ax=ax, color="w")
    save(fig, "02_box_regions")

    flux_profile_estimator = FluxProfileEstimator(
        regions=regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    )
    print(flux_profile_estimator)

    profile = flux_profile_estimator.run(datasets=dataset)
    print(profile)

    for sed_type in ("dnde", "e2dnde", "flux", "eflux"):
        fig, ax = plt.subplots()
        profile.plot(ax=ax, sed_type=sed_type)
        ax.set_yscale("linear")
        save(fig, f"03_profile_{sed_type}")

    profile.sqrt_ts_threshold_ul = 2
    fig, ax = plt.subplots()
    profile.plot(ax=ax, sed_type="eflux")
    ax.set_yscale("linear")
    save(fig, "04_profile_eflux_threshold")

    fig, ax = plt.subplots()
    for quantity in ("npred", "npred_excess", "npred_background"):
        profile[quantity].plot(ax=ax, label=quantity.title())
    ax.set_ylabel("Counts")
    ax.legend()
    save(fig, "05_profile_npred")

    # ---- serialisation ---------------------------------------------------------------
    filename = output_dir / "flux_profile_fermi.fits"
    profile.write(filename=filename, format="profile", overwrite=True, sed_type="dnde")
    # A dnde file has no reference model: the reader assumes E^-2 (with a warning, as
    # Gammapy does); the dnde values themselves are unchanged.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile_new = FluxPoints.read(filename=filename, format="profile")
    for warning in caught:
        print(f"warning: {warning.message}")
    fig, ax = plt.subplots()
    profile_new.plot(ax=ax)
    ax.set_yscale("linear")
    save(fig, "06_profile_read_back")

    table = profile.to_table(format="profile", formatted=True)
    print(table)

    # ---- radial profile around the Galactic centre -----------------------------------
    center = SkyCoord("0d", "0d", frame="galactic")
    regions = make_concentric_annulus_sky_regions(
        center=center, radius_max="1.5 deg", nbin=11
    )
    gc_image = counts_image.cutout(position=center, width=3 * u.deg)
    fig = plt.figure(figsize=(6, 6))
    ax = gc_image.smooth("0.1 deg").plot(stretch="sqrt")
    plot_regions(regions, ax=ax, color="w")
    save(fig, "07_annulus_regions")

    flux_profile_estimator = FluxProfileEstimator(
        regions=regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 100, 2000] * u.GeV,
        selection_optional=["ul", "scan"],
    )
    flux_profile_estimator.norm.scan_values = np.linspace(-1, 5, 11)
    profile = flux_profile_estimator.run(datasets=dataset)
    print(profile)

    fig, ax = plt.subplots()
    profile.plot(ax=ax, axis_name="projected-distance", sed_type="flux")
    save(fig, "08_radial_profile_flux")

    profile_high = profile.slice_by_idx({"energy": slice(1, 2)})
    fig, ax = plt.subplots()
    profile_high.plot(ax=ax, sed_type="eflux", color="tab:orange")
    profile_high.plot_ts_profiles(ax=ax, sed_type="eflux")
    ax.set_yscale("linear")
    save(fig, "09_radial_profile_ts")
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "output_dir",
        nargs="?",
        default="flux_profiles_output",
        help="folder for the PNG figures and profile files (default: ./flux_profiles_output)",
    )
    args = parser.parse_args(argv)
    matplotlib.use("Agg")
    run_tutorial(Path(args.output_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
