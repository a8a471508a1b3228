"""The 360-degree Galactic-plane profile on a HEALPix cube: time and memory.

An all-sky NSIDE 1024 cube (12.6 million pixels, NESTED, galactic) with 10 energy bins
(counts, background and exposure in float32, about 1.5 GB), and 180 boxes of 2 x 10 deg
along the whole plane (``make_orthogonal_rectangle_sky_regions`` with ``wcs=None``)::

    python bench/healpix.py                    # NSIDE 1024, 10 energy bins, 180 boxes
    python bench/healpix.py --nside 256 --repeat 5

Reported: building the cube (not part of the profile), the first run (the regions'
pixels found on the sphere by the core, then the reduction and fits), repeated runs on
the same estimator (cached pixel lists), the pixels in the boxes, and the peak resident
memory of the process (VmHWM) after each stage.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxProfileEstimator,
    Map,
    MapAxis,
    MapDataset,
    PowerLawSpectralModel,
    make_orthogonal_rectangle_sky_regions,
)
from fluxprofile.datamodel.hpx_geom import HpxGeom
from fluxprofile.exceptions import FluxProfileWarning


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_cube(nside: int, n_energy: int, seed: int = 1) -> MapDataset:
    """An all-sky cube: a Galactic ridge plus isotropic background, Poisson counts."""
    geom = HpxGeom(nside, nest=True, frame="galactic")
    edges = np.geomspace(10, 2000, n_energy + 1) * u.GeV
    e = MapAxis.from_edges(edges, name="energy", interp="log")
    et = MapAxis.from_edges(edges, name="energy_true", interp="log")
    lon, lat = geom.pixel_lonlat()
    ridge = np.exp(-0.5 * (np.rad2deg(lat) / 2.0) ** 2) * (1.5 + np.cos(lon))
    per_bin = (edges[:-1].value / 10.0) ** -1.4
    background = (0.5 * per_bin[:, None] * np.ones(geom.npix[0])).astype(np.float32)
    mu = background + (2.0 * per_bin[:, None] * ridge[None]).astype(np.float32)
    counts = np.random.default_rng(seed).poisson(mu).astype(np.float32)
    del mu
    exposure = np.full((n_energy, geom.npix[0]), 3e11, dtype=np.float32)
    return MapDataset(
        counts=Map(geom.to_cube([e]), counts),
        exposure=Map(geom.to_cube([et]), exposure, unit="cm2 s"),
        background=Map(geom.to_cube([e]), background),
        name=f"allsky-nside{nside}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nside", type=int, default=1024)
    parser.add_argument("--n-energy", type=int, default=10)
    parser.add_argument("--nbin", type=int, default=180, help="boxes along the plane")
    parser.add_argument("--height", default="10 deg")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    dataset = make_cube(args.nside, args.n_energy)
    t_build = time.perf_counter() - t0
    rss_build = peak_rss_mb()
    start = SkyCoord(0, 0, unit="deg", frame="galactic")
    regions = make_orthogonal_rectangle_sky_regions(
        start, start, wcs=None, height=args.height, nbin=args.nbin
    )
    estimator = FluxProfileEstimator(
        regions=regions, spectral_model=PowerLawSpectralModel(index=2.4),
        energy_edges=dataset.counts.geom.axes["energy"].edges, n_jobs=args.n_jobs,
    )  # fmt: skip
    # Small or short cubes leave high-energy boxes without counts; the estimator says so
    # with a FluxProfileWarning. The benchmark reports those warnings once, after the
    # timings, instead of letting them interrupt (or, under pytest, fail) the run.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FluxProfileWarning)
        t0 = time.perf_counter()
        profile = estimator.run(dataset)
        t_first = time.perf_counter() - t0
        rss_first = peak_rss_mb()
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            estimator.run(dataset)
            times.append(time.perf_counter() - t0)
    table = profile.to_table(sed_type="flux", format="profile")
    npix = np.asarray(table["npix"]).reshape(len(table), -1)[:, 0]  # per box
    print(f"NSIDE {args.nside}: {dataset.counts.geom.npix[0]} pixels x {args.n_energy} energy bins, "
          f"{args.nbin} boxes of {360 / args.nbin:g} x {args.height}")  # fmt: skip
    print(f"  build cube        {t_build:8.2f} s   peak RSS {rss_build:8.0f} MB")
    print(f"  first run         {t_first:8.2f} s   peak RSS {rss_first:8.0f} MB")
    if times:
        print(
            f"  repeated run      {statistics.median(times):8.2f} s   (median of {len(times)})"
        )
    print(
        f"  pixels per box    {npix.min():.0f} - {npix.max():.0f} (total {npix.sum():.0f})"
    )
    print(
        f"  flux points ok    {int(np.sum(np.asarray(table['success'])))} / {table['success'].size}"
    )
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"  FluxProfileWarning: {message}")


if __name__ == "__main__":
    main()
