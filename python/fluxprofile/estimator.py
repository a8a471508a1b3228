"""`FluxProfileEstimator`: flux points in a list of regions, a drop-in for Gammapy's
(configuration and the orchestration of a run; the array work is in `fluxprofile.pipeline`)."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from astropy import units as u
from regions import Region

from . import _core
from .datamodel import (
    FluxPoints,
    MapAxis,
    MapDataset,
    Parameter,
    PowerLawSpectralModel,
    SpectralModel,
    as_dataset_list,
    as_spectral_model,
)
from .datamodel.gti import profile_gti
from .datamodel.reprs import estimator_repr, html_repr
from .exceptions import FluxProfileWarning, index_ranges, warn_regions
from .pipeline.energy_groups import (
    EnergyGroups,
    parse_energy_edges,
    plan_energy_groups,
    validate_energy_edges,
)
from .pipeline.fit import GroupFits, fit_groups, warn_fit_results
from .pipeline.geometry import GeometryCache, RegionGeometry
from .pipeline.reduce import ReducedDataset, reduce_datasets
from .vocabulary import OPTIONAL_QUANTITIES

__all__ = ["MAX_N_JOBS", "MAX_N_SIGMA", "FluxProfileEstimator"]

# The largest n_jobs accepted (the core's cap, kMaxThreads in parallel.hpp).
MAX_N_JOBS = _core.max_threads()
# The largest n_sigma, n_sigma_ul and n_sigma_sensitivity accepted: a crossing at
# Δstat = n_sigma**2 of a Poisson likelihood can lie up to ~n_sigma**2 errors from the best
# fit, and the search (like Gammapy's) reaches 1e5 errors (docs/numeric_limits.rst).
MAX_N_SIGMA = 100.0

_NORM_KEYS = {
    "name",
    "value",
    "unit",
    "min",
    "max",
    "frozen",
    "error",
    "scan_min",
    "scan_max",
    "scan_n_values",
    "scan_n_sigma",
    "scan_values",
    "scale_method",
    "interp",
}
# Keywords of Gammapy <= 1.2 (the tutorial this package was written for) and their 2.x names.
_OLD_NORM_KEYWORDS = {
    "norm_min": "scan_min",
    "norm_max": "scan_max",
    "norm_n_values": "scan_n_values",
    "norm_values": "scan_values",
}


# Gammapy's process backends (gammapy.utils.parallel.ParallelBackendEnum); fluxprofile
# uses threads in its core whatever is asked, but checks the name as Gammapy does.
_PARALLEL_BACKENDS = ("multiprocessing", "ray")


def _check_parallel_backend(value: Any) -> str | None:
    """``parallel_backend`` as Gammapy accepts it: None or one of its backend names."""
    if value is None:
        return None
    name = getattr(value, "value", value)  # Gammapy's ParallelBackendEnum member
    if name not in _PARALLEL_BACKENDS:
        msg = f"parallel_backend must be one of {list(_PARALLEL_BACKENDS)} or None, got {value!r}"
        raise ValueError(msg)
    return str(name)


def _region_sequence(regions: Any) -> list[Any]:
    """The regions as a list: a list or tuple, a `regions.Regions` container (what
    ``Regions.read`` gives), a numpy array of regions or any other iterable of them."""
    msg = (
        "regions must be a list of sky regions (or a regions.Regions or numpy array "
        f"of them), got {type(regions).__name__}"
    )
    if isinstance(regions, (str, bytes)):
        raise TypeError(msg)
    if isinstance(regions, Region):
        return [regions]  # one region: "at least two" below
    if isinstance(regions, np.ndarray):
        return list(regions.ravel())
    # regions.Regions holds its list as .regions (and iterates by index)
    inner = getattr(regions, "regions", None)
    if isinstance(inner, list):
        return list(inner)
    try:
        return list(regions)
    except TypeError as err:
        raise TypeError(msg) from err


# Settings copied from a Parameter of another library (Gammapy's): its private scan
# settings first, so that unset ones stay "computed from the value" as there.
_DUCK_NORM_ATTRS = (
    ("value", "value"),
    ("unit", "unit"),
    ("min", "min"),
    ("max", "max"),
    ("frozen", "frozen"),
    ("error", "error"),
    ("scan_n_values", "scan_n_values"),
    ("scan_n_sigma", "scan_n_sigma"),
    ("scale_method", "scale_method"),
    ("interp", "interp"),
)


def _parameter_from_duck(norm: Any) -> Parameter:
    """A fluxprofile `Parameter` with the settings of a parameter-like object (a Gammapy
    ``Parameter``: name, value, unit, bounds, scan settings, interp), no gammapy import.
    """
    if not (
        hasattr(norm, "name")
        and hasattr(norm, "value")
        and hasattr(norm, "scan_values")
    ):
        msg = f"norm must be a Parameter, a dict or None, got {type(norm).__name__}"
        raise TypeError(msg)
    settings: dict[str, Any] = {"name": norm.name}
    for ours, theirs in _DUCK_NORM_ATTRS:
        if hasattr(norm, theirs):
            settings[ours] = getattr(norm, theirs)
    for name in ("scan_min", "scan_max", "scan_values"):
        private = f"_{name}"
        value = (
            getattr(norm, private)
            if hasattr(norm, private)
            else getattr(norm, name, None)
        )
        if value is not None:
            settings[name] = value
    settings["value"] = float(settings["value"])
    return Parameter(**settings)


def _describe_groups(plan: EnergyGroups, groups: Sequence[int], limit: int = 5) -> str:
    """Requested ranges of some energy groups: ``"12.0 GeV-13.0 GeV (energy group 1)"``
    (the first ``limit`` ranges, then "..."; all the indices)."""
    edges = plan.requested
    ranges = [f"{edges[g]}-{edges[g + 1]}" for g in groups[:limit]]
    if len(groups) > limit:
        ranges.append("...")
    noun = "energy group" if len(groups) == 1 else "energy groups"
    return f"{', '.join(ranges)} ({noun} {index_ranges(groups)})"


def _describe_result_groups(
    plan: EnergyGroups, groups: Sequence[int], limit: int = 5
) -> str:
    """Ranges of some of the result's energy groups (as fitted) and their indices."""
    edges = plan.edges.to(plan.requested.unit)
    unit = edges.unit.to_string()
    ranges = [
        f"{edges[g].value:.4g} {unit}-{edges[g + 1].value:.4g} {unit}"
        for g in groups[:limit]
    ]
    if len(groups) > limit:
        ranges.append("...")
    noun = "energy group" if len(groups) == 1 else "energy groups"
    return f"{', '.join(ranges)} ({noun} {index_ranges(groups)})"


