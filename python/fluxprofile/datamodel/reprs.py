"""How the objects of the package show themselves: in notebooks (``_repr_html_``), at the
prompt (``__repr__``) and in ``print`` (the dataset summaries, as Gammapy 2.1 prints them).

Gammapy shows its estimators, datasets and ``Datasets`` in a notebook as their ``str()``
in a ``<pre>`` block (HTML-escaped); `html_repr` does the same for every class here, so a
notebook cell shows the summary ``print`` gives. ``__repr__`` is one line naming what an
object holds (Gammapy keeps Python's default ``<... object at 0x...>``). The summary of a
dataset follows Gammapy's ``MapDataset.__str__`` field by field (docs/data_model.rst):
totals over the safe mask, exposure range over the positive exposure of safe pixels, and
no fit statistic for a `MapDataset` (it has no models, where Gammapy prints nan).

This module imports nothing else from the package, so that every class can use it.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

__all__ = [
    "dataset_repr",
    "dataset_summary",
    "datasets_repr",
    "estimator_repr",
    "flux_points_repr",
    "html_repr",
    "one_line_repr",
]


def html_repr(obj: Any) -> str:
    """The notebook display of ``obj``: its ``str()``, HTML-escaped, in a ``<pre>`` block.

    Used as the ``_repr_html_`` method of the estimator, the flux points and the
    datasets (Gammapy's rendering: a notebook shows what ``print`` shows).

    Parameters
    ----------
    obj : object
        The object.

    Returns
    -------
    html : str
        ``"<pre>...</pre>"``.
    """
    return f"<pre>{html.escape(str(obj))}</pre>"


def one_line_repr(name: str, fields: dict[str, Any]) -> str:
    """``"Name(key=value, ...)"`` with the values as given (strings are quoted).

    Parameters
    ----------
    name : str
        Class name.
    fields : dict
        Field names and values; a value that is already a display string is wrapped in
        `_Shown` by the callers (not quoted).

    Returns
    -------
    text : str
        The one-line repr.
    """
    parts = [f"{key}={value!r}" for key, value in fields.items()]
    return f"{name}({', '.join(parts)})"


class _Shown(str):
    """A string shown without quotes in `one_line_repr` (a range, a shape)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _range(quantity: Any) -> _Shown:
    """``"10-500 GeV"`` for an array quantity (its first and last values; energies in
    GeV, or TeV from 10 TeV)."""
    if quantity.unit.physical_type == "energy":
        top = np.max(quantity.to_value("GeV"))
        quantity = quantity.to("TeV" if top >= 1e4 else "GeV")
    values = np.asarray(quantity.value).ravel()
    if values.size == 0:
        return _Shown("[]")
    unit = quantity.unit.to_string()
    text = f"{values[0]:.4g}-{values[-1]:.4g}"
    return _Shown(f"{text} {unit}" if unit else text)


# --------------------------------------------------------------------------------------
# one-line reprs
# --------------------------------------------------------------------------------------
def estimator_repr(estimator: Any) -> str:
    """One-line repr of a `~fluxprofile.FluxProfileEstimator`.

    Parameters
    ----------
    estimator : `~fluxprofile.FluxProfileEstimator`
        The estimator.

    Returns
    -------
    text : str
        E.g. ``FluxProfileEstimator(regions=49 RectangleSkyRegion, energy_edges=10-2000
        GeV, spectral_model=PowerLawSpectralModel, selection_optional=['ul'])``.
    """
    kinds = sorted({type(region).__name__ for region in estimator.regions})
    fields: dict[str, Any] = {
        "regions": _Shown(f"{len(estimator.regions)} {'/'.join(kinds)}"),
        "energy_edges": _Shown(str(_energy_edges_text(estimator.energy_edges))),
        "spectral_model": _Shown(type(estimator.spectral_model).__name__),
        "selection_optional": list(estimator.selection_optional),
    }
    if estimator.norm_err_method != "minuit":
        fields["norm_err_method"] = estimator.norm_err_method
    if estimator.containment != "center":
        fields["containment"] = estimator.containment
    return one_line_repr(type(estimator).__name__, fields)


def _energy_edges_text(edges: Any) -> str:
    """``"[10, 100, 2000] GeV"`` (anything else as ``str``)."""
    try:
        values = np.atleast_1d(edges.value).ravel()
        unit = edges.unit.to_string()
    except AttributeError:
        return str(edges)
    return f"[{', '.join(f'{v:.4g}' for v in values)}] {unit}"


def flux_points_repr(flux_points: Any) -> str:
    """One-line repr of `~fluxprofile.FluxPoints`.

    Parameters
    ----------
    flux_points : `~fluxprofile.FluxPoints`
        The flux points.

    Returns
    -------
    text : str
        E.g. ``FluxPoints(projected-distance=49 bins 0-18 deg, energy=1 bin 10-500 GeV,
        sed_type_init='likelihood', quantities=['norm', ...])``.
    """
    fields: dict[str, Any] = {}
    for axis in (flux_points.distance_axis, flux_points.energy_axis):
        noun = "bin" if axis.nbin == 1 else "bins"
        fields[axis.name] = _Shown(f"{axis.nbin} {noun} {_range(axis.edges[[0, -1]])}")
    fields["sed_type_init"] = flux_points.sed_type_init
    fields["quantities"] = list(flux_points.available_quantities)
    return one_line_repr(type(flux_points).__name__, fields)


def dataset_repr(dataset: Any) -> str:
    """One-line repr of a `~fluxprofile.MapDataset` or `~fluxprofile.MapDatasetOnOff`.

    Parameters
    ----------
    dataset : `~fluxprofile.MapDataset`
        The dataset.

    Returns
    -------
    text : str
        E.g. ``MapDataset(name='gc', counts=(11, 200, 400), energy=10-500 GeV,
        stat_type='cash')``.
    """
    fields = {
        "name": dataset.name,
        "counts": _Shown(str(tuple(int(n) for n in dataset.counts.data.shape))),
        "energy": _range(dataset.energy_axis.edges[[0, -1]]),
        "stat_type": dataset.stat_type,
    }
    return one_line_repr(type(dataset).__name__, fields)


def datasets_repr(datasets: Any) -> str:
    """One-line repr of `~fluxprofile.Datasets`: the number of datasets and their names.

    Parameters
    ----------
    datasets : `~fluxprofile.Datasets`
        The datasets.

    Returns
    -------
    text : str
        E.g. ``Datasets(n=2, names=['a', 'b'])``.
    """
    return one_line_repr(
        type(datasets).__name__, {"n": len(datasets), "names": list(datasets.names)}
    )


# --------------------------------------------------------------------------------------
# the dataset summary (print(dataset))
# --------------------------------------------------------------------------------------
def _sum(array: np.ndarray, mask: Any) -> float:
    """Sum over the safe bins, in the array's dtype as Gammapy sums them."""
    return float(np.sum(array[mask]))


def dataset_summary(dataset: Any) -> str:
    """The text of ``print(dataset)``, field by field as Gammapy 2.1 prints it.

    Totals (counts, background, predicted counts) are sums over the safe mask (every
    bin without one), not over the fit mask; the exposure range is that of the positive
    exposure in the pixels safe in some energy bin (all the exposure if there is none);
    "Number of fit bins" counts the bins of the combined mask (0 without masks, as
    Gammapy). The fit statistic is nan for a `~fluxprofile.MapDataset` (it has no
    models, so Gammapy does not evaluate it) and the WStat of
    `~fluxprofile.MapDatasetOnOff.stat_sum` for an on-off dataset, which Gammapy always
    evaluates. An on-off dataset adds its OFF counts and acceptances over the safe mask.

    Parameters
    ----------
    dataset : `~fluxprofile.MapDataset` or `~fluxprofile.MapDatasetOnOff`
        The dataset.

    Returns
    -------
    text : str
        The summary (tabs expanded to two spaces).
    """
    onoff = hasattr(dataset, "counts_off")
    safe = (
        dataset.mask_safe.data.astype(bool)
        if dataset.mask_safe is not None
        else slice(None)
    )
    counts = int(_sum(dataset.counts.data, safe))
    background = (
        _sum(dataset.background.data, safe)
        if dataset.background is not None
        else np.nan
    )
    excess = counts - background
    npred = _sum(dataset.npred().data, safe) if not np.isnan(background) else np.nan
    # Gammapy's background prediction: the background map (the WStat profile background
    # for on-off datasets, which npred() is when there is no signal).
    npred_background = npred if onoff else background

    exposure = dataset.exposure.quantity
    shown = exposure.value > 0
    if dataset.mask_safe is not None:
        shown = shown & np.any(dataset.mask_safe.data, axis=0)[None, ...]
    if shown.any():
        exposure = exposure[shown]
    exposure_min, exposure_max = np.min(exposure), np.max(exposure)

    mask = dataset.mask
    n_fit_bins = int(np.sum(mask)) if mask is not None else 0
    stat_sum = np.nan
    if onoff:
        # Bins where alpha is the largest float (acceptance_off 0) sum to inf, as in
        # Gammapy: printed, without numpy's overflow warning.
        with np.errstate(over="ignore"):
            stat_sum = dataset.stat_sum()

    name = type(dataset).__name__
    row = "\t{:32}: {}\n"
    out = f"{name}\n{'-' * len(name)}\n\n"
    out += row.format("Name", f"{dataset.name} ") + "\n"
    out += row.format("Total counts", f"{counts:.0f} ")
    out += row.format("Total background counts", f"{background:.2f}")
    out += row.format("Total excess counts", f"{excess:.2f}") + "\n"
    out += row.format("Predicted counts", f"{npred:.2f}")
    out += row.format("Predicted background counts", f"{npred_background:.2f}")
    out += row.format("Predicted excess counts", f"{np.nan:.2f}") + "\n"
    out += row.format("Exposure min", f"{exposure_min:.2e}")
    out += row.format("Exposure max", f"{exposure_max:.2e}") + "\n"
    out += row.format("Number of total bins", f"{dataset.counts.data.size} ")
    out += row.format("Number of fit bins", f"{n_fit_bins} ") + "\n"
    out += row.format("Fit statistic type", dataset.stat_type)
    out += row.format("Fit statistic value (-2 log(L))", f"{stat_sum:.2f}") + "\n"
    out += row.format("Number of models", "0 ")
    out += row.format("Number of parameters", "0")
    out += row.format("Number of free parameters", "0") + "\n"
    if onoff:
        for label, m in (
            ("Total counts_off", dataset.counts_off),
            ("Acceptance", dataset.acceptance),
            ("Acceptance off", dataset.acceptance_off),
        ):
            out += row.format(label, f"{_sum(m.data, safe):.0f} ")
    return out.expandtabs(tabsize=2)
