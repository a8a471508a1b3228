"""The array work behind `FluxProfileEstimator.run`: reduce datasets per region in the
compiled core, build the signal templates, lay out the fit problems and collect results.

Everything here is vectorised over regions; Python loops only over datasets and energy
groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from astropy import units as u

from . import _core

__all__ = ["ReducedDataset", "fit_groups", "reduce_dataset"]

CASH, WSTAT = 0, 1


@dataclass
class ReducedDataset:
    """One dataset reduced to per-region spectra (arrays of shape (n_regions, n_reco)).

    For Cash datasets ``background`` is the predicted background; for WStat datasets it is
    the OFF counts and ``alpha`` the region's exposure ratio.
    """

    name: str
    kind: int
    energy_edges: u.Quantity
    counts: np.ndarray
    background: np.ndarray
    alpha: np.ndarray
    signal: np.ndarray
    safe: np.ndarray
    npix_total: np.ndarray
    npix_inmap: np.ndarray
    solid_angle: np.ndarray


# dtypes the core reads in place; anything else is converted once per run.
_CORE_DTYPES = {np.dtype(t) for t in ("float32", "float64", "int16", "int32", "int64", "uint8")}


def _c_array(data: np.ndarray) -> np.ndarray:
    """The cube itself when the core can read it in place, else a converted C-ordered copy."""
    data = np.asarray(data)
    if data.dtype == np.bool_:
        return data.view(np.uint8) if data.flags.c_contiguous else np.ascontiguousarray(data, np.uint8)
    native = data.dtype.newbyteorder("=")
    if native not in _CORE_DTYPES:
        return np.ascontiguousarray(data, dtype=np.float64)
    return np.ascontiguousarray(data, dtype=native)


def _pixel_alpha(dataset) -> np.ndarray:
    """Per-pixel exposure ratio acceptance / acceptance_off (0 where undefined)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = dataset.acceptance.data / dataset.acceptance_off.data
    return np.nan_to_num(alpha, nan=0.0, posinf=0.0, neginf=0.0)


def _background_cube(dataset) -> np.ndarray:
    """The predicted background counts cube: the background map itself (read in place; the
    core clips its negative values at zero, as ``npred()`` would) unless models add to it."""
    background = getattr(dataset, "background", None)
    if background is not None and getattr(dataset, "models", None) is None:
        return background.data
    return dataset.npred().data


def _pixel_solid_angles(geom) -> np.ndarray:
    """Solid angle of every pixel of the image in sr (0 outside the projection), cached on
    the geometry."""
    cached = getattr(geom, "_fluxprofile_solid_angle", None)
    if cached is None:
        solid_angle = geom.to_image().solid_angle().to_value(u.sr)
        cached = np.ascontiguousarray(np.nan_to_num(solid_angle, nan=0.0), dtype=np.float64)
        geom._fluxprofile_solid_angle = cached
    return cached


def _true_energy_integrals(model, energy_true_edges: u.Quantity) -> u.Quantity:
    """Integral flux of the reference model in each true-energy bin."""
    return model.integral(energy_true_edges[:-1], energy_true_edges[1:])


def _kernels(dataset, centers, n_regions: int) -> np.ndarray:
    """Energy-dispersion kernels at the region centres, (n_regions or 1, n_true, n_reco)."""
    edisp = dataset.edisp
    if edisp is None:
        from .datasets import EDispKernelMap

        edisp = EDispKernelMap.from_diagonal_response(
            dataset.exposure.geom.axes["energy_true"], dataset.counts.geom.axes["energy"]
        )
    if getattr(edisp, "is_spatial", False):
        return np.asarray(edisp.get_kernels(centers), dtype=np.float64)
    return np.asarray(edisp.get_kernels(centers[:1]), dtype=np.float64)


def region_pixel_lists(shapes, nx: int, ny: int, containment: str, n_threads: int) -> tuple:
    """Rasterise the regions once: (flat_index, weights or None, offsets, totals).

    The result can be passed to `reduce_dataset` again and again (repeated runs, Monte
    Carlo) so that only the reduction itself is repeated.
    """
    args = (shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, nx, ny, n_threads)
    if containment == "exact":
        index, weights, offsets, area = _core.region_overlap(*args)
        return index, weights, offsets, np.asarray(area, dtype=np.float64)
    index, offsets, n_total = _core.region_pixels(*args)
    return index, None, offsets, np.asarray(n_total, dtype=np.float64)


