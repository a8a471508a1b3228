"""``fluxprofile run``: measure a profile on dataset files and write a table and/or a plot.

The regions are rectangles along a line, concentric annuli or boxes along a path (read
by `fluxprofile.cli.path_files`); the datasets are fitted jointly with a power-law
reference spectrum by `~fluxprofile.FluxProfileEstimator`. Without --output and --plot the
profile is printed as a long table, one row per profile bin and energy group.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any, Protocol, TextIO

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table
from astropy.wcs import WCS
from regions import SkyRegion
from tqdm.auto import tqdm

from .. import (
    FluxPoints,
    FluxProfileEstimator,
    MapDataset,
    MapDatasetOnOff,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    make_path_sky_regions,
    read_dataset,
)
from ..io.atomic import StagedFiles
from ..vocabulary import FLUX_SED_TYPES
from .compare import check_compare, with_template
from .display import energy_display_unit
from .errors import InputError, UsageError
from .figures import profile_figure, write_plot
from .path_files import read_path_file

__all__ = ["TABLE_SUFFIXES", "run_command"]

#: File names --output accepts (matched case-insensitively, longest first).
TABLE_SUFFIXES: tuple[str, ...] = (".fits", ".fits.gz", ".fit", ".fit.gz", ".ecsv")

_KIND_LABEL = {"rectangles": "rectangles", "annuli": "annuli", "path": "path boxes"}
_KIND_OPTIONS = {
    "rectangles": ("start", "end", "height"),
    "annuli": ("center", "radius_max", "radius_min"),
    "path": ("path", "width", "bin_size"),
}


# --------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------
class _Bar(Protocol):
    def update(self, n: int = 1) -> Any: ...
    def set_description(self, desc: str) -> None: ...
    def close(self) -> None: ...


class _NoProgress:
    """The stand-in of the progress bar when none is shown."""

    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, desc: str) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> _Bar:
    """A tqdm bar on standard error, or a silent stand-in (quiet, or not a terminal)."""
    if not enabled or not _isatty(sys.stderr):
        return _NoProgress()
    return tqdm(
        total=total, file=sys.stderr, leave=False, unit="step", dynamic_ncols=True
    )


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------------------
# Checks and regions
# --------------------------------------------------------------------------------------
def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _region_kind(args: argparse.Namespace) -> str:
    """The kind of profile regions the options choose; a usage error unless exactly one."""
    given = {
        kind: [d for d in dests if getattr(args, d) is not None]
        for kind, dests in _KIND_OPTIONS.items()
    }
    leading = {
        "rectangles": args.start is not None or args.end is not None,
        "annuli": args.center is not None,
        "path": args.path is not None,
    }
    kinds = [k for k, v in leading.items() if v]
    if not kinds:
        others = [d for ds in given.values() for d in ds]
        hint = f" ({_flag(others[0])} alone does not choose them)" if others else ""
        msg = (
            "choose the profile regions: --start/--end (rectangles), --center (annuli) or "
            f"--path (path){hint}"
        )
        raise UsageError(msg)
    if len(kinds) > 1:
        msg = f"give only one kind of profile regions, got {' and '.join(kinds)}"
        raise UsageError(msg)
    kind = kinds[0]
    for other, dests in given.items():
        if other != kind and dests:
            msg = f"{_flag(dests[0])} does not apply to {kind} (it is an option of {other})"
            raise UsageError(msg)
    required = {
        "rectangles": ("start", "end", "height"),
        "annuli": ("center", "radius_max"),
        "path": ("path", "width"),
    }[kind]
    for dest in required:
        if getattr(args, dest) is None:
            msg = f"{'path profiles' if kind == 'path' else kind} need {_flag(dest)}"
            raise UsageError(msg)
    if kind == "path":
        if (args.nbin is None) == (args.bin_size is None):
            msg = "path profiles need exactly one of --nbin and --bin-size"
            raise UsageError(msg)
    elif args.nbin is not None and args.nbin < 2:
        msg = "--nbin must be >= 2: a profile needs at least two bins"
        raise UsageError(msg)
    return kind


def _suffix(path: Path) -> str:
    """The table suffix of a file name (the longest that matches), else its last suffix."""
    name = path.name.lower()
    for suffix in sorted(TABLE_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _check_outputs(args: argparse.Namespace) -> None:
    """Fail before any work on bad output names or existing files."""
    outputs = [*args.output, *([args.plot] if args.plot else [])]
    for path in args.output:
        if _suffix(path) not in TABLE_SUFFIXES:
            msg = f"--output {str(path)!r}: unknown table format; use a .fits, .fits.gz or .ecsv file name"
            raise UsageError(msg)
    if args.plot is not None:
        # matplotlib's figure modules only when a plot is asked for (they take a while).
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        formats = FigureCanvasAgg(Figure()).get_supported_filetypes()
        fmt = args.plot.suffix.lower().lstrip(".")
        if fmt not in formats:
            msg = f"--plot {str(args.plot)!r}: unknown image format; use one of .{', .'.join(sorted(formats))}"
            raise UsageError(msg)
    resolved = [p.expanduser().resolve() for p in outputs]
    if len(set(resolved)) != len(resolved):
        msg = "the same file is given twice as an output"
        raise UsageError(msg)
    for path in outputs:
        path = path.expanduser()
        if path.exists() and not args.overwrite:
            msg = f"output file {str(path)!r} already exists (use --overwrite)"
            raise InputError(msg)
        if not path.parent.is_dir():
            msg = f"cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist"
            raise InputError(msg)


def _check_per_solid_angle(args: argparse.Namespace) -> None:
    """--per-solid-angle needs a flux SED type in the table and in the plot."""
    if not args.per_solid_angle:
        return
    table_needed = bool(args.output) or not args.plot
    if table_needed and args.sed_type == "likelihood":
        flux_types = f"{', '.join(FLUX_SED_TYPES[:-1])} or {FLUX_SED_TYPES[-1]}"
        msg = f"--per-solid-angle needs --sed-type {flux_types} (norms are not per solid angle)"
        raise UsageError(msg)
    if args.plot and _plot_sed_type(args) == "norm":
        msg = "--per-solid-angle needs a --plot-sed-type other than norm"
        raise UsageError(msg)


def _make_regions(
    args: argparse.Namespace, kind: str, wcs: WCS, map_frame: str
) -> list[SkyRegion]:
    """The profile regions the options describe, in the frame of --frame or of the map."""
    frame = args.frame or map_frame

    def sky(pair: tuple[u.Quantity, u.Quantity]) -> SkyCoord:
        return SkyCoord(pair[0], pair[1], frame=frame)

    if kind == "rectangles":
        return make_orthogonal_rectangle_sky_regions(
            start_pos=sky(args.start),
            end_pos=sky(args.end),
            wcs=wcs,
            height=args.height,
            nbin=args.nbin or 10,
        )
    if kind == "annuli":
        return make_concentric_annulus_sky_regions(
            center=sky(args.center),
            radius_max=args.radius_max,
            radius_min=args.radius_min if args.radius_min is not None else 1e-5 * u.deg,
            nbin=(args.nbin or 10) + 1,
        )
    positions = read_path_file(args.path, args.frame, map_frame)
    return make_path_sky_regions(
        positions, args.width, nbin=args.nbin, bin_size=args.bin_size, wcs=wcs
    )


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------
def _plot_sed_type(args: argparse.Namespace) -> str:
    if args.plot_sed_type:
        return args.plot_sed_type
    return "flux" if args.sed_type == "likelihood" else args.sed_type


def _print_profile(
    profile: FluxPoints, args: argparse.Namespace, energy_unit: u.UnitBase, out: TextIO
) -> None:
    """Print the profile as a long table: one row per (bin, energy group)."""
    table = profile.to_table(
        sed_type=args.sed_type, per_solid_angle=args.per_solid_angle
    )
    n_x = len(table)
    n_e = profile.energy_axis.nbin
    prefix = "norm" if args.sed_type == "likelihood" else args.sed_type
    names = ["x_min", "x_max", "e_min", "e_max"]
    names += [
        n
        for n in table.colnames
        if n == prefix or (n.startswith(prefix + "_") and n != f"{prefix}_scan")
    ]
    names += [
        n
        for n in ("ts", "sqrt_ts", "counts", "is_ul", "success")
        if n in table.colnames
    ]
    names += [n for n in table.colnames if n.startswith("template_")]
    long = Table()
    for name in names:
        if name not in table.colnames:
            continue
        column = table[name]
        values = np.asarray(column)
        if values.ndim == 1:
            values = np.repeat(values, n_e)
        else:
            if values.ndim == 3:  # per dataset (counts): summed
                values = values.sum(axis=-1)
            values = values.reshape(n_x * n_e)
        unit = column.unit
        if name in ("e_min", "e_max") and unit is not None:
            values = (values * unit).to_value(energy_unit)
            unit = energy_unit
        long[name] = values
        if unit is not None and str(unit):
            long[name].unit = unit
    for name in long.colnames:
        if name in (
            "x_min",
            "x_max",
            "e_min",
            "e_max",
            "ts",
            "sqrt_ts",
        ) or name.startswith("norm"):
            long[name].format = ".3f"
        elif name.startswith((prefix, "template_")):
            long[name].format = ".3e"
        elif name == "counts":
            long[name].format = ".0f"
    for line in long.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)


def _write_outputs(
    profile: FluxPoints, args: argparse.Namespace, bar: Any, title: str, n_regions: int
) -> list[str]:
    """Write every --output table and the --plot, all or none.

    Each file goes to a temporary file next to its target; the targets are replaced only
    once all are written, so an error or Ctrl-C (KeyboardInterrupt) on the way leaves
    no new or partial file and every existing one as it was.
    """
    written = []
    with StagedFiles("fluxprofile run") as staged:
        for path in args.output:
            bar.set_description(f"write {path.name}")
            profile.write(
                staged.stage(path.expanduser()), sed_type=args.sed_type, overwrite=True,
                per_solid_angle=args.per_solid_angle,
            )  # fmt: skip
            written.append(
                f"wrote {path} ({args.sed_type} profile, {n_regions} bins x "
                f"{profile.energy_axis.nbin} energy groups)"
            )
            bar.update()
        if args.plot is not None:
            bar.set_description(f"plot {args.plot.name}")
            _write_plot(profile, args, title, staged.stage(args.plot.expanduser()))
            written.append(f"wrote {args.plot} ({_plot_sed_type(args)} plot)")
            bar.update()
    return written


def _write_plot(
    profile: FluxPoints, args: argparse.Namespace, title: str, target: Path
) -> None:
    """Plot the profile to ``target`` (a figure of its own: no pyplot state), in the
    format of the suffix of ``args.plot``."""
    figure = profile_figure(
        profile, _plot_sed_type(args), title, yscale=args.yscale,
        per_solid_angle=args.per_solid_angle,
    )  # fmt: skip
    # the staged temporary name keeps the suffix, so the format is that of args.plot
    write_plot(figure, target, overwrite=True)


# Why a profile is all NaN, from the estimator's warnings (fluxprofile.estimator): the
# first kind found is named in the error ({edges}: the requested energies, {data}: those
# of the datasets).
_NAN_REASONS = (
    ("No dataset contribute", "the energy edges {edges} are outside the datasets' energies ({data})"),
    ("no pixel centre", "the regions are off the maps"),
    ("no safe pixel", "the regions have no safe pixel in the energy groups"),
    ("background normalisation alpha", "the on-off background normalisation alpha is undefined"),
)  # fmt: skip


def _measure(
    estimator: FluxProfileEstimator, datasets: list[Any], edges: u.Quantity
) -> FluxPoints:
    """Run the estimator; an error (one line, no file written) if every bin is NaN.

    The estimator's warnings are passed on unless the profile is all NaN, in which case
    the error names the reason they give instead.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile = estimator.run(datasets)
    if not np.all(np.isnan(np.asarray(profile.norm.values, dtype=float))):
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return profile
    texts = [str(w.message) for w in caught]
    reason = next(
        (why for key, why in _NAN_REASONS if any(key in t for t in texts)),
        "no bin could be fitted",
    )
    data = datasets[0].energy_axis.edges[[0, -1]]
    unit = energy_display_unit(data)
    reason = reason.format(
        edges=f"{edges[0].value:.4g}-{edges[-1].value:.4g} {edges.unit}",
        data=f"{data[0].to_value(unit):.4g}-{data[-1].to_value(unit):.4g} {unit}",
    )
    msg = f"every bin of the profile is NaN: {reason}; nothing written"
    raise InputError(msg)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``fluxprofile run``: read the datasets, measure the profile, write or print it.

    Every usage and output check is done before any dataset is read.

    Parameters
    ----------
    args : `argparse.Namespace`
        The parsed arguments of ``fluxprofile run``.
    out : file-like
        Where the table (without --output and --plot) or the "wrote ..." lines go.

    Returns
    -------
    status : int
        0.

    Raises
    ------
    UsageError
        For a wrong combination of options.
    InputError
        For a missing dataset or path file, or an output file that exists or cannot be
        written.
    """
    kind = _region_kind(args)
    _check_outputs(args)
    _check_per_solid_angle(args)
    check_compare(args)
    files = [Path(p).expanduser() for p in args.datasets]
    for file in files:
        if not file.is_file():
            msg = f"dataset file not found: {str(file)!r}"
            raise InputError(msg)
    resolved = [file.resolve() for file in files]
    for i, file in enumerate(resolved):
        if file in resolved[:i]:
            msg = f"dataset file {str(files[i])!r} is given twice"
            raise UsageError(msg)

    writes = [*args.output, *([args.plot] if args.plot else [])]
    bar = _progress(len(files) + 1 + len(writes), enabled=not args.quiet)
    try:
        datasets: list[MapDataset | MapDatasetOnOff] = []
        for file in files:
            bar.set_description(f"read {file.name}")
            dataset = read_dataset(file)
            taken = [d.name for d in datasets]
            if dataset.name in taken:  # two files whose datasets share a name
                k = 2
                while f"{dataset.name}-{k}" in taken:
                    k += 1
                dataset.name = f"{dataset.name}-{k}"
            datasets.append(dataset)
            bar.update()
        first = datasets[0]
        geom = first.counts.geom
        # HEALPix maps: the regions are defined on the sphere (wcs=None, docs/healpix.rst)
        regions = _make_regions(args, kind, getattr(geom, "wcs", None), geom.frame)
        edges = args.energy_edges
        if edges is None:
            edges = first.energy_axis.edges[[0, -1]]
        model_kwargs: dict[str, Any] = {"index": args.index}
        if args.amplitude is not None:
            model_kwargs["amplitude"] = args.amplitude
        if args.reference is not None:
            model_kwargs["reference"] = args.reference
        estimator = FluxProfileEstimator(
            regions,
            spectral_model=PowerLawSpectralModel(**model_kwargs),
            energy_edges=edges,
            selection_optional=args.selection,
            n_sigma=args.n_sigma,
            n_sigma_ul=args.n_sigma_ul,
            sum_over_energy_groups=args.sum_over_energy_groups,
            containment=args.containment,
            n_jobs=args.n_jobs,
        )
        bar.set_description(f"run {len(regions)} regions")
        profile = _measure(estimator, datasets, u.Quantity(edges))
        profile = with_template(profile, args, estimator)  # --compare
        bar.update()
        names = ", ".join(d.name for d in datasets)
        title = f"{names}: {len(regions)} {_KIND_LABEL[kind]} " + (
            f"({profile.energy_axis.nbin} energy groups)"
            if profile.energy_axis.nbin > 1
            else ""
        )
        written = _write_outputs(profile, args, bar, title.strip(), len(regions))
    finally:
        bar.close()

    if not writes:
        unit = (
            edges.unit
            if args.energy_edges is not None
            else energy_display_unit(profile.energy_axis.edges)
        )
        print(
            f"Profile of {names}: {len(regions)} {_KIND_LABEL[kind]}, {profile.energy_axis.nbin} energy group(s)",
            file=out,
        )
        _print_profile(profile, args, unit, out)
    elif not args.quiet:
        for line in written:
            print(line, file=out)
    return 0
