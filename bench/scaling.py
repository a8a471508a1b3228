"""Scaling of `FluxProfileEstimator.run` with map size, region count and threads.

Synthetic Fermi-like cubes (0.05 deg CAR pixels around the Galactic centre, 11 reco-energy
bins, 12 true-energy bins; int32 counts, float32 background and exposure, a bool safe mask
false within 1 deg of the border, a region-constant energy-dispersion kernel) of
400x200, 800x400 and 1600x800 pixels; regions are

* ``boxes``: N orthogonal rectangles tiling the same strip along b=0 (90 % of the map width,
  30 % of its height), so N only changes how finely the same pixels are cut (for N larger
  than the strip's pixel length most boxes are thinner than a pixel, and many hold no pixel
  centre: the per-region overhead is then all there is);
* ``annuli``: N concentric annuli around (0, 0) with an outer radius of 45 % of the map height.

Each case (size, kind, N, n_jobs) runs in a fresh subprocess that loads the cubes from .npy
files (RSS after loading = interpreter + inputs), builds the regions (not timed), runs once
as warm-up, resets the kernel's peak-RSS counter (/proc/self/clear_refs) and times
``--repeat`` runs (median reported). The timed runs reuse the estimator, so since the estimator
caches the region geometry (pixel shapes, centres, distance axis, pixel solid angles) they
exclude the sky->pixel conversion; the untimed first run includes it and is reported as
"first run" (one sample, so noisier). Memory: ``peak`` is the peak resident set during the
timed runs; ``run extra`` = peak minus the RSS just before them; ``attributable`` = peak minus
the RSS after imports (inputs + everything the run adds) and is compared with the target
1.2 x inputs + 50 MB. Every case checks that all n_jobs values give bitwise identical
results (sha256 over every array of the profile).

Run (the full grid takes a few minutes on 2 cores)::

    python bench/scaling.py                 # table to stdout, PNG, README
    python bench/scaling.py --sizes 400x200 --counts 50 200 --no-readme

On a loaded machine, run the grid (or part of it) twice and merge with
``--from-json a.json b.json``: for a case present in several files the run with the lower median
is kept (and the header says so).

Outputs: ``bench/scaling.png`` and the table between the scaling markers of
``bench/README.md`` (``--no-readme`` / ``--no-plot`` to skip).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

__all__ = ["main", "make_cube_files", "run_case"]

BINSZ = 0.05
N_RECO, N_TRUE = 11, 12
E_MIN, E_MAX = 10.0, 500.0  # GeV
SIZES = ["400x200", "800x400", "1600x800"]
COUNTS = [50, 200, 1000, 5000]
KINDS = ["boxes", "annuli"]
JOBS = [1, 2]
README_BEGIN = "<!-- scaling:begin -->"
README_END = "<!-- scaling:end -->"
MB = 1024.0**2


# -- synthetic inputs -------------------------------------------------------------------------
def parse_size(size: str) -> tuple[int, int]:
    """``"NXxNY"`` -> (nx, ny)."""
    try:
        nx, ny = (int(v) for v in size.lower().split("x"))
    except ValueError:
        msg = f"size must look like 400x200, got {size!r}"
        raise ValueError(msg) from None
    return nx, ny


def make_cube_files(nx: int, ny: int, folder: Path, seed: int = 0) -> dict[str, Path]:
    """Write the synthetic cubes of one map size as .npy files (once; reused if present)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["counts", "background", "exposure", "mask_safe"]
    paths = {name: folder / f"{name}_{nx}x{ny}.npy" for name in names}
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(seed)
    lon = (np.arange(nx) - (nx - 1) / 2) * -BINSZ  # deg, CDELT1 < 0
    lat = (np.arange(ny) - (ny - 1) / 2) * BINSZ
    reco_edges = np.geomspace(E_MIN, E_MAX, N_RECO + 1)
    reco_centres = np.sqrt(reco_edges[:-1] * reco_edges[1:])
    true_nodes = np.geomspace(E_MIN, E_MAX, N_TRUE)
    # diffuse emission: a Galactic ridge, a central bulge and a floor
    ridge = (
        np.exp(-np.abs(lat) / 1.5)[:, None]
        * (1.0 + 0.5 * np.cos(np.radians(lon)))[None, :]
    )
    bulge = np.exp(-0.5 * (lon[None, :] ** 2 + lat[:, None] ** 2) / 2.0**2)
    image = (0.05 + ridge + 2.0 * bulge).astype(np.float32)
    background = np.empty((N_RECO, ny, nx), np.float32)
    counts = np.empty((N_RECO, ny, nx), np.int32)
    for i, energy in enumerate(reco_centres):
        background[i] = image * np.float32(2.0 * (energy / E_MIN) ** -1.6)
        counts[i] = rng.poisson(background[i])
    exposure = np.empty((N_TRUE, ny, nx), np.float32)
    lon_factor = (1.0 + 0.1 * np.sin(np.radians(3 * lon)))[None, :]
    lat_factor = (1.0 - 0.05 * np.abs(lat) / max(np.abs(lat).max(), 1))[:, None]
    for j, energy in enumerate(true_nodes):
        exposure[j] = (3e11 * (energy / E_MIN) ** 0.1 * lat_factor * lon_factor).astype(
            np.float32
        )
    border = round(1.0 / BINSZ)
    mask = np.zeros((N_RECO, ny, nx), bool)
    mask[:, border : ny - border, border : nx - border] = True
    for name, array in zip(names, (counts, background, exposure, mask), strict=False):
        np.save(paths[name], array)
    return paths


