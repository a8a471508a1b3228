"""The argument parser of the ``fluxprofile`` command and the parsers of its values.

Each value parser turns one option's text into the value the commands use (angles and
energies as `~astropy.units.Quantity` in degrees or with their unit) or raises
`argparse.ArgumentTypeError`, which argparse reports as a one-line usage error.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from astropy import units as u
from astropy.coordinates import Angle, frame_transform_graph

from .. import __version__
from ..vocabulary import FLUX_SED_TYPES, OPTIONAL_QUANTITIES, PLOT_SED_TYPES
from .compare import add_compare_arguments
from .errors import PROG, UsageError

__all__ = ["TABLE_SED_TYPES", "build_parser", "join_negative_positions"]

#: SED types of the written and printed tables ("likelihood" first: the default).
TABLE_SED_TYPES: tuple[str, ...] = ("likelihood", *FLUX_SED_TYPES)


# --------------------------------------------------------------------------------------
# Value parsers (they raise ArgumentTypeError: argparse reports a usage error)
# --------------------------------------------------------------------------------------
def _angle(text: str, *, name: str = "angle", positive: bool = True) -> u.Quantity:
    """An angle in degrees (a bare number) or with a unit, as a Quantity in deg."""
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


def _positive_angle(text: str) -> u.Quantity:
    return _angle(text, name="angle")


def _lonlat(text: str) -> tuple[u.Quantity, u.Quantity]:
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


def _energy_edges(text: str) -> u.Quantity:
    """'10,100,2000 GeV' -> an energy Quantity array (at least two increasing edges)."""
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
        msg = (
            f"invalid energy edges {text!r}: at least two edges are needed ({example})"
        )
        raise argparse.ArgumentTypeError(msg)
    if not all(0 < v < float("inf") for v in values) or any(
        b <= a for a, b in itertools.pairwise(values)
    ):
        msg = f"invalid energy edges {text!r}: edges must be positive, finite and increasing"
        raise argparse.ArgumentTypeError(msg)
    return u.Quantity(values, unit)


def _quantity(kind: str, example: str) -> Callable[[str], u.Quantity]:
    """A parser of one positive finite quantity with a unit equivalent to ``example``'s."""

    def parse(text: str) -> u.Quantity:
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

    parse.__name__ = kind  # argparse names the type in its own messages
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
    """Optional quantities, comma or space separated; "all" and "none" as in the estimator."""
    items = [t for t in re.split(r"[,\s]+", text.strip().lower()) if t]
    if items in (["none"], []):
        return []
    if "all" in items:
        return list(OPTIONAL_QUANTITIES)
    unknown = [t for t in items if t not in OPTIONAL_QUANTITIES]
    if unknown:
        msg = (
            f"invalid selection {', '.join(unknown)!r}: choose among "
            f"{', '.join(OPTIONAL_QUANTITIES)}, all or none"
        )
        raise argparse.ArgumentTypeError(msg)
    return list(dict.fromkeys(items))


