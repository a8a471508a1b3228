"""Matplotlib plots of flux profiles and sky images, drawn as Gammapy 2.1 draws them.

The functions here back `FluxPoints.plot`, `FluxPoints.plot_ts_profiles`,
`ProfileQuantity.plot` and `Map.plot` (SEMANTICS.md §4.7). matplotlib is imported
inside the functions only.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import astropy.units as u
import numpy as np

from ..datamodel.axes import MapAxis

__all__ = [
    "axis_plot_labels",
    "format_plot_xaxis",
    "interp_stat_profile",
    "plot_along_axis",
    "plot_flux_points",
    "plot_image",
    "plot_ts_profiles",
    "quantity_label",
    "resolve_plot_axis",
    "unit_label",
]

#: Axis names Gammapy labels specially; others are capitalised ("Projected-distance").
PLOT_AXIS_LABEL = {
    "energy": "Energy",
    "energy_true": "True Energy",
    "offset": "FoV Offset",
    "rad": "Source Offset",
}
_MPL_SCALE = {"lin": "linear", "sqrt": "linear", "log": "log"}


def quantity_label(quantity: str, unit: Any) -> str:
    """Axis label "quantity [unit]" (Gammapy's template); just "quantity" if dimensionless.

    Parameters
    ----------
    quantity : str
        Name of the plotted quantity.
    unit : str or `~astropy.units.Unit`
        Its unit.

    Returns
    -------
    label : str
        The label.
    """
    unit = u.Unit(unit)
    if unit == u.dimensionless_unscaled:
        return quantity
    return f"{quantity} [{unit_label(unit)}]"


def unit_label(unit: Any) -> str:
    """Unit as Gammapy writes it in axis labels (astropy "latex_inline").

    Parameters
    ----------
    unit : str or `~astropy.units.Unit`
        Unit.

    Returns
    -------
    label : str
        E.g. ``$\\mathrm{TeV^{-1}\\,s^{-1}\\,cm^{-2}}$``.
    """
    return u.Unit(unit).to_string("latex_inline")


def axis_plot_labels(axis: MapAxis, use_center: bool | None = None) -> list[str]:
    """Legend labels of the bins of an axis ("7.07e+07 keV" or "1.00e+07 keV - 8.45e+07 keV").

    Parameters
    ----------
    axis : `~fluxprofile.maps.MapAxis`
        Axis.
    use_center : bool, optional
        Label bins by their centre. Default is None (centre for centre-node axes,
        edges otherwise).

    Returns
    -------
    labels : list of str
        One label per bin.
    """
    if use_center is None:
        use_center = axis.node_type == "center"
    if use_center:
        return [f"{value:.2e}" for value in axis.center]
    return [f"{lo:.2e} - {hi:.2e}" for lo, hi in zip(axis.edges_min, axis.edges_max)]


def format_plot_xaxis(ax: Any, axis: MapAxis) -> Any:
    """Scale, label and limits of the x axis for a plot along ``axis``.

    Parameters
    ----------
    ax : `~matplotlib.axes.Axes`
        Axes.
    axis : `~fluxprofile.maps.MapAxis`
        The plotted axis.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.
    """
    ax.set_xscale(_MPL_SCALE[axis.interp])
    name = PLOT_AXIS_LABEL.get(axis.name, axis.name.capitalize())
    ax.set_xlabel(f"{name} [{unit_label(axis.unit)}]")
    lo, hi = axis.bounds.value
    if lo != hi:
        ax.set_xlim(lo, hi)
    return ax


def resolve_plot_axis(axes: list[MapAxis], axis_name: str | None) -> MapAxis:
    """The axis to plot along.

    Parameters
    ----------
    axes : list of `~fluxprofile.maps.MapAxis`
        Non-spatial axes of the plotted quantity.
    axis_name : str or None
        Requested axis. None picks the only axis with more than one bin, the longest
        axis if all have one bin (Gammapy's rule), and "projected-distance" if several
        axes have more than one bin (where Gammapy raises). Label axes (dataset
        names) are never plotted along x.

    Returns
    -------
    axis : `~fluxprofile.maps.MapAxis`
        The axis.

    Raises
    ------
    ValueError
        If ``axis_name`` is not one of the axes.
    """
    axes = [axis for axis in axes if isinstance(axis, MapAxis)]  # no label axes along x
    names = [axis.name for axis in axes]
    if axis_name is None:
        long_axes = [axis for axis in axes if axis.nbin > 1]
        if len(long_axes) == 1:
            return long_axes[0]
        if not long_axes:
            return axes[int(np.argmax([axis.nbin for axis in axes]))]
        axis_name = "projected-distance"
    if axis_name not in names:
        msg = f"axis_name must be one of {names}, got {axis_name!r}"
        raise ValueError(msg)
    return axes[names.index(axis_name)]


def _other_axes_labels(axes: list[MapAxis], axis: MapAxis, center_energy: bool) -> list[str]:
    """Series labels: product of the other axes' bin labels (Gammapy's order).

    Unlike Gammapy, the integer "dataset" axis and the "norm" scan axis are labelled
    "dataset i" / "norm v", and left out when they have a single bin.
    """
    label_lists = []
    for other in axes:
        if other.name == axis.name:
            continue
        if other.name == "dataset":
            if other.nbin > 1:
                names = getattr(other, "labels", None) or [f"dataset {i}" for i in range(other.nbin)]
                label_lists.append(list(names))
            continue
        if other.name == "norm":
            if other.nbin > 1:
                label_lists.append([f"norm {v:.3g}" for v in other.center.value])
            continue
        use_center = True if (center_energy and other.name == "energy") else None
        label_lists.append(axis_plot_labels(other, use_center=use_center))
    return [" ".join(labels) for labels in product(*label_lists)]


def plot_along_axis(
    ax: Any,
    values: np.ndarray,
    axes: list[MapAxis],
    axis: MapAxis,
    yerr: tuple[np.ndarray, np.ndarray] | None = None,
    uplims: np.ndarray | None = None,
    center_energy: bool = False,
    **kwargs: Any,
) -> Any:
    """One `~matplotlib.axes.Axes.errorbar` call per bin of the other axes (RegionNDMap.plot).

    Parameters
    ----------
    ax : `~matplotlib.axes.Axes`
        Axes.
    values : `~numpy.ndarray`
        Values with one dimension per axis of ``axes``, in reversed order (fluxprofile
        layout: ``(n_x, n_energy[, n_k])`` for axes ``[k-axis,] energy, distance``).
    axes : list of `~fluxprofile.maps.MapAxis`
        Axes in Gammapy order.
    axis : `~fluxprofile.maps.MapAxis`
        The axis plotted along x.
    yerr : tuple of `~numpy.ndarray`, optional
        Lower and upper errors, same shape as ``values``. Default is None.
    uplims : `~numpy.ndarray`, optional
        Upper-limit flags, same shape as ``values``. Default is None.
    center_energy : bool, optional
        Label energy bins by their centre. Default is False.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.errorbar`; ``label`` replaces all labels.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.
    """
    # Gammapy axis order (first axis = last array dimension): move the plotted axis
    # to the front and flatten the others in Gammapy's iteration order.
    names = [a.name for a in axes]
    dim = len(axes) - 1 - names.index(axis.name)

    def arrange(array: np.ndarray) -> np.ndarray:
        array = np.moveaxis(np.asarray(array), dim, 0)
        # remaining dims are in reversed Gammapy order: reverse them for product order
        rest = tuple(range(array.ndim - 1, 0, -1))
        return array.transpose((0, *rest)).reshape(array.shape[0], -1)

    y = arrange(values)
    errn = errp = ul = None
    if yerr is not None:
        errn, errp = arrange(yerr[0]), arrange(yerr[1])
    if uplims is not None:
        ul = arrange(uplims)

    kwargs.setdefault("marker", "o")
    kwargs.setdefault("markersize", 4)
    kwargs.setdefault("ls", "None")
    center = axis.center.value
    kwargs.setdefault(
        "xerr", (center - axis.edges_min.value, axis.edges_max.value - center)
    )
    label_default = kwargs.pop("label", None)
    labels = _other_axes_labels(axes, axis, center_energy)
    for j in range(y.shape[1]):
        ax.errorbar(
            x=center,
            y=y[:, j],
            yerr=None if errn is None else (errn[:, j], errp[:, j]),
            uplims=None if ul is None else ul[:, j],
            label=labels[j] if label_default is None else label_default,
            **kwargs,
        )
    format_plot_xaxis(ax, axis)
    if "energy" in axis.name:
        ax.set_yscale("log", nonpositive="clip")
    return ax


def _energy_scale(fp: Any, unit: u.UnitBase, energy_power: float) -> tuple[np.ndarray, u.UnitBase]:
    """Factor E^p (per energy bin) and the scaled unit, as Gammapy's scale_plot_flux."""
    energy = fp.energy_axis.center
    eunits = [b for b in unit.bases if b.physical_type == "energy"]
    eunit = eunits[0] if eunits else energy.unit
    factor = energy.to_value(eunit) ** energy_power
    return factor, unit * eunit**energy_power


def plot_flux_points(
    fp: Any,
    ax: Any = None,
    sed_type: str | None = None,
    energy_power: float = 0,
    axis_name: str | None = None,
    per_solid_angle: bool = False,
    **kwargs: Any,
) -> Any:
    """Flux points with errors and upper-limit arrows (see `FluxPoints.plot`).

    Parameters
    ----------
    fp : `~fluxprofile.points.FluxPoints`
        Flux points.
    ax : `~matplotlib.axes.Axes`, optional
        Axes. Default is None (current axes).
    sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
        SED type. Default is None (``fp.sed_type_plot_default``).
    energy_power : float, optional
        Multiply the fluxes by E^energy_power. Default is 0.
    axis_name : str, optional
        Axis along x. Default is None (see `resolve_plot_axis`).
    per_solid_angle : bool, optional
        Plot the surface brightness (`FluxPoints.surface_brightness`). Default is False.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.errorbar`.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.

    Raises
    ------
    ValueError
        For an unknown SED type or axis name; with ``per_solid_angle`` for
        ``sed_type="norm"`` or flux points without solid angles.
    """
    import matplotlib.pyplot as plt

    from ..datamodel.flux_points import DEFAULT_UNIT

    if sed_type is None:
        sed_type = fp.sed_type_plot_default
    if sed_type not in ("dnde", "e2dnde", "flux", "eflux", "norm"):
        msg = f"sed_type must be one of 'dnde', 'e2dnde', 'flux', 'eflux', 'norm', got {sed_type!r}"
        raise ValueError(msg)
    axes = [fp.energy_axis, fp.distance_axis]
    axis = resolve_plot_axis(axes, axis_name)
    unit = u.Unit(DEFAULT_UNIT[sed_type])
    if per_solid_angle:
        unit = unit / u.sr

        def get(suffix: str | None) -> np.ndarray:
            return fp.surface_brightness(sed_type, suffix).to_value(unit)[..., 0, 0]

        get(None)  # fails early (norm, no solid angle) before touching the axes
    else:

        def get(suffix: str | None) -> np.ndarray:
            name = sed_type if suffix is None else f"{sed_type}_{suffix}"
            return getattr(fp, name).to_value(unit)[..., 0, 0]

    if ax is None:
        ax = plt.gca()

    y = np.array(get(None), dtype=np.float64)
    errn = errp = None
    if "norm_err" in fp.available_quantities:
        errn = np.array(get("err"))
        errp = errn.copy()
    if "norm_errp" in fp.available_quantities:
        errn = np.array(get("errn"))
        errp = np.array(get("errp"))

    is_ul = np.asarray(fp.is_ul.values, dtype=bool)
    uplims = None
    if fp.has_ul and errn is not None and is_ul.any():
        flux_ul = get("ul")
        with np.errstate(invalid="ignore"):
            errn[is_ul] = np.clip(0.5 * flux_ul[is_ul], 0, np.inf)
        errp[is_ul] = 0
        y[is_ul] = flux_ul[is_ul]
        uplims = is_ul

    factor, plot_unit = _energy_scale(fp, unit, energy_power)
    y = y * factor
    yerr = None
    if errn is not None:
        with np.errstate(invalid="ignore"):
            yerr = (
                np.clip(errn * factor, 0, np.inf),
                np.clip(errp * factor, 0, np.inf),
            )
    if uplims is not None:
        kwargs.setdefault("uplims", uplims)
    uplims = kwargs.pop("uplims", None)
    plot_along_axis(
        ax,
        y,
        axes,
        axis,
        yerr=kwargs.pop("yerr", yerr),
        uplims=uplims,
        center_energy=sed_type in ("dnde", "e2dnde"),
        **kwargs,
    )
    quantity = f"e{energy_power} * {sed_type}" if energy_power > 0 else sed_type
    ax.set_ylabel(quantity_label(quantity, plot_unit))
    ax.set_yscale("log", nonpositive="clip")
    ax.legend()
    return ax


def interp_stat_profile(
    norm_scan: np.ndarray, ts_scan: np.ndarray, norm: np.ndarray
) -> np.ndarray:
    """Fit-statistic differences at ``norm`` from scans, with Gammapy's "stat-profile" scaling.

    Along the scan, values are mapped to ``s = sign(v') * sqrt(|v|)`` (``v'`` the numpy
    gradient along the scan, non-finite values set to 0), interpolated linearly in the
    scan's pixel coordinate (with linear extrapolation) and squared back. For a parabola
    ``((n - n0) / sigma)**2`` this is exact.

    Parameters
    ----------
    norm_scan : `~numpy.ndarray`
        Scan norm values, shape (n_scan,), strictly monotonic.
    ts_scan : `~numpy.ndarray`
        ``stat_scan - stat`` per profile bin, shape (n_bin, n_scan).
    norm : `~numpy.ndarray`
        Norms to evaluate per bin, shape broadcastable to (n_bin, n_y).

    Returns
    -------
    ts : `~numpy.ndarray`
        Interpolated statistic differences, shape (n_bin, n_y), >= 0.
    """
    norm_scan = np.asarray(norm_scan, dtype=np.float64)
    values = np.array(ts_scan, dtype=np.float64)
    values[~np.isfinite(values)] = 0.0
    n_bin = values.shape[0]
    if norm_scan.size > 1:
        signed = np.sign(np.gradient(values, axis=-1)) * values
        sign = np.sign(signed)
        scaled = sign * np.sqrt(sign * signed)
    else:
        scaled = np.sign(values) * np.sqrt(np.abs(values))
    scan_axis = MapAxis.from_nodes(norm_scan, name="norm")
    norm = np.broadcast_to(np.asarray(norm, dtype=np.float64), (n_bin, np.shape(norm)[-1]))
    pix = scan_axis.coord_to_pix(norm)
    grid = np.arange(norm_scan.size, dtype=np.float64)
    out = np.empty(norm.shape, dtype=np.float64)
    for k in range(n_bin):
        if grid.size == 1:
            out[k] = scaled[k, 0]
            continue
        idx = np.clip(np.floor(pix[k]).astype(np.int64), 0, grid.size - 2)
        t = pix[k] - idx
        out[k] = (1.0 - t) * scaled[k, idx] + t * scaled[k, idx + 1]
    return out**2


def plot_ts_profiles(
    fp: Any,
    ax: Any = None,
    sed_type: str | None = None,
    add_cbar: bool = True,
    axis_name: str | None = None,
    per_solid_angle: bool = False,
    **kwargs: Any,
) -> Any:
    """Likelihood scans as an image of -Δstat behind the points (see `FluxPoints.plot_ts_profiles`).

    Parameters
    ----------
    fp : `~fluxprofile.points.FluxPoints`
        Flux points with ``stat_scan``.
    ax : `~matplotlib.axes.Axes`, optional
        Axes. Default is None (current axes).
    sed_type : {"dnde", "e2dnde", "flux", "eflux", "norm"}, optional
        SED type of the y axis. Default is None (``fp.sed_type_plot_default``).
    add_cbar : bool, optional
        Add a colour bar. Default is True.
    axis_name : str, optional
        Axis along x. Default is None (the only axis with more than one bin).
    per_solid_angle : bool, optional
        y axis in surface brightness: each bin's scan is scaled by its reference flux
        divided by its solid angle. Default is False.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.pcolormesh` (defaults: vmin -4, vmax 0,
        cmap "Blues", zorder 0, linewidths 0, shading "auto").

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
        The axes.

    Raises
    ------
    ValueError
        Without ``stat_scan``, when both the energy and the profile axes have
        more than one bin, or with ``per_solid_angle`` for ``sed_type="norm"`` or
        flux points without solid angles.
    """
    import matplotlib.pyplot as plt

    from ..datamodel.flux_points import DEFAULT_UNIT

    if not fp.has_stat_profiles:
        msg = (
            "plot_ts_profiles needs the likelihood scan 'stat_scan' "
            f"(run the estimator with selection_optional=['scan']); quantities: {fp.available_quantities}"
        )
        raise ValueError(msg)
    axes = [fp.energy_axis, fp.distance_axis]
    if sum(axis.nbin > 1 for axis in axes) > 1:
        msg = (
            "Profile plotting is only supported for unidimensional maps: slice the energy "
            f"axis to one bin first (e.g. slice_by_idx({{'energy': slice(0, 1)}})); "
            f"shape is {fp.energy_axis.nbin} energy x {fp.distance_axis.nbin} distance bins"
        )
        raise ValueError(msg)
    if axis_name is None:
        axis = axes[int(np.argmax([a.nbin for a in axes]))]
    else:
        axis = resolve_plot_axis(axes, axis_name)
    if sed_type is None:
        sed_type = fp.sed_type_plot_default
    if sed_type not in DEFAULT_UNIT or sed_type == "likelihood":
        msg = f"sed_type must be one of 'dnde', 'e2dnde', 'flux', 'eflux', 'norm', got {sed_type!r}"
        raise ValueError(msg)
    yunit = u.Unit(DEFAULT_UNIT[sed_type])
    n_bins = (fp.distance_axis.nbin, fp.energy_axis.nbin)
    if sed_type == "norm":
        if per_solid_angle:
            fp.surface_brightness("norm")  # raises: norms are not per solid angle
        flux_ref = np.ones(n_bins)
    else:
        flux_ref = np.broadcast_to(getattr(fp, f"{sed_type}_ref").to_value(yunit), n_bins)
    if per_solid_angle:
        with np.errstate(invalid="ignore", divide="ignore"):
            flux_ref = flux_ref / fp._solid_angle_sr()
        yunit = yunit / u.sr
    if ax is None:
        ax = plt.gca()

    # one reference per plotted bin: (n_energy,) along energy, (n_x,) along distance
    ref = flux_ref[0] if axis.name == "energy" else flux_ref[:, 0]
    usable = np.isfinite(ref) & (ref > 0)
    if not usable.any():
        msg = "plot_ts_profiles: no bin has a finite positive reference flux (solid angle 0?)"
        raise ValueError(msg)
    norm_min, norm_max = fp.norm_scan[0], fp.norm_scan[-1]
    flux = MapAxis.from_bounds(
        norm_min * ref[usable].min(),
        norm_max * ref[usable].max(),
        nbin=500,
        interp=axis.interp,
        unit=yunit,
    )
    norm = flux.center.value / np.where(usable, ref, 1.0).reshape((-1, 1))  # (n_bin, 500)
    ts_scan = fp.ts_scan.values  # (n_x, n_energy, n_scan)
    ts = ts_scan[0] if axis.name == "energy" else ts_scan[:, 0]
    z = interp_stat_profile(fp.norm_scan, ts, norm)
    z[~usable] = np.nan

    kwargs.setdefault("vmax", 0)
    kwargs.setdefault("vmin", -4)
    kwargs.setdefault("zorder", 0)
    kwargs.setdefault("cmap", "Blues")
    kwargs.setdefault("linewidths", 0)
    kwargs.setdefault("shading", "auto")
    z[-z < kwargs["vmin"]] = np.nan

    mesh = ax.pcolormesh(axis.edges.value, flux.edges.value, -z.T, **kwargs)
    format_plot_xaxis(ax, axis)
    ax.set_ylabel(quantity_label(sed_type, yunit))
    ax.set_yscale("log")
    if add_cbar:
        ax.figure.colorbar(mesh, ax=ax, label="Fit statistic difference")
    return ax


def plot_image(
    data: np.ndarray,
    wcs: Any,
    ax: Any = None,
    stretch: str = "linear",
    add_cbar: bool = False,
    unit: Any = "",
    kwargs_colorbar: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Show a 2-D image on a `~astropy.visualization.wcsaxes.WCSAxes` (Gammapy's WcsNDMap.plot).

    Parameters
    ----------
    data : `~numpy.ndarray`
        Image, shape (ny, nx).
    wcs : `~astropy.wcs.WCS`
        Celestial WCS of the image.
    ax : `~astropy.visualization.wcsaxes.WCSAxes`, optional
        Axes. Default is None (a new WCSAxes on the current figure).
    stretch : str, optional
        Stretch of `~astropy.visualization.simple_norm` ("linear", "sqrt", "log",
        "asinh", ...). Default is "linear".
    add_cbar : bool, optional
        Add a colour bar labelled with ``unit``. Default is False.
    unit : str or `~astropy.units.Unit`, optional
        Data unit (colour-bar label). Default is "".
    kwargs_colorbar : dict, optional
        Passed to `~matplotlib.figure.Figure.colorbar`. Default is None.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.imshow` (defaults: interpolation "nearest",
        origin "lower", cmap "afmhot"; ``vmin``/``vmax`` go to the stretch norm).

    Returns
    -------
    ax : `~astropy.visualization.wcsaxes.WCSAxes`
        The axes.
    """
    import matplotlib.pyplot as plt
    from astropy.visualization import simple_norm

    if ax is None:
        ax = plt.gcf().add_subplot(1, 1, 1, projection=wcs)
    data = np.asarray(data, dtype=np.float64)
    kwargs.setdefault("interpolation", "nearest")
    kwargs.setdefault("origin", "lower")
    kwargs.setdefault("cmap", "afmhot")
    finite = np.isfinite(data)
    if finite.any():
        vmin, vmax = kwargs.pop("vmin", None), kwargs.pop("vmax", None)
        try:
            norm = simple_norm(data[finite], stretch, vmin=vmin, vmax=vmax)
        except TypeError:  # astropy < 6.1
            norm = simple_norm(data[finite], stretch, min_cut=vmin, max_cut=vmax)
        kwargs.setdefault("norm", norm)
    image = ax.imshow(data, **kwargs)
    if add_cbar:
        kwargs_colorbar = dict(kwargs_colorbar or {})
        kwargs_colorbar.setdefault("label", str(u.Unit(unit)))
        ax.figure.colorbar(image, ax=ax, **kwargs_colorbar)
    coords = getattr(ax, "coords", None)
    if coords is not None:
        for lon, lat, lon_label, lat_label in (
            ("glon", "glat", "Galactic Longitude", "Galactic Latitude"),
            ("ra", "dec", "Right Ascension", "Declination"),
        ):
            try:
                coords[lon].set_axislabel(lon_label)
                coords[lat].set_axislabel(lat_label)
                break
            except KeyError:
                continue
    ax.autoscale(enable=False)
    return ax
