"""The reference model's predicted counts per region and reco bin: its integral flux times
the region's mean exposure, folded with the energy dispersion at the region centre."""

from __future__ import annotations

import functools
import warnings
from typing import TYPE_CHECKING

import numpy as np
from astropy import units as u

from .. import _core
from ..exceptions import FluxProfileWarning
from .geometry import kernel_grid_pixels

if TYPE_CHECKING:
    from astropy.coordinates import SkyCoord

    from ..datamodel import MapDataset, SpectralModel

__all__ = ["reference_signal"]


def _true_energy_integrals(
    model: SpectralModel, energy_true_edges: u.Quantity
) -> u.Quantity:
    """Integral flux of the reference model in each true-energy bin."""
    return model.integral(energy_true_edges[:-1], energy_true_edges[1:])


@functools.lru_cache(maxsize=256)
def _unit_scale(flux_unit: u.UnitBase, exposure_unit: u.UnitBase) -> float:
    """The number flux x exposure is in counts (astropy's unit algebra takes ~15 us)."""
    return float((flux_unit * exposure_unit).to(u.dimensionless_unscaled))


def _kernels(dataset: MapDataset, centers: SkyCoord) -> np.ndarray:
    """Energy-dispersion kernels at the region centres, (n_regions or 1, n_true, n_reco)."""
    edisp = dataset.edisp
    if edisp is None:
        from ..datamodel import EDispKernelMap

        edisp = EDispKernelMap.from_diagonal_response(
            dataset.exposure.geom.axes["energy_true"],
            dataset.counts.geom.axes["energy"],
        )
    if getattr(edisp, "is_spatial", False):
        if getattr(edisp.geom, "wcs", None) is None:
            # a HEALPix kernel map: its pixel of each centre is one ang2pix, nothing
            # to share through the WCS-keyed cache
            return np.asarray(edisp.get_kernels(centers), dtype=np.float64)
        pixels = kernel_grid_pixels(edisp, centers)
        return np.asarray(edisp.get_kernels(centers, pixels=pixels), dtype=np.float64)
    return np.asarray(edisp.get_kernels(centers[:1]), dtype=np.float64)


def _why_no_signal(
    dataset: MapDataset, flux: u.Quantity, sums: _core.RegionSums, kernel: np.ndarray
) -> str:
    """Why the reference model predicts no counts anywhere in a dataset."""
    if not np.any(flux.value):
        return "the reference model's integral flux is 0 in every true-energy bin (amplitude 0?)"
    if not np.any(np.asarray(sums.exposure_sums)):
        return "the exposure is 0 in every region"
    if not np.any(kernel):
        true = dataset.exposure.geom.axes["energy_true"].edges
        reco = dataset.counts.geom.axes["energy"].edges
        return (
            "the energy dispersion maps no true energy into the reco-energy bins (an "
            f"all-zero EDISP, or a true-energy axis {true[0]:.4g}-{true[-1]:.4g} that "
            f"misses the reco-energy axis {reco[0]:.4g}-{reco[-1]:.4g})"
        )
    return "the model's flux, the exposure and the energy dispersion do not overlap"


def reference_signal(
    dataset: MapDataset,
    sums: _core.RegionSums,
    centers: SkyCoord,
    model: SpectralModel,
    n_threads: int,
) -> np.ndarray:
    """Predicted counts of the reference model (norm 1) in every region and reco bin.

    ``signal[r, i] = sum_j (mean exposure[r, i, j] * F_j) * scale * K[r, j, i]``: the
    model's integral flux F_j in true bin j times the region's mean exposure (over the
    pixels safe in reco bin i, divided by all the region's pixels, so that the model
    describes the whole region), in Gammapy's order (flux times exposure, then the unit
    conversion), folded with the energy-dispersion kernel K at the region centre. Where all
    of a region's pixels are safe, the mean is np.mean's to the bit (Gammapy's exposure
    reduction, docs/fit.rst).

    Parameters
    ----------
    dataset : `~fluxprofile.MapDataset`
        The dataset (its exposure geometry and energy dispersion).
    sums : `fluxprofile._core.RegionSums`
        Its reduction over the regions, with exposure.
    centers : `~astropy.coordinates.SkyCoord`
        Region centres, where the energy dispersion is evaluated.
    model : `~fluxprofile.SpectralModel`
        The reference spectral model.
    n_threads : int
        Threads for the compiled core (0 = all cores).

    Returns
    -------
    signal : `~numpy.ndarray`
        ``(n_regions, n_reco)``; NaN for regions without pixels.

    Raises
    ------
    ValueError
        If the kernels do not match the exposure and counts axes, or the signal is not
        finite in a bin with safe pixels.

    Warns
    -----
    FluxProfileWarning
        If the signal is 0 in every safe bin, with the reason (a zero amplitude, zero
        exposure, a true-energy axis missing the reco axis or an all-zero energy
        dispersion; docs/numeric_limits.rst).
    """
    exposure = dataset.exposure
    n_reco = dataset.counts.geom.axes["energy"].nbin
    energy_true_edges = exposure.geom.axes["energy_true"].edges
    n_true = energy_true_edges.size - 1
    flux = _true_energy_integrals(model, energy_true_edges)
    scale = _unit_scale(flux.unit, exposure.unit)
    kernel = _kernels(dataset, centers)
    if kernel.shape[-2:] != (n_true, n_reco):
        msg = (
            f"dataset {dataset.name!r}: energy dispersion kernel shape {kernel.shape[-2:]} does not "
            f"match (n_true, n_reco) = {(n_true, n_reco)} of exposure and counts"
        )
        raise ValueError(msg)
    signal = _core.fold_signal(
        sums.exposure_sums,
        sums.npix_total,
        np.ascontiguousarray(flux.value, dtype=np.float64),
        scale,
        np.ascontiguousarray(kernel, dtype=np.float64).reshape(-1, n_true, n_reco),
        n_threads,
        exposure_means=sums.exposure_means,
        n_safe=sums.n_safe,
    )
    safe = sums.n_safe > 0
    if not np.all(np.isfinite(signal[safe])):
        region, energy = np.argwhere(safe & ~np.isfinite(signal))[0]
        msg = (
            f"dataset {dataset.name!r}: the reference model folded with the exposure is not finite "
            f"in region {region}, energy bin {energy}; check the spectral model and the edisp kernel"
        )
        raise ValueError(msg)
    if safe.any() and not np.any(signal[safe]):
        warnings.warn(
            FluxProfileWarning(
                f"dataset {dataset.name!r}: the reference model predicts no counts in any "
                f"region: {_why_no_signal(dataset, flux, sums, kernel)}; its bins add "
                "nothing to the fit"
            ),
            stacklevel=5,
        )
    return signal
