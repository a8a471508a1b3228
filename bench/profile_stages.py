"""Where the time and memory of `FluxProfileEstimator.run` go, stage by stage.

The estimator runs unchanged; this script wraps the functions it calls (region conversion,
region centres and distances, ``MapDataset.npred``/``mask``, the array preparation, the C++
``reduce_regions`` and ``fit_norms``, the kernel lookup, ``fit_groups`` and the FluxPoints
construction) with timers, and in a second pass with tracemalloc (numpy allocations; the
C++ core's own buffers are not traced, its resident peak is read from VmHWM instead).
Times are inclusive (a stage includes the stages it calls), medians over ``--repeat`` runs.

Cases: the two seed cases on the Fermi-LAT file, and synthetic cubes of bench/scaling.py
(e.g. ``1600x800:boxes:1000``)::

    python bench/profile_stages.py
    python bench/profile_stages.py --cases rect annulus 1600x800:boxes:5000 --cprofile 25
    python bench/profile_stages.py --cold --cases rect   # geometry recomputed every run

The estimator caches its region geometry (pixel shapes, centres, distance axis), so repeated
runs skip the sky->pixel conversion; ``--cold`` drops that cache before every run to profile a
first run (what a script building one estimator per profile pays).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
import tracemalloc
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

__all__ = ["main"]

MB = 1024.0**2


class StageRecorder:
    """Wraps functions; accumulates inclusive wall time and tracemalloc peaks per stage."""

    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.peaks: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.trace = False
        self._stack: list[list[float]] = []
        self._patches: list[tuple] = []

    def wrap(self, owner, attr: str, label: str) -> None:
        original = getattr(owner, attr)
        is_property = isinstance(original, property)
        func = original.fget if is_property else original
        recorder = self

        def wrapper(*args, **kwargs):
            frame = recorder._enter()
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                recorder._exit(label, frame, time.perf_counter() - start)

        self._patches.append((owner, attr, original))
        setattr(owner, attr, property(wrapper) if is_property else wrapper)

    def restore(self) -> None:
        for owner, attr, original in reversed(self._patches):
            setattr(owner, attr, original)
        self._patches.clear()

    def _enter(self):
        if not self.trace:
            return None
        current, peak = tracemalloc.get_traced_memory()
        if self._stack:
            self._stack[-1][1] = max(self._stack[-1][1], peak)
        tracemalloc.reset_peak()
        frame = [current, 0.0]
        self._stack.append(frame)
        return frame

    def _exit(self, label, frame, elapsed) -> None:
        self.times.setdefault(label, []).append(elapsed)
        self.calls[label] = self.calls.get(label, 0) + 1
        if frame is None:
            return
        self._stack.pop()
        peak = max(frame[1], tracemalloc.get_traced_memory()[1])
        self.peaks[label] = max(self.peaks.get(label, 0.0), peak - frame[0])
        if self._stack:
            self._stack[-1][1] = max(self._stack[-1][1], peak)
        tracemalloc.reset_peak()


class _CoreProxy:
    """Stands in for `fluxprofile._core` inside a pipeline module so calls can be timed."""

    def __init__(self, core):
        self.__dict__["_core"] = core

    def __getattr__(self, name):
        return getattr(self.__dict__["_core"], name)

    def __setattr__(self, name, value):
        self.__dict__[name] = value


def _proxy_core(recorder: StageRecorder, module) -> _CoreProxy:
    """Replace ``module._core`` by a proxy (restored with the other patches)."""
    proxy = _CoreProxy(module._core)
    module._core = proxy
    recorder._patches.append((module, "_core", proxy.__dict__["_core"]))
    return proxy


def instrument(recorder: StageRecorder) -> None:
    """Wrap the stages of `FluxProfileEstimator.run`."""
    import fluxprofile.estimator as est_mod
    import fluxprofile.pipeline.fit as fit_mod
    import fluxprofile.pipeline.geometry as geometry_mod
    import fluxprofile.pipeline.reduce as reduce_mod
    import fluxprofile.pipeline.signal as signal_mod
    from fluxprofile import MapDataset

    reduce_core = _proxy_core(recorder, reduce_mod)
    fit_core = _proxy_core(recorder, fit_mod)
    recorder.wrap(est_mod.FluxProfileEstimator, "run", "run (total)")
    recorder.wrap(geometry_mod, "projected_distances", "regions: projected_distances")
    recorder.wrap(geometry_mod, "region_centers", "regions: region_centers")
    recorder.wrap(
        geometry_mod,
        "sky_regions_to_pixel_shapes",
        "regions: sky_regions_to_pixel_shapes",
    )
    recorder.wrap(est_mod, "reduce_datasets", "reduce_datasets (total)")
    recorder.wrap(geometry_mod, "_solid_angle_image", "  pixel solid angles (cold)")
    recorder.wrap(MapDataset, "npred", "  npred() (background clip copy)")
    recorder.wrap(MapDataset, "mask", "  dataset.mask (mask_safe & mask_fit)")
    recorder.wrap(
        reduce_mod, "core_array", "  core_array (bool->uint8 view / contiguity)"
    )
    recorder.wrap(reduce_core, "reduce_regions_many", "  C++ reduce_regions")
    recorder.wrap(signal_mod, "_kernels", "  edisp kernel lookup")
    recorder.wrap(signal_mod, "_true_energy_integrals", "  model integrals (true bins)")
    recorder.wrap(est_mod, "fit_groups", "fit_groups (total)")
    recorder.wrap(fit_core, "fit_norms", "  C++ fit_norms")
    recorder.wrap(est_mod.FluxProfileEstimator, "_warn_empty", "_warn_empty")
    recorder.wrap(est_mod.FluxProfileEstimator, "_quantities", "_quantities")
    recorder.wrap(est_mod, "FluxPoints", "FluxPoints(...)")


def build_case(spec: str, n_jobs: int):
    """(dataset, estimator, description) for 'rect', 'annulus' or 'NXxNY:kind:N'."""
    warnings.simplefilter("ignore")
    if spec in ("rect", "annulus"):
        from cases import annulus_seed_estimator, rect_seed_estimator, shared_dir

        from fluxprofile import MapDataset

        dataset = MapDataset.read(
            shared_dir() / "data" / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz",
            name="fermi-dataset",
        )
        if spec == "rect":
            return (
                dataset,
                rect_seed_estimator(dataset.counts.geom.wcs, n_jobs=n_jobs),
                "fermi_rect_seed",
            )
        return dataset, annulus_seed_estimator(n_jobs=n_jobs), "fermi_annulus_seed"
    import tempfile

    from astropy import units as u
    from scaling import build_dataset, make_cube_files, make_regions, parse_size

    from fluxprofile import FluxProfileEstimator, PowerLawSpectralModel

    size, kind, n = spec.split(":")
    nx, ny = parse_size(size)
    paths = make_cube_files(nx, ny, Path(tempfile.gettempdir()) / "fluxprofile-scaling")
    dataset = build_dataset(nx, ny, {name: np.load(p) for name, p in paths.items()})
    regions = make_regions(kind, int(n), nx, ny, dataset.counts.geom.wcs)
    estimator = FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 100, 500] * u.GeV,
        selection_optional=["ul"],
        n_jobs=n_jobs,
    )
    return dataset, estimator, f"synthetic {size} {kind} N={n}"


@contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _drop_geometry_cache(estimator) -> None:
    """Forget the cached region geometry and solid angles (the next run recomputes them)."""
    from fluxprofile.pipeline.geometry import clear_caches

    clear_caches()


def profile_case(
    spec: str, n_jobs: int, repeat: int, cprofile_lines: int, cold: bool = False
) -> str:
    """Markdown report of one case (``cold``: region geometry recomputed in every run)."""
    dataset, estimator, title = build_case(spec, n_jobs)
    if cold:
        title += ", cold (geometry cache dropped before every run)"

    def estimator_run(data):
        # looked up at call time, so that the instrumented `run` is the one called
        if cold:
            _drop_geometry_cache(estimator)
        return estimator.run(data)

    with _quiet():
        estimator.run(dataset)  # warm-up
    recorder = StageRecorder()
    instrument(recorder)
    try:
        with _quiet():
            for _ in range(repeat):
                estimator_run(dataset)
            recorder.trace = True
            tracemalloc.start()
            times_backup = {k: list(v) for k, v in recorder.times.items()}
            estimator_run(dataset)
            tracemalloc.stop()
            recorder.trace = False
            recorder.times = times_backup
    finally:
        recorder.restore()
    inputs = sum(
        m.data.nbytes
        for m in (
            dataset.counts,
            dataset.background,
            dataset.exposure,
            dataset.mask_safe,
        )
        if m is not None
    )
    total = statistics.median(recorder.times["run (total)"])
    lines = [
        f"### {title}, n_jobs={n_jobs} (inputs {inputs / MB:.1f} MB, {len(estimator.regions)} regions)",
        "",
        "| stage (inclusive) | calls/run | median [ms] | % of run | numpy peak during stage [MB] |",
        "|---|---|---|---|---|",
    ]
    for label, times in recorder.times.items():
        per_run = recorder.calls[label] / (repeat + 1)
        # times of a stage called k times per run: sum per run, then median over runs
        k = max(round(per_run), 1)
        sums = [sum(times[i : i + k]) for i in range(0, len(times) - k + 1, k)]
        med = statistics.median(sums)
        peak = recorder.peaks.get(label)
        lines.append(
            f"| {label} | {per_run:g} | {1e3 * med:.2f} | {100 * med / total:.0f}% "
            f"| {'' if peak is None else f'{peak / MB:.1f}'} |"
        )
    if cprofile_lines:
        profiler = cProfile.Profile()
        with _quiet():
            profiler.enable()
            estimator_run(dataset)
            profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(
            cprofile_lines
        )
        body = stream.getvalue().strip().splitlines()
        start = next((i for i, line in enumerate(body) if "ncalls" in line), 0)
        lines += [
            "",
            "cProfile, one run, sorted by own time:",
            "",
            "```",
            *body[start:],
            "```",
        ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases",
        nargs="+",
        default=["rect", "annulus", "1600x800:boxes:1000", "1600x800:boxes:5000"],
    )
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--cprofile", type=int, default=0, help="also print the top N cProfile lines"
    )
    parser.add_argument(
        "--cold", action="store_true", help="drop the geometry cache before every run"
    )
    args = parser.parse_args(argv)
    for spec in args.cases:
        print(profile_case(spec, args.n_jobs, args.repeat, args.cprofile, args.cold))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