def _format_value(value: Any) -> str:
    """Render a configuration value as Gammapy's estimator ``__str__`` does."""
    if hasattr(value, "tag"):
        tag = value.tag
        return tag[0] if isinstance(tag, (list, tuple)) else str(tag)
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, u.Quantity):
        return str(value)
    if isinstance(value, np.ndarray):
        return np.array_str(value, precision=2, suppress_small=True)
    return str(value)


def _warn_linear_norm(norm: Parameter) -> None:
    """Gammapy's warning for a norm Parameter with linear interpolation, saying which
    scan values that gives (the explicit ones are the user's choice: not described)."""
    text = (
        "Linear interpolation should be used with care on the 'norm' parameter. "
        "We recommend using 'log' interpolation instead"
    )
    if getattr(norm, "_scan_values", None) is None:
        text += (
            f" (the {norm.scan_n_values} scan values from scan_min={norm.scan_min:g} to "
            f"scan_max={norm.scan_max:g} are evenly spaced in norm)"
        )
    warnings.warn(text + ".", UserWarning, stacklevel=4)


def _format_scan(norm: Parameter) -> str:
    """The norm scan of ``str(estimator)``: the values set (``norm_values=``,
    ``scan_values``), else how many values from scan_min to scan_max in which scale."""
    if getattr(norm, "_scan_values", None) is not None:
        return np.array_str(
            np.asarray(norm.scan_values), precision=3, suppress_small=True
        )
    return (
        f"{norm.scan_n_values} values from {norm.scan_min:g} to {norm.scan_max:g} "
        f"({norm.interp})"
    )


