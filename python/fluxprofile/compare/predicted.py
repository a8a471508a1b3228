"""What a template predicts in the regions of a dataset: its counts, folded through the
dataset's exposure and energy dispersion as the fit's signal is, its flux, the flux the
estimator would measure from those counts, and the dataset's own background
(docs/comparison.rst)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import astropy.units as u
import numpy as np
from astropy.table import Table

from .. import _core
from .._core import Statistic
from ..datamodel import Map, MapAxis, WcsGeom
from ..pipeline.energy_groups import plan_energy_groups, validate_energy_edges
from ..pipeline.fit import fit_groups
from ..pipeline.geometry import distance_axis, region_pixel_lists
from ..pipeline.reduce import ReducedDataset, core_array, reduce_dataset
from ..pipeline.signal import _kernels
from ..regions import region_centers, sky_regions_to_pixel_shapes
from .template import as_template_map, integrate_template

if TYPE_CHECKING:
    from ..datamodel import MapDataset
    from ..estimator import FluxProfileEstimator

__all__ = [
    "PredictedProfile",
    "make_predicted_profile",
    "template_flux_cube",
    "template_npred_map",
]


# --------------------------------------------------------------------------------------
# The template on the dataset's pixels
# --------------------------------------------------------------------------------------
def _same_grid(a: WcsGeom, b: WcsGeom) -> bool:
    return a.npix == b.npix and bool(a.wcs.wcs.compare(b.wcs.wcs, tolerance=1e-12))


def _bilinear(planes: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of (n, ny, nx) planes at 0-based pixel positions; NaN off the
    map, the nearest pixel centre between the outermost centres and the map's edge."""
    _, ny, nx = planes.shape
    inside = (x >= -0.5) & (x <= nx - 0.5) & (y >= -0.5) & (y <= ny - 0.5)
    xc = np.clip(np.where(inside, x, 0.0), 0.0, nx - 1.0)
    yc = np.clip(np.where(inside, y, 0.0), 0.0, ny - 1.0)
    x0 = np.minimum(np.floor(xc).astype(np.int64), max(nx - 2, 0))
    y0 = np.minimum(np.floor(yc).astype(np.int64), max(ny - 2, 0))
    x1 = np.minimum(x0 + 1, nx - 1)
    y1 = np.minimum(y0 + 1, ny - 1)
    tx, ty = xc - x0, yc - y0
    out = (
        planes[:, y0, x0] * ((1 - tx) * (1 - ty))
        + planes[:, y0, x1] * (tx * (1 - ty))
        + planes[:, y1, x0] * ((1 - tx) * ty)
        + planes[:, y1, x1] * (tx * ty)
    )
    out[:, ~inside] = np.nan
    return out


def template_flux_cube(
    template: Any, geom: WcsGeom, energy_edges: u.Quantity, unit: Any = None
) -> Map:
    """The template's flux in each pixel of a geometry and each energy bin.

    The template is integrated over each bin (`~fluxprofile.compare.integrate_template`)
    on its own grid, evaluated at the pixel centres of ``geom`` (bilinear interpolation in
    the template's pixels, in any frame; exact values when the grids are the same) and
    multiplied by the pixel solid angles, as a map template is evaluated on a dataset.

    Parameters
    ----------
    template : any template accepted by `~fluxprofile.compare.as_template_map`
        A differential intensity cube (per energy per sr).
    geom : `~fluxprofile.WcsGeom`
        Target geometry (its image part is used).
    energy_edges : `~astropy.units.Quantity`
        Energy bins (e.g. the true-energy edges of a dataset's exposure).
    unit : str or `~astropy.units.Unit`, optional
        Unit of the template values (see `~fluxprofile.compare.as_template_map`).

    Returns
    -------
    flux : `~fluxprofile.Map`
        (n_bins, ny, nx) flux per pixel (e.g. cm-2 s-1); NaN where the pixel centre is off
        the template.

    Raises
    ------
    ValueError
        If the template is not per energy per solid angle.
    """
    tmap = as_template_map(template, unit=unit)
    integrated = integrate_template(tmap, energy_edges)
    flux_unit = integrated.unit * u.sr
    try:
        flux_unit.to("cm-2 s-1")
    except u.UnitConversionError:
        msg = (
            f"the template's unit {tmap.unit} is not an intensity per energy per solid angle "
            "(e.g. cm-2 s-1 MeV-1 sr-1)"
        )
        raise ValueError(msg) from None
    image = geom.to_image()
    planes = np.asarray(integrated.data, dtype=np.float64)
    if _same_grid(image, integrated.geom.to_image()):
        values = planes.copy()
    else:
        coords = image.get_skycoord()
        x, y = integrated.geom.skycoord_to_pix(coords.ravel())
        values = _bilinear(planes, x, y).reshape(planes.shape[0], *coords.shape)
    omega = np.nan_to_num(image.solid_angle().to_value(u.sr), nan=0.0)
    axis = MapAxis.from_edges(
        validate_energy_edges(energy_edges), name="energy", interp="log"
    )
    return Map(image.to_cube([axis]), values * omega, unit=flux_unit)


