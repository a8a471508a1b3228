"""The ``fluxprofile`` command line: ``run``, ``info`` and ``demo``.

``fluxprofile run`` measures a profile (rectangles along a line, concentric annuli or
boxes along a path) on one or more DL4 dataset files and writes it as a FITS or ECSV
table and/or a PNG plot; ``fluxprofile info`` describes a dataset file; ``fluxprofile
demo`` runs the tutorial's two profiles on the built-in simulated dataset.

Exit status: 0 on success, 1 on an input or data error, 2 on a usage error. Errors are
reported on one line of standard error (``fluxprofile: error: ...``), never as a
traceback (set ``FLUXPROFILE_DEBUG=1`` to get the traceback of an unexpected error).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import itertools
import os
import re
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

__all__ = ["main", "run_demo"]

PROG = "fluxprofile"
_SELECTION = ("errn-errp", "ul", "scan", "sensitivity")
_TABLE_SED_TYPES = ("likelihood", "dnde", "e2dnde", "flux", "eflux")
_PLOT_SED_TYPES = ("dnde", "e2dnde", "flux", "eflux", "norm")
_TABLE_SUFFIXES = (".fits", ".fits.gz", ".fit", ".fit.gz", ".ecsv")
_MAX_WARNINGS = 10


class UsageError(Exception):
    """A command-line usage error (exit status 2)."""


class InputError(Exception):
    """An input or data error found by the command line itself (exit status 1)."""


# --------------------------------------------------------------------------------------
# Argument types (they raise ArgumentTypeError: argparse reports a usage error)
# --------------------------------------------------------------------------------------
def _angle(text: str, *, name: str = "angle", positive: bool = True):
    from astropy import units as u
    from astropy.coordinates import Angle

    try:
        value = Angle(text.strip(), unit=u.deg)
    except (ValueError, TypeError, u.UnitsError) as err:
        msg = f"invalid {name} {text!r}: expected degrees (e.g. 0.5) or an angle with a unit (e.g. 30arcmin)"
        raise argparse.ArgumentTypeError(msg) from err
    if not value.isscalar or not (abs(value.value) < float("inf")):
        msg = f"invalid {name} {text!r}: expected one finite angle"
        raise argparse.ArgumentTypeError(msg)
    if positive and not value.to_value(u.deg) > 0:
        msg = f"invalid {name} {text!r}: must be positive"
        raise argparse.ArgumentTypeError(msg)
    return u.Quantity(value.to(u.deg))


def _positive_angle(text: str):
    return _angle(text, name="angle")


def _lonlat(text: str):
    """'LON,LAT' (degrees, or angles with units) -> a pair of Quantities in deg."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if len(parts) != 2:
        msg = f"invalid position {text!r}: expected LON,LAT (e.g. 9,0 or 266.4,-28.9)"
        raise argparse.ArgumentTypeError(msg)
    lon = _angle(parts[0], name="longitude", positive=False)
    lat = _angle(parts[1], name="latitude", positive=False)
    if abs(lat.value) > 90:
        msg = f"invalid position {text!r}: latitude must be within [-90, 90] deg"
        raise argparse.ArgumentTypeError(msg)
    return lon, lat


def _energy_edges(text: str):
    """'10,100,2000 GeV' -> an energy Quantity array (at least two increasing edges)."""
    from astropy import units as u

    tokens = [t for t in re.split(r"[,\s]+", text.strip()) if t]
    values: list[float] = []
    while tokens:
        try:
            values.append(float(tokens[0]))
        except ValueError:
            break
        tokens.pop(0)
    unit_text = " ".join(tokens)
    example = "expected values and a unit, e.g. '10,100,2000 GeV'"
    if not unit_text:
        msg = f"invalid energy edges {text!r}: no unit ({example})"
        raise argparse.ArgumentTypeError(msg)
    try:
        unit = u.Unit(unit_text)
    except ValueError as err:
        msg = f"invalid energy edges {text!r}: {unit_text!r} is not a unit ({example})"
        raise argparse.ArgumentTypeError(msg) from err
    if unit.physical_type != "energy":
        msg = f"invalid energy edges {text!r}: {unit_text!r} is not an energy unit ({example})"
        raise argparse.ArgumentTypeError(msg)
    if len(values) < 2:
        msg = f"invalid energy edges {text!r}: at least two edges are needed ({example})"
        raise argparse.ArgumentTypeError(msg)
    if not all(0 < v < float("inf") for v in values) or any(b <= a for a, b in itertools.pairwise(values)):
        msg = f"invalid energy edges {text!r}: edges must be positive, finite and increasing"
        raise argparse.ArgumentTypeError(msg)
    return u.Quantity(values, unit)


def _quantity(kind: str, example: str):
    def parse(text: str):
        from astropy import units as u

        try:
            value = u.Quantity(text)
        except (ValueError, TypeError) as err:
            msg = f"invalid {kind} {text!r}: expected a value with a unit, e.g. {example!r}"
            raise argparse.ArgumentTypeError(msg) from err
        ref = u.Quantity(example)
        if not value.isscalar or not value.unit.is_equivalent(ref.unit):
            msg = f"invalid {kind} {text!r}: expected a value with a unit like {example!r}"
            raise argparse.ArgumentTypeError(msg)
        if not (0 < value.value < float("inf")):
            msg = f"invalid {kind} {text!r}: must be positive and finite"
            raise argparse.ArgumentTypeError(msg)
        return value

    parse.__name__ = kind
    return parse


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as err:
        msg = f"invalid number {text!r}"
        raise argparse.ArgumentTypeError(msg) from err
    if not abs(value) < float("inf"):
        msg = f"invalid number {text!r}: must be finite"
        raise argparse.ArgumentTypeError(msg)
    return value


