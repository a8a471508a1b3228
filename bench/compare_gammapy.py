"""Time fluxprofile against Gammapy 2.1 on the seed cases, in one invocation.

Default: the pipeline table of issue 14 (docs/performance.rst): four rows, each call with
a freshly read dataset and a new estimator, n_jobs=1 on both sides:

* seed 51-box profile, ``run``; seed 10-annulus profile, ``run``;
* read fermi-3fhl-gc + ``run`` (boxes), the read timed too;
* HAWC joint radial profile over its five nHit datasets (``run``).

Gammapy runs in a subprocess (``bench/gammapy_worker.py``) of ``--gammapy-python``
(default: ``$FLUXPROFILE_GAMMAPY_PYTHON``, else ``.venv-gammapy/bin/python`` in the
repository root, made with ``python -m venv .venv-gammapy && .venv-gammapy/bin/pip install
gammapy==2.1 "regions<0.11" iminuit healpy``; this interpreter when it imports gammapy), so
one invocation times both sides; the norms of both are compared. fluxprofile's caches of
the data-independent work (geometry, solid angles) are warm after the first call, as in
a pipeline; the "cold" columns empty them before every call (the first run of a process).
``--update-readme`` writes the table into the README's performance section.

``--seed-variants`` adds the older, more detailed seed table described below.

Rows (n_jobs=1 for both unless the row says otherwise; one untimed warm-up call per row):

(a) ``run`` on fermi_rect_seed (51 boxes, one energy group, ul);
(b) ``run`` on fermi_annulus_seed (10 annuli, two groups, ul + scan);
(c) end to end: read the file, build both estimators and run both profiles.

Rows (a) and (b) build a new estimator (regions included) for every call, as a user script
does once per profile. Because fluxprofile caches the region geometry (pixel shapes, centres,
distance axis) on the estimator, (a) and (b) also get two fluxprofile-only variants:

* ``run only``: a new estimator per call, built outside the timer (cold geometry cache), i.e.
  exactly ``estimator.run(dataset)`` the first time;
* ``run, reused``: the same estimator called repeatedly (geometry cached), the situation of
  pipelines that run one profile on many datasets/realisations.

Their ratios use Gammapy's run time without the construction (Gammapy's construction is timed
separately and subtracted; it is < 0.1 % of its run).

fluxprofile rows are repeated ``--repeat`` times (default 20, at least 5), Gammapy rows
``--gammapy-repeat`` times (default 3; one rect run takes ~9 s). When Gammapy is importable
the script also checks that both give the same norms (|difference| <= 1 % of Gammapy's
norm_err wherever both are finite) and exits with status 1 if they do not.

Run it from the repository root in an environment holding both packages (the checkout
installed non-editable, so that the timed code is exactly this commit)::

    python -m pip install ".[gammapy]"                       # refresh the installed snapshot
    python bench/compare_gammapy.py
    python bench/compare_gammapy.py --update-readme          # also into bench/README.md

Without Gammapy (``python bench/compare_gammapy.py`` in an environment without it) only the fluxprofile
columns are filled; the ratios then use the Gammapy timings stored in the reference json files
(marked "ref").
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import annulus_seed_estimator, load_case, rect_seed_estimator, shared_dir

__all__ = ["main", "run_comparison"]

TARGETS = {"rect": 1000.0, "annulus": 500.0, "end_to_end": 30.0}
README_BEGIN = "<!-- compare-gammapy:begin -->"
README_END = "<!-- compare-gammapy:end -->"


def dataset_path() -> Path:
    """The Fermi-LAT Galactic-centre dataset file."""
    return shared_dir() / "data" / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"


def timeit_fresh(make, func, repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock times of ``func(make())``, ``make()`` untimed, a new object every call."""
    for _ in range(warmup):
        func(make())
    times = []
    for _ in range(repeat):
        obj = make()
        start = time.perf_counter()
        func(obj)
        times.append(time.perf_counter() - start)
    return times