def _true_counts(dataset: MapDataset, template: Any, unit: Any) -> np.ndarray:
    """Exposure x template flux per true-energy bin and pixel: counts, (n_true, ny, nx)."""
    exposure = dataset.exposure
    edges = exposure.geom.axes["energy_true"].edges
    flux = template_flux_cube(template, exposure.geom, edges, unit=unit)
    scale = (flux.unit * exposure.unit).to(u.dimensionless_unscaled)
    counts = np.asarray(exposure.data, dtype=np.float64) * flux.data * scale
    # Pixels off the template predict nothing (exposure there may be zero anyway).
    return np.nan_to_num(counts, nan=0.0)


def template_npred_map(template: Any, dataset: MapDataset, unit: Any = None) -> Map:
    """Counts the template predicts in every pixel and reco-energy bin of a dataset.

    Exposure times the template's flux in each true-energy bin, folded with the energy
    dispersion kernel of each pixel (the map's kernel where it is not spatial): the
    expectation to simulate a dataset from a template (``rng.poisson(background +
    npred)``).

    Parameters
    ----------
    template : any template accepted by `~fluxprofile.compare.as_template_map`
        Differential intensity (per energy per sr).
    dataset : `~fluxprofile.MapDataset`
        The dataset (exposure, edisp, counts geometry).
    unit : str or `~astropy.units.Unit`, optional
        Unit of the template values. Default is None (as stored).

    Returns
    -------
    npred : `~fluxprofile.Map`
        On the counts geometry, dimensionless counts.
    """
    true_counts = _true_counts(dataset, template, unit)
    geom = dataset.counts.geom
    n_true = true_counts.shape[0]
    n_reco = geom.axes["energy"].nbin
    edisp = dataset.edisp
    if edisp is not None and getattr(edisp, "is_spatial", False):
        coords = geom.to_image().get_skycoord().ravel()
        kernels = _kernels(dataset, coords).reshape(-1, n_true, n_reco)
        flat = true_counts.reshape(n_true, -1)
        npred = np.einsum("jp,pji->ip", flat, kernels).reshape(n_reco, *geom.npix[::-1])
    else:
        kernel = _kernels(dataset, geom.to_image().get_skycoord().ravel()[:1])[0]
        npred = np.einsum("jyx,ji->iyx", true_counts, kernel)
    return Map(geom, npred, unit="")