def _positive_float(text: str) -> float:
    value = _finite_float(text)
    if not value > 0:
        msg = f"invalid number {text!r}: must be positive"
        raise argparse.ArgumentTypeError(msg)
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as err:
        msg = f"invalid integer {text!r}"
        raise argparse.ArgumentTypeError(msg) from err
    if value < 1:
        msg = f"invalid integer {text!r}: must be >= 1"
        raise argparse.ArgumentTypeError(msg)
    return value


def _selection(text: str) -> list[str]:
    items = [t for t in re.split(r"[,\s]+", text.strip().lower()) if t]
    if items in (["none"], []):
        return []
    if "all" in items:
        return list(_SELECTION)
    unknown = [t for t in items if t not in _SELECTION]
    if unknown:
        msg = f"invalid selection {', '.join(unknown)!r}: choose among {', '.join(_SELECTION)}, all or none"
        raise argparse.ArgumentTypeError(msg)
    return list(dict.fromkeys(items))


def _frame(text: str) -> str:
    from astropy.coordinates import frame_transform_graph

    name = text.strip().lower()
    if frame_transform_graph.lookup_name(name) is None:
        msg = f"invalid frame {text!r}: expected an astropy frame name such as galactic, icrs or fk5"
        raise argparse.ArgumentTypeError(msg)
    return name


# --------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (raised, reported by `main`)."""

    def error(self, message: str):  # type: ignore[override]
        msg = f"{message} (see '{self.prog} --help')"
        raise UsageError(msg)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=min(100, _terminal_width()))


def _terminal_width() -> int:
    try:
        return max(60, os.get_terminal_size().columns - 2)
    except OSError:
        return 100


_MAIN_EPILOG = """\
examples:
  fluxprofile demo
  fluxprofile info fermi-3fhl-gc.fits.gz
  fluxprofile run fermi-3fhl-gc.fits.gz --start 9,0 --end 351,0 --height 3 --nbin 49 \\
      --energy-edges "10,2000 GeV" --index 2.3 --output profile.fits --plot profile.png

Run 'fluxprofile COMMAND --help' for the options of a command.
Exit status: 0 success, 1 input or data error, 2 usage error.
"""

_RUN_DESCRIPTION = """\
Measure a flux profile on one or more DL4 map dataset files (MapDataset or, when the
file holds COUNTS_OFF/ACCEPTANCE HDUs, MapDatasetOnOff). Several datasets are fitted
jointly (one norm per profile bin and energy group).

Choose the profile regions with exactly one of:
  rectangles  --start LON,LAT --end LON,LAT --height DEG [--nbin N]
              N boxes along the line from START to END (Gammapy's
              make_orthogonal_rectangle_sky_regions)
  annuli      --center LON,LAT --radius-max DEG [--radius-min DEG] [--nbin N]
              N concentric annuli between the two radii
  path        --path FILE --width DEG (--nbin N | --bin-size DEG)
              boxes of the given width following a polyline of sky positions

Positions are LON,LAT in the frame of --frame (default: the frame of the first
dataset's map): degrees, or angles with units (10d30m, 17h45m40s). Angles (DEG) are
degrees or values with units (30arcmin). A negative longitude can be written directly
(--start -5,0) or as --start=-5,0.

Without --output and --plot the profile is printed as a table on standard output.
A progress bar is shown on standard error when it is a terminal (not with --quiet).
"""

_RUN_EPILOG = """\
examples:
  # the tutorial's longitude profile: 49 boxes of height 3 deg along the Galactic plane
  fluxprofile run fermi-3fhl-gc.fits.gz --start 9,0 --end 351,0 --height 3 --nbin 49 \\
      --energy-edges "10,2000 GeV" --index 2.3 --output profile.fits --plot profile.png

  # a radial profile in 10 annuli out to 1.5 deg, two energy groups, flux table as ECSV
  fluxprofile run fermi-3fhl-gc.fits.gz --center 0,0 --radius-max 1.5 --nbin 10 \\
      --energy-edges "10,100,2000 GeV" --selection ul,scan --output radial.ecsv --sed-type flux

  # boxes 0.5 deg wide and 0.25 deg long along a polyline read from a CSV of lon,lat
  fluxprofile run dataset.fits --path arm.csv --width 0.5 --bin-size 0.25 --plot arm.png

path files: text or CSV with two columns (lon, lat in deg; '#' comments; an optional
header naming the columns lon/lat, glon/glat, l/b or ra/dec), or an ECSV table with such
columns (units honoured). ra/dec columns mean ICRS unless --frame is given.

output files: .fits/.fits.gz give Gammapy's FITS profile layout (readable with
fluxprofile.FluxPoints.read and gammapy's FluxPoints.read), .ecsv an ECSV table.
--output may be repeated to write several files.
"""