def reduce_dataset(
    dataset, shapes, centers, model, n_threads: int, containment: str = "center", pixels=None
) -> ReducedDataset:
    """Reduce one map dataset over every region.

    Counts and predicted background are summed over each region's safe in-map pixels. The
    exposure of reco bin i is the sum over the pixels safe in that bin divided by the
    region's total pixel count, so that the reference model describes the flux of the whole
    region even where part of it is masked or off the map.

    Parameters
    ----------
    dataset : `~fluxprofile.MapDataset`
        The dataset.
    shapes : `~fluxprofile.regions.PixelShapes`
        The regions as pixel shapes on the dataset's WCS.
    centers : `~astropy.coordinates.SkyCoord`
        Region centres (where the energy dispersion is evaluated).
    model : SpectralModel
        Reference spectral model.
    n_threads : int
        Threads for the compiled core (0 = all cores).
    containment : {"center", "exact"}, optional
        Pixel membership: pixel centre inside (Gammapy's rule) or weighted by the exact
        fraction of the pixel's area inside the region. Default is "center".
    pixels : tuple, optional
        The regions rasterised beforehand by `region_pixel_lists` with the same
        containment. Default is None (rasterise now).

    Returns
    -------
    reduced : `ReducedDataset`
    """
    counts_map = dataset.counts
    ny, nx = counts_map.data.shape[-2:]
    energy_axis = counts_map.geom.axes["energy"]
    n_reco = energy_axis.nbin
    mask = dataset.mask
    exposure = dataset.exposure
    if exposure.data.shape[-2:] != (ny, nx):
        msg = (
            f"dataset {dataset.name!r}: exposure image shape {exposure.data.shape[-2:]} differs "
            f"from the counts image shape {(ny, nx)}"
        )
        raise ValueError(msg)
    is_onoff = getattr(dataset, "stat_type", "cash") == "wstat"
    if is_onoff:
        alpha_pix = _pixel_alpha(dataset)
        counts_off = _c_array(dataset.counts_off.data)
        # name: (cube, values must be >= 0, negative values count as 0)
        reco_cubes = {
            "counts": (counts_map.data, True, False),
            "counts_off": (counts_off, True, False),
            "alpha * counts_off": (alpha_pix * counts_off, True, False),
            "alpha": (alpha_pix, True, False),
        }
    else:
        reco_cubes = {
            "counts": (counts_map.data, True, False),
            "background": (_background_cube(dataset), False, True),
        }
    try:
        sums = _core.reduce_regions(
            shapes.table,
            shapes.vertices_x,
            shapes.vertices_y,
            shapes.vertex_offsets,
            nx,
            ny,
            n_reco,
            [_c_array(cube) for cube, _, _ in reco_cubes.values()],
            list(reco_cubes),
            [non_negative for _, non_negative, _ in reco_cubes.values()],
            None if mask is None else _c_array(mask),
            _c_array(exposure.data),
            _pixel_solid_angles(counts_map.geom),
            containment,
            pixels,
            n_threads,
            clip_negative=[clip for _, _, clip in reco_cubes.values()],
        )
    except _core.InvalidInput as err:
        msg = f"dataset {dataset.name!r}: {err}"
        raise ValueError(msg) from None
    n_regions = shapes.table.shape[0]
    n_safe = sums["n_safe"]
    npix_total = sums["npix_total"]
    safe = n_safe > 0

    energy_true_edges = exposure.geom.axes["energy_true"].edges
    n_true = energy_true_edges.size - 1
    flux = _true_energy_integrals(model, energy_true_edges)
    scale = (flux.unit * exposure.unit).to(u.dimensionless_unscaled)
    kernel = _kernels(dataset, centers, n_regions)
    if kernel.shape[-2:] != (n_true, n_reco):
        msg = (
            f"dataset {dataset.name!r}: energy dispersion kernel shape {kernel.shape[-2:]} does not "
            f"match (n_true, n_reco) = {(n_true, n_reco)} of exposure and counts"
        )
        raise ValueError(msg)
    # signal[r, i] = sum_j (mean exposure[r, i, j] * F_j) * scale * K[r, j, i], with the
    # operations in Gammapy's order (flux times exposure, then the unit conversion); NaN for
    # regions without pixels (unused). Where all of a region's pixels are safe, the mean is
    # np.mean's to the bit (Gammapy's exposure reduction).
    signal = _core.fold_signal(
        sums["exposure_sums"],
        npix_total,
        np.ascontiguousarray(flux.value, dtype=np.float64),
        float(scale),
        np.ascontiguousarray(kernel, dtype=np.float64).reshape(-1, n_true, n_reco),
        n_threads,
        exposure_means=sums["exposure_means"],
        n_safe=n_safe,
    )

    counts = sums["reco_sums"][0]
    if not np.all(np.isfinite(signal[safe])):
        region, energy = np.argwhere(safe & ~np.isfinite(signal))[0]
        msg = (
            f"dataset {dataset.name!r}: the reference model folded with the exposure is not finite "
            f"in region {region}, energy bin {energy}; check the spectral model and the edisp kernel"
        )
        raise ValueError(msg)
    if is_onoff:
        counts_off = sums["reco_sums"][1]
        with np.errstate(invalid="ignore", divide="ignore"):
            # The region's alpha preserves sum(alpha_p * n_off_p), as Gammapy's reduction
            # does; without OFF counts that is undefined and the mean alpha is used.
            alpha_mean = sums["reco_sums"][3] / n_safe
            alpha = np.where(counts_off > 0, sums["reco_sums"][2] / counts_off, alpha_mean)
        alpha = np.nan_to_num(alpha)
        background = counts_off
        kind = WSTAT
    else:
        background = sums["reco_sums"][1]
        alpha = np.zeros_like(background)
        kind = CASH
    return ReducedDataset(
        name=dataset.name,
        kind=kind,
        energy_edges=energy_axis.edges,
        counts=counts,
        background=background,
        alpha=alpha,
        signal=signal,
        safe=safe,
        npix_total=npix_total,
        npix_inmap=sums["npix_inmap"],
        # Off-map parts of a region count with the mean pixel solid angle of its in-map part.
        solid_angle=np.divide(
            sums["image_sum"] * npix_total, sums["npix_inmap"],
            out=np.zeros(n_regions), where=sums["npix_inmap"] > 0,
        ),
    )


