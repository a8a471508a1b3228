"""fluxprofile: fast flux profiles of gamma-ray sky maps.

A drop-in replacement for Gammapy's ``FluxProfileEstimator`` with a multithreaded C++ core.
"""

from __future__ import annotations

from importlib.metadata import version as _version

try:
    from . import _core
except ImportError as err:  # pragma: no cover - only without a build
    if "_core" in str(err):
        err.msg += (
            "\nDid you forget to compile fluxprofile? Install it with `pip install .`"
        )
    raise

from ._core import InvalidInput
from .compare import (
    PredictedProfile,
    ProfileComparison,
    ProfileCorrelation,
    TemplateProfile,
    TemplateScaleFit,
    compare_profiles,
    fit_template_scale,
    make_predicted_profile,
    make_template_profile,
    plot_profile_comparison,
    profile_correlation,
)
from .datamodel import (
    GTI,
    Datasets,
    EDispKernelMap,
    ExpCutoffPowerLawSpectralModel,
    FluxPoints,
    HpxGeom,
    HpxNDMap,
    LabelMapAxis,
    LogParabolaSpectralModel,
    Map,
    MapAxes,
    MapAxis,
    MapDataset,
    MapDatasetOnOff,
    Parameter,
    Parameters,
    PowerLawSpectralModel,
    RegionGeom,
    SpectralModel,
    TemplateSpectralModel,
    WcsGeom,
    WcsNDMap,
    as_spectral_model,
    read_dataset,
)
from .demo import make_example_dataset
from .estimator import FluxProfileEstimator
from .exceptions import FluxProfileWarning
from .plotting.regions import plot_regions
from .regions import (
    PathRegionMeta,
    PixelShapes,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    make_path_sky_regions,
    projected_distance_edges,
    projected_distances,
    region_centers,
    sky_regions_to_pixel_shapes,
)

__version__ = _version("fluxprofile")
__all__ = [
    "GTI",
    "Datasets",
    "EDispKernelMap",
    "ExpCutoffPowerLawSpectralModel",
    "FluxPoints",
    "FluxProfileEstimator",
    "FluxProfileWarning",
    "HpxGeom",
    "HpxNDMap",
    "InvalidInput",
    "LabelMapAxis",
    "LogParabolaSpectralModel",
    "Map",
    "MapAxes",
    "MapAxis",
    "MapDataset",
    "MapDatasetOnOff",
    "Parameter",
    "Parameters",
    "PathRegionMeta",
    "PixelShapes",
    "PowerLawSpectralModel",
    "PredictedProfile",
    "ProfileComparison",
    "ProfileCorrelation",
    "RegionGeom",
    "SpectralModel",
    "TemplateProfile",
    "TemplateScaleFit",
    "TemplateSpectralModel",
    "WcsGeom",
    "WcsNDMap",
    "__version__",
    "_core",
    "as_spectral_model",
    "compare_profiles",
    "fit_template_scale",
    "make_concentric_annulus_sky_regions",
    "make_example_dataset",
    "make_orthogonal_rectangle_sky_regions",
    "make_path_sky_regions",
    "make_predicted_profile",
    "make_template_profile",
    "plot_profile_comparison",
    "plot_regions",
    "profile_correlation",
    "projected_distance_edges",
    "projected_distances",
    "read_dataset",
    "region_centers",
    "sky_regions_to_pixel_shapes",
]