class FluxProfileEstimator:
    """Estimate flux points (a profile) in a list of sky regions.

    For every region the datasets are reduced to a spectrum (counts and predicted background
    summed over the region's safe pixels, exposure averaged over it, energy dispersion taken
    at the region centre) and the norm of the reference spectral model is fitted in each
    energy group. The work runs in the compiled core, multithreaded over regions; results
    do not depend on the number of threads.

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        Regions (rectangles, circles, circle annuli or polygons), at least two, ordered by
        increasing distance from the first one (annuli: by mean radius). A
        `~regions.Regions` container or a numpy array of regions works too.
    spectral_model : SpectralModel, optional
        Reference spectrum whose norm is fitted. Default is
        `~fluxprofile.PowerLawSpectralModel` with index 2.
    energy_edges : `~astropy.units.Quantity`, optional
        Edges of the energy groups, snapped to the datasets' reco-energy bins as Gammapy
        does. Each group's e_min/e_max in the result is the range it fits; groups beyond
        the data are NaN rows, groups inside it that span no reco bin are left out
        (docs/energy_groups.rst). A string such as ``"10,2000 GeV"`` is read as values
        and a unit. Default is [1, 10] TeV.
    sum_over_energy_groups : bool, optional
        Collapse each group to a single bin before fitting. Default is False.
    n_jobs : int or None, optional
        Number of threads, at most `MAX_N_JOBS` (1024); None uses all cores (results are
        identical for any value). Default is None.
    selection_optional : list of str, str or "all", optional
        Optional quantities among "errn-errp", "ul", "scan", "sensitivity"; a single
        name selects that quantity, anything containing "all" selects all of them.
        Default is None (none).
    n_sigma : float, optional
        Sigma of the asymmetric errors (Δstat = n_sigma²); also multiplies ``norm_err``.
        Default is 1.
    n_sigma_ul : float, optional
        Sigma of the upper limits (Δstat = n_sigma_ul²). Default is 2.
    n_sigma_sensitivity : float, optional
        Significance of the "sensitivity" quantity. Default is 5.
    null_value : float, optional
        Norm of the null hypothesis for ``ts``. Default is 0.
    norm : `~fluxprofile.Parameter`, Gammapy ``Parameter`` or dict, optional
        The norm parameter (scan settings); a dict updates the default; a Gammapy
        ``Parameter`` (any object with ``name``, ``value`` and ``scan_values``) is
        copied into a fluxprofile one. Default is None.
    reoptimize : bool, optional
        Must be False (only the norm is free). Default is False.
    source : int or str, optional
        Kept for compatibility (the fitted model is always the reference spectrum).
        Default is 0.
    allow_multiple_telescopes : bool, optional
        Allow datasets whose meta table names different telescopes. Default is False.
    norm_err_method : {"minuit", "curvature"}, optional
        How the fit is reported: "minuit" reproduces Gammapy's MINUIT fit (MIGRAD started
        at norm 1 with tolerance 0.1, emulated exactly): the norm where MIGRAD stops, the
        covariance it ends with as ``norm_err``, and errn, errp and ul measured from the
        norms of Gammapy's re-optimisations before them. "curvature" reports the exact
        minimum of the likelihood, its exact curvature error and intervals from that
        minimum. MIGRAD stops within its EDM goal, up to about 1.4 % of the error from the
        exact minimum, and its error differs from the exact curvature by up to about a
        percent where its numerical second derivative is noisy (far from norm 1).
        Default is "minuit".
    containment : {"center", "exact"}, optional
        Which pixels belong to a region: those whose centre is inside (Gammapy's rule), or
        every pixel weighted by the exact fraction of its area inside the region (counts,
        background and exposure alike). Default is "center".
    fit : optional
        Accepted for compatibility and ignored: the norm is fitted in the core. Default
        is None.
    parallel_backend : {"multiprocessing", "ray"}, optional
        Checked as Gammapy does and otherwise ignored: the core uses ``n_jobs`` threads
        instead of processes (docs/from_gammapy.rst). Default is None.
    spectrum : SpectralModel, optional
        Older name of ``spectral_model``.
    norm_min, norm_max, norm_n_values, norm_values : optional
        Older names of the norm scan settings ``scan_min``, ``scan_max``, ``scan_n_values``
        and ``scan_values``.

    Raises
    ------
    ValueError
        Fewer than two regions, ``reoptimize=True``, an unknown optional quantity, an
        ``n_sigma``, ``n_sigma_ul`` or ``n_sigma_sensitivity`` outside (0, 100], an
        ``n_jobs`` that is not None or an integer in [1, 1024] (docs/numeric_limits.rst),
        or an invalid ``parallel_backend``.
    TypeError
        Unknown keyword arguments, regions that are not a collection.
    """

    tag = "FluxProfileEstimator"

    def __init__(
        self,
        regions: Sequence[Any],
        spectral_model: SpectralModel | None = None,
        **kwargs: Any,
    ) -> None:
        self._geometry_cache = GeometryCache()
        regions = _region_sequence(regions)
        if len(regions) <= 1:
            msg = "Please provide at least two regions for flux profile estimation."
            raise ValueError(msg)
        self.regions = regions

        spectrum = kwargs.pop("spectrum", None)
        if spectrum is not None:
            if spectral_model is not None:
                msg = "Give either spectral_model or its older name spectrum, not both."
                raise TypeError(msg)
            spectral_model = spectrum
        if spectral_model is None:
            spectral_model = PowerLawSpectralModel()
        self.spectral_model = as_spectral_model(spectral_model)

        if kwargs.get("reoptimize", False):
            # Short on purpose: Gammapy pastes the estimator's whole printout here.
            msg = (
                f"reoptimize=True is not available for {self.tag}: only the norm is "
                "fitted, there are no other parameters to re-optimise. Set "
                "reoptimize=False."
            )
            raise ValueError(msg)

        old_norm = {
            new: kwargs.pop(old)
            for old, new in _OLD_NORM_KEYWORDS.items()
            if old in kwargs
        }
        energy_edges = kwargs.pop("energy_edges", [1, 10] * u.TeV)
        if isinstance(energy_edges, str):  # "10,2000 GeV", as the command line takes
            energy_edges = parse_energy_edges(energy_edges)
        self.energy_edges = energy_edges
        self.sum_over_energy_groups = bool(kwargs.pop("sum_over_energy_groups", False))
        self.n_jobs = kwargs.pop("n_jobs", None)
        self.parallel_backend = _check_parallel_backend(
            kwargs.pop("parallel_backend", None)
        )
        self.allow_multiple_telescopes = bool(
            kwargs.pop("allow_multiple_telescopes", False)
        )
        self.source = kwargs.pop("source", 0)
        self.n_sigma = kwargs.pop("n_sigma", 1)
        self.n_sigma_ul = kwargs.pop("n_sigma_ul", 2)
        self.n_sigma_sensitivity = kwargs.pop("n_sigma_sensitivity", 5)
        self.null_value = kwargs.pop("null_value", 0)
        self.selection_optional = kwargs.pop("selection_optional", None)
        self.fit = kwargs.pop("fit", None)
        self.reoptimize = bool(kwargs.pop("reoptimize", False))
        self.norm_err_method = kwargs.pop("norm_err_method", "minuit")
        if self.norm_err_method not in ("minuit", "curvature"):
            msg = f"norm_err_method must be 'minuit' or 'curvature', got {self.norm_err_method!r}"
            raise ValueError(msg)
        self.containment = kwargs.pop("containment", "center")
        if self.containment not in ("center", "exact"):
            msg = f"containment must be 'center' or 'exact', got {self.containment!r}"
            raise ValueError(msg)
        norm = kwargs.pop("norm", None)
        if kwargs:
            name = next(iter(kwargs))
            msg = f"FluxProfileEstimator.__init__() got an unexpected keyword argument {name!r}"
            raise TypeError(msg)
        for name in ("n_sigma", "n_sigma_ul", "n_sigma_sensitivity"):
            value: Any = getattr(self, name)
            if not (
                np.isscalar(value) and np.isfinite(value) and np.asarray(value) > 0
            ):
                msg = f"{name} must be a positive finite number, got {value!r}"
                raise ValueError(msg)
            if np.asarray(value, dtype=float) > MAX_N_SIGMA:
                msg = (
                    f"{name} must be in (0, {MAX_N_SIGMA:g}], got {value!r}: the "
                    f"likelihood is searched up to 1e5 errors from the best fit, where "
                    "larger thresholds are not reached (docs/numeric_limits.rst)"
                )
                raise ValueError(msg)
        if not (np.isscalar(self.null_value) and np.isfinite(self.null_value)):
            msg = f"null_value must be a finite number, got {self.null_value!r}"
            raise ValueError(msg)
        validate_energy_edges(self.energy_edges)
        self.norm = self._make_norm(norm, old_norm)

    # -- configuration ---------------------------------------------------------------------
    @property
    def n_jobs(self) -> int | None:
        """Number of threads (None: all cores)."""
        return self._n_jobs

    @n_jobs.setter
    def n_jobs(self, value: int | None) -> None:
        if not isinstance(value, (int, type(None))) or isinstance(value, bool):
            msg = f"Invalid type: {value!r}, and integer or None is expected."
            raise ValueError(msg)  # noqa: TRY004 - Gammapy raises ValueError here
        if value is not None and value <= 0:
            msg = f"n_jobs must be a positive integer or None, got {value!r}"
            raise ValueError(msg)
        if value is not None and value > MAX_N_JOBS:
            # More threads than this only cost time (docs/numeric_limits.rst); values
            # >= 2**31 would not even reach the compiled core.
            msg = (
                f"n_jobs must be at most {MAX_N_JOBS} (or None for all cores), "
                f"got {value!r}"
            )
            raise ValueError(msg)
        self._n_jobs = value

    @property
    def selection_optional(self) -> list[str]:
        """The optional quantities computed by `run`."""
        return self._selection_optional

    @selection_optional.setter
    def selection_optional(self, selection: Sequence[str] | str | None) -> None:
        if isinstance(selection, str):
            # Gammapy accepts one name as that name ("ul"), not its characters
            selection = [selection]
        if selection is None:
            self._selection_optional = []
        elif "all" in selection:
            self._selection_optional = list(OPTIONAL_QUANTITIES)
        else:
            unknown = set(selection).difference(OPTIONAL_QUANTITIES)
            if unknown:
                msg = f"{unknown} is not a valid method."
                raise ValueError(msg)
            self._selection_optional = list(selection)

    def _make_norm(
        self, norm: Parameter | dict[str, Any] | None, old_norm: dict[str, Any]
    ) -> Parameter:
        default = {
            "name": "norm",
            "value": 1.0,
            "unit": "",
            "interp": "log",
            "scan_min": 0.2,
            "scan_max": 5.0,
            "scan_n_values": 11,
            "scan_n_sigma": int(max(self.n_sigma_ul, self.n_sigma_sensitivity) + 1),
        }
        if norm is not None and not isinstance(norm, (Parameter, dict)):
            norm = _parameter_from_duck(norm)
        if isinstance(norm, Parameter):
            if norm.name != "norm":
                msg = "norm.name is not 'norm'"
                raise ValueError(msg)
            parameter = norm
        elif norm is None or isinstance(norm, dict):
            settings = dict(norm or {})
            invalid = set(settings).difference(_NORM_KEYS)
            if invalid:
                msg = f"Invalid dict key for norm init : {sorted(invalid)}"
                raise TypeError(msg)
            parameter = Parameter(**{**default, **settings})
        else:
            msg = f"norm must be a Parameter, a dict or None, got {type(norm).__name__}"
            raise TypeError(msg)
        for key, value in old_norm.items():
            setattr(parameter, key, value)
        if isinstance(norm, Parameter) and parameter.interp == "lin":
            _warn_linear_norm(parameter)
        return parameter

    @property
    def config_parameters(self) -> dict[str, Any]:
        """The configuration, as listed by ``str(estimator)``."""
        names = [
            "allow_multiple_telescopes",
            "containment",
            "energy_edges",
            "fit",
            "n_jobs",
            "n_sigma",
            "norm_err_method",
            "n_sigma_sensitivity",
            "n_sigma_ul",
            "norm",
            "null_value",
            "parallel_backend",
            "reoptimize",
            "selection_optional",
            "source",
            "spectral_model",
            "sum_over_energy_groups",
        ]
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    def __str__(self) -> str:
        lines = [self.tag, "-" * len(self.tag), ""]
        params = self.config_parameters
        width = max(len(k) for k in params) + 1
        for name, value in sorted(params.items()):
            lines.append(f"  {name:{width}}: {_format_value(value)}")
            if name == "norm" and isinstance(value, Parameter):
                lines.append(f"  {'norm scan':{width}}: {_format_scan(value)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return estimator_repr(self)

    _repr_html_ = html_repr

    def copy(self) -> FluxProfileEstimator:
        """Return a deep copy of the estimator."""
        return copy.deepcopy(self)

    # -- geometry --------------------------------------------------------------------------
    def _geometry(self) -> RegionGeometry:
        """The regions as they are now, with their derived geometry (cached while they are
        unchanged, see `fluxprofile.pipeline.geometry.GeometryCache`)."""
        return self._geometry_cache.snapshot(self.regions)

    @property
    def projected_distance_axis(self) -> MapAxis:
        """Axis of the profile: distance of each region from the first (annuli: mean radius)."""
        return self._geometry().distance_axis()

    # -- run -------------------------------------------------------------------------------
    def run(self, datasets: Any) -> FluxPoints:
        """Estimate the flux profile.

        Parameters
        ----------
        datasets : `~fluxprofile.MapDataset`, list of datasets or `~fluxprofile.Datasets`
            The data; several datasets are fitted jointly (one norm per bin). Gammapy
            datasets are converted first.

        Returns
        -------
        profile : `~fluxprofile.FluxPoints`
            The profile with axes energy and projected-distance.

        Raises
        ------
        ValueError
            Datasets with misaligned energy axes, duplicate names or different telescopes;
            unordered regions; a region sum that is not finite (naming dataset, region and
            energy group); a region frame that cannot be transformed to the map's.
        KeyboardInterrupt
            On Ctrl-C, within about 0.2 s also inside the compiled core (no result;
            docs/numeric_limits.rst).

        Warns
        -----
        FluxProfileWarning
            Once for all regions without any pixel centre on the maps, once for all regions
            without a safe pixel in some energy group (their bins are NaN with success False;
            the warning's ``regions`` attribute lists their indices), once for all regions
            where the on-off background normalisation alpha of a dataset is undefined in some
            energy group (NaN bins with success False, docs/onoff.rst), once for all energy
            groups no dataset covers (NaN rows) and once for all requested groups left out
            because they span no reco-energy bin (docs/energy_groups.rst). Once each, naming
            regions and energy groups, for the bins whose likelihood has no minimum (no
            counts, no signal, or another reason: NaN norms, success False); once per
            dataset whose reference model predicts no counts at all, with the reason
            (docs/numeric_limits.rst).
        """
        datasets = as_dataset_list(datasets)
        self._check_datasets(datasets)
        geometry = self._geometry()
        distance_axis = geometry.distance_axis()
        n_threads = 0 if self.n_jobs is None else int(self.n_jobs)
        # all datasets in one core call, sharing the cached geometry (docs/performance.rst)
        reduced = reduce_datasets(
            datasets, geometry, self.spectral_model, n_threads, self.containment
        )

        energy_edges = validate_energy_edges(self.energy_edges)
        plan = plan_energy_groups([r.energy_edges for r in reduced], energy_edges)
        groups = plan.ranges
        selection = self.selection_optional
        result = fit_groups(
            reduced, groups, self._fit_options(), self.sum_over_energy_groups, n_threads
        )
        energy_axis = MapAxis.from_edges(plan.edges, name="energy", interp="log")
        self._warn_empty(result, reduced, plan)
        data = self._quantities(result)
        # Size of each profile bin (whole region, also where masked or off the map), from
        # the first dataset's pixels; the same for every energy group.
        n_groups = len(groups[0])
        data["npix"] = np.repeat(
            reduced[0].npix_total[:, None], n_groups, axis=1
        ).astype(float)
        data["solid_angle"] = u.Quantity(
            np.repeat(reduced[0].solid_angle[:, None], n_groups, axis=1), u.sr
        )
        gtis = [
            d.gti
            for d in datasets
            if getattr(d, "gti", None) is not None and len(d.gti) > 0
        ]
        gti = profile_gti(gtis, len(self.regions)) if gtis else None
        return FluxPoints(
            data=data,
            energy_axis=energy_axis,
            distance_axis=distance_axis,
            reference_model=self.spectral_model.copy(),
            meta={
                "n_sigma": self.n_sigma,
                "n_sigma_ul": self.n_sigma_ul,
                "sed_type_init": "likelihood",
                "SED_TYPE": "likelihood",
            },
            norm_scan=np.asarray(self.norm.scan_values, dtype=float)
            if "scan" in selection
            else None,
            dataset_names=[d.name for d in datasets],
            gti=gti,
        )

    def _fit_options(self) -> _core.FitOptions:
        """What the core fit computes (docs/fit.rst)."""
        selection = self.selection_optional
        return _core.FitOptions(
            n_sigma=float(self.n_sigma),
            n_sigma_ul=float(self.n_sigma_ul),
            n_sigma_sensitivity=float(self.n_sigma_sensitivity),
            null_value=float(self.null_value),
            errn_errp="errn-errp" in selection,
            ul="ul" in selection,
            sensitivity="sensitivity" in selection,
            scan_values=[float(v) for v in self.norm.scan_values]
            if "scan" in selection
            else [],
            minuit_errors=self.norm_err_method == "minuit",
            minuit_norm=self.norm_err_method == "minuit",
        )

    def _check_datasets(self, datasets: Sequence[MapDataset]) -> None:
        names = [d.name for d in datasets]
        if len(set(names)) != len(names):
            msg = f"Dataset names must be unique, got {names}"
            raise ValueError(msg)
        first = datasets[0].counts.geom.axes["energy"].edges
        for d in datasets[1:]:
            edges = d.counts.geom.axes["energy"].edges
            if edges.shape != first.shape or not np.allclose(
                edges.to_value(first.unit), first.value, rtol=1e-6
            ):
                msg = "All datasets must have aligned energy axes."
                raise ValueError(msg)
        if not self.allow_multiple_telescopes:
            telescopes: set[str] = set()
            for d in datasets:
                table = getattr(d, "meta_table", None)
                if table is not None and "TELESCOP" in table.colnames:
                    # Cells may hold one value per stacked observation: flattened, as Gammapy.
                    telescopes.update(
                        str(t) for t in np.asarray(table["TELESCOP"]).ravel()
                    )
            if len(telescopes) > 1:
                msg = (
                    "All datasets must use the same value of the 'TELESCOP' meta keyword "
                    f"(got {sorted(telescopes)}; allow_multiple_telescopes=True combines them)."
                )
                raise ValueError(msg)

    def _warn_empty(
        self, result: GroupFits, reduced: list[ReducedDataset], plan: EnergyGroups
    ) -> None:
        # One warning for all the groups without data, one for all the dropped groups
        # (docs/energy_groups.rst); Gammapy warns once per group and region.
        if plan.empty:
            rows = "its row is NaN" if len(plan.empty) == 1 else "their rows are NaN"
            warnings.warn(
                FluxProfileWarning(
                    f"No dataset contribute in range {_describe_groups(plan, plan.empty)}: {rows}"
                ),
                stacklevel=3,
            )
        if plan.dropped:
            n_req, n_out = plan.requested.size - 1, len(plan.kept)
            warnings.warn(
                FluxProfileWarning(
                    f"Requested {_describe_groups(plan, plan.dropped)} "
                    f"{'spans' if len(plan.dropped) == 1 else 'span'} no reco-energy bin of the "
                    "data (both edges snap to the same reco edge; the neighbouring groups fit "
                    f"those energies): left out, the profile has {n_out} of the {n_req} "
                    "requested energy groups"
                ),
                stacklevel=3,
            )
        npix = np.sum([r.npix_inmap for r in reduced], axis=0)
        warn_regions(
            np.flatnonzero(npix == 0),
            "contains no pixel centre of any dataset: its profile bin is NaN",
            "contain no pixel centre of any dataset: their profile bins are NaN",
        )
        empty = ~result.any_bin & result.contributes[None, :] & (npix[:, None] > 0)
        warn_regions(
            np.flatnonzero(empty.any(axis=1)),
            "has no safe pixel in some energy group: those profile bins are NaN",
            "have no safe pixel in some energy group: those profile bins are NaN",
        )
        names = ", ".join(repr(reduced[d].name) for d in result.alpha_undefined_in)
        why = (
            f"of dataset {names} (a pixel with OFF counts whose acceptance_off is 0 or not finite, "
            "OFF counts negative beyond round-off or none in the whole group, or alpha <= 0; see "
            "docs/onoff.rst): those profile bins are NaN"
        )
        warn_regions(
            np.flatnonzero(result.alpha_undefined.any(axis=1)),
            f"has no defined on-off background normalisation alpha in some energy group {why}",
            f"have no defined on-off background normalisation alpha in some energy group {why}",
        )
        warn_fit_results(
            result,
            lambda groups: _describe_result_groups(plan, groups),
        )

    def _quantities(self, result: GroupFits) -> dict[str, np.ndarray]:
        """The profile's arrays: the selected quantities, NaN rows for groups no dataset covers."""
        selection = self.selection_optional
        nan_rows = ~result.contributes[None, :]
        keys = ["norm", "norm_err"]
        if "errn-errp" in selection:
            keys += ["norm_errn", "norm_errp"]
        if "ul" in selection:
            keys.append("norm_ul")
        if "sensitivity" in selection:
            keys.append("norm_sensitivity")
        keys += ["ts", "npred", "npred_excess", "stat", "stat_null"]
        if "scan" in selection:
            keys.append("stat_scan")
        keys += ["counts", "success"]
        data = {}
        for key in keys:
            value = np.array(getattr(result, key))
            if key in ("counts", "success"):
                pass
            elif value.ndim == 2:
                value[np.broadcast_to(nan_rows, value.shape)] = np.nan
            else:
                value[np.broadcast_to(nan_rows[..., None], value.shape)] = np.nan
            data[key] = value
        data["success"] = data["success"].astype(bool)
        return data
