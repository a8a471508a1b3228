"""Per-region reduction of one dataset in the compiled core: counts, background (or OFF
counts and alpha), signal template, pixel counts and solid angles (`ReducedDataset`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from astropy import units as u

from .. import _core
from .._core import Statistic
from ..datamodel.hpx_geom import is_healpix
from .geometry import pixel_grid, wcs_pixel_solid_angles
from .healpix import hpx_pixel_solid_angles
from .onoff import onoff_pixel_cubes, region_alpha
from .signal import reference_signal

if TYPE_CHECKING:
    from astropy.coordinates import SkyCoord

    from ..datamodel import MapDataset, MapDatasetOnOff, SpectralModel
    from ..regions import PixelShapes
    from .geometry import RegionGeometry

__all__ = ["ReducedDataset", "core_array", "reduce_dataset", "reduce_datasets"]


@dataclass
class ReducedDataset:
    """One dataset reduced to per-region spectra (arrays of shape (n_regions, n_reco)).

    For Cash datasets ``background`` is the predicted background; for WStat datasets it is
    the OFF counts and ``alpha`` the region's exposure ratio. ``alpha_undefined`` marks the
    WStat bins whose alpha is undefined and ``no_off`` those without OFF counts (both all
    False for Cash datasets; docs/onoff.rst).
    """

    name: str
    statistic: Statistic
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


# dtypes the core reads in place; anything else is converted once per run.
_CORE_DTYPES = {
    np.dtype(t) for t in ("float32", "float64", "int16", "int32", "int64", "uint8")
}


def core_array(data: np.ndarray) -> np.ndarray:
    """The array as the core reads it: in place when it can, else a converted copy.

    The one place where the pipeline normalises arrays for the core: native byte order (FITS
    data are big-endian), C order, a dtype the core reads (bool as a uint8 view, any other
    type as float64).

    Parameters
    ----------
    data : array_like
        A cube.

    Returns
    -------
    array : `~numpy.ndarray`
        C-contiguous, native, of a core dtype; a view of ``data`` (no copy) when it already is.
    """
    data = np.asarray(data)
    if data.ndim == 2:
        # HEALPix cubes (n_planes, n_columns) are read as (n_planes, 1, n_columns) images.
        data = data[:, np.newaxis, :]
    if data.dtype == np.bool_:
        return (
            data.view(np.uint8)
            if data.flags.c_contiguous
            else np.ascontiguousarray(data, np.uint8)
        )
    native = data.dtype.newbyteorder("=")
    if native not in _CORE_DTYPES:
        return np.ascontiguousarray(data, dtype=np.float64)
    return np.ascontiguousarray(data, dtype=native)


def _image_shape(data: np.ndarray) -> tuple[int, int]:
    """(ny, nx) of a cube as the core reads it (HEALPix cubes: one row of pixels)."""
    shape = np.shape(data)
    return (1, shape[-1]) if len(shape) == 2 else (shape[-2], shape[-1])


def _float_dtype(data: np.ndarray) -> np.dtype:
    """The native float32 / float64 type of a cube, float64 for any other type."""
    dtype = np.asarray(data).dtype
    if dtype.kind == "f" and dtype.itemsize in (4, 8):
        return np.dtype(f"f{dtype.itemsize}")
    return np.dtype(np.float64)


def _background_cube(dataset: MapDataset) -> np.ndarray:
    """The predicted background counts cube: the background map itself (read in place; the
    core clips its negative values at zero, as ``npred()`` would) unless models add to it."""
    background = getattr(dataset, "background", None)
    if background is not None and getattr(dataset, "models", None) is None:
        return background.data
    return dataset.npred().data


def _onoff_cubes(dataset: MapDatasetOnOff) -> tuple[list[_core.Cube], np.ndarray]:
    """The cubes of an on-off dataset and the round-off scale of each plane. The OFF counts
    may be negative (round-off, or beyond it: judged per region) but must be finite; the OFF
    counts, the background and the acceptance are summed as Gammapy's np.sum over the
    region's pixels, to the bit; a non-finite acceptance leaves the region's alpha undefined
    (docs/onoff.rst)."""
    background, undefined, plane_scale = onoff_pixel_cubes(dataset)
    cubes = [
        _core.Cube("counts", core_array(dataset.counts.data), non_negative=True),
        _core.Cube("counts_off", core_array(dataset.counts_off.data), numpy_sum=True),
        _core.Cube("alpha * counts_off", core_array(background), numpy_sum=True),
        _core.Cube("pixels with acceptance_off 0 or not finite", core_array(undefined)),
        _core.Cube(
            "acceptance",
            core_array(dataset.acceptance.data),
            numpy_sum=True,
            must_be_finite=False,
        ),
    ]
    return cubes, plane_scale


@dataclass
class _Prepared:
    """One dataset's inputs of the core reduction and what its results need."""

    dataset: MapDataset
    inputs: _core.ReduceInputs
    cubes: list[_core.Cube]
    plane_scale: np.ndarray | None
    is_onoff: bool
    weighted: bool
    energy_edges: u.Quantity