_INFO_EPILOG = """\
examples:
  fluxprofile info fermi-3fhl-gc.fits.gz
  fluxprofile info on.fits off.fits
"""

_DEMO_EPILOG = """\
examples:
  fluxprofile demo
  fluxprofile demo --seed 3 --n-jobs 2
"""


def _build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg_version = version("fluxprofile")
    except PackageNotFoundError:  # pragma: no cover - only without an install
        pkg_version = "unknown"

    parser = _Parser(
        prog=PROG,
        description="Flux profiles of gamma-ray sky maps (a fast, C++-accelerated FluxProfileEstimator).",
        epilog=_MAIN_EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {pkg_version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    # -- run --------------------------------------------------------------------------
    run = sub.add_parser(
        "run",
        help="measure a profile on dataset files and write a table and/or a plot",
        description=_RUN_DESCRIPTION,
        epilog=_RUN_EPILOG,
        formatter_class=_HelpFormatter,
    )
    run.add_argument("datasets", nargs="+", metavar="DATASET", help="DL4 dataset FITS file(s), fitted jointly")

    rect = run.add_argument_group("rectangles (boxes along a line)")
    rect.add_argument("--start", type=_lonlat, metavar="LON,LAT", help="first end of the line")
    rect.add_argument("--end", type=_lonlat, metavar="LON,LAT", help="second end of the line")
    rect.add_argument("--height", type=_positive_angle, metavar="DEG", help="height of every box (required)")

    ann = run.add_argument_group("annuli (concentric rings)")
    ann.add_argument("--center", type=_lonlat, metavar="LON,LAT", help="common centre of the annuli")
    ann.add_argument("--radius-max", type=_positive_angle, metavar="DEG", help="outer radius of the last annulus (required)")
    ann.add_argument(
        "--radius-min", type=_positive_angle, metavar="DEG",
        help="inner radius of the first annulus (default: 1e-5 deg, as Gammapy)",
    )

    path = run.add_argument_group("path (boxes following a polyline)")
    path.add_argument("--path", type=Path, metavar="FILE", help="text, CSV or ECSV file of lon,lat positions (see below)")
    path.add_argument("--width", type=_positive_angle, metavar="DEG", help="width of the boxes across the path (required)")
    path.add_argument(
        "--bin-size", type=_positive_angle, metavar="DEG",
        help="length of the boxes along the path (instead of --nbin)",
    )

    geo = run.add_argument_group("all region kinds")
    geo.add_argument(
        "--nbin", type=_positive_int, metavar="N",
        help="number of profile bins: boxes or annuli (default: 10 for rectangles and annuli; "
        "paths need --nbin or --bin-size). Note: N annuli are Gammapy's nbin=N+1 radius edges",
    )
    geo.add_argument(
        "--frame", type=_frame, metavar="FRAME",
        help="frame of the positions: galactic, icrs, fk5, ... (default: the frame of the first dataset's map)",
    )

    spec = run.add_argument_group("spectrum and energy groups")
    spec.add_argument(
        "--energy-edges", type=_energy_edges, metavar="EDGES",
        help="edges of the energy groups with a unit, e.g. \"10,100,2000 GeV\"; snapped to the "
        "datasets' energy bins, each group showing the range it fits; groups beyond the data give NaN "
        "rows, groups spanning no energy bin are left out (default: one group over the whole energy "
        "range of the first dataset)",
    )
    spec.add_argument("--index", type=_finite_float, default=2.0, help="index of the power-law reference spectrum (default: 2)")
    spec.add_argument(
        "--amplitude", type=_quantity("amplitude", "1e-12 cm-2 s-1 TeV-1"), metavar="QUANTITY",
        help="amplitude of the reference spectrum (default: \"1e-12 cm-2 s-1 TeV-1\"; only scales the norms)",
    )
    spec.add_argument(
        "--reference", type=_quantity("reference energy", "1 TeV"), metavar="QUANTITY",
        help="reference energy of the power law (default: \"1 TeV\")",
    )
    spec.add_argument(
        "--sum-over-energy-groups", action="store_true",
        help="collapse each energy group to a single bin before fitting",
    )

    est = run.add_argument_group("estimator")
    est.add_argument(
        "--selection", type=_selection, default=["ul"], metavar="LIST",
        help="optional quantities, comma separated among errn-errp, ul, scan, sensitivity; "
        "or all, or none (default: ul)",
    )
    est.add_argument("--n-sigma", type=_positive_float, default=1.0, help="sigma of the errors (default: 1)")
    est.add_argument("--n-sigma-ul", type=_positive_float, default=2.0, help="sigma of the upper limits (default: 2)")
    est.add_argument(
        "--containment", choices=("center", "exact"), default="center",
        help="pixels of a region: those whose centre is inside (Gammapy's rule, default) or all "
        "pixels weighted by the fraction of their area inside (exact)",
    )
    est.add_argument("--n-jobs", type=_positive_int, metavar="N", help="number of threads (default: all cores)")

    out = run.add_argument_group("output")
    out.add_argument(
        "-o", "--output", action="append", type=Path, metavar="FILE", default=[],
        help="write the profile table: .fits/.fits.gz (FITS) or .ecsv (ECSV); may be repeated",
    )
    out.add_argument(
        "--sed-type", choices=_TABLE_SED_TYPES, default="likelihood",
        help="SED type of the table (file and standard output) (default: likelihood)",
    )
    out.add_argument(
        "--plot", type=Path, metavar="FILE",
        help="plot the profile (points with errors, upper limits as arrows) to FILE (.png, .pdf, .svg, ...)",
    )
    out.add_argument(
        "--plot-sed-type", choices=_PLOT_SED_TYPES, metavar="SED_TYPE",
        help="SED type of the plot: dnde, e2dnde, flux, eflux or norm (default: --sed-type, or flux "
        "when that is likelihood)",
    )
    out.add_argument(
        "--per-solid-angle", action="store_true",
        help="surface brightness: fluxes per steradian in the table and plot",
    )
    out.add_argument("--overwrite", action="store_true", help="overwrite existing output files")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no messages (errors and warnings remain)")

    # -- info -------------------------------------------------------------------------
    info = sub.add_parser(
        "info",
        help="describe a dataset file (geometry, energy axes, totals, masks)",
        description=textwrap.fill(
            "Describe DL4 dataset files: map geometry (shape, frame, projection, pixel size, "
            "centre), energy axes with their edges, counts and background per energy bin, "
            "exposure range, masks, energy dispersion, GTI, name (and the off counts, "
            "acceptances and alpha of on-off datasets).", 88),
        epilog=_INFO_EPILOG,
        formatter_class=_HelpFormatter,
    )
    info.add_argument("datasets", nargs="+", metavar="DATASET", help="DL4 dataset FITS file(s)")

    # -- demo -------------------------------------------------------------------------
    demo = sub.add_parser(
        "demo",
        help="run the tutorial profiles on a built-in simulated dataset",
        description=textwrap.fill(
            "Simulate the built-in Fermi-LAT-like Galactic-centre dataset and print the "
            "tutorial's longitude profile (49 boxes) and radial profile (10 annuli, two energy "
            "groups).", 88),
        epilog=_DEMO_EPILOG,
        formatter_class=_HelpFormatter,
    )
    demo.add_argument("--seed", type=int, default=0, help="seed of the simulated dataset (default: 0)")
    demo.add_argument("--n-jobs", type=_positive_int, default=None, metavar="N", help="threads (default: all cores)")
    return parser


_POSITION_OPTIONS = ("--start", "--end", "--center")


def _join_negative_positions(argv: list[str]) -> list[str]:
    """Let ``--start -5,0`` mean ``--start=-5,0`` (argparse would take -5,0 for an option)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _POSITION_OPTIONS and i + 1 < len(argv) and re.match(r"^-\.?\d", argv[i + 1]):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


# --------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------
class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, desc: str) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    """A tqdm bar on standard error, or a silent stand-in (quiet, not a terminal, no tqdm)."""
    if not enabled or not _isatty(sys.stderr):
        return _NoProgress()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoProgress()
    return tqdm(total=total, file=sys.stderr, leave=False, unit="step", dynamic_ncols=True)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------------------
_KIND_LABEL = {"rectangles": "rectangles", "annuli": "annuli", "path": "path boxes"}
_KIND_OPTIONS = {
    "rectangles": ("start", "end", "height"),
    "annuli": ("center", "radius_max", "radius_min"),
    "path": ("path", "width", "bin_size"),
}


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _region_kind(args) -> str:
    given = {kind: [d for d in dests if getattr(args, d) is not None] for kind, dests in _KIND_OPTIONS.items()}
    leading = {"rectangles": args.start is not None or args.end is not None,
               "annuli": args.center is not None, "path": args.path is not None}
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
    required = {"rectangles": ("start", "end", "height"), "annuli": ("center", "radius_max"),
                "path": ("path", "width")}[kind]
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
    name = path.name.lower()
    for suffix in sorted(_TABLE_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _check_outputs(args) -> None:
    """Fail before any work on bad output names or existing files."""
    outputs = [*args.output, *([args.plot] if args.plot else [])]
    for path in args.output:
        if _suffix(path) not in _TABLE_SUFFIXES:
            msg = f"--output {str(path)!r}: unknown table format; use a .fits, .fits.gz or .ecsv file name"
            raise UsageError(msg)
    if args.plot is not None:
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


def _check_per_solid_angle(args) -> None:
    if not args.per_solid_angle:
        return
    from ..datamodel.flux_points import FluxPoints

    needed = [FluxPoints.to_table, FluxPoints.write] + ([FluxPoints.plot] if args.plot else [])
    if not all(_accepts(f, "per_solid_angle") for f in needed):
        msg = "--per-solid-angle is not supported by this version of fluxprofile"
        raise UsageError(msg)
    table_needed = bool(args.output) or not args.plot
    if table_needed and args.sed_type == "likelihood":
        msg = "--per-solid-angle needs --sed-type dnde, e2dnde, flux or eflux (norms are not per solid angle)"
        raise UsageError(msg)
    if args.plot and _plot_sed_type(args) == "norm":
        msg = "--per-solid-angle needs a --plot-sed-type other than norm"
        raise UsageError(msg)


def _accepts(func, name: str) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _path_function():
    try:
        from ..regions import make_path_sky_regions
    except ImportError as err:
        msg = (
            "path profiles (--path) need fluxprofile.regions.make_path_sky_regions, which this "
            "installation does not have"
        )
        raise InputError(msg) from err
    return make_path_sky_regions


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_LONLAT_NAMES = (("lon", "lat", None), ("glon", "glat", "galactic"), ("l", "b", "galactic"),
                 ("ra", "dec", "icrs"))


def _read_path_file(path: Path, frame: str | None, default_frame: str):
    """Sky positions of a path file -> SkyCoord (frame: --frame, else the file's, else the map's)."""
    import numpy as np
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    path = path.expanduser()
    if not path.is_file():
        msg = f"path file not found: {str(path)!r}"
        raise InputError(msg)
    file_frame = None
    if path.name.lower().endswith(".ecsv"):
        from astropy.table import Table

        try:
            table = Table.read(path, format="ascii.ecsv")
        except Exception as err:  # astropy raises many types on malformed files
            msg = f"cannot read path file {str(path)!r}: {err}"
            raise InputError(msg) from err
        names = {n.lower(): n for n in table.colnames}
        columns = None
        for lon_name, lat_name, kind_frame in _LONLAT_NAMES:
            if lon_name in names and lat_name in names:
                columns = (names[lon_name], names[lat_name])
                file_frame = kind_frame
                break
        if columns is None:
            if len(table.colnames) < 2:
                msg = f"path file {str(path)!r} needs two columns (lon, lat)"
                raise InputError(msg)
            columns = tuple(table.colnames[:2])
        file_frame = table.meta.get("frame", file_frame)
        values = []
        for name in columns:
            col = table[name]
            unit = col.unit if col.unit is not None else u.deg
            try:
                values.append(u.Quantity(np.asarray(col, dtype=float), unit).to_value(u.deg))
            except (TypeError, ValueError, u.UnitsError) as err:
                msg = f"path file {str(path)!r}: column {name!r} is not an angle: {err}"
                raise InputError(msg) from err
        lon, lat = values
    else:
        try:
            lines = path.read_text().splitlines()
        except (OSError, UnicodeDecodeError) as err:
            msg = f"cannot read path file {str(path)!r}: {err}"
            raise InputError(msg) from err
        rows, header = [], None
        for number, line in enumerate(lines, start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = [f for f in re.split(r"[,;\s]+", line) if f]
            if not rows and header is None and not all(_is_number(f) for f in fields):
                header = [f.lower() for f in fields]
                continue
            if len(fields) < 2 or not all(_is_number(f) for f in fields[:2]):
                msg = f"path file {str(path)!r}, line {number}: expected two numbers lon, lat, got {line!r}"
                raise InputError(msg)
            rows.append([float(f) for f in fields])
        if not rows:
            msg = f"path file {str(path)!r} has no positions"
            raise InputError(msg)
        ilon, ilat = 0, 1
        if header is not None:
            for lon_name, lat_name, kind_frame in _LONLAT_NAMES:
                if lon_name in header and lat_name in header:
                    ilon, ilat, file_frame = header.index(lon_name), header.index(lat_name), kind_frame
                    break
        try:
            lon = np.array([r[ilon] for r in rows])
            lat = np.array([r[ilat] for r in rows])
        except IndexError as err:
            msg = f"path file {str(path)!r}: a row has fewer columns than the header"
            raise InputError(msg) from err
    if lon.size < 2:
        msg = f"path file {str(path)!r}: a path needs at least two positions, got {lon.size}"
        raise InputError(msg)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))) or np.any(np.abs(lat) > 90):
        msg = f"path file {str(path)!r}: positions must be finite with |lat| <= 90 deg"
        raise InputError(msg)
    return SkyCoord(lon * u.deg, lat * u.deg, frame=frame or file_frame or default_frame)


def _make_regions(args, kind: str, wcs, map_frame: str) -> list:
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    from ..regions import (
        make_concentric_annulus_sky_regions,
        make_orthogonal_rectangle_sky_regions,
    )

    frame = args.frame or map_frame

    def sky(pair):
        return SkyCoord(pair[0], pair[1], frame=frame)

    if kind == "rectangles":
        return make_orthogonal_rectangle_sky_regions(
            start_pos=sky(args.start), end_pos=sky(args.end), wcs=wcs, height=args.height,
            nbin=args.nbin or 10,
        )
    if kind == "annuli":
        return make_concentric_annulus_sky_regions(
            center=sky(args.center), radius_max=args.radius_max,
            radius_min=args.radius_min if args.radius_min is not None else 1e-5 * u.deg,
            nbin=(args.nbin or 10) + 1,
        )
    make_path_sky_regions = _path_function()
    positions = _read_path_file(args.path, args.frame, map_frame)
    return make_path_sky_regions(positions, args.width, nbin=args.nbin, bin_size=args.bin_size, wcs=wcs)


def _plot_sed_type(args) -> str:
    if args.plot_sed_type:
        return args.plot_sed_type
    return "flux" if args.sed_type == "likelihood" else args.sed_type


def _sb(args) -> dict:
    return {"per_solid_angle": True} if args.per_solid_angle else {}


def _print_profile(profile, args, energy_unit, out) -> None:
    """The profile as a long table: one row per (bin, energy group)."""
    import numpy as np
    from astropy.table import Table

    table = profile.to_table(sed_type=args.sed_type, **_sb(args))
    n_x = len(table)
    n_e = profile.energy_axis.nbin
    prefix = "norm" if args.sed_type == "likelihood" else args.sed_type
    names = ["x_min", "x_max", "e_min", "e_max"]
    names += [n for n in table.colnames if n == prefix or (n.startswith(prefix + "_") and n != f"{prefix}_scan")]
    names += [n for n in ("ts", "sqrt_ts", "counts", "is_ul", "success") if n in table.colnames]
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
        if name in ("x_min", "x_max", "e_min", "e_max", "ts", "sqrt_ts") or name.startswith("norm"):
            long[name].format = ".3f"
        elif name.startswith(prefix):
            long[name].format = ".3e"
        elif name == "counts":
            long[name].format = ".0f"
    for line in long.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)


def _write_plot(profile, args, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    profile.plot(ax=ax, sed_type=_plot_sed_type(args), axis_name="projected-distance", **_sb(args))
    handles, _ = ax.get_legend_handles_labels()
    energy = profile.energy_axis.edges
    if len(handles) == len(energy) - 1:  # one series per energy group: readable energies
        unit = _energy_display_unit(energy)
        labels = [f"{lo:.4g} - {hi:.4g} {unit}" for lo, hi in itertools.pairwise(energy.to_value(unit))]
        ax.legend(handles, labels)
    edges = profile.distance_axis.edges
    ax.set_xlim(edges[0].value, edges[-1].value)  # the whole first and last bins
    ax.set_title(title, fontsize="medium")
    fig.savefig(args.plot.expanduser(), dpi=120)


def _cmd_run(args, out) -> int:

    kind = _region_kind(args)
    _check_outputs(args)
    _check_per_solid_angle(args)
    if kind == "path":
        _path_function()
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

    from ..datamodel.datasets import read_dataset
    from ..estimator import FluxProfileEstimator
    from ..datamodel.spectral import PowerLawSpectralModel

    writes = [*args.output, *([args.plot] if args.plot else [])]
    bar = _progress(len(files) + 1 + len(writes), enabled=not args.quiet)
    try:
        datasets = []
        for file in files:
            bar.set_description(f"read {file.name}")
            dataset = read_dataset(file)
            names = [d.name for d in datasets]
            if dataset.name in names:  # two files whose datasets share a name
                k = 2
                while f"{dataset.name}-{k}" in names:
                    k += 1
                dataset.name = f"{dataset.name}-{k}"
            datasets.append(dataset)
            bar.update()
        first = datasets[0]
        geom = first.counts.geom
        regions = _make_regions(args, kind, geom.wcs, geom.frame)
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
        profile = estimator.run(datasets)
        bar.update()
        names = ", ".join(d.name for d in datasets)
        title = f"{names}: {len(regions)} {_KIND_LABEL[kind]} " + (
            f"({profile.energy_axis.nbin} energy groups)" if profile.energy_axis.nbin > 1 else ""
        )
        written = []
        for path in args.output:
            bar.set_description(f"write {path.name}")
            profile.write(path.expanduser(), sed_type=args.sed_type, overwrite=args.overwrite, **_sb(args))
            written.append(f"wrote {path} ({args.sed_type} profile, {len(regions)} bins x "
                           f"{profile.energy_axis.nbin} energy groups)")
            bar.update()
        if args.plot is not None:
            bar.set_description(f"plot {args.plot.name}")
            _write_plot(profile, args, title.strip())
            written.append(f"wrote {args.plot} ({_plot_sed_type(args)} plot)")
            bar.update()
    finally:
        bar.close()

    if not writes:
        unit = edges.unit if args.energy_edges is not None else _energy_display_unit(profile.energy_axis.edges)
        print(f"Profile of {names}: {len(regions)} {_KIND_LABEL[kind]}, {profile.energy_axis.nbin} energy group(s)", file=out)
        _print_profile(profile, args, unit, out)
    elif not args.quiet:
        for line in written:
            print(line, file=out)
    return 0


# --------------------------------------------------------------------------------------
# info
# --------------------------------------------------------------------------------------
def _energy_display_unit(edges):
    from astropy import units as u

    top = edges.to_value(u.GeV).max()
    return u.TeV if top >= 1e4 else u.GeV


def _fmt_edges(edges, unit) -> str:
    return ", ".join(f"{v:.6g}" for v in edges.to_value(unit))


def _mask_summary(mask, name: str) -> list[str]:
    import numpy as np

    if mask is None:
        return [f"  {name:<14}: none"]
    data = np.asarray(mask.data if hasattr(mask, "data") else mask, dtype=bool)
    n_true, n_all = int(data.sum()), data.size
    lines = [f"  {name:<14}: {n_true} of {n_all} bins ({100.0 * n_true / n_all:.1f}%)"]
    per_bin = data.reshape(data.shape[0], -1).sum(axis=1)
    n_pix = data[0].size
    if np.all(data == data[:1]):
        image = data[0]
        text = f"the same in every energy bin: {int(per_bin[0])} of {n_pix} pixels"
        if image.any():
            iy, ix = np.nonzero(image)
            text += f", within x {ix.min()}..{ix.max()}, y {iy.min()}..{iy.max()} (0-based)"
        lines.append(f"  {'':<14}  {text}")
    else:
        lines.append(f"  {'':<14}  pixels per energy bin: {', '.join(str(int(v)) for v in per_bin)} of {n_pix}")
    return lines


def _gti_summary(gti) -> str:
    import numpy as np

    if gti is None or len(gti) == 0:
        return "none"
    names = {n.upper(): n for n in gti.colnames}
    if "START" in names and "STOP" in names:
        start, stop = gti[names["START"]], gti[names["STOP"]]
        try:
            duration = np.sum(np.asarray(stop - start, dtype=float))
            unit = getattr(start, "unit", None) or gti.meta.get("TIMEUNIT", "s")
            first = np.min(np.asarray(start, dtype=float))
            last = np.max(np.asarray(stop, dtype=float))
            return (f"{len(gti)} interval(s), total {duration:.6g} {unit}, from {first:.10g} to "
                    f"{last:.10g} {unit}")
        except (TypeError, ValueError):
            pass
    return f"{len(gti)} interval(s)"


def _dataset_info(file: Path, out) -> None:
    import numpy as np
    from astropy import units as u
    from astropy.table import Table

    from ..datamodel.datasets import MapDatasetOnOff, read_dataset

    dataset = read_dataset(file)
    geom = dataset.counts.geom
    nx, ny = geom.npix
    scales = geom.pixel_scales.to_value(u.deg)
    centre = geom.center_skydir
    lon_lat = ("ra", "dec") if geom.frame in ("icrs", "fk5", "fk4") else ("lon", "lat")
    clon = centre.spherical.lon.to_value(u.deg)
    clat = centre.spherical.lat.to_value(u.deg)
    width = geom.width.to_value(u.deg)
    p = lambda *a: print(*a, file=out)

    p(f"{file}")
    p(f"  {'name':<14}: {dataset.name}")
    p(f"  {'type':<14}: {type(dataset).__name__} ({dataset.stat_type} statistic)")
    p("Geometry")
    p(f"  {'shape':<14}: {nx} x {ny} pixels ({lon_lat[0]} x {lon_lat[1]})")
    p(f"  {'frame':<14}: {geom.frame}")
    p(f"  {'projection':<14}: {geom.projection}")
    p(f"  {'pixel size':<14}: {scales[0]:.6g} x {scales[1]:.6g} deg")
    p(f"  {'centre':<14}: {lon_lat[0]} {clon:.4f} deg, {lon_lat[1]} {clat:.4f} deg")
    p(f"  {'width':<14}: {width[0]:.6g} x {width[1]:.6g} deg")

    reco = dataset.energy_axis
    true = dataset.energy_axis_true
    unit = _energy_display_unit(reco.edges)
    p(f"Energy axes ({unit})")
    p(f"  {'reco':<14}: {reco.nbin} bins, {reco.edges[0].to_value(unit):.6g} - {reco.edges[-1].to_value(unit):.6g} {unit}")
    p(f"  {'':<14}  edges: {_fmt_edges(reco.edges, unit)}")
    p(f"  {'true':<14}: {true.nbin} bins (node type {true.node_type}), "
      f"{true.edges[0].to_value(unit):.6g} - {true.edges[-1].to_value(unit):.6g} {unit}")
    p(f"  {'':<14}  edges: {_fmt_edges(true.edges, unit)}")

    mask = dataset.mask
    counts = np.asarray(dataset.counts.data, dtype=np.float64)
    table = Table()
    table["bin"] = np.arange(reco.nbin)
    table["e_min"] = reco.edges[:-1].to_value(unit)
    table["e_max"] = reco.edges[1:].to_value(unit)
    table["e_min"].unit = table["e_max"].unit = unit
    table["counts"] = counts.sum(axis=(1, 2))
    background = None if dataset.background is None else np.asarray(dataset.background.data, dtype=np.float64)
    if background is not None:
        table["background"] = background.sum(axis=(1, 2))
    if mask is not None:
        table["counts_safe"] = np.where(mask, counts, 0).sum(axis=(1, 2))
        if background is not None:
            table["background_safe"] = np.where(mask, background, 0).sum(axis=(1, 2))
    if isinstance(dataset, MapDatasetOnOff) and dataset.counts_off is not None:
        table["counts_off"] = np.asarray(dataset.counts_off.data, dtype=np.float64).sum(axis=(1, 2))
    for name in table.colnames:
        if name.startswith(("counts", "background")):
            table[name].format = ".2f" if name.startswith("background") else ".0f"
        elif name.startswith("e_"):
            table[name].format = ".6g"
    p("Totals per reco energy bin (safe: inside the combined mask)")
    for line in table.pformat(max_lines=-1, max_width=-1):
        p(f"  {line}")
    total = f"  {'total':<14}: counts {counts.sum():.0f}"
    if mask is not None:
        total += f" ({table['counts_safe'].sum():.0f} safe)"
    if background is not None:
        total += f", background {background.sum():.2f}"
        if mask is not None:
            total += f" ({table['background_safe'].sum():.2f} safe)"
    else:
        total += ", no background"
    p(total)

    exposure = dataset.exposure.quantity
    p(f"  {'exposure':<14}: {np.nanmin(exposure.value):.4g} - {np.nanmax(exposure.value):.4g} {exposure.unit} "
      f"(min - max over all pixels and true-energy bins)")
    if isinstance(dataset, MapDatasetOnOff):
        for name in ("acceptance", "acceptance_off"):
            value = getattr(dataset, name, None)
            if value is not None:
                p(f"  {name:<14}: {np.nanmin(value.data):.4g} - {np.nanmax(value.data):.4g}")
        try:
            alpha = np.asarray(dataset.alpha.data, dtype=float)
            sel = alpha[mask] if mask is not None else alpha
            sel = sel[np.isfinite(sel)]
            if sel.size:
                p(f"  {'alpha':<14}: {sel.min():.4g} - {sel.max():.4g}" + (" (safe bins)" if mask is not None else ""))
        except (AttributeError, TypeError, ValueError):
            pass
    p("Masks")
    for line in _mask_summary(dataset.mask_safe, "mask_safe"):
        p(line)
    for line in _mask_summary(dataset.mask_fit, "mask_fit"):
        p(line)
    p("Other")
    p(f"  {'edisp':<14}: {repr(dataset.edisp) if dataset.edisp is not None else 'none (diagonal response)'}")
    p(f"  {'gti':<14}: {_gti_summary(dataset.gti)}")
    meta = dataset.meta_table
    if meta is not None and len(meta) > 0:
        items = ", ".join(f"{n}={meta[n][0]}" for n in meta.colnames)
        p(f"  {'meta':<14}: {items}")


def _cmd_info(args, out) -> int:
    files = [Path(p).expanduser() for p in args.datasets]
    for file in files:
        if not file.is_file():
            msg = f"dataset file not found: {str(file)!r}"
            raise InputError(msg)
    for i, file in enumerate(files):
        if i:
            print(file=out)
        _dataset_info(file, out)
    return 0


# --------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------
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

    from ..demo import make_example_dataset
    from ..estimator import FluxProfileEstimator
    from ..datamodel.spectral import PowerLawSpectralModel
    from ..regions import (
        make_concentric_annulus_sky_regions,
        make_orthogonal_rectangle_sky_regions,
    )

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
    table = longitude.to_table(sed_type="likelihood", formatted=True)[columns]
    for line in table.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)

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
    table = table[["x_ref", "e_min", "e_max", "flux", "flux_err", "flux_ul", "ts"]]
    for line in table.pformat(max_lines=-1, max_width=-1):
        print(line, file=out)
    return longitude, radial


def _cmd_demo(args, out) -> int:
    run_demo(seed=args.seed, n_jobs=args.n_jobs, out=out)
    return 0


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error_message(err: BaseException) -> str:
    if isinstance(err, KeyError):
        key = err.args[0] if err.args else ""
        return f"missing entry {key!r}" if not isinstance(key, str) or " " not in key else key
    if isinstance(err, OSError) and err.strerror and getattr(err, "filename", None):
        return f"{err.strerror}: {err.filename!r}"
    return _one_line(str(err)) or type(err).__name__


def _report_warnings(caught, err_stream) -> None:
    seen: list[str] = []
    for item in caught:
        text = _one_line(str(item.message))
        if text not in seen:
            seen.append(text)
    for text in seen[:_MAX_WARNINGS]:
        print(f"{PROG}: warning: {text}", file=err_stream)
    if len(seen) > _MAX_WARNINGS:
        print(f"{PROG}: warning: ... and {len(seen) - _MAX_WARNINGS} more warnings", file=err_stream)


_COMMANDS = {"run": _cmd_run, "info": _cmd_info, "demo": _cmd_demo}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fluxprofile`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        Exit status: 0 on success, 1 on an input or data error, 2 on a usage error
        (each error is reported on one line of standard error).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    err_stream = sys.stderr
    try:
        args = _build_parser().parse_args(_join_negative_positions(argv))
    except UsageError as err:
        print(f"{PROG}: error: {_one_line(str(err))}", file=err_stream)
        return 2
    debug = bool(os.environ.get("FLUXPROFILE_DEBUG"))
    status = 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = _COMMANDS[args.command](args, sys.stdout)
            sys.stdout.flush()
        except UsageError as err:
            print(f"{PROG}: error: {_one_line(str(err))} (see '{PROG} {args.command} --help')", file=err_stream)
            status = 2
        except BrokenPipeError:
            # The reader of standard output went away (e.g. `| head`): stop quietly.
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            status = 1
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=err_stream)
            status = 130
        except (InputError, ValueError, TypeError, OSError, KeyError, ImportError, MemoryError) as err:
            # InvalidInput (the compiled core's input errors) is a ValueError.
            if debug:
                raise
            print(f"{PROG}: error: {_error_message(err)}", file=err_stream)
            status = 1
        except Exception as err:
            if debug:
                raise
            print(
                f"{PROG}: error: unexpected {type(err).__name__}: {_error_message(err)} "
                "(set FLUXPROFILE_DEBUG=1 for the traceback)",
                file=err_stream,
            )
            status = 1
    _report_warnings(caught, err_stream)
    return status
