"""Conversion between fluxprofile objects and Gammapy objects: the only module that knows
Gammapy.

Gammapy is never imported at module level: Gammapy objects are recognised by duck typing
(the name and module of a class in their MRO) and gammapy is imported lazily inside the
functions that must build Gammapy objects. This module imports the data model's leaf
modules (axes, geometries, maps, kernels, spectral models, GTIs) but never the dataset or
flux-points classes: a conversion returns the constructor arguments, from which
`MapDataset.from_gammapy` or `FluxPoints.from_gammapy` builds the object, and a
conversion to Gammapy reads the object it is given (docs/data_model.rst), so that the
facades can call this module without an import cycle.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Table

from .datamodel._arrays import native_byte_order
from .datamodel.axes import MapAxis
from .datamodel.edisp import EDispKernelMap
from .datamodel.geom import WcsGeom
from .datamodel.gti import GTI
from .datamodel.hpx_geom import HpxGeom, is_healpix
from .datamodel.hpx_map import HpxEDispKernelMap
from .datamodel.label_axis import LabelMapAxis
from .datamodel.map import Map
from .datamodel.spectral import (
    ExpCutoffPowerLawSpectralModel,
    LogParabolaSpectralModel,
    PowerLawSpectralModel,
    SpectralModel,
    TemplateSpectralModel,
    as_spectral_model,
)
from .vocabulary import DATASET_QUANTITIES, STORABLE_QUANTITIES

__all__ = [
    "axis_from_gammapy",
    "axis_to_gammapy",
    "dataset_arguments_from_gammapy",
    "edisp_from_gammapy",
    "flux_points_arguments_from_gammapy",
    "flux_points_to_gammapy",
    "is_gammapy_dataset",
    "is_gammapy_object",
    "map_from_gammapy",
    "spectral_model_from_gammapy",
    "spectral_model_to_gammapy",
]

# Gammapy models rebuilt natively (same class name and parameters); others are wrapped.
_NATIVE_MODELS = {
    cls.__name__: cls
    for cls in (
        PowerLawSpectralModel,
        LogParabolaSpectralModel,
        ExpCutoffPowerLawSpectralModel,
    )
}


# --------------------------------------------------------------------------------------
# recognising Gammapy objects
# --------------------------------------------------------------------------------------
def is_gammapy_object(obj: Any, *class_names: str) -> bool:
    """Whether ``obj`` is an instance of a Gammapy class with one of ``class_names``
    (subclasses included), without importing gammapy.

    Parameters
    ----------
    obj : object
        Any object.
    *class_names : str
        Gammapy class names, e.g. "MapDataset".

    Returns
    -------
    is_gammapy : bool
        True if a class of ``type(obj).__mro__`` defined in a ``gammapy`` module has one
        of the names.
    """
    for klass in type(obj).__mro__:
        module = getattr(klass, "__module__", "") or ""
        if (
            module == "gammapy" or module.startswith("gammapy.")
        ) and klass.__name__ in class_names:
            return True
    return False


def is_gammapy_dataset(obj: Any) -> bool:
    """Whether ``obj`` is a Gammapy ``MapDataset`` (or a subclass such as
    ``MapDatasetOnOff``).

    Parameters
    ----------
    obj : object
        Any object.

    Returns
    -------
    is_dataset : bool
        True for Gammapy map datasets.
    """
    return is_gammapy_object(obj, "MapDataset")


# --------------------------------------------------------------------------------------
# axes, geometries and maps
# --------------------------------------------------------------------------------------
def axis_from_gammapy(axis: Any) -> MapAxis:
    """Convert a Gammapy ``MapAxis``.

    Parameters
    ----------
    axis : ``gammapy.maps.MapAxis``
        Axis with edge or centre nodes.

    Returns
    -------
    axis : `~fluxprofile.MapAxis`
        Axis with the same nodes, node type, interpolation, name and unit.

    Raises
    ------
    TypeError
        If ``axis`` is not a Gammapy ``MapAxis``.
    """
    if not is_gammapy_object(axis, "MapAxis"):
        msg = f"axis must be a Gammapy MapAxis, got {type(axis).__name__}"
        raise TypeError(msg)
    unit = u.Unit(axis.unit)
    # Gammapy keeps the nodes (edges or centres) in the axis unit; its ``center`` is
    # re-interpolated from them and may differ by 1 ulp in log scale, so use the stored
    # nodes when available.
    stored = getattr(axis, "_nodes", None)
    if stored is not None and not isinstance(stored, u.Quantity):
        nodes = np.asarray(stored)
    elif axis.node_type == "edges":
        nodes = axis.edges.to_value(unit)
    else:
        nodes = axis.center.to_value(unit)
    return MapAxis(np.array(nodes, dtype=np.float64), interp=axis.interp, name=axis.name,
                   unit=unit, node_type=axis.node_type)  # fmt: skip


def _hpx_geom_from_gammapy(geom: Any, what: str) -> HpxGeom:
    """A Gammapy HpxGeom (one NSIDE; all-sky or explicit pixels) as a `HpxGeom`."""
    nside = np.unique(np.asarray(geom.nside))
    if nside.size != 1:
        msg = f"{what} has a multi-resolution Gammapy HpxGeom (NSIDE {nside}); one NSIDE is needed"
        raise TypeError(msg)
    image = geom.to_image()
    pixels = None if image.is_allsky else np.asarray(image._ipix, dtype=np.int64)
    region = (
        geom.region
        if isinstance(geom.region, str) and geom.region != "explicit"
        else None
    )
    axes = [axis_from_gammapy(axis) for axis in geom.axes]
    return HpxGeom(int(nside[0]), nest=bool(geom.nest), frame=geom.frame, pixels=pixels,
                   axes=axes, region=region)  # fmt: skip


def _geom_from_gammapy(geom: Any, what: str) -> WcsGeom | HpxGeom:
    if is_gammapy_object(geom, "HpxGeom"):
        return _hpx_geom_from_gammapy(geom, what)
    if not is_gammapy_object(geom, "WcsGeom"):
        msg = (
            f"{what} has a Gammapy {type(geom).__name__}; only WCS geometries (WcsGeom) "
            "can be converted"
        )
        raise TypeError(msg)
    ny, nx = (int(n) for n in geom.data_shape[-2:])
    axes = [axis_from_gammapy(axis) for axis in geom.axes]
    return WcsGeom(geom.wcs.deepcopy(), (nx, ny), axes=axes)


def map_from_gammapy(m: Any, what: str = "map") -> Map:
    """Convert a Gammapy ``WcsNDMap`` (the data array is shared, not copied, unless it
    is stored in non-native byte order, as maps read from FITS files are).

    Parameters
    ----------
    m : ``gammapy.maps.WcsNDMap``
        Map on a WCS geometry.
    what : str, optional
        Name used in error messages. Default is "map".

    Returns
    -------
    map : `~fluxprofile.Map`
        Map with the same WCS, axes, data and unit.

    Raises
    ------
    TypeError
        If ``m`` is not a Gammapy map on a WCS geometry.
    """
    if not is_gammapy_object(m, "Map"):
        msg = f"{what} must be a Gammapy Map, got {type(m).__name__}"
        raise TypeError(msg)
    geom = _geom_from_gammapy(m.geom, what)
    return Map(geom, native_byte_order(m.data), unit=u.Unit(m.unit))


def _optional_map(m: Any, what: str) -> Map | None:
    return None if m is None else map_from_gammapy(m, what)


# --------------------------------------------------------------------------------------
# energy dispersion
# --------------------------------------------------------------------------------------
def _kernel_order(data: np.ndarray, names: list[str]) -> np.ndarray:
    """Move the (energy_true, energy) data dimensions of a Gammapy IRF map to the front."""
    n_axes = len(names)
    i_true = n_axes - 1 - names.index("energy_true")
    i_reco = n_axes - 1 - names.index("energy")
    return np.moveaxis(np.asarray(data), [i_true, i_reco], [0, 1])


def edisp_from_gammapy(edisp: Any, energy_axis: Any) -> EDispKernelMap | None:
    """Convert Gammapy energy dispersion to a `~fluxprofile.EDispKernelMap`.

    Parameters
    ----------
    edisp : ``gammapy.irf.EDispKernelMap``, ``gammapy.irf.EDispMap`` or None
        Kernel map (region or WCS geometry) or migration map; a migration map is
        integrated on ``energy_axis`` with Gammapy's ``to_edisp_kernel_map``.
    energy_axis : ``gammapy.maps.MapAxis``
        Reconstructed-energy axis of the dataset (used for migration maps).

    Returns
    -------
    edisp : `~fluxprofile.EDispKernelMap` or None
        Spatially constant for region geometries, else on the same WCS grid.

    Raises
    ------
    TypeError
        For other energy-dispersion types.
    """
    if edisp is None:
        return None
    if is_gammapy_object(edisp, "EDispMap"):
        edisp = edisp.to_edisp_kernel_map(energy_axis=energy_axis)
    if not is_gammapy_object(edisp, "EDispKernelMap"):
        msg = (
            f"edisp must be a Gammapy EDispKernelMap or EDispMap, got "
            f"{type(edisp).__module__}.{type(edisp).__name__}"
        )
        raise TypeError(msg)
    kernel_map = edisp.edisp_map
    axes = kernel_map.geom.axes
    names = list(axes.names)
    axis_reco = axis_from_gammapy(axes["energy"])
    axis_true = axis_from_gammapy(axes["energy_true"])
    data = _kernel_order(native_byte_order(kernel_map.data), names)
    exposure_map = getattr(edisp, "exposure_map", None)
    exposure = exposure_unit = None
    if exposure_map is not None:
        exp_names = list(exposure_map.geom.axes.names)
        exposure = _kernel_order(native_byte_order(exposure_map.data), exp_names)
        exposure_unit = u.Unit(exposure_map.unit)
    if is_gammapy_object(kernel_map.geom, "RegionGeom"):
        data = data.reshape(axis_true.nbin, axis_reco.nbin)
        if exposure is not None:
            exposure = exposure.reshape(exposure.shape[0], exposure.shape[1])
        geom = None
    else:
        geom = _geom_from_gammapy(kernel_map.geom, "edisp")
        geom = geom.to_image()
    if is_healpix(geom):
        hpx_kwargs = (
            {}
            if exposure is None
            else {"exposure": exposure, "exposure_unit": exposure_unit}
        )
        return HpxEDispKernelMap(
            np.ascontiguousarray(data), axis_true, axis_reco, geom, **hpx_kwargs
        )
    kwargs = (
        {}
        if exposure is None
        else {"exposure": exposure, "exposure_unit": exposure_unit}
    )
    return EDispKernelMap(
        np.ascontiguousarray(data), axis_true, axis_reco, geom=geom, **kwargs
    )


# --------------------------------------------------------------------------------------
# datasets
# --------------------------------------------------------------------------------------
def _gti_table(gti: Any) -> Table | None:
    """A Gammapy GTI as the table its FITS HDU holds (what `MapDataset.read` gives)."""
    if gti is None:
        return None
    if hasattr(gti, "to_table_hdu"):
        return Table.read(gti.to_table_hdu())
    return Table(gti)


def dataset_arguments_from_gammapy(dataset: Any) -> tuple[str, dict[str, Any]]:
    """The fluxprofile dataset type and constructor arguments of a Gammapy ``MapDataset``
    or ``MapDatasetOnOff`` (what `MapDataset.from_gammapy` builds the dataset from).

    Parameters
    ----------
    dataset : ``gammapy.datasets.MapDataset`` or ``gammapy.datasets.MapDatasetOnOff``
        Dataset on a WCS geometry.

    Returns
    -------
    tag : {"MapDataset", "MapDatasetOnOff"}
        The fluxprofile class to build.
    kwargs : dict
        Its constructor arguments. Counts, exposure, masks (and the on-off maps) share
        the Gammapy arrays (copied
        only when stored in non-native byte order, as after a Gammapy read); for a
        ``MapDataset`` the background is Gammapy's ``dataset.npred()`` (models and
        background-model corrections included, clipped at 0); energy dispersion via
        `edisp_from_gammapy`; GTI as a table, meta table copied, name kept; the PSF is
        dropped. The sky models of an on-off dataset are ignored (WStat profiles use
        ``counts_off`` and alpha only).

    Raises
    ------
    TypeError
        If ``dataset`` is not a Gammapy map dataset on a WCS geometry.
    ValueError
        If counts, exposure or an on-off map is missing.
    """
    if not is_gammapy_dataset(dataset):
        msg = (
            f"dataset must be a Gammapy MapDataset or MapDatasetOnOff, got "
            f"{type(dataset).__module__}.{type(dataset).__name__}"
        )
        raise TypeError(msg)
    kind = type(dataset).__name__
    name = dataset.name
    for attr in ("counts", "exposure"):
        if getattr(dataset, attr, None) is None:
            msg = f"Gammapy {kind} {name!r} has no {attr}; it cannot be converted"
            raise ValueError(msg)
    if not is_gammapy_object(dataset.counts.geom, "WcsGeom", "HpxGeom"):
        msg = (
            f"Gammapy {kind} {name!r} has a {type(dataset.counts.geom).__name__} geometry; "
            "only map datasets on a WcsGeom or HpxGeom can be converted (spectrum datasets "
            "cannot)"
        )
        raise TypeError(msg)
    counts = map_from_gammapy(dataset.counts, "counts")
    kwargs: dict[str, Any] = {
        "counts": counts,
        "exposure": map_from_gammapy(dataset.exposure, "exposure"),
        "mask_safe": _optional_map(dataset.mask_safe, "mask_safe"),
        "mask_fit": _optional_map(dataset.mask_fit, "mask_fit"),
        "edisp": edisp_from_gammapy(dataset.edisp, dataset.counts.geom.axes["energy"]),
        "gti": _gti_table(dataset.gti),
        "name": name,
        "meta_table": None if dataset.meta_table is None else Table(dataset.meta_table),
    }
    if is_gammapy_object(dataset, "MapDatasetOnOff"):
        for attr in ("counts_off", "acceptance", "acceptance_off"):
            value = getattr(dataset, attr, None)
            if value is None:
                msg = f"Gammapy MapDatasetOnOff {name!r} has no {attr}; it cannot be converted"
                raise ValueError(msg)
            kwargs[attr] = map_from_gammapy(value, attr)
        return "MapDatasetOnOff", kwargs
    npred = dataset.npred()
    kwargs["background"] = Map(
        counts.geom, native_byte_order(npred.data), unit=u.Unit(npred.unit)
    )
    return "MapDataset", kwargs


# --------------------------------------------------------------------------------------
# spectral models
# --------------------------------------------------------------------------------------
def spectral_model_to_gammapy(model: SpectralModel) -> Any:
    """The Gammapy spectral model equal to a fluxprofile one (imports gammapy).

    Parameters
    ----------
    model : `~fluxprofile.SpectralModel`
        Built-in model (same class name and parameters in Gammapy), a template model,
        or a wrapped Gammapy model (returned unwrapped).

    Returns
    -------
    model : ``gammapy.modeling.models.SpectralModel``
        Gammapy model.

    Raises
    ------
    TypeError
        If the model has no Gammapy equivalent.
    """
    from gammapy.modeling import models as gp_models

    wrapped = getattr(model, "_model", None)
    if wrapped is not None and is_gammapy_object(wrapped, "SpectralModel"):
        return wrapped
    if is_gammapy_object(model, "SpectralModel"):
        return model
    tag = getattr(model, "tag", None)
    cls_name = (
        tag[0] if isinstance(tag, (list, tuple)) and tag else type(model).__name__
    )
    gp_cls = getattr(gp_models, cls_name, None)
    if gp_cls is None:
        msg = f"spectral model {type(model).__name__} ({cls_name}) has no Gammapy equivalent"
        raise TypeError(msg)
    if cls_name == "TemplateSpectralModel":
        return gp_cls(energy=model.energy, values=model.values)
    gp_model = gp_cls(**{p.name: u.Quantity(p.value, p.unit) for p in model.parameters})
    for par in model.parameters:
        gp_model.parameters[par.name].frozen = bool(par.frozen)
    return gp_model


def spectral_model_from_gammapy(model: Any) -> SpectralModel:
    """A fluxprofile spectral model from a Gammapy one (no gammapy import).

    Gammapy models with a fluxprofile class of the same name and parameters are rebuilt
    natively; any other Gammapy model is wrapped (`~fluxprofile.as_spectral_model`)
    and keeps its own integrals.

    Parameters
    ----------
    model : ``gammapy.modeling.models.SpectralModel``
        Gammapy spectral model.

    Returns
    -------
    model : `~fluxprofile.SpectralModel`
        Equivalent fluxprofile model.
    """
    tag = getattr(model, "tag", None)
    cls_name = (
        tag[0] if isinstance(tag, (list, tuple)) and tag else type(model).__name__
    )
    cls = _NATIVE_MODELS.get(cls_name)
    if is_gammapy_object(model, "SpectralModel") and cls is not None:
        try:
            native = cls(
                **{p.name: u.Quantity(p.value, p.unit) for p in model.parameters}
            )
        except (TypeError, ValueError):
            native = None
        if native is not None:
            for par in model.parameters:
                native.parameters[par.name].frozen = bool(par.frozen)
            return native
    if (
        cls_name == "TemplateSpectralModel"
        and hasattr(model, "energy")
        and hasattr(model, "values")
    ):
        return TemplateSpectralModel(u.Quantity(model.energy), u.Quantity(model.values))
    return as_spectral_model(model)


# --------------------------------------------------------------------------------------
# flux points
# --------------------------------------------------------------------------------------
def axis_to_gammapy(axis: MapAxis | LabelMapAxis) -> Any:
    """The Gammapy axis equal to a fluxprofile one (imports gammapy).

    Parameters
    ----------
    axis : `~fluxprofile.MapAxis` or `~fluxprofile.LabelMapAxis`
        The axis.

    Returns
    -------
    axis : ``gammapy.maps.MapAxis`` or ``gammapy.maps.LabelMapAxis``
        Same nodes (bit for bit), node type, interpolation, name and unit, or the same
        labels.
    """
    from gammapy.maps import LabelMapAxis as GammapyLabelMapAxis
    from gammapy.maps import MapAxis as GammapyMapAxis

    if isinstance(axis, LabelMapAxis):
        return GammapyLabelMapAxis(labels=list(axis.labels), name=axis.name)
    return GammapyMapAxis(np.array(axis.nodes, dtype=np.float64), interp=axis.interp,
                          name=axis.name, node_type=axis.node_type,
                          unit=axis.unit)  # fmt: skip


def flux_points_to_gammapy(flux_points: Any) -> Any:
    """Convert fluxprofile `~fluxprofile.FluxPoints` to Gammapy ``FluxPoints``
    (imports gammapy; `~fluxprofile.FluxPoints.to_gammapy` calls it).

    Every stored quantity, fluxprofile's ``npix`` and ``solid_angle`` included, becomes a
    ``RegionNDMap`` on a region-less ``RegionGeom`` with Gammapy's axes: ``[dataset,]
    energy, projected-distance`` (the dataset axis a ``LabelMapAxis`` of the dataset
    names when known) and ``[norm,] energy, projected-distance`` for the scan; the
    arrays are copied. The reference model becomes a ``SkyModel`` of the
    `spectral_model_to_gammapy` model; meta, GTI and ``filter_success_nan`` are kept.

    Parameters
    ----------
    flux_points : `~fluxprofile.FluxPoints`
        Profile flux points.

    Returns
    -------
    flux_points : ``gammapy.estimators.FluxPoints``
        Gammapy flux points, usable by Gammapy's downstream (``FluxPointsDataset``,
        ``plot``, ``write``).
    """
    from gammapy.data import GTI as GammapyGTI
    from gammapy.estimators import FluxPoints as GammapyFluxPoints
    from gammapy.maps import RegionGeom, RegionNDMap
    from gammapy.modeling.models import SkyModel

    energy = axis_to_gammapy(flux_points.energy_axis)
    distance = axis_to_gammapy(flux_points.distance_axis)
    third = {"dataset": axis_to_gammapy(flux_points.dataset_axis)}
    if flux_points.norm_axis is not None:
        third["norm"] = axis_to_gammapy(flux_points.norm_axis)
    data = {}
    for name in flux_points.available_quantities:
        values = np.array(flux_points._data[name])
        axes = [energy, distance]
        if values.ndim == 3:
            axes.insert(0, third["dataset" if name in DATASET_QUANTITIES else "norm"])
        geom = RegionGeom.create(region=None, axes=axes)
        data[name] = RegionNDMap.from_geom(
            geom, data=values.reshape((*values.shape, 1, 1)),
            unit=flux_points._units[name], dtype=values.dtype,
        )  # fmt: skip
    gti = flux_points.gti
    if gti is not None:
        gti = GammapyGTI.from_table_hdu(gti.to_table_hdu())
    spectral = spectral_model_to_gammapy(flux_points.reference_model)
    return GammapyFluxPoints(
        data=data,
        reference_model=SkyModel(spectral_model=spectral, name="reference"),
        meta=dict(flux_points.meta),
        gti=gti,
        filter_success_nan=flux_points.filter_success_nan,
    )


def flux_points_arguments_from_gammapy(
    flux_points: Any, reference_model: SpectralModel | None = None
) -> tuple[dict[str, Any], dict[str, u.UnitBase]]:
    """The `~fluxprofile.FluxPoints` constructor arguments of Gammapy ``FluxPoints``
    of a profile (what `~fluxprofile.FluxPoints.from_gammapy` builds them from).

    Parameters
    ----------
    flux_points : ``gammapy.estimators.FluxPoints``
        Gammapy profile flux points (e.g. from Gammapy's ``FluxProfileEstimator`` or
        `flux_points_to_gammapy`).
    reference_model : `~fluxprofile.SpectralModel`, optional
        Reference model. Default is None (the Gammapy one, converted with
        `spectral_model_from_gammapy`).

    Returns
    -------
    kwargs : dict
        ``data`` (the stored quantities fluxprofile knows, as plain arrays in Gammapy's
        map shapes, copied), ``energy_axis``, ``distance_axis`` (nodes bit for bit),
        ``reference_model``, ``meta``, ``norm_scan``, ``dataset_names`` (from a
        ``LabelMapAxis``), ``gti`` and ``filter_success_nan``.
    units : dict of str to `~astropy.units.UnitBase`
        The unit of each quantity.

    Raises
    ------
    TypeError
        If ``flux_points`` is not Gammapy ``FluxPoints``.
    ValueError
        If it has no projected-distance axis.
    """
    if not is_gammapy_object(flux_points, "FluxPoints", "FluxMaps"):
        msg = (
            f"flux_points must be Gammapy FluxPoints, got {type(flux_points).__name__}"
        )
        raise TypeError(msg)
    names = list(flux_points.geom.axes.names)
    if "projected-distance" not in names:
        msg = f"flux_points must be a profile with a 'projected-distance' axis, got axes {names}"
        raise ValueError(msg)
    geom_axes = flux_points.geom.axes
    data: dict[str, np.ndarray] = {}
    units: dict[str, u.UnitBase] = {}
    dataset_names = norm_scan = None
    for name, m in flux_points._data.items():
        if name not in STORABLE_QUANTITIES:
            continue
        data[name] = np.array(m.data)
        units[name] = u.Unit(m.unit)
        axes = m.geom.axes
        if "dataset" in axes.names and is_gammapy_object(
            axes["dataset"], "LabelMapAxis"
        ):
            dataset_names = [str(label) for label in axes["dataset"].center]
        if "norm" in axes.names:
            norm_scan = np.array(axes["norm"].center.value, dtype=np.float64)
    if reference_model is None:
        reference_model = spectral_model_from_gammapy(
            flux_points.reference_spectral_model
        )
    gti = getattr(flux_points, "gti", None)
    kwargs = {
        "data": data,
        "energy_axis": axis_from_gammapy(geom_axes["energy"]),
        "distance_axis": axis_from_gammapy(geom_axes["projected-distance"]),
        "reference_model": reference_model,
        "meta": dict(flux_points.meta),
        "norm_scan": norm_scan,
        "dataset_names": dataset_names,
        "gti": None if gti is None else GTI(Table.read(gti.to_table_hdu())),
        "filter_success_nan": bool(flux_points.filter_success_nan),
    }
    return kwargs, units
