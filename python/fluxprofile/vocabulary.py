"""The names fluxprofile shares with Gammapy, in one place: SED types, optional quantities,
stored quantities and their default units.

Every module that needs one of these lists imports it from here, so that the command line,
the estimator, the flux points and the plots can never disagree.
"""

from __future__ import annotations

from astropy import units as u

__all__ = [
    "BOOL_QUANTITIES",
    "COMMON_QUANTITIES",
    "DATASET_QUANTITIES",
    "DEFAULT_UNIT",
    "EXTRA_QUANTITIES",
    "FLUX_SED_TYPES",
    "NORM_QUANTITIES",
    "OPTIONAL_QUANTITIES",
    "PLOT_SED_TYPES",
    "QUANTITY_SUFFIXES",
    "SCAN_QUANTITIES",
    "SED_TYPES",
    "STORABLE_QUANTITIES",
    "SUFFIXES_FLUX",
    "SUFFIXES_LIKELIHOOD",
    "sed_quantities",
    "table_quantities",
]

#: Optional quantities of `FluxProfileEstimator` (``selection_optional``), in Gammapy's order;
#: any selection containing "all" selects all of them.
OPTIONAL_QUANTITIES: tuple[str, ...] = ("errn-errp", "ul", "scan", "sensitivity")

#: SED types of `FluxPoints` tables and files; "likelihood" is the norm-based type the
#: estimator produces.
SED_TYPES: tuple[str, ...] = ("dnde", "e2dnde", "flux", "eflux", "likelihood")
#: The SED types that are fluxes (converted from the norm through the reference model).
FLUX_SED_TYPES: tuple[str, ...] = ("dnde", "e2dnde", "flux", "eflux")
#: What a profile plot can show on its y axis.
PLOT_SED_TYPES: tuple[str, ...] = (*FLUX_SED_TYPES, "norm")

#: Units of the SED types in tables and plots (Gammapy's defaults).
DEFAULT_UNIT: dict[str, u.UnitBase | None] = {
    "dnde": u.Unit("cm-2 s-1 TeV-1"),
    "e2dnde": u.Unit("erg cm-2 s-1"),
    "flux": u.Unit("cm-2 s-1"),
    "eflux": u.Unit("erg cm-2 s-1"),
    "norm": u.Unit(""),
    "likelihood": None,
}

# Same suffix order as Gammapy: likelihood lists errn before errp, the others errp first.
SUFFIXES_LIKELIHOOD: tuple[str, ...] = ("_err", "_errn", "_errp", "_ul", "_sensitivity")
SUFFIXES_FLUX: tuple[str, ...] = ("_err", "_errp", "_errn", "_ul", "_sensitivity")
#: The norm and its errors, limits and sensitivity.
NORM_QUANTITIES: tuple[str, ...] = ("norm", *(f"norm{s}" for s in SUFFIXES_LIKELIHOOD))
#: The other quantities Gammapy stores with flux points.
COMMON_QUANTITIES: tuple[str, ...] = (
    "ts",
    "sqrt_ts",
    "npred",
    "npred_excess",
    "stat",
    "stat_null",
    "stat_scan",
    "niter",
    "is_ul",
    "counts",
    "success",
    "n_dof",
)
#: fluxprofile's additions (not written by Gammapy): appended after Gammapy's columns.
EXTRA_QUANTITIES: tuple[str, ...] = ("npix", "solid_angle")
STORABLE_QUANTITIES: tuple[str, ...] = (
    NORM_QUANTITIES + COMMON_QUANTITIES + EXTRA_QUANTITIES
)
#: Quantities with one value per dataset (a ``dataset`` axis).
DATASET_QUANTITIES: tuple[str, ...] = ("counts", "npred", "npred_excess")
#: Quantities with one value per scanned norm (a ``norm`` axis).
SCAN_QUANTITIES: tuple[str, ...] = ("stat_scan",)
#: Quantities stored as bool.
BOOL_QUANTITIES: tuple[str, ...] = ("success", "is_ul")
#: Which quantity of a SED type (`FluxPoints.surface_brightness`): the values (None), the
#: errors, the upper limits or the sensitivity.
QUANTITY_SUFFIXES: tuple[str | None, ...] = (
    None,
    *(s[1:] for s in SUFFIXES_LIKELIHOOD),
)


def sed_quantities(sed_type: str) -> tuple[str, ...]:
    """The error, limit and sensitivity quantities of a SED type, in Gammapy's order.

    Parameters
    ----------
    sed_type : str
        One of `SED_TYPES`.

    Returns
    -------
    names : tuple of str
        E.g. ``("norm_err", "norm_errn", "norm_errp", "norm_ul", "norm_sensitivity")`` for
        "likelihood", ``("flux_err", "flux_errp", "flux_errn", ...)`` for "flux".
    """
    suffixes = SUFFIXES_LIKELIHOOD if sed_type == "likelihood" else SUFFIXES_FLUX
    prefix = "norm" if sed_type == "likelihood" else sed_type
    return tuple(prefix + s for s in suffixes)


def table_quantities(sed_type: str) -> tuple[str, ...]:
    """The quantities of a profile table of a SED type, in Gammapy's column order.

    Parameters
    ----------
    sed_type : str
        One of `SED_TYPES`.

    Returns
    -------
    names : tuple of str
        The SED quantity, its `sed_quantities`, `COMMON_QUANTITIES`, then
        fluxprofile's `EXTRA_QUANTITIES`.
    """
    first = "norm" if sed_type == "likelihood" else sed_type
    return (first, *sed_quantities(sed_type), *COMMON_QUANTITIES, *EXTRA_QUANTITIES)