def _row_sums(values: np.ndarray) -> np.ndarray:
    """Sum of each row of a (n_regions, n_bins) array, adding the bins one after the other.

    An energy group has a few bins: one vectorised addition per bin is much faster than
    ``sum(axis=1)``, which runs a reduction per region.
    """
    total = np.zeros(values.shape[0], dtype=np.int64 if values.dtype == np.bool_ else np.float64)
    for k in range(values.shape[1]):
        total += values[:, k]
    return total


def _group_block(red: ReducedDataset, group, sum_over: bool):
    """Bins of one dataset in one energy group: arrays (n_regions, n_bins) + validity."""
    start, stop = group
    sl = slice(start, stop)
    safe = red.safe[:, sl]
    arrays = [red.counts[:, sl], red.background[:, sl], red.alpha[:, sl], red.signal[:, sl]]
    if not sum_over:
        return arrays, safe
    summed = [_row_sums(np.where(safe, a, 0.0))[:, None] for a in arrays[:2] + arrays[3:]]
    counts, background, signal = summed
    if red.kind == WSTAT:
        # Collapse alpha so that alpha * n_off is preserved.
        alpha_off = _row_sums(np.where(safe, arrays[2] * arrays[1], 0.0))[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.nan_to_num(np.where(background > 0, alpha_off / background, 0.0))
    else:
        alpha = np.zeros_like(counts)
    return [counts, background, alpha, signal], safe.any(axis=1, keepdims=True)


def fit_groups(reduced: list[ReducedDataset], groups: list[list], options: dict, n_threads: int) -> dict:
    """Fit the norm of every (region, energy group) on all datasets jointly.

    Parameters
    ----------
    reduced : list of `ReducedDataset`
        The datasets reduced over the same regions.
    groups : list of list
        ``groups[d][g]`` is the reco-bin range of group g on dataset d, or None.
    options : dict
        ``sum_over_energy_groups`` plus the keyword arguments of ``_core.fit_norms``.
    n_threads : int
        Threads for the compiled core.

    Returns
    -------
    result : dict
        Fit quantities of shape (n_regions, n_groups) (``stat_scan``: (..., n_scan)) and the
        per-dataset ``counts``, ``npred`` and ``npred_excess`` of shape (n_regions, n_groups,
        n_datasets); ``contributes`` (n_groups,) tells which groups overlap any dataset.
    """
    options = dict(options)
    sum_over = options.pop("sum_over_energy_groups")
    n_regions = reduced[0].counts.shape[0]
    n_groups = len(groups[0])
    n_data = len(reduced)
    # Blocks (group, dataset) in problem order: problem (region, group) holds the bins of
    # every dataset in order, so a region's row of all blocks side by side, restricted to the
    # valid bins and flattened in C order, lists the problems one after the other.
    blocks = []  # (group, dataset, arrays, validity, its columns in the row of all blocks)
    start = 0
    for g in range(n_groups):
        for d, red in enumerate(reduced):
            if groups[d][g] is not None:
                arrays, ok = _group_block(red, groups[d][g], sum_over)
                blocks.append((g, d, arrays, ok, slice(start, start + ok.shape[1])))
                start += ok.shape[1]
    n_bins = np.zeros((n_regions, n_groups), dtype=np.int64)
    counts_sum = np.zeros((n_regions, n_groups, n_data))
    signal_sum = np.zeros((n_regions, n_groups, n_data))
    for g, d, (counts, _, _, signal), ok, _ in blocks:
        n_bins[:, g] += _row_sums(ok)
        counts_sum[:, g, d] = _row_sums(np.where(ok, counts, 0.0))
        signal_sum[:, g, d] = _row_sums(np.where(ok, signal, 0.0))
    offsets = np.zeros(n_regions * n_groups + 1, dtype=np.int64)
    np.cumsum(n_bins.ravel(), out=offsets[1:])
    if blocks:
        valid = np.concatenate([b[3] for b in blocks], axis=1)
        flat = [np.concatenate([b[2][k] for b in blocks], axis=1)[valid].astype(np.float64, copy=False) for k in range(4)]
        kind_columns = np.concatenate([np.full(ok.shape[1], reduced[d].kind, np.int8) for _, d, _, ok, _ in blocks])
        kind = np.broadcast_to(kind_columns, valid.shape)[valid]
    else:
        valid = np.zeros((n_regions, 0), dtype=bool)
        flat = [np.zeros(0) for _ in range(4)]
        kind = np.zeros(0, dtype=np.int8)
    result = _core.fit_norms(offsets, np.ascontiguousarray(kind), *flat, n_threads=n_threads, **options)

    out = {}
    for key in ("norm", "norm_err", "norm_errn", "norm_errp", "norm_ul", "norm_sensitivity",
                "ts", "stat", "stat_null", "success", "norm_at_stat"):
        out[key] = result[key].reshape(n_regions, n_groups)
    out["stat_scan"] = result["stat_scan"].reshape(n_regions, n_groups, -1)
    npred_columns = np.zeros(valid.shape)
    npred_columns[valid] = result["npred"]
    npred_sum = np.zeros((n_regions, n_groups, n_data))
    for g, d, _, _, columns in blocks:
        npred_sum[:, g, d] = _row_sums(npred_columns[:, columns])
    out["counts"] = counts_sum
    any_bin = n_bins > 0
    out["npred"] = np.where(any_bin[..., None], npred_sum, np.nan)
    norm = np.where(any_bin, out["norm_at_stat"], 0.0)
    out["npred_excess"] = (norm[..., None] * signal_sum).astype(np.float32)
    out["contributes"] = np.array([any(groups[d][g] is not None for d in range(n_data)) for g in range(n_groups)])
    out["any_bin"] = any_bin
    return out