def edisp_kernel() -> np.ndarray:
    """Region-constant kernel K[j, i]: log-normal migration (0.08 dex), 95 % contained."""
    reco_edges = np.log10(np.geomspace(E_MIN, E_MAX, N_RECO + 1))
    true_nodes = np.log10(np.geomspace(E_MIN, E_MAX, N_TRUE))
    from math import erf

    sigma = 0.08
    cdf = np.array(
        [
            [0.5 * (1 + erf((e - t) / (sigma * np.sqrt(2)))) for e in reco_edges]
            for t in true_nodes
        ]
    )
    return 0.95 * np.diff(cdf, axis=1)


def build_dataset(nx: int, ny: int, arrays: dict):
    """A fluxprofile MapDataset on the arrays (used in place, no copies)."""
    from astropy import units as u

    from fluxprofile import EDispKernelMap, Map, MapAxis, MapDataset, WcsGeom

    energy_axis = MapAxis.from_energy_bounds(
        E_MIN * u.GeV, E_MAX * u.GeV, nbin=N_RECO, name="energy"
    )
    true_axis = MapAxis.from_nodes(
        np.geomspace(E_MIN, E_MAX, N_TRUE) * u.GeV, name="energy_true", interp="log"
    )
    kw = {
        "skydir": (0, 0),
        "binsz": BINSZ,
        "width": (nx * BINSZ, ny * BINSZ),
        "frame": "galactic",
        "proj": "CAR",
    }
    geom = WcsGeom.create(axes=[energy_axis], **kw)
    geom_true = WcsGeom.create(axes=[true_axis], **kw)
    return MapDataset(
        counts=Map(geom, arrays["counts"]),
        background=Map(geom, arrays["background"]),
        exposure=Map(geom_true, arrays["exposure"], unit="cm2 s"),
        mask_safe=Map(geom, arrays["mask_safe"]),
        edisp=EDispKernelMap(edisp_kernel(), true_axis, energy_axis),
        name=f"synthetic-{nx}x{ny}",
    )


