"""The on-off alpha rule: the pixel cubes of the on-off reduction and each region's OFF
counts and alpha, as Gammapy computes them (docs/onoff.rst)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..datamodel import MapDatasetOnOff

__all__ = ["ALPHA_NO_OFF", "OFF_ROUNDOFF", "onoff_pixel_cubes", "region_alpha"]

# OFF counts whose size is at most this fraction of the largest |counts_off| of their energy
# plane are floating-point round-off (ring-background convolutions leave values such as
# -2.8e-7 next to counts of 14); a region's OFF sum is round-off within this fraction of the
# plane's largest value times its number of pixels. See docs/onoff.rst.
OFF_ROUNDOFF = 1e-6
# The alpha Gammapy ends up with in a bin without OFF counts: its region acceptance_off is
# acceptance * 0 / 0, mapped to 0 by numpy.nan_to_num, and alpha = acceptance / 0 is mapped to
# the largest float32. WStat then leaves the ON background free. See docs/onoff.rst.
ALPHA_NO_OFF = float(np.finfo(np.float32).max)


def onoff_pixel_cubes(
    dataset: MapDatasetOnOff,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pixel cubes of the on-off reduction (docs/onoff.rst).

    Parameters
    ----------
    dataset : `~fluxprofile.MapDatasetOnOff`
        The on-off dataset.

    Returns
    -------
    background : `~numpy.ndarray`
        ``alpha * counts_off`` per pixel with alpha = acceptance / acceptance_off, computed
        in the maps' own type as Gammapy does (float32 for float32 maps); 0 where alpha is
        not finite (Gammapy's ``nan_to_num(alpha) * 0`` for OFF counts within round-off;
        NaN OFF counts are left for the core to report).
    undefined : `~numpy.ndarray`
        uint8 flag of the pixels whose alpha is not finite although their OFF counts are
        not round-off.
    plane_scale : `~numpy.ndarray`
        The round-off scale of each energy plane: the largest finite |counts_off| of its
        safe pixels.
    """
    counts_off = np.asarray(dataset.counts_off.data)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        alpha = np.asarray(dataset.acceptance.data) / np.asarray(
            dataset.acceptance_off.data
        )
        scale = dataset.acceptance.unit.to(dataset.acceptance_off.unit)
        if scale != 1.0:
            alpha = (
                alpha * scale
            )  # astropy's to_value(""): a Python float, the maps' type kept
        finite_alpha = np.isfinite(alpha)
        background = alpha * counts_off
    background[~finite_alpha] = 0
    del alpha
    size = np.abs(counts_off, dtype=np.float64)
    usable = np.isfinite(size)
    mask = dataset.mask
    if mask is not None:
        usable &= np.asarray(mask, dtype=bool)
    # (the spatial axes: (ny, nx), or the pixel axis of a HEALPix cube)
    spatial = tuple(range(1, size.ndim))
    plane_scale = np.where(usable, size, 0.0).max(axis=spatial)
    del usable
    undefined = (
        ~finite_alpha
        & (size > OFF_ROUNDOFF * plane_scale.reshape(-1, *(1,) * len(spatial)))
    ).view(np.uint8)
    return background, undefined, plane_scale


def region_alpha(
    counts_off: np.ndarray,
    background: np.ndarray,
    n_undefined: np.ndarray,
    acceptance: np.ndarray,
    n_safe: np.ndarray,
    plane_scale: np.ndarray,
    dtypes: tuple[np.dtype, np.dtype, np.dtype],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """OFF counts, alpha and the two flags of every (region, reco bin) of an on-off dataset.

    As in Gammapy, the region's acceptance is the mean, ``acceptance_off = acceptance *
    counts_off / background`` and ``alpha = acceptance / acceptance_off`` (each rounded to
    its type), which preserves sum(alpha_p * n_off_p). alpha is undefined where a pixel with
    OFF counts has no finite alpha, where the OFF sum is negative beyond round-off, or where
    a step of that formula is not finite or zero, or alpha is not positive (where Gammapy's
    ``nan_to_num`` would substitute a value). OFF sums within round-off of zero are no OFF
    counts: counts_off 0 and Gammapy's alpha for that case, `ALPHA_NO_OFF`. See
    docs/onoff.rst.

    Parameters
    ----------
    counts_off, background, acceptance : `~numpy.ndarray`
        ``(n_regions, n_reco)`` region sums over the safe pixels, exact in double, of the
        OFF counts, of ``alpha_p * n_off_p`` and of the acceptance.
    n_undefined : `~numpy.ndarray`
        ``(n_regions, n_reco)`` number of safe pixels flagged by `onoff_pixel_cubes`.
    n_safe : `~numpy.ndarray`
        ``(n_regions, n_reco)`` number of safe pixels.
    plane_scale : `~numpy.ndarray`
        ``(n_reco,)`` round-off scale of each plane (`onoff_pixel_cubes`).
    dtypes : tuple of `~numpy.dtype`
        The types Gammapy's region maps have for the OFF counts, the background and the
        acceptance (the maps' own; float64 for weighted pixels).

    Returns
    -------
    counts_off, alpha : `~numpy.ndarray`
        The region's OFF counts and alpha (0 where undefined).
    alpha_undefined, no_off : `~numpy.ndarray`
        Bool flags: alpha undefined; no OFF counts.
    """
    off_type, background_type, acceptance_type = dtypes
    tolerance = OFF_ROUNDOFF * plane_scale[None, :] * n_safe
    no_off = np.abs(counts_off) <= tolerance
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # np.mean: the sum divided by the count in double, rounded to the map's type
        mean_acceptance = (acceptance / n_safe).astype(acceptance_type)
        acceptance_off = (
            mean_acceptance
            * counts_off.astype(off_type)
            / background.astype(background_type)
        )
        alpha = mean_acceptance / acceptance_off
    defined = (
        np.isfinite(acceptance_off)
        & (acceptance_off != 0)
        & np.isfinite(alpha)
        & (alpha > 0)
    )
    alpha_undefined = (
        (n_undefined > 0) | (counts_off < -tolerance) | (~no_off & ~defined)
    )
    no_off &= ~alpha_undefined
    alpha = np.where(
        no_off, ALPHA_NO_OFF, np.where(alpha_undefined, 0.0, alpha.astype(np.float64))
    )
    counts_off = np.where(no_off | alpha_undefined, 0.0, counts_off)
    return counts_off, alpha, alpha_undefined, no_off
