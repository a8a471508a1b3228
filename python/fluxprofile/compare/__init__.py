"""Comparison of flux profiles with templates (gas maps, diffuse models), with what a
template predicts in a dataset, and with other instruments' profiles in the same regions
(docs/comparison.rst)."""

from __future__ import annotations

from .correlation import (
    ProfileCorrelation,
    ProfileValues,
    TemplateScaleFit,
    fit_template_scale,
    profile_correlation,
    profile_values,
)
from .plot import (
    ProfileComparison,
    compare_profiles,
    comparison_table,
    plot_profile_comparison,
)
from .predicted import (
    PredictedProfile,
    make_predicted_profile,
    template_flux_cube,
    template_npred_map,
)
from .template import (
    TemplateProfile,
    as_template_map,
    evaluate_template,
    integrate_template,
    make_template_profile,
    standard_orientation,
)

__all__ = [
    "PredictedProfile",
    "ProfileComparison",
    "ProfileCorrelation",
    "ProfileValues",
    "TemplateProfile",
    "TemplateScaleFit",
    "as_template_map",
    "compare_profiles",
    "comparison_table",
    "evaluate_template",
    "fit_template_scale",
    "integrate_template",
    "make_predicted_profile",
    "make_template_profile",
    "plot_profile_comparison",
    "profile_correlation",
    "profile_values",
    "standard_orientation",
    "template_flux_cube",
    "template_npred_map",
]