def _frame(text: str) -> str:
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

    def error(self, message: str) -> None:  # type: ignore[override]
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


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``fluxprofile run``, ``info`` and ``demo``.

    Returns
    -------
    parser : `argparse.ArgumentParser`
        Its usage errors raise `~fluxprofile.cli.errors.UsageError` (one line) instead of
        exiting; ``--help`` and ``--version`` exit with status 0.
    """
    parser = _Parser(
        prog=PROG,
        description="Flux profiles of gamma-ray sky maps (a fast, C++-accelerated FluxProfileEstimator).",
        epilog=_MAIN_EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
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
    run.add_argument(
        "datasets",
        nargs="+",
        metavar="DATASET",
        help="DL4 dataset FITS file(s), fitted jointly",
    )

    rect = run.add_argument_group("rectangles (boxes along a line)")
    rect.add_argument(
        "--start", type=_lonlat, metavar="LON,LAT", help="first end of the line"
    )
    rect.add_argument(
        "--end", type=_lonlat, metavar="LON,LAT", help="second end of the line"
    )
    rect.add_argument(
        "--height",
        type=_positive_angle,
        metavar="DEG",
        help="height of every box (required)",
    )

    ann = run.add_argument_group("annuli (concentric rings)")
    ann.add_argument(
        "--center", type=_lonlat, metavar="LON,LAT", help="common centre of the annuli"
    )
    ann.add_argument(
        "--radius-max",
        type=_positive_angle,
        metavar="DEG",
        help="outer radius of the last annulus (required)",
    )
    ann.add_argument(
        "--radius-min",
        type=_positive_angle,
        metavar="DEG",
        help="inner radius of the first annulus (default: 1e-5 deg, as Gammapy)",
    )

    path = run.add_argument_group("path (boxes following a polyline)")
    path.add_argument(
        "--path",
        type=Path,
        metavar="FILE",
        help="text, CSV or ECSV file of lon,lat positions (see below)",
    )
    path.add_argument(
        "--width",
        type=_positive_angle,
        metavar="DEG",
        help="width of the boxes across the path (required)",
    )
    path.add_argument(
        "--bin-size",
        type=_positive_angle,
        metavar="DEG",
        help="length of the boxes along the path (instead of --nbin)",
    )

    geo = run.add_argument_group("all region kinds")
    geo.add_argument(
        "--nbin",
        type=_positive_int,
        metavar="N",
        help="number of profile bins: boxes or annuli (default: 10 for rectangles and annuli; "
        "paths need --nbin or --bin-size). Note: N annuli are Gammapy's nbin=N+1 radius edges",
    )
    geo.add_argument(
        "--frame",
        type=_frame,
        metavar="FRAME",
        help="frame of the positions: galactic, icrs, fk5, ... (default: the frame of the first dataset's map)",
    )

    spec = run.add_argument_group("spectrum and energy groups")
    spec.add_argument(
        "--energy-edges",
        type=_energy_edges,
        metavar="EDGES",
        help='edges of the energy groups with a unit, e.g. "10,100,2000 GeV"; snapped to the '
        "datasets' energy bins, each group showing the range it fits; groups beyond the data give NaN "
        "rows, groups spanning no energy bin are left out (default: one group over the whole energy "
        "range of the first dataset)",
    )
    spec.add_argument(
        "--index",
        type=_finite_float,
        default=2.0,
        help="index of the power-law reference spectrum (default: 2)",
    )
    spec.add_argument(
        "--amplitude",
        type=_quantity("amplitude", "1e-12 cm-2 s-1 TeV-1"),
        metavar="QUANTITY",
        help='amplitude of the reference spectrum (default: "1e-12 cm-2 s-1 TeV-1"; only scales the norms)',
    )
    spec.add_argument(
        "--reference",
        type=_quantity("reference energy", "1 TeV"),
        metavar="QUANTITY",
        help='reference energy of the power law (default: "1 TeV")',
    )
    spec.add_argument(
        "--sum-over-energy-groups",
        action="store_true",
        help="collapse each energy group to a single bin before fitting",
    )

    est = run.add_argument_group("estimator")
    est.add_argument(
        "--selection",
        type=_selection,
        default=["ul"],
        metavar="LIST",
        help=f"optional quantities, comma separated among {', '.join(OPTIONAL_QUANTITIES)}; "
        "or all, or none (default: ul)",
    )
    est.add_argument(
        "--n-sigma",
        type=_positive_float,
        default=1.0,
        help="sigma of the errors (default: 1)",
    )
    est.add_argument(
        "--n-sigma-ul",
        type=_positive_float,
        default=2.0,
        help="sigma of the upper limits (default: 2)",
    )
    est.add_argument(
        "--containment",
        choices=("center", "exact"),
        default="center",
        help="pixels of a region: those whose centre is inside (Gammapy's rule, default) or all "
        "pixels weighted by the fraction of their area inside (exact)",
    )
    est.add_argument(
        "--n-jobs",
        type=_positive_int,
        metavar="N",
        help="number of threads (default: all cores)",
    )

    out = run.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        action="append",
        type=Path,
        metavar="FILE",
        default=[],
        help="write the profile table: .fits/.fits.gz (FITS) or .ecsv (ECSV); may be repeated",
    )
    out.add_argument(
        "--sed-type",
        choices=TABLE_SED_TYPES,
        default="likelihood",
        help="SED type of the table (file and standard output) (default: likelihood)",
    )
    out.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="plot the profile (points with errors, upper limits as arrows) to FILE (.png, .pdf, .svg, ...)",
    )
    out.add_argument(
        "--plot-sed-type",
        choices=PLOT_SED_TYPES,
        metavar="SED_TYPE",
        help=f"SED type of the plot: {', '.join(PLOT_SED_TYPES[:-1])} or {PLOT_SED_TYPES[-1]} "
        "(default: --sed-type, or flux when that is likelihood)",
    )
    out.add_argument(
        "--per-solid-angle",
        action="store_true",
        help="surface brightness: fluxes per steradian in the table and plot",
    )
    add_compare_arguments(out)
    out.add_argument(
        "--overwrite", action="store_true", help="overwrite existing output files"
    )
    out.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar and no messages (errors and warnings remain)",
    )

    # -- info -------------------------------------------------------------------------
    info = sub.add_parser(
        "info",
        help="describe a dataset file (geometry, energy axes, totals, masks)",
        description=textwrap.fill(
            "Describe DL4 dataset files: map geometry (shape, frame, projection, pixel size, "
            "centre), energy axes with their edges, counts and background per energy bin, "
            "exposure range, masks, energy dispersion, GTI, name (and the off counts, "
            "acceptances and alpha of on-off datasets).",
            88,
        ),
        epilog=_INFO_EPILOG,
        formatter_class=_HelpFormatter,
    )
    info.add_argument(
        "datasets", nargs="+", metavar="DATASET", help="DL4 dataset FITS file(s)"
    )

    # -- demo -------------------------------------------------------------------------
    demo = sub.add_parser(
        "demo",
        help="run the tutorial profiles on a built-in simulated dataset",
        description=textwrap.fill(
            "Simulate the built-in Fermi-LAT-like Galactic-centre dataset and print the "
            "tutorial's longitude profile (49 boxes) and radial profile (10 annuli, two energy "
            "groups).",
            88,
        ),
        epilog=_DEMO_EPILOG,
        formatter_class=_HelpFormatter,
    )
    demo.add_argument(
        "--seed", type=int, default=0, help="seed of the simulated dataset (default: 0)"
    )
    demo.add_argument(
        "--n-jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="threads (default: all cores)",
    )
    return parser


_POSITION_OPTIONS = ("--start", "--end", "--center")


def join_negative_positions(argv: list[str]) -> list[str]:
    """Let ``--start -5,0`` mean ``--start=-5,0`` (argparse would take -5,0 for an option).

    Parameters
    ----------
    argv : list of str
        The command-line arguments.

    Returns
    -------
    argv : list of str
        The same arguments, a position option and a following negative position joined
        by "=".
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if (
            token in _POSITION_OPTIONS
            and i + 1 < len(argv)
            and re.match(r"^-\.?\d", argv[i + 1])
        ):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out