def timeit(func, repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock times of ``repeat`` calls of ``func`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


# -- fluxprofile ------------------------------------------------------------------------------
class FluxprofileSide:
    """The three workloads on fluxprofile."""

    name = "fluxprofile"

    def __init__(self):
        import fluxprofile

        self.module = fluxprofile
        self.version = getattr(fluxprofile, "__version__", "?")

    def read(self):
        return self.module.MapDataset.read(dataset_path(), name="fermi-dataset")

    def rect(self, dataset, n_jobs=1):
        return rect_seed_estimator(dataset.counts.geom.wcs, n_jobs=n_jobs)

    def annulus(self, dataset, n_jobs=1):
        return annulus_seed_estimator(n_jobs=n_jobs)


# -- gammapy ----------------------------------------------------------------------------------
class GammapySide:
    """The same three workloads on Gammapy (same regions, model, edges and options)."""

    name = "gammapy"

    def __init__(self):
        import gammapy

        self.version = gammapy.__version__

    def read(self):
        from gammapy.datasets import MapDataset

        return MapDataset.read(dataset_path(), name="fermi-dataset")

    def rect(self, dataset, n_jobs=1):
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
            n_jobs=n_jobs,
        )

    def annulus(self, dataset, n_jobs=1):
        from astropy import units as u
        from astropy.coordinates import SkyCoord
        from gammapy.estimators import FluxProfileEstimator
        from gammapy.modeling.models import PowerLawSpectralModel
        from gammapy.utils.regions import make_concentric_annulus_sky_regions

        regions = make_concentric_annulus_sky_regions(
            center=SkyCoord("0d", "0d", frame="galactic"),
            radius_max=1.5 * u.deg,
            nbin=11,
        )
        estimator = FluxProfileEstimator(
            regions=regions,
            spectral_model=PowerLawSpectralModel(index=2.3),
            energy_edges=[10, 100, 2000] * u.GeV,
            selection_optional=["ul", "scan"],
            n_jobs=n_jobs,
        )
        estimator.norm.scan_values = np.linspace(-1, 5, 11)
        return estimator


def end_to_end(side, n_jobs=1):
    """Read the file and run both profiles (estimator construction included)."""
    dataset = side.read()
    rect = side.rect(dataset, n_jobs).run(dataset)
    annulus = side.annulus(dataset, n_jobs).run(dataset)
    return rect, annulus


def compare_norms(ours, theirs, label: str) -> tuple[bool, str]:
    """Same norms within 1 % of Gammapy's norm_err wherever both are finite."""
    a = ours.to_table(format="profile", sed_type="likelihood")
    b = theirs.to_table(format="profile", sed_type="likelihood")
    norm_a = np.asarray(a["norm"], dtype=float)
    norm_b = np.asarray(b["norm"], dtype=float)
    err_b = np.asarray(b["norm_err"], dtype=float)
    if norm_a.shape != norm_b.shape:
        return False, f"{label}: norm shapes differ {norm_a.shape} vs {norm_b.shape}"
    both = np.isfinite(norm_a) & np.isfinite(norm_b) & np.isfinite(err_b)
    nan_mismatch = int(np.sum(np.isfinite(norm_a) != np.isfinite(norm_b)))
    rel = np.abs(norm_a - norm_b)[both] / err_b[both]
    worst = float(rel.max()) if rel.size else float("nan")
    ok = bool(rel.size) and worst <= 0.01
    text = (
        f"{label}: {int(both.sum())} finite norms, max |norm - norm_gammapy| / norm_err_gammapy = "
        f"{worst:.2e} ({'OK' if ok else 'FAIL'} <= 1e-2)"
    )
    if nan_mismatch:
        text += f"; {nan_mismatch} bins finite in only one of them (Gammapy's failed 0-count fits)"
    return ok, text


def reference_gammapy_medians() -> dict:
    """Gammapy's timings stored with the reference cases (median of 3, n_jobs=1)."""
    rect = load_case("fermi_rect_seed")["timing"]
    annulus = load_case("fermi_annulus_seed")["timing"]
    return {
        "rect": rect["estimator_run_median_s"],
        "annulus": annulus["estimator_run_median_s"],
        "end_to_end": rect["MapDataset_read_median_s"]
        + rect["estimator_run_median_s"]
        + annulus["estimator_run_median_s"],
    }


def machine_description() -> str:
    """CPU model, core count, Python and platform."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def run_comparison(
    repeat: int = 20, gammapy_repeat: int = 3, use_gammapy: bool = True, log=print
) -> dict:
    """Time every row; returns the rows, the norm checks and the environment."""
    if repeat < 1 or gammapy_repeat < 1:
        msg = (
            f"repeat and gammapy_repeat must be >= 1, got {repeat} and {gammapy_repeat}"
        )
        raise ValueError(msg)
    fp = FluxprofileSide()
    gp = None
    if use_gammapy:
        try:
            gp = GammapySide()
        except ImportError as error:
            log(
                f"gammapy not importable ({error}); using the reference timings instead"
            )

    fp_data = fp.read()
    gp_data = gp.read() if gp else None
    workloads = {
        "rect": (
            "(a) `run` fermi_rect_seed",
            lambda side, data, n: side.rect(data, n).run(data),
        ),
        "annulus": (
            "(b) `run` fermi_annulus_seed",
            lambda side, data, n: side.annulus(data, n).run(data),
        ),
        "end_to_end": (
            "(c) read + both profiles",
            lambda side, data, n: end_to_end(side, n),
        ),
    }
    reference = reference_gammapy_medians()
    rows = []
    checks = []
    gp_build = {}
    for key, (label, work) in workloads.items():
        gp_times = None
        if gp:
            log(f"gammapy    {label} x{gammapy_repeat} (+1 warm-up) ...")
            gp_times = timeit(lambda work=work: work(gp, gp_data, 1), gammapy_repeat)
            if key in ("rect", "annulus"):
                build = getattr(gp, key)
                gp_build[key] = statistics.median(
                    timeit(lambda build=build: build(gp_data, 1), 5)
                )
        gp_median = statistics.median(gp_times) if gp_times else reference[key]
        variants = [
            (
                "build + run",
                lambda n, work=work: timeit(lambda: work(fp, fp_data, n), repeat),
                gp_median,
            )
        ]
        if key in ("rect", "annulus"):
            build = getattr(fp, key)
            gp_run = gp_median - gp_build.get(key, 0.0)
            variants += [
                (
                    "run only",
                    lambda n, build=build: timeit_fresh(
                        lambda: build(fp_data, n), lambda e: e.run(fp_data), repeat
                    ),
                    gp_run,
                ),
                (
                    "run, reused",
                    lambda n, build=build: _reused(build(fp_data, n), fp_data, repeat),
                    gp_run,
                ),
            ]
        for variant, measure, gp_ref in variants:
            for n_jobs in (1, 2):
                log(f"fluxprofile {label} [{variant}] n_jobs={n_jobs} x{repeat} ...")
                times = measure(n_jobs)
                median = statistics.median(times)
                rows.append(
                    {
                        "key": key,
                        "label": label,
                        "variant": variant,
                        "n_jobs": n_jobs,
                        "fp_median": median,
                        "fp_min": min(times),
                        "fp_n": len(times),
                        "gp_median": gp_ref,
                        "gp_n": len(gp_times) if gp_times else 0,
                        "gp_source": "measured" if gp_times else "ref",
                        "ratio": gp_ref / median,
                        "target": TARGETS[key],
                    }
                )
    if gp:
        for key, label in (
            ("rect", "fermi_rect_seed"),
            ("annulus", "fermi_annulus_seed"),
        ):
            ok, text = compare_norms(
                getattr(fp, key)(fp_data).run(fp_data),
                getattr(gp, key)(gp_data).run(gp_data),
                label,
            )
            checks.append((ok, text))
    env = {
        "machine": machine_description(),
        "fluxprofile": fp.version,
        "gammapy": gp.version if gp else "not importable",
        "numpy": np.__version__,
        "gammapy_build": gp_build,
    }
    return {"rows": rows, "checks": checks, "env": env}


def _reused(estimator, dataset, repeat: int) -> list[float]:
    """Times of repeated ``run`` calls on one estimator (warm-up fills its geometry cache)."""
    return timeit(lambda: estimator.run(dataset), repeat)


def format_table(result: dict) -> str:
    """The markdown table of a `run_comparison` result."""
    lines = [
        (
            f"Machine: {result['env']['machine']}; fluxprofile {result['env']['fluxprofile']}, "
            f"gammapy {result['env']['gammapy']}, numpy {result['env']['numpy']}."
        ),
        "",
        (
            "| case | timed | fluxprofile n_jobs | fluxprofile median [ms] (min, n) | Gammapy n_jobs=1 median [s] (n) "
            "| speed-up | target | met |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        gp = (
            f"{row['gp_median']:.2f} ({row['gp_n']})"
            if row["gp_source"] == "measured"
            else (f"{row['gp_median']:.2f} (ref json)")
        )
        met = "yes" if row["ratio"] >= row["target"] else "**no**"
        lines.append(
            f"| {row['label']} | {row.get('variant', 'build + run')} | {row['n_jobs']} | {1e3 * row['fp_median']:.1f} "
            f"({1e3 * row['fp_min']:.1f}, {row['fp_n']}) | {gp} | {row['ratio']:.0f}x "
            f"| >= {row['target']:.0f}x | {met} |"
        )
    builds = result["env"].get("gammapy_build") or {}
    if builds:
        lines.append("")
        lines.append(
            "- Gammapy estimator construction (subtracted for the `run only` / `run, reused` rows): "
            + ", ".join(f"{key} {1e3 * t:.1f} ms" for key, t in builds.items())
        )
    if result["checks"]:
        lines.append("")
        lines += [f"- norms {text}" for _, text in result["checks"]]
    return "\n".join(lines)


def update_readme(table: str, readme: Path = HERE / "README.md") -> None:
    """Replace the comparison section of bench/README.md (between its markers)."""
    text = readme.read_text() if readme.exists() else ""
    block = f"{README_BEGIN}\n{table}\n{README_END}"
    if README_BEGIN in text and README_END in text:
        head, rest = text.split(README_BEGIN, 1)
        tail = rest.split(README_END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text)


# -- the pipeline table (issue 14) -----------------------------------------------------
PIPELINE_ROWS = {
    "rect": "seed 51-box profile, run",
    "annulus": "seed 10-annulus profile, run",
    "read_rect": "read fermi-3fhl-gc + run (boxes)",
    "hawc": "HAWC joint radial profile, 5 datasets",
}
# (speed-up goal, time goal in s or None) of issue 14
PIPELINE_GOALS = {
    "rect": (3000.0, 4e-3),
    "annulus": (2000.0, 3e-3),
    "read_rect": (200.0, None),
    "hawc": (1000.0, 20e-3),
}
README_TABLE_BEGIN = "<!-- performance-table:begin -->"
README_TABLE_END = "<!-- performance-table:end -->"
# The Gammapy environment's interpreter, relative to the repository (or the environment
# variable): gammapy 2.1 needs regions < 0.11, so it lives beside, not in, this one.
DEFAULT_GAMMAPY_PYTHON = os.environ.get(
    "FLUXPROFILE_GAMMAPY_PYTHON", str(HERE.parent / ".venv-gammapy" / "bin" / "python")
)


def fluxprofile_pipeline_times(
    repeat: int, cold: bool = False, n_jobs: int = 1
) -> tuple[dict, dict]:
    """Times (s) of the four rows on fluxprofile, and the last profile of each row.

    ``times[row]`` are wall-clock times, ``times[row + ":cpu"]`` the process CPU times of
    the same calls (on a loaded machine they show what the calls cost without waiting).
    """
    from cases import fermi_gc_path, hawc_estimator, hawc_yaml_path

    import fluxprofile as fp
    from fluxprofile.pipeline.geometry import clear_caches

    def read_fermi():
        return fp.MapDataset.read(fermi_gc_path(), name="fermi-dataset")

    def timed_run(read, build):
        if cold:
            clear_caches()
        data = read()
        estimator = build(data)
        start, cpu = time.perf_counter(), time.process_time()
        profile = estimator.run(data)
        return time.perf_counter() - start, time.process_time() - cpu, profile

    def read_and_run():
        if cold:
            clear_caches()
        start, cpu = time.perf_counter(), time.process_time()
        data = read_fermi()
        profile = rect_seed_estimator(data.counts.geom.wcs, n_jobs=n_jobs).run(data)
        return time.perf_counter() - start, time.process_time() - cpu, profile

    rows = {
        "rect": lambda: timed_run(
            read_fermi, lambda d: rect_seed_estimator(d.counts.geom.wcs, n_jobs=n_jobs)
        ),
        "annulus": lambda: timed_run(
            read_fermi, lambda d: annulus_seed_estimator(n_jobs=n_jobs)
        ),
        "read_rect": read_and_run,
        "hawc": lambda: timed_run(
            lambda: fp.Datasets.read(hawc_yaml_path()),
            lambda d: hawc_estimator(d, n_jobs=n_jobs),
        ),
    }
    times, profiles = {}, {}
    for key, work in rows.items():
        work()  # warm-up (imports, file system cache; fills the caches unless cold)
        samples, cpu_samples = [], []
        for _ in range(repeat):
            elapsed, cpu, profile = work()
            samples.append(elapsed)
            cpu_samples.append(cpu)
        times[key], profiles[key] = samples, profile
        times[key + ":cpu"] = cpu_samples
    return times, profiles


def gammapy_pipeline_times(python: str, repeat: int, log=print) -> dict | None:
    """Gammapy's side, in a subprocess of ``python`` (None if it fails)."""
    import json
    import subprocess

    cmd = [python, str(HERE / "gammapy_worker.py"), "--repeat", str(repeat)]
    log(f"gammapy side: {' '.join(cmd)}")
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, check=True, timeout=3600
        )
    except (OSError, subprocess.SubprocessError) as error:
        log(f"the Gammapy side failed: {error}")
        return None
    return json.loads(done.stdout)


def _norm_check(profile, gp_norms, label: str) -> tuple[bool, str]:
    table = profile.to_table(format="profile", sed_type="likelihood")
    norm = np.asarray(table["norm"], dtype=float).ravel()
    gp_norm = np.array([np.nan if v is None else v for v in gp_norms[0]])
    gp_err = np.array([np.nan if v is None else v for v in gp_norms[1]])
    if norm.shape != gp_norm.shape:
        return False, f"{label}: norm shapes differ {norm.shape} vs {gp_norm.shape}"
    both = np.isfinite(norm) & np.isfinite(gp_norm) & np.isfinite(gp_err)
    rel = np.abs(norm - gp_norm)[both] / gp_err[both]
    worst = float(rel.max()) if rel.size else float("nan")
    ok = bool(rel.size) and worst <= 0.01
    return ok, (
        f"{label}: {int(both.sum())} finite norms, max |norm - norm_gammapy| / "
        f"norm_err_gammapy = {worst:.2e} ({'OK' if ok else 'FAIL'} <= 1e-2)"
    )


def run_pipeline_comparison(
    repeat: int = 20,
    gammapy_repeat: int = 1,
    gammapy_python: str | None = None,
    log=print,
) -> dict:
    """Both sides of the pipeline table: Gammapy first (subprocess), then fluxprofile."""
    gp = None
    if gammapy_python:
        gp = gammapy_pipeline_times(gammapy_python, gammapy_repeat, log)
    log(f"fluxprofile side: {repeat} calls per row (warm caches) ...")
    warm, profiles = fluxprofile_pipeline_times(repeat)
    log("fluxprofile side: cold caches ...")
    cold, _ = fluxprofile_pipeline_times(max(3, repeat // 4), cold=True)
    log("fluxprofile side: n_jobs=2 ...")
    two, _ = fluxprofile_pipeline_times(repeat, n_jobs=2)
    checks = []
    if gp:
        for key, label in PIPELINE_ROWS.items():
            checks.append(_norm_check(profiles[key], gp["norms"][key], label))
    reference = reference_gammapy_medians()
    import fluxprofile

    return {
        "warm": warm,
        "cold": cold,
        "two": two,
        "gammapy": gp,
        "reference": {
            "rect": reference["rect"],
            "annulus": reference["annulus"],
            "read_rect": load_case("fermi_rect_seed")["timing"][
                "MapDataset_read_median_s"
            ]
            + reference["rect"],
        },
        "checks": checks,
        "env": {
            "machine": machine_description(),
            "fluxprofile": getattr(fluxprofile, "__version__", "?"),
            "gammapy": gp["version"] if gp else "not run",
            "numpy": np.__version__,
            "repeat": repeat,
            "gammapy_repeat": gammapy_repeat,
            "load": _load_average(),
        },
    }


def _load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"


def _ms(values: list[float]) -> str:
    return f"{1e3 * statistics.median(values):.1f} ms"


def format_pipeline_table(result: dict) -> str:
    """The markdown table of `run_pipeline_comparison` (medians; issue 14's goals)."""
    gp = result["gammapy"]
    env = result["env"]
    lines = [
        (
            "| case | Gammapy 2.1 | fluxprofile | speed-up | goal | met | "
            "fluxprofile CPU time | fluxprofile cold (first run) | fluxprofile n_jobs=2 |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label in PIPELINE_ROWS.items():
        fp_median = statistics.median(result["warm"][key])
        if gp:
            gp_median = statistics.median(gp["times"][key])
            gp_text = f"{gp_median:.1f} s"
        elif key in result["reference"]:
            gp_median = result["reference"][key]
            gp_text = f"{gp_median:.1f} s (ref json)"
        else:
            gp_median, gp_text = None, "not run"
        goal_ratio, goal_time = PIPELINE_GOALS[key]
        ratio = gp_median / fp_median if gp_median else None
        met = ratio is not None and ratio >= goal_ratio
        if goal_time is not None:
            met = met or fp_median <= goal_time
        goal = f">= {goal_ratio:.0f}x" + (
            f" (<= {1e3 * goal_time:.0f} ms)" if goal_time is not None else ""
        )
        lines.append(
            f"| {label} | {gp_text} | {_ms(result['warm'][key])} | "
            f"{'n/a' if ratio is None else f'{ratio:.0f}x'} | {goal} | "
            f"{'yes' if met else '**no**'} | {_ms(result['warm'][key + ':cpu'])} | "
            f"{_ms(result['cold'][key])} | "
            f"{_ms(result['two'][key])} |"
        )
    lines += [
        "",
        (
            f"Medians of {env['repeat']} calls (fluxprofile, after one warm-up call) and "
            f"{env['gammapy_repeat']} (Gammapy), each call with a freshly read dataset and "
            "a new estimator, n_jobs=1 unless said; wall-clock times except the CPU "
            "column (process time of the same calls); one run of "
            f"`bench/compare_gammapy.py`, load average {env['load']} during it. "
            f"Machine: {env['machine']}; fluxprofile {env['fluxprofile']}, gammapy "
            f"{env['gammapy']}, numpy {env['numpy']}."
        ),
    ]
    if result["checks"]:
        lines.append("")
        lines += [f"- norms {text}" for _, text in result["checks"]]
    return "\n".join(lines)


def update_main_readme(table: str, readme: Path = HERE.parent / "README.md") -> None:
    """Replace the performance table of README.md (between its markers)."""
    text = readme.read_text()
    if README_TABLE_BEGIN not in text or README_TABLE_END not in text:
        msg = f"{readme}: no {README_TABLE_BEGIN} ... {README_TABLE_END} markers"
        raise ValueError(msg)
    head, rest = text.split(README_TABLE_BEGIN, 1)
    tail = rest.split(README_TABLE_END, 1)[1]
    readme.write_text(f"{head}{README_TABLE_BEGIN}\n{table}\n{README_TABLE_END}{tail}")


def _default_gammapy_python() -> str | None:
    try:
        import gammapy  # noqa: F401
    except ImportError:
        return DEFAULT_GAMMAPY_PYTHON if Path(DEFAULT_GAMMAPY_PYTHON).exists() else None
    return sys.executable


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=20, help="fluxprofile repetitions (>= 5)"
    )
    parser.add_argument(
        "--gammapy-repeat", type=int, default=1, help="Gammapy repetitions"
    )
    parser.add_argument(
        "--gammapy-python",
        default=None,
        help="Python of the Gammapy environment (default: this one if it imports "
        f"gammapy, else {DEFAULT_GAMMAPY_PYTHON})",
    )
    parser.add_argument(
        "--no-gammapy", action="store_true", help="skip Gammapy even if available"
    )
    parser.add_argument(
        "--seed-variants",
        action="store_true",
        help="also the detailed seed table (Gammapy imported in this process)",
    )
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="write the table into README.md (and bench/README.md)",
    )
    args = parser.parse_args(argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    python = (
        None if args.no_gammapy else (args.gammapy_python or _default_gammapy_python())
    )
    result = run_pipeline_comparison(args.repeat, args.gammapy_repeat, python, log)
    table = format_pipeline_table(result)
    print(table)
    ok = all(ok for ok, _ in result["checks"])
    if args.update_readme:
        update_main_readme(table)
        update_readme(table)
    if args.seed_variants:
        seed = run_comparison(
            args.repeat, max(1, args.gammapy_repeat), not args.no_gammapy, log=log
        )
        print()
        print(format_table(seed))
        ok = ok and all(ok for ok, _ in seed["checks"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
