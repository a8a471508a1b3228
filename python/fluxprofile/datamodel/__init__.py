"""The Gammapy-compatible data model: axes, geometries, maps, datasets, spectral models and
flux points. No file formats (see `fluxprofile.io`), no plots, no gammapy."""

from __future__ import annotations

from .axes import MapAxes, MapAxis
from .container import Datasets, as_dataset_list
from .datasets import MapDataset, MapDatasetOnOff, read_dataset
from .edisp import EDispKernelMap
from .flux_points import FluxPoints
from .flux_quantities import FluxQuantities
from .geom import WcsGeom
from .gti import GTI
from .hpx_geom import HpxGeom
from .label_axis import LabelMapAxis
from .map import HpxNDMap, Map, WcsNDMap
from .parameter import Parameter, Parameters
from .quantity import ProfileQuantity
from .region_geom import RegionGeom
from .spectral import (
    ExpCutoffPowerLawSpectralModel,
    LogParabolaSpectralModel,
    PowerLawSpectralModel,
    SpectralModel,
    TemplateSpectralModel,
    as_spectral_model,
    integrate_spectrum,
)

__all__ = [
    "GTI",
    "Datasets",
    "EDispKernelMap",
    "ExpCutoffPowerLawSpectralModel",
    "FluxPoints",
    "FluxQuantities",
    "HpxGeom",
    "HpxNDMap",
    "LabelMapAxis",
    "LogParabolaSpectralModel",
    "Map",
    "MapAxes",
    "MapAxis",
    "MapDataset",
    "MapDatasetOnOff",
    "Parameter",
    "Parameters",
    "PowerLawSpectralModel",
    "ProfileQuantity",
    "RegionGeom",
    "SpectralModel",
    "TemplateSpectralModel",
    "WcsGeom",
    "WcsNDMap",
    "as_dataset_list",
    "as_spectral_model",
    "integrate_spectrum",
    "read_dataset",
]