def make_regions(kind: str, n: int, nx: int, ny: int, wcs) -> list:
    """The N regions of a case (see the module docstring)."""
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    from fluxprofile import (
        make_concentric_annulus_sky_regions,
        make_orthogonal_rectangle_sky_regions,
    )

    if kind == "boxes":
        half = 0.45 * nx * BINSZ
        return make_orthogonal_rectangle_sky_regions(
            start_pos=SkyCoord(half, 0, unit="deg", frame="galactic"),
            end_pos=SkyCoord(-half, 0, unit="deg", frame="galactic"),
            wcs=wcs,
            height=0.3 * ny * BINSZ * u.deg,
            nbin=n,
        )
    if kind == "annuli":
        return make_concentric_annulus_sky_regions(
            center=SkyCoord(0, 0, unit="deg", frame="galactic"),
            radius_max=0.45 * ny * BINSZ * u.deg,
            nbin=n + 1,
        )
    msg = f"kind must be 'boxes' or 'annuli', got {kind!r}"
    raise ValueError(msg)


# -- one case (in a subprocess) ---------------------------------------------------------------
def _proc_status(key: str) -> float:
    """A /proc/self/status entry in bytes (e.g. VmRSS, VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return float(line.split()[1]) * 1024.0
    return float("nan")


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def profile_digest(profile) -> str:
    """sha256 over the bytes of every array of a FluxPoints result (bitwise comparison)."""
    digest = hashlib.sha256()
    for name in sorted(profile.available_quantities):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(getattr(profile, name).data).tobytes())
    return digest.hexdigest()


def run_case(
    size: str, kind: str, n: int, n_jobs: int, repeat: int, cache_dir: Path
) -> dict:
    """Time one case in this process; returns the measurements (see module docstring)."""
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # empty sub-pixel boxes warn; they are counted instead
        return _run_case(size, kind, n, n_jobs, repeat, cache_dir)


def _run_case(
    size: str, kind: str, n: int, n_jobs: int, repeat: int, cache_dir: Path
) -> dict:
    nx, ny = parse_size(size)
    paths = make_cube_files(nx, ny, cache_dir)
    from astropy import units as u

    from fluxprofile import FluxProfileEstimator, PowerLawSpectralModel, _core
    from fluxprofile.regions import sky_regions_to_pixel_shapes

    def make_estimator(regions):
        return FluxProfileEstimator(
            regions,
            spectral_model=PowerLawSpectralModel(index=2.3),
            energy_edges=[10, 100, 500] * u.GeV,
            selection_optional=["ul"],
            n_jobs=n_jobs,
        )

    # Warm-up on a tiny map: lazy imports and first-call costs, without touching the inputs.
    tiny = build_dataset(
        80,
        40,
        {
            "counts": np.ones((N_RECO, 40, 80), np.int32),
            "background": np.ones((N_RECO, 40, 80), np.float32),
            "exposure": np.full((N_TRUE, 40, 80), 3e11, np.float32),
            "mask_safe": np.ones((N_RECO, 40, 80), bool),
        },
    )
    make_estimator(make_regions(kind, 4, 80, 40, tiny.counts.geom.wcs)).run(tiny)
    del tiny
    gc.collect()
    rss_imports = _proc_status("VmRSS")

    arrays = {name: np.load(path) for name, path in paths.items()}
    input_bytes = sum(a.nbytes for a in arrays.values())
    dataset = build_dataset(nx, ny, arrays)
    regions = make_regions(kind, n, nx, ny, dataset.counts.geom.wcs)
    shapes = sky_regions_to_pixel_shapes(regions, dataset.counts.geom.wcs)
    offsets = _core.region_pixels(shapes, nx, ny, 1).offsets
    npix = np.diff(offsets)
    estimator = make_estimator(regions)
    del shapes, offsets
    gc.collect()
    rss_before = _proc_status("VmRSS")
    reset = _reset_peak_rss()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0
    start = time.perf_counter()
    estimator.run(dataset)  # first run on the inputs: memory, not timed
    first = time.perf_counter() - start
    peak_first = _proc_status("VmHWM") if reset else float("nan")
    rss_after_first = _proc_status("VmRSS")
    reset = reset and _reset_peak_rss()
    times = []
    while len(times) < repeat:
        start = time.perf_counter()
        profile = estimator.run(dataset)
        times.append(time.perf_counter() - start)
        # long cases: fewer timed runs (median of 3, or a single run above 10 s)
        if times[0] > 10.0 or (times[0] > 1.0 and len(times) >= 3):
            break
    peak_steady = _proc_status("VmHWM") if reset else float("nan")
    peak = (
        max(peak_first, peak_steady)
        if reset
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0
    )
    return {
        "size": size,
        "kind": kind,
        "n": n,
        "n_jobs": n_jobs,
        "nx": nx,
        "ny": ny,
        "times": times,
        "median": statistics.median(times),
        "pixels_covered": int(npix.sum()),
        "n_empty": int(np.sum(npix == 0)),
        "input_bytes": input_bytes,
        "rss_imports": rss_imports,
        "rss_before": rss_before,
        "peak": peak,
        "peak_first": peak_first,
        "peak_steady": peak_steady,
        "rss_after_first": rss_after_first,
        "peak_is_hwm": reset,
        "maxrss_before": maxrss_before,
        "first_run": first,
        "loadavg": os.getloadavg(),
        "digest": profile_digest(profile),
    }


def run_case_subprocess(size, kind, n, n_jobs, repeat, cache_dir) -> dict:
    """`run_case` in a fresh interpreter (clean peak-RSS accounting)."""
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        json.dumps([size, kind, n, n_jobs, repeat, str(cache_dir)]),
    ]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"case {size} {kind} {n} n_jobs={n_jobs} failed:\n{done.stderr[-3000:]}"
        raise RuntimeError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- report -----------------------------------------------------------------------------------
def machine_description() -> str:
    """CPU model, cores, memory, Python."""
    cpu = platform.processor() or "?"
    mem = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {float(line.split()[1]) / 1024**2:.0f} GB RAM"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, numpy {np.__version__}"


def merge_best(runs: list[list[dict]]) -> tuple[list[dict], int]:
    """One result per case from several grid runs: the lower median; also how many cases had a choice.

    Bitwise identity is checked over all runs: a differing digest in any run is kept visible
    (the digest of a case's kept row is replaced by a marker when its runs disagree).
    """
    best: dict[tuple, dict] = {}
    seen: dict[tuple, int] = {}
    digests: dict[tuple, set] = {}
    for run in runs:
        for r in run:
            key = (r["size"], r["kind"], r["n"], r["n_jobs"])
            seen[key] = seen.get(key, 0) + 1
            digests.setdefault(key[:3], set()).add(r["digest"])
            if key not in best or r["median"] < best[key]["median"]:
                best[key] = r
    merged = []
    for key, r in best.items():
        if len(digests[key[:3]]) > 1:
            r = {**r, "digest": f"differs-across-runs-{key[3]}"}
        merged.append(r)
    return merged, sum(1 for c in seen.values() if c > 1)


def same_run_speedups(runs: list[list[dict]], names: list[str]) -> list[str]:
    """n_jobs=2 speed-ups on the largest map with both n_jobs measured in the same grid run."""
    out = []
    for name, run in zip(names, runs, strict=False):
        by_key = {(r["size"], r["kind"], r["n"], r["n_jobs"]): r for r in run}
        pairs = [
            (by_key[(*k[:3], 1)], r)
            for k, r in by_key.items()
            if k[3] == 2 and (*k[:3], 1) in by_key
        ]
        if not pairs:
            continue
        biggest = max(
            parse_size(one["size"])[0] * parse_size(one["size"])[1] for one, _ in pairs
        )
        pairs = [
            (one, two)
            for one, two in pairs
            if parse_size(one["size"])[0] * parse_size(one["size"])[1] == biggest
        ]
        loads = [r["loadavg"][0] for pair in pairs for r in pair]
        out.append(
            f"- same-run n_jobs=2 speed-ups, {name} (1-min load {min(loads):.1f}-{max(loads):.1f}): "
            + ", ".join(
                f"{one['kind']} {one['n']}: {one['median'] / two['median']:.2f}x"
                for one, two in pairs
            )
        )
    return out


def check_identical(results: list[dict]) -> list[str]:
    """Cases whose digests differ between n_jobs values."""
    by_case: dict[tuple, set] = {}
    for r in results:
        by_case.setdefault((r["size"], r["kind"], r["n"]), set()).add(r["digest"])
    return [
        f"{s} {k} {n}" for (s, k, n), digests in by_case.items() if len(digests) > 1
    ]


def format_table(results: list[dict]) -> str:
    """Markdown table of all cases."""
    by_key = {(r["size"], r["kind"], r["n"], r["n_jobs"]): r for r in results}
    lines = [
        (
            "| map | regions | N | empty | pixels covered | n_jobs | median [ms] (runs) | first run [ms] | us / covered pixel "
            "| speed-up n_jobs=2 | inputs [MB] | peak RSS [MB] | run extra [MB] | attributable / (1.2 inputs + 50 MB) "
            "| bitwise = across n_jobs |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    bad = set(check_identical(results))
    for r in results:
        case = f"{r['size']} {r['kind']} {r['n']}"
        one = by_key.get((r["size"], r["kind"], r["n"], 1))
        speedup = (
            f"{one['median'] / r['median']:.2f}x" if one and r["n_jobs"] != 1 else ""
        )
        attributable = r["peak"] - r["rss_imports"]
        budget = 1.2 * r["input_bytes"] + 50 * MB
        lines.append(
            f"| {r['size']} | {r['kind']} | {r['n']} | {r['n_empty']} | {r['pixels_covered']} | {r['n_jobs']} "
            f"| {1e3 * r['median']:.1f} ({len(r['times'])}) | {1e3 * r.get('first_run', float('nan')):.1f} | {1e6 * r['median'] / max(r['pixels_covered'], 1):.3f} | {speedup} "
            f"| {r['input_bytes'] / MB:.0f} | {r['peak'] / MB:.0f} | {(r['peak'] - r['rss_before']) / MB:.0f} "
            f"| {attributable / budget:.2f} | {'no' if case in bad else 'yes'} |"
        )
    return "\n".join(lines)


def acceptance(results: list[dict]) -> list[str]:
    """Issue 5's scaling targets, evaluated on the measured grid."""
    by_key = {(r["size"], r["kind"], r["n"], r["n_jobs"]): r for r in results}
    out = []
    largest = max((parse_size(r["size"]) for r in results), key=lambda s: s[0] * s[1])
    big = f"{largest[0]}x{largest[1]}"
    r = by_key.get((big, "boxes", 1000, 1))
    if r:
        out.append(
            f"- 1000 boxes on {big}x{N_RECO}, n_jobs=1: {1e3 * r['median']:.0f} ms "
            f"(target < 500 ms: {'met' if r['median'] < 0.5 else 'NOT met'}); first run on a new "
            f"estimator (sky->pixel conversion included): {1e3 * r['first_run']:.0f} ms "
            f"({'met' if r['first_run'] < 0.5 else 'NOT met'})"
        )
    for kind in KINDS:
        for a, b in ((200, 1000), (1000, 5000)):
            ra, rb = by_key.get((big, kind, a, 1)), by_key.get((big, kind, b, 1))
            if ra and rb:
                ratio = rb["median"] / ra["median"]
                first = rb["first_run"] / ra["first_run"]
                out.append(
                    f"- {big} {kind}: {b} vs {a} regions (same area), n_jobs=1: {ratio:.2f}x "
                    f"(target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}); first runs "
                    f"{1e3 * ra['first_run']:.0f} -> {1e3 * rb['first_run']:.0f} ms: {first:.2f}x"
                )
    for kind in KINDS:
        per_pixel = []
        for size in SIZES:
            ra = by_key.get((size, kind, 200, 1))
            if ra:
                per_pixel.append(
                    f"{size}: {1e9 * ra['median'] / ra['pixels_covered']:.0f} ns"
                )
        if per_pixel:
            out.append(
                f"- linear in pixels, {kind}, N=200, n_jobs=1, time per covered pixel: "
                + ", ".join(per_pixel)
            )
    speedups = [
        (by_key[(r["size"], r["kind"], r["n"], 1)]["median"] / r["median"], r)
        for r in results
        if r["n_jobs"] == 2
        and (r["size"], r["kind"], r["n"], 1) in by_key
        and r["size"] == big
    ]
    if speedups:
        s, r = max(
            speedups,
            key=lambda t: (
                t[1]["median"] * 0
                + by_key[(t[1]["size"], t[1]["kind"], t[1]["n"], 1)]["median"]
            ),
        )
        out.append(
            f"- n_jobs=2 speed-up on the largest case ({big} {r['kind']} {r['n']}): {s:.2f}x "
            f"(target >= 1.7x: {'met' if s >= 1.7 else 'NOT met'}); on all {big} cases: "
            + ", ".join(f"{t[1]['kind']} {t[1]['n']}: {t[0]:.2f}x" for t in speedups)
        )
    worst = max(
        results,
        key=lambda r: (
            (r["peak"] - r["rss_imports"]) / (1.2 * r["input_bytes"] + 50 * MB)
        ),
    )
    ratio = (worst["peak"] - worst["rss_imports"]) / (
        1.2 * worst["input_bytes"] + 50 * MB
    )
    out.append(
        f"- memory: worst case {worst['size']} {worst['kind']} {worst['n']} n_jobs={worst['n_jobs']}: "
        f"peak - RSS after imports = {(worst['peak'] - worst['rss_imports']) / MB:.0f} MB for "
        f"{worst['input_bytes'] / MB:.0f} MB of inputs, {ratio:.2f} of the budget 1.2 x inputs + 50 MB "
        f"({'met' if ratio <= 1 else 'NOT met'})"
    )
    bad = check_identical(results)
    out.append(
        f"- bitwise identical across n_jobs: {'all cases' if not bad else 'NOT in ' + ', '.join(bad)}"
    )
    return out


def plot(results: list[dict], path: Path) -> None:
    """Time and memory versus region count and pixels covered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    markers = {"boxes": "s", "annuli": "o"}
    styles = {1: "-", 2: "--"}
    sizes = [s for s in SIZES if any(r["size"] == s for r in results)]
    colors = dict(zip(sizes, ["C0", "C1", "C2", "C3"], strict=False))
    for size in sizes:
        for kind in KINDS:
            for n_jobs in JOBS:
                rows = sorted(
                    (
                        r
                        for r in results
                        if (r["size"], r["kind"], r["n_jobs"]) == (size, kind, n_jobs)
                    ),
                    key=lambda r: r["n"],
                )
                if not rows:
                    continue
                n = [r["n"] for r in rows]
                label = f"{size} {kind} n_jobs={n_jobs}"
                kw = {
                    "color": colors[size],
                    "ls": styles.get(n_jobs, ":"),
                    "marker": markers[kind],
                }
                axes[0].plot(n, [1e3 * r["median"] for r in rows], label=label, **kw)
                axes[1].plot(
                    n,
                    [1e9 * r["median"] / max(r["pixels_covered"], 1) for r in rows],
                    **kw,
                )
                axes[2].plot(
                    n,
                    [
                        (r["peak"] - r["rss_imports"])
                        / (1.2 * r["input_bytes"] + 50 * MB)
                        for r in rows
                    ],
                    **kw,
                )
    axes[0].set(
        xscale="log", yscale="log", xlabel="regions", ylabel="run time [ms] (median)"
    )
    axes[0].axhline(500, color="k", lw=0.5)
    axes[1].set(
        xscale="log",
        yscale="log",
        xlabel="regions",
        ylabel="time per covered pixel [ns]",
    )
    axes[2].set(
        xscale="log",
        xlabel="regions",
        ylabel="(peak RSS - RSS after imports) / (1.2 inputs + 50 MB)",
    )
    axes[2].axhline(1.0, color="k", lw=0.5)
    axes[0].legend(fontsize=6, ncol=2)
    fig.suptitle(
        f"FluxProfileEstimator.run scaling ({N_RECO} reco x {N_TRUE} true energy bins)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def update_readme(text: str, readme: Path = HERE / "README.md") -> None:
    """Replace the scaling section of bench/README.md (between its markers)."""
    old = readme.read_text() if readme.exists() else ""
    block = f"{README_BEGIN}\n{text}\n{README_END}"
    if README_BEGIN in old and README_END in old:
        head, rest = old.split(README_BEGIN, 1)
        old = head + block + rest.split(README_END, 1)[1]
    else:
        old = old.rstrip() + "\n\n" + block + "\n"
    readme.write_text(old)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=SIZES)
    parser.add_argument("--counts", nargs="+", type=int, default=COUNTS)
    parser.add_argument("--kinds", nargs="+", default=KINDS, choices=KINDS)
    parser.add_argument("--jobs", nargs="+", type=int, default=JOBS)
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed runs per case (median)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "fluxprofile-scaling",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        help="re-render table, plot and README from saved results (several files: "
        "per case the run with the lower median)",
    )
    parser.add_argument(
        "--load-note",
        default="load average not recorded",
        help="machine-load note for results without recorded load",
    )
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        size, kind, n, n_jobs, repeat, cache = json.loads(args.child)
        print(json.dumps(run_case(size, kind, n, n_jobs, repeat, Path(cache))))
        return 0

    results, n_better = (
        merge_best([json.loads(f.read_text()) for f in args.from_json])
        if args.from_json
        else ([], 0)
    )
    for size in [] if args.from_json else args.sizes:
        make_cube_files(*parse_size(size), args.cache_dir)
        for kind in args.kinds:
            for n in args.counts:
                for n_jobs in args.jobs:
                    r = run_case_subprocess(
                        size, kind, n, n_jobs, args.repeat, args.cache_dir
                    )
                    results.append(r)
                    print(
                        f"{size:>9} {kind:>6} N={n:<5} n_jobs={n_jobs}: {1e3 * r['median']:8.1f} ms, "
                        f"peak {r['peak'] / MB:6.0f} MB (inputs {r['input_bytes'] / MB:.0f} MB)",
                        file=sys.stderr,
                        flush=True,
                    )
    table = format_table(results)
    summary = acceptance(results)
    if args.from_json and len(args.from_json) > 1:
        summary += same_run_speedups(
            [json.loads(f.read_text()) for f in args.from_json],
            [f.name for f in args.from_json],
        )
    loads = [r["loadavg"][0] for r in results if "loadavg" in r]
    load = (
        f"1-min load average {min(loads):.1f}-{max(loads):.1f} during the cases"
        if loads
        else args.load_note
    )
    text = "\n".join(
        [
            f"Machine: {machine_description()}, {load}. Median of {max(len(r['times']) for r in results)} runs (3 when a run takes > 1 s, 1 above 10 s) after one warm-up, each case "
            f"in a fresh process ({time.strftime('%Y-%m-%d')})."
            + (
                f" {n_better} cases were measured in {len(args.from_json)} grid runs; the run with the lower "
                "median is shown for each (loaded machine)."
                if n_better
                else ""
            ),
            "",
            table,
            "",
            *summary,
        ]
    )
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if not args.no_plot:
        plot(results, HERE / "scaling.png")
    if not args.no_readme:
        update_readme(text)
    return 0 if not check_identical(results) else 1


if __name__ == "__main__":
    sys.exit(main())
