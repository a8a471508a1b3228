"""The array work behind `FluxProfileEstimator.run`: reduce datasets per region in the
compiled core, build the signal templates, lay out the fit problems and collect results.

Everything here is vectorised over regions; Python loops only over datasets and energy
groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from astropy import units as u

from .. import _core

__all__ = ["ALPHA_NO_OFF", "OFF_ROUNDOFF", "ReducedDataset", "fit_groups", "reduce_dataset"]

CASH, WSTAT = 0, 1

# OFF counts whose size is at most this fraction of the largest |counts_off| of their energy
# plane are floating-point round-off (ring-background convolutions leave values such as
# -2.8e-7 next to counts of 14); a region's OFF sum is round-off within this fraction of the
# plane's largest value times its number of pixels. See docs/onoff.rst.
OFF_ROUNDOFF = 1e-6
# The alpha Gammapy ends up with in a bin without OFF counts: its region acceptance_off is
# acceptance * 0 / 0, mapped to 0 by numpy.nan_to_num, and alpha = acceptance / 0 is mapped to
# the largest float32. WStat then leaves the ON background free. See docs/onoff.rst.
ALPHA_NO_OFF = float(np.finfo(np.float32).max)


@dataclass
class ReducedDataset:
    """One dataset reduced to per-region spectra (arrays of shape (n_regions, n_reco)).

    For Cash datasets ``background`` is the predicted background; for WStat datasets it is
    the OFF counts and ``alpha`` the region's exposure ratio. ``alpha_undefined`` marks the
    WStat bins whose alpha is undefined and ``no_off`` those without OFF counts (both all
    False for Cash datasets; docs/onoff.rst).
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
    alpha_undefined: np.ndarray
    no_off: np.ndarray


@dataclass(frozen=True)
class _Cube:
    """A cube summed per region by the core, and how (CubeView in
    cpp/include/fluxprofile/reduce.hpp): values must be >= 0, negative values count as 0,
    summed in NumPy's float order, values must be finite."""

    data: np.ndarray
    non_negative: bool = False
    clip_negative: bool = False
    numpy_sum: bool = False
    must_be_finite: bool = True


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


def _float_dtype(data: np.ndarray) -> np.dtype:
    """The native float32 / float64 type of a cube, float64 for any other type."""
    dtype = np.asarray(data).dtype
    if dtype.kind == "f" and dtype.itemsize in (4, 8):
        return np.dtype(f"f{dtype.itemsize}")
    return np.dtype(np.float64)


