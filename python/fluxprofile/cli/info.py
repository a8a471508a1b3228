"""``fluxprofile info``: describe DL4 dataset files.

For each file: the map geometry (shape, frame, projection, pixel size, centre, width),
the reco and true energy axes with their edges, counts and background per reco energy
bin (all, and inside the combined mask), the exposure range, the masks, the energy
dispersion, the GTI and the meta table; for on-off datasets also the off counts, the
acceptances and the range of alpha.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from astropy import units as u
from astropy.table import Table

from .. import Map, MapDatasetOnOff, read_dataset
from ..datamodel.hpx_geom import is_healpix
from .display import energy_display_unit
from .errors import InputError

__all__ = ["describe_dataset", "info_command"]


def _format_edges(edges: u.Quantity, unit: u.UnitBase) -> str:
    return ", ".join(f"{v:.6g}" for v in edges.to_value(unit))


def _mask_summary(mask: Map | np.ndarray | None, name: str) -> list[str]:
    """Lines on a mask: its true bins, and its pixels per energy bin (or its one image)."""
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
            text += (
                f", within x {ix.min()}..{ix.max()}, y {iy.min()}..{iy.max()} (0-based)"
            )
        lines.append(f"  {'':<14}  {text}")
    else:
        lines.append(
            f"  {'':<14}  pixels per energy bin: {', '.join(str(int(v)) for v in per_bin)} of {n_pix}"
        )
    return lines


def _gti_summary(gti: Table | None) -> str:
    """The number of good time intervals, their total duration and their span."""
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
            return (
                f"{len(gti)} interval(s), total {duration:.6g} {unit}, from {first:.10g} to "
                f"{last:.10g} {unit}"
            )
        except (TypeError, ValueError):
            pass
    return f"{len(gti)} interval(s)"


def describe_dataset(file: Path, out: TextIO) -> None:
    """Print the description of one dataset file.

    Parameters
    ----------
    file : `~pathlib.Path`
        A DL4 dataset file (a MapDataset, or a MapDatasetOnOff when it holds the on-off
        HDUs).
    out : file-like
        Where to print.
    """
    dataset = read_dataset(file)
    geom = dataset.counts.geom

    def p(*items: object) -> None:
        print(*items, file=out)

    p(f"{file}")
    p(f"  {'name':<14}: {dataset.name}")
    p(f"  {'type':<14}: {type(dataset).__name__} ({dataset.stat_type} statistic)")
    p("Geometry")
    if is_healpix(geom):
        sky = (
            "all sky"
            if geom.is_allsky
            else f"partial sky, {geom.region or 'explicit pixels'}"
        )
        p(f"  {'pixels':<14}: {geom.npix[0]} HEALPix pixels ({sky})")
        p(f"  {'nside':<14}: {geom.nside} ({geom.ordering})")
        p(f"  {'frame':<14}: {geom.frame}")
        p(f"  {'pixel size':<14}: {geom.pixel_scales[0].to_value(u.deg):.6g} deg "
          f"({geom.pixel_area.to_value(u.sr):.6g} sr each)")  # fmt: skip
    else:
        _wcs_geometry(geom, p)
    _energy_and_totals(dataset, p)


def _wcs_geometry(geom: Any, p: Any) -> None:
    nx, ny = geom.npix
    scales = geom.pixel_scales.to_value(u.deg)
    centre = geom.center_skydir
    lon_lat = ("ra", "dec") if geom.frame in ("icrs", "fk5", "fk4") else ("lon", "lat")
    clon = centre.spherical.lon.to_value(u.deg)
    clat = centre.spherical.lat.to_value(u.deg)
    width = geom.width.to_value(u.deg)
    p(f"  {'shape':<14}: {nx} x {ny} pixels ({lon_lat[0]} x {lon_lat[1]})")
    p(f"  {'frame':<14}: {geom.frame}")
    p(f"  {'projection':<14}: {geom.projection}")
    p(f"  {'pixel size':<14}: {scales[0]:.6g} x {scales[1]:.6g} deg")
    p(f"  {'centre':<14}: {lon_lat[0]} {clon:.4f} deg, {lon_lat[1]} {clat:.4f} deg")
    p(f"  {'width':<14}: {width[0]:.6g} x {width[1]:.6g} deg")


def _energy_and_totals(dataset: Any, p: Any) -> None:
    reco = dataset.energy_axis
    true = dataset.energy_axis_true
    unit = energy_display_unit(reco.edges)
    p(f"Energy axes ({unit})")
    p(
        f"  {'reco':<14}: {reco.nbin} bins, {reco.edges[0].to_value(unit):.6g} - {reco.edges[-1].to_value(unit):.6g} {unit}"
    )
    p(f"  {'':<14}  edges: {_format_edges(reco.edges, unit)}")
    p(
        f"  {'true':<14}: {true.nbin} bins (node type {true.node_type}), "
        f"{true.edges[0].to_value(unit):.6g} - {true.edges[-1].to_value(unit):.6g} {unit}"
    )
    p(f"  {'':<14}  edges: {_format_edges(true.edges, unit)}")

    mask = dataset.mask
    counts = np.asarray(dataset.counts.data, dtype=np.float64)
    spatial = tuple(range(1, counts.ndim))  # (y, x), or the pixels of a HEALPix cube
    table = Table()
    table["bin"] = np.arange(reco.nbin)
    table["e_min"] = reco.edges[:-1].to_value(unit)
    table["e_max"] = reco.edges[1:].to_value(unit)
    table["e_min"].unit = table["e_max"].unit = unit
    table["counts"] = counts.sum(axis=spatial)
    background = (
        None
        if dataset.background is None
        else np.asarray(dataset.background.data, dtype=np.float64)
    )
    if background is not None:
        table["background"] = background.sum(axis=spatial)
    if mask is not None:
        table["counts_safe"] = np.where(mask, counts, 0).sum(axis=spatial)
        if background is not None:
            table["background_safe"] = np.where(mask, background, 0).sum(axis=spatial)
    if isinstance(dataset, MapDatasetOnOff) and dataset.counts_off is not None:
        table["counts_off"] = np.asarray(dataset.counts_off.data, dtype=np.float64).sum(
            axis=spatial
        )
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
    p(
        f"  {'exposure':<14}: {np.nanmin(exposure.value):.4g} - {np.nanmax(exposure.value):.4g} {exposure.unit} "
        f"(min - max over all pixels and true-energy bins)"
    )
    if isinstance(dataset, MapDatasetOnOff):
        for name in ("acceptance", "acceptance_off"):
            value = getattr(dataset, name, None)
            if value is not None:
                p(
                    f"  {name:<14}: {np.nanmin(value.data):.4g} - {np.nanmax(value.data):.4g}"
                )
        try:
            alpha = np.asarray(dataset.alpha.data, dtype=float)
            sel = alpha[mask] if mask is not None else alpha
            sel = sel[np.isfinite(sel)]
            if sel.size:
                p(
                    f"  {'alpha':<14}: {sel.min():.4g} - {sel.max():.4g}"
                    + (" (safe bins)" if mask is not None else "")
                )
        except (AttributeError, TypeError, ValueError):
            pass
    p("Masks")
    for line in _mask_summary(dataset.mask_safe, "mask_safe"):
        p(line)
    for line in _mask_summary(dataset.mask_fit, "mask_fit"):
        p(line)
    p("Other")
    p(
        f"  {'edisp':<14}: {repr(dataset.edisp) if dataset.edisp is not None else 'none (diagonal response)'}"
    )
    p(f"  {'gti':<14}: {_gti_summary(dataset.gti)}")
    meta = dataset.meta_table
    if meta is not None and len(meta) > 0:
        items = ", ".join(f"{n}={meta[n][0]}" for n in meta.colnames)
        p(f"  {'meta':<14}: {items}")


def info_command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``fluxprofile info``: describe every dataset file, a blank line between them.

    Parameters
    ----------
    args : `argparse.Namespace`
        The parsed arguments (``args.datasets``: the file names).
    out : file-like
        Where to print.

    Returns
    -------
    status : int
        0.

    Raises
    ------
    InputError
        If a file does not exist (checked for all files before any is read).
    """
    files = [Path(p).expanduser() for p in args.datasets]
    for file in files:
        if not file.is_file():
            msg = f"dataset file not found: {str(file)!r}"
            raise InputError(msg)
    for i, file in enumerate(files):
        if i:
            print(file=out)
        describe_dataset(file, out)
    return 0