# --------------------------------------------------------------------------------------
# The profile
# --------------------------------------------------------------------------------------
@dataclass
class PredictedProfile:
    """What a template predicts in each region of a dataset, next to the data.

    Arrays are (n_regions, n_groups) over the estimator's energy groups, summed over the
    group's safe reco bins (the bins its fit uses), unless said otherwise.

    Attributes
    ----------
    npred : `~numpy.ndarray`
        Counts the template predicts (exposure x template flux, folded with the energy
        dispersion at the region centre, over the region's safe pixels).
    npred_background : `~numpy.ndarray`
        The dataset's background prediction (on-off datasets: alpha x OFF counts).
    counts : `~numpy.ndarray`
        The dataset's counts.
    flux : `~astropy.units.Quantity`
        The template's flux in the group's energy range over the whole region.
    norm : `~numpy.ndarray`
        The norm the estimator fits to the template's predicted counts on top of the
        background (an Asimov fit: same likelihood, bins and reference model).
    flux_folded : `~astropy.units.Quantity`
        ``norm`` times the reference model's flux: the flux profile the estimator would
        measure if the data were the template, directly comparable with the data's.
    npred_reco : `~numpy.ndarray`
        (n_regions, n_reco) template counts per reco bin.
    reduced : `fluxprofile.pipeline.reduce.ReducedDataset`
        The dataset reduced over the regions (counts, background, safe bins): the fit input.
    groups : list
        Reco-bin range ``(start, stop)`` of each energy group, or None.
    energy_axis, distance_axis : `~fluxprofile.MapAxis`
        The profile's axes (the estimator's).
    name : str
        Label of the template.
    """

    npred: np.ndarray
    npred_background: np.ndarray
    counts: np.ndarray
    flux: u.Quantity
    norm: np.ndarray
    flux_folded: u.Quantity
    npred_reco: np.ndarray
    reduced: ReducedDataset
    groups: list[tuple[int, int] | None]
    energy_axis: MapAxis
    distance_axis: MapAxis
    name: str = "template"

    def energy_label(self, energy_index: int | None = 0) -> str:
        """The energy range of a group, for labels."""
        edges = self.energy_axis.edges
        unit = edges.unit
        lo = edges[0 if energy_index is None else energy_index].value
        hi = edges[-1 if energy_index is None else energy_index + 1].value
        return f"{lo:.3g}-{hi:.3g} {unit}"

    def to_table(self) -> Table:
        """The profile as a table, one row per region (2-D columns per energy group).

        Returns
        -------
        table : `~astropy.table.Table`
            x_min, x_ref, x_max, counts, npred (template), npred_background, flux,
            flux_folded, norm; the group edges in the meta data.
        """
        axis = self.distance_axis
        table = Table()
        table["x_min"] = axis.edges_min
        table["x_ref"] = axis.center
        table["x_max"] = axis.edges_max
        table["counts"] = self.counts
        table["npred"] = self.npred
        table["npred_background"] = self.npred_background
        table["flux"] = self.flux
        table["flux_folded"] = self.flux_folded
        table["norm"] = self.norm
        table.meta["template"] = self.name
        table.meta["dataset"] = self.reduced.name
        table.meta["energy_edges"] = [float(v) for v in self.energy_axis.edges.value]
        table.meta["energy_unit"] = str(self.energy_axis.edges.unit)
        return table


def _group_sums(values: np.ndarray, safe: np.ndarray, groups: list[Any]) -> np.ndarray:
    out = np.full((values.shape[0], len(groups)), np.nan)
    for g, bins in enumerate(groups):
        if bins is not None:
            sl = slice(*bins)
            out[:, g] = np.where(safe[:, sl], values[:, sl], 0.0).sum(axis=1)
    return out


def background_mu(reduced: ReducedDataset) -> np.ndarray:
    """The predicted background counts of a reduced dataset, (n_regions, n_reco): the
    background (Cash) or alpha x OFF counts (WStat)."""
    if reduced.statistic == Statistic.wstat:
        return reduced.alpha * reduced.background
    return reduced.background