def _onoff_cubes(dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixel cubes of the on-off reduction (docs/onoff.rst).

    Returns the background ``alpha * counts_off`` with alpha = acceptance / acceptance_off,
    computed in the maps' own type as Gammapy does (float32 for float32 maps), the flag
    (uint8) of the pixels whose alpha is not finite although their OFF counts are not
    round-off, and the round-off scale of each energy plane: the largest finite |counts_off|
    of its safe pixels. Pixels with a non-finite alpha and OFF counts within round-off
    contribute 0, as in Gammapy (``nan_to_num(alpha) * 0``); NaN OFF counts are left for the
    core to report.
    """
    counts_off = np.asarray(dataset.counts_off.data)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        alpha = np.asarray(dataset.acceptance.data) / np.asarray(dataset.acceptance_off.data)
        scale = dataset.acceptance.unit.to(dataset.acceptance_off.unit)
        if scale != 1.0:
            alpha = alpha * scale  # astropy's to_value(""): a Python float, the maps' type kept
        finite_alpha = np.isfinite(alpha)
        background = alpha * counts_off
    background[~finite_alpha] = 0
    del alpha
    size = np.abs(counts_off, dtype=np.float64)
    usable = np.isfinite(size)
    mask = dataset.mask
    if mask is not None:
        usable &= np.asarray(mask, dtype=bool)
    plane_scale = np.where(usable, size, 0.0).max(axis=(-2, -1))
    del usable
    undefined = (~finite_alpha & (size > OFF_ROUNDOFF * plane_scale[:, None, None])).view(np.uint8)
    return background, undefined, plane_scale


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
        from ..datamodel import EDispKernelMap

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
        background_pix, alpha_undefined_pix, plane_scale = _onoff_cubes(dataset)
        # OFF counts may be negative (round-off, or beyond it: judged per region below), but
        # must be finite. The OFF counts, the background and the acceptance are summed as
        # Gammapy's np.sum over the region's pixels, to the bit; a non-finite acceptance
        # leaves the region's alpha undefined (docs/onoff.rst).
        reco_cubes = {
            "counts": _Cube(counts_map.data, non_negative=True),
            "counts_off": _Cube(dataset.counts_off.data, numpy_sum=True),
            "alpha * counts_off": _Cube(background_pix, numpy_sum=True),
            "pixels with acceptance_off 0 or not finite": _Cube(alpha_undefined_pix),
            "acceptance": _Cube(dataset.acceptance.data, numpy_sum=True, must_be_finite=False),
        }
    else:
        reco_cubes = {
            "counts": _Cube(counts_map.data, non_negative=True),
            "background": _Cube(_background_cube(dataset), clip_negative=True),
        }
    cubes = list(reco_cubes.values())
    try:
        sums = _core.reduce_regions(
            shapes.table,
            shapes.vertices_x,
            shapes.vertices_y,
            shapes.vertex_offsets,
            nx,
            ny,
            n_reco,
            [_c_array(cube.data) for cube in cubes],
            list(reco_cubes),
            [cube.non_negative for cube in cubes],
            None if mask is None else _c_array(mask),
            _c_array(exposure.data),
            _pixel_solid_angles(counts_map.geom),
            containment,
            pixels,
            n_threads,
            clip_negative=[cube.clip_negative for cube in cubes],
            numpy_sum=[cube.numpy_sum for cube in cubes],
            must_be_finite=[cube.must_be_finite for cube in cubes],
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
        region_sums = dict(zip(reco_cubes, sums["reco_sums"], strict=True))
        names = ("counts_off", "alpha * counts_off", "pixels with acceptance_off 0 or not finite", "acceptance")
        # Region values in the maps' types (Gammapy's); float64 for weighted pixels.
        weighted = containment == "exact" or (pixels is not None and pixels[1] is not None)
        dtypes = [np.dtype(np.float64) if weighted else _float_dtype(reco_cubes[name].data)
                  for name in names[:2] + names[3:]]  # fmt: skip
        background, alpha, alpha_undefined, no_off = _region_alpha(
            *(region_sums[name] for name in names), n_safe, plane_scale, dtypes
        )
        kind = WSTAT
    else:
        background = sums["reco_sums"][1]
        alpha = np.zeros_like(background)
        alpha_undefined = no_off = np.zeros(background.shape, dtype=bool)
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
        alpha_undefined=alpha_undefined & safe,
        no_off=no_off & safe,
    )


def _region_alpha(counts_off, background, n_undefined, acceptance, n_safe, plane_scale, dtypes):
    """OFF counts, alpha and the two flags of every (region, reco bin) of an on-off dataset.

    ``counts_off``, ``background`` (sum of alpha_p * n_off_p) and ``acceptance`` are the
    region sums over the safe pixels, exact in double; ``dtypes`` the types Gammapy's region
    maps have for them (the maps' own). As in Gammapy, the region's acceptance is the mean,
    ``acceptance_off = acceptance * counts_off / background`` and ``alpha = acceptance /
    acceptance_off`` (each rounded to its type), which preserves sum(alpha_p * n_off_p).
    alpha is undefined (flag ``alpha_undefined``) where a pixel with OFF counts has no finite
    alpha, where the OFF sum is negative beyond round-off, or where a step of that formula is
    not finite or zero, or alpha is not positive (where Gammapy's ``nan_to_num`` would
    substitute a value). OFF sums within round-off of zero are no OFF counts (flag
    ``no_off``): counts_off 0 and Gammapy's alpha for that case, `ALPHA_NO_OFF`. See
    docs/onoff.rst.
    """
    off_type, background_type, acceptance_type = dtypes
    tolerance = OFF_ROUNDOFF * plane_scale[None, :] * n_safe
    no_off = np.abs(counts_off) <= tolerance
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # np.mean: the sum divided by the count in double, rounded to the map's type
        mean_acceptance = (acceptance / n_safe).astype(acceptance_type)
        acceptance_off = mean_acceptance * counts_off.astype(off_type) / background.astype(background_type)
        alpha = mean_acceptance / acceptance_off
    defined = np.isfinite(acceptance_off) & (acceptance_off != 0) & np.isfinite(alpha) & (alpha > 0)
    alpha_undefined = (n_undefined > 0) | (counts_off < -tolerance) | (~no_off & ~defined)
    no_off &= ~alpha_undefined
    alpha = np.where(no_off, ALPHA_NO_OFF, np.where(alpha_undefined, 0.0, alpha.astype(np.float64)))
    counts_off = np.where(no_off | alpha_undefined, 0.0, counts_off)
    return counts_off, alpha, alpha_undefined, no_off


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
    """Bins of one dataset in one energy group: arrays (n_regions, n_bins), their validity
    and, per region, whether the on-off background of the group is undefined (a bin with an
    undefined alpha, or no OFF counts in any safe bin; docs/onoff.rst)."""
    start, stop = group
    sl = slice(start, stop)
    safe = red.safe[:, sl]
    arrays = [red.counts[:, sl], red.background[:, sl], red.alpha[:, sl], red.signal[:, sl]]
    undefined = red.alpha_undefined[:, sl].any(axis=1)
    if red.kind == WSTAT:
        undefined |= safe.any(axis=1) & (red.no_off[:, sl] | ~safe).all(axis=1)
    if not sum_over:
        return arrays, safe, undefined
    summed = [_row_sums(np.where(safe, a, 0.0))[:, None] for a in arrays[:2] + arrays[3:]]
    counts, background, signal = summed
    if red.kind == WSTAT:
        # Collapse alpha so that alpha * n_off is preserved; bins without OFF counts add
        # nothing to either sum, as in Gammapy's resampling (its alpha * 0 is 0).
        with_off = safe & ~red.no_off[:, sl]
        alpha_off = _row_sums(np.where(with_off, arrays[2] * arrays[1], 0.0))[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where(background > 0, alpha_off / background, 0.0)
    else:
        alpha = np.zeros_like(counts)
    return [counts, background, alpha, signal], safe.any(axis=1, keepdims=True), undefined


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
        n_datasets); ``contributes`` (n_groups,) tells which groups overlap any dataset,
        ``any_bin`` (n_regions, n_groups) which problems have a safe bin and
        ``alpha_undefined`` (n_regions, n_groups) which are NaN because the on-off background
        of a dataset is undefined there (docs/onoff.rst), ``alpha_undefined_in`` the indices
        of those datasets.
    """
    options = dict(options)
    sum_over = options.pop("sum_over_energy_groups")
    n_regions = reduced[0].counts.shape[0]
    n_groups = len(groups[0])
    n_data = len(reduced)
    # Blocks (group, dataset) in problem order: problem (region, group) holds the bins of
    # every dataset in order, so a region's row of all blocks side by side, restricted to the
    # valid bins and flattened in C order, lists the problems one after the other.
    # Problems whose on-off background is undefined are left out of the fit (NaN rows).
    blocks = []  # (group, dataset, arrays, validity, its columns in the row of all blocks)
    alpha_undefined = np.zeros((n_regions, n_groups), dtype=bool)
    undefined_in = set()
    for g in range(n_groups):
        for d, red in enumerate(reduced):
            if groups[d][g] is not None:
                arrays, ok, undefined = _group_block(red, groups[d][g], sum_over)
                blocks.append([g, d, arrays, ok])
                alpha_undefined[:, g] |= undefined
                if undefined.any():
                    undefined_in.add(d)
    n_bins = np.zeros((n_regions, n_groups), dtype=np.int64)
    n_safe_bins = np.zeros((n_regions, n_groups), dtype=np.int64)
    counts_sum = np.zeros((n_regions, n_groups, n_data))
    signal_sum = np.zeros((n_regions, n_groups, n_data))
    start = 0
    for block in blocks:
        g, d, (counts, _, _, signal), ok = block
        n_safe_bins[:, g] += _row_sums(ok)
        counts_sum[:, g, d] = _row_sums(np.where(ok, counts, 0.0))
        signal_sum[:, g, d] = _row_sums(np.where(ok, signal, 0.0))
        ok = ok & ~alpha_undefined[:, g, None]
        n_bins[:, g] += _row_sums(ok)
        block[3] = ok
        block.append(slice(start, start + ok.shape[1]))
        start += ok.shape[1]
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
    fitted = n_bins > 0
    out["npred"] = np.where(fitted[..., None], npred_sum, np.nan)
    norm = np.where(fitted, out["norm_at_stat"], 0.0)
    out["npred_excess"] = (norm[..., None] * signal_sum).astype(np.float32)
    for key, value in out.items():
        if key not in ("counts", "success"):
            value[alpha_undefined] = np.nan
    out["contributes"] = np.array([any(groups[d][g] is not None for d in range(n_data)) for g in range(n_groups)])
    out["any_bin"] = n_safe_bins > 0
    out["alpha_undefined"] = alpha_undefined
    out["alpha_undefined_in"] = sorted(undefined_in)
    return out