def _containment_rule(containment: str) -> _core.Containment:
    try:
        return _core.Containment[containment]
    except KeyError:
        msg = f"containment must be 'center' or 'exact', got {containment!r}"
        raise ValueError(msg) from None


def _prepare(
    dataset: MapDataset,
    shapes: PixelShapes,
    n_threads: int,
    containment: str,
    pixels: _core.PixelLists | None,
) -> _Prepared:
    """The checked core inputs of one dataset (ValueError naming it)."""
    counts_map = dataset.counts
    ny, nx = _image_shape(counts_map.data)
    energy_axis = counts_map.geom.axes["energy"]
    exposure = dataset.exposure
    if _image_shape(exposure.data) != (ny, nx):
        msg = (
            f"dataset {dataset.name!r}: exposure image shape {exposure.data.shape[1:]} differs "
            f"from the counts image shape {(ny, nx)}"
        )
        raise ValueError(msg)
    is_onoff = getattr(dataset, "stat_type", "cash") == "wstat"
    mask = dataset.mask
    plane_scale = None
    try:
        if is_onoff:
            cubes, plane_scale = _onoff_cubes(cast("MapDatasetOnOff", dataset))
        else:
            cubes = [
                _core.Cube("counts", core_array(counts_map.data), non_negative=True),
                _core.Cube(
                    "background",
                    core_array(_background_cube(dataset)),
                    clip_negative=True,
                ),
            ]
        inputs = _core.ReduceInputs(
            shapes,
            cubes,
            mask=None if mask is None else core_array(mask),
            exposure=core_array(exposure.data),
            # once per WCS header and image shape, shared by all datasets on the grid
            image=(
                hpx_pixel_solid_angles(counts_map.geom)
                if is_healpix(counts_map.geom)
                else wcs_pixel_solid_angles(counts_map.geom.wcs, nx, ny, n_threads)
            ),
            pixels=pixels,
        )
    except _core.InvalidInput as err:
        msg = f"dataset {dataset.name!r}: {err}"
        raise ValueError(msg) from None
    weighted = containment == "exact" or (
        pixels is not None and pixels.weight is not None
    )
    return _Prepared(
        dataset, inputs, cubes, plane_scale, is_onoff, weighted, energy_axis.edges
    )


def reduce_dataset(
    dataset: MapDataset,
    shapes: PixelShapes,
    centers: SkyCoord,
    model: SpectralModel,
    n_threads: int,
    containment: str = "center",
    pixels: _core.PixelLists | None = None,
) -> ReducedDataset:
    """Reduce one map dataset over every region.

    Counts and predicted background are summed over each region's safe in-map pixels. The
    exposure of reco bin i is the sum over the pixels safe in that bin divided by the
    region's total pixel count, so that the reference model describes the flux of the whole
    region even where part of it is masked or off the map.

    Parameters
    ----------
    dataset : `~fluxprofile.MapDataset` or `~fluxprofile.MapDatasetOnOff`
        The dataset.
    shapes : `~fluxprofile.PixelShapes`
        The regions as pixel shapes on the dataset's WCS.
    centers : `~astropy.coordinates.SkyCoord`
        Region centres (where the energy dispersion is evaluated).
    model : `~fluxprofile.SpectralModel`
        Reference spectral model.
    n_threads : int
        Threads for the compiled core (0 = all cores).
    containment : {"center", "exact"}, optional
        Pixel membership: pixel centre inside (Gammapy's rule) or weighted by the exact
        fraction of the pixel's area inside the region. Default is "center".
    pixels : `fluxprofile._core.PixelLists`, optional
        The regions rasterised beforehand (`fluxprofile.pipeline.geometry.region_pixel_lists`)
        with the same containment. Default is None (rasterise now).

    Returns
    -------
    reduced : `ReducedDataset`

    Raises
    ------
    ValueError
        Naming the dataset: maps of different image shapes, values the core refuses
        (negative or non-finite counts, ...), a signal that is not finite.
    """
    rule = _containment_rule(containment)
    prepared = _prepare(dataset, shapes, n_threads, containment, pixels)
    try:
        sums = _core.reduce_regions(
            prepared.inputs, _core.ReduceOptions(rule), n_threads
        )
    except _core.InvalidInput as err:
        msg = f"dataset {dataset.name!r}: {err}"
        raise ValueError(msg) from None
    return _finish(prepared, sums, centers, model, n_threads)