def make_predicted_profile(
    template: Any,
    dataset: MapDataset,
    estimator: FluxProfileEstimator,
    unit: Any = None,
    name: str | None = None,
) -> PredictedProfile:
    """The counts and flux a template predicts in each region of a dataset.

    The template's flux in each true-energy bin and pixel (`template_flux_cube`) times the
    exposure is summed over each region's pixels that are safe in each reco bin, with the
    estimator's containment rule, and folded with the energy-dispersion kernel at the
    region centre by the compiled core, as the fit's signal is (docs/fit.rst); the
    dataset's counts and background are reduced by the estimator's own pipeline. So data,
    background and template profiles share units, bins and pixels.

    Parameters
    ----------
    template : any template accepted by `~fluxprofile.compare.as_template_map`
        Differential intensity (per energy per sr), e.g. the Fermi-LAT diffuse model.
    dataset : `~fluxprofile.MapDataset` or `~fluxprofile.MapDatasetOnOff`
        The dataset (a Gammapy dataset is converted).
    estimator : `~fluxprofile.FluxProfileEstimator`
        Gives the regions, energy groups, containment, reference model and threads.
    unit : str or `~astropy.units.Unit`, optional
        Unit of the template values (files often leave it empty). Default is None.
    name : str, optional
        Label. Default is None ("template").

    Returns
    -------
    predicted : `PredictedProfile`

    Raises
    ------
    ValueError
        For a template that is not an intensity per energy per sr, or a dataset the
        pipeline refuses.
    """
    from ..datamodel import as_dataset_list

    datasets = as_dataset_list(dataset)
    if len(datasets) != 1:
        msg = f"make_predicted_profile takes one dataset, got {len(datasets)}"
        raise ValueError(msg)
    ds = datasets[0]
    regions = list(estimator.regions)
    n_threads = 0 if estimator.n_jobs is None else int(estimator.n_jobs)
    containment = estimator.containment
    geom = ds.counts.geom
    nx, ny = geom.npix
    shapes = sky_regions_to_pixel_shapes(regions, geom.wcs)
    pixels = region_pixel_lists(shapes, nx, ny, containment, n_threads)
    centers = region_centers(regions)
    reduced = reduce_dataset(
        ds,
        shapes,
        centers,
        estimator.spectral_model,
        n_threads,
        containment,
        pixels=pixels,
    )
    # The template's true counts take the place of the exposure: summed over the pixels
    # safe in each reco bin, then folded with the kernels (npix_total 1: sums, not means).
    true_counts = _true_counts(ds, template, unit)
    mask = ds.mask
    inputs = _core.ReduceInputs(
        shapes,
        [_core.Cube("counts", core_array(ds.counts.data), non_negative=True)],
        mask=None if mask is None else core_array(mask),
        exposure=core_array(true_counts),
        pixels=pixels,
    )
    rule = _core.Containment[containment]
    sums = _core.reduce_regions(inputs, _core.ReduceOptions(rule), n_threads)
    n_true = true_counts.shape[0]
    n_reco = geom.axes["energy"].nbin
    kernel = _kernels(ds, centers)
    has_pixels = (sums.npix_total > 0).astype(np.float64)
    npred_reco = _core.fold_signal(
        sums.exposure_sums,
        has_pixels,
        np.ones(n_true),
        1.0,
        np.ascontiguousarray(kernel, dtype=np.float64).reshape(-1, n_true, n_reco),
        n_threads,
    )
    plan = plan_energy_groups(
        [reduced.energy_edges], validate_energy_edges(estimator.energy_edges)
    )
    groups = plan.ranges[0]
    safe = reduced.safe
    mu_bkg = background_mu(reduced)
    npred = _group_sums(npred_reco, safe, groups)
    npred_bkg = _group_sums(mu_bkg, safe, groups)
    counts = _group_sums(reduced.counts, safe, groups)
    # The template's own flux in each group, over the whole region (the in-map part scaled
    # to the region's size, as the estimator's flux describes the whole region).
    flux_cube = template_flux_cube(template, geom, plan.edges, unit=unit)
    flux_inputs = _core.ReduceInputs(
        shapes,
        [_core.Cube("flux", core_array(np.nan_to_num(flux_cube.data, nan=0.0)))],
        pixels=pixels,
    )
    flux_sums = _core.reduce_regions(flux_inputs, _core.ReduceOptions(rule), n_threads)
    with np.errstate(invalid="ignore", divide="ignore"):
        whole = np.where(
            flux_sums.npix_inmap > 0,
            flux_sums.npix_total / flux_sums.npix_inmap,
            np.nan,
        )
    flux = flux_sums.reco_sums["flux"] * whole[:, None]
    # The estimator's fit of the template's counts on top of the background (Asimov data).
    asimov = dataclasses.replace(reduced, counts=mu_bkg + npred_reco)
    options = _core.FitOptions(minuit_errors=False, minuit_norm=False)
    fits_ = fit_groups(
        [asimov], [groups], options, estimator.sum_over_energy_groups, n_threads
    )
    norm = np.where(fits_.any_bin, fits_.norm, np.nan)
    edges = plan.edges
    flux_ref = estimator.spectral_model.integral(edges[:-1], edges[1:])
    return PredictedProfile(
        npred=npred,
        npred_background=npred_bkg,
        counts=counts,
        flux=u.Quantity(flux, flux_cube.unit).to("cm-2 s-1"),
        norm=norm,
        flux_folded=(norm * flux_ref[None, :]).to("cm-2 s-1"),
        npred_reco=npred_reco,
        reduced=reduced,
        groups=groups,
        energy_axis=MapAxis.from_edges(edges, name="energy", interp="log"),
        distance_axis=distance_axis(regions, centers),
        name=name or "template",
    )