def reduce_datasets(
    datasets: Sequence[MapDataset],
    geometry: RegionGeometry,
    model: SpectralModel,
    n_threads: int,
    containment: str = "center",
) -> list[ReducedDataset]:
    """Reduce several datasets over the same regions (a joint fit) in one core call.

    The geometry (pixel shapes, pixel lists, centres, solid angles) comes from the shared
    caches, so datasets on one grid (HAWC's nHit classes) share it; the reductions of all
    datasets then run in one call of the core (`fluxprofile._core.reduce_regions_many`),
    each giving what `reduce_dataset` gives, to the bit.

    Parameters
    ----------
    datasets : list of `~fluxprofile.MapDataset` or `~fluxprofile.MapDatasetOnOff`
        The datasets.
    geometry : `fluxprofile.pipeline.geometry.RegionGeometry`
        The regions and their cached geometry.
    model : `~fluxprofile.SpectralModel`
        Reference spectral model.
    n_threads : int
        Threads for the compiled core (0 = all cores).
    containment : {"center", "exact"}, optional
        Pixel membership rule. Default is "center".

    Returns
    -------
    reduced : list of `ReducedDataset`
        In the order of ``datasets``.

    Raises
    ------
    ValueError
        As `reduce_dataset`, naming the dataset.
    """
    rule = _containment_rule(containment)
    centers = geometry.centers()
    prepared = []
    for dataset in datasets:
        wcs, (ny, nx) = pixel_grid(dataset.counts.geom)
        prepared.append(
            _prepare(
                dataset,
                geometry.pixel_shapes(wcs),
                n_threads,
                containment,
                geometry.pixel_lists(wcs, (ny, nx), containment, n_threads),
            )
        )
    try:
        all_sums = _core.reduce_regions_many(
            [p.inputs for p in prepared], _core.ReduceOptions(rule), n_threads
        )
    except _core.InvalidInput as err:
        text = str(err)
        match = re.match(r"inputs\[(\d+)\]: ", text)
        if match is None:
            raise ValueError(text) from None
        name = datasets[int(match.group(1))].name
        msg = f"dataset {name!r}: {text[match.end() :]}"
        raise ValueError(msg) from None
    return [
        _finish(p, sums, centers, model, n_threads)
        for p, sums in zip(prepared, all_sums, strict=True)
    ]


def _finish(
    prepared: _Prepared,
    sums: _core.RegionSums,
    centers: SkyCoord,
    model: SpectralModel,
    n_threads: int,
) -> ReducedDataset:
    """The `ReducedDataset` of one dataset from its core sums."""
    dataset = prepared.dataset
    cubes = prepared.cubes
    plane_scale = prepared.plane_scale
    is_onoff = prepared.is_onoff
    signal = reference_signal(dataset, sums, centers, model, n_threads)
    n_regions = len(sums.npix_total)
    npix_total = sums.npix_total
    safe = sums.n_safe > 0
    counts = sums.reco_sums["counts"]
    if is_onoff:
        # Region values in the maps' types (Gammapy's); float64 for weighted pixels.
        weighted = prepared.weighted
        assert plane_scale is not None  # set for every on-off dataset
        off_type, background_type, acceptance_type = (
            np.dtype(np.float64) if weighted else _float_dtype(cube.data)
            for cube in (cubes[1], cubes[2], cubes[4])
        )
        dtypes = (off_type, background_type, acceptance_type)
        off, weighted_off, n_undefined, acceptance = (
            sums.reco_sums[c.name] for c in cubes[1:]
        )
        background, alpha, alpha_undefined, no_off = region_alpha(
            off, weighted_off, n_undefined, acceptance, sums.n_safe, plane_scale, dtypes
        )
        statistic = Statistic.wstat
    else:
        background = sums.reco_sums["background"]
        alpha = np.zeros_like(background)
        alpha_undefined = no_off = np.zeros(background.shape, dtype=bool)
        statistic = Statistic.cash
    return ReducedDataset(
        name=dataset.name,
        statistic=statistic,
        energy_edges=prepared.energy_edges,
        counts=counts,
        background=background,
        alpha=alpha,
        signal=signal,
        safe=safe,
        npix_total=npix_total,
        npix_inmap=sums.npix_inmap,
        # Off-map parts of a region count with the mean pixel solid angle of its in-map part.
        solid_angle=np.divide(
            sums.image_sum * npix_total,
            sums.npix_inmap,
            out=np.zeros(n_regions),
            where=sums.npix_inmap > 0,
        ),
        alpha_undefined=alpha_undefined & safe,
        no_off=no_off & safe,
    )
