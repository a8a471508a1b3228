"""Likelihood-scan (TS profile) images behind flux profiles, drawn as Gammapy 2.1 draws
them (docs/flux_points.rst). matplotlib is imported inside the functions only."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..datamodel.axes import MapAxis
from ..vocabulary import DEFAULT_UNIT
from .flux_points import check_plot_sed_type, resolve_plot_axis
from .labels import format_plot_xaxis, quantity_label

__all__ = ["interp_stat_profile", "plot_ts_profiles"]


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
    norm = np.broadcast_to(
        np.asarray(norm, dtype=np.float64), (n_bin, np.shape(norm)[-1])
    )
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
    fp : `~fluxprofile.FluxPoints`
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
    check_plot_sed_type(sed_type)
    yunit = u.Unit(DEFAULT_UNIT[sed_type])
    n_bins = (fp.distance_axis.nbin, fp.energy_axis.nbin)
    if sed_type == "norm":
        if per_solid_angle:
            fp.surface_brightness("norm")  # raises: norms are not per solid angle
        flux_ref = np.ones(n_bins)
    else:
        flux_ref = np.broadcast_to(
            getattr(fp, f"{sed_type}_ref").to_value(yunit), n_bins
        )
    if per_solid_angle:
        with np.errstate(invalid="ignore", divide="ignore"):
            flux_ref = flux_ref / fp.solid_angle_sr()
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
    norm = flux.center.value / np.where(usable, ref, 1.0).reshape(
        (-1, 1)
    )  # (n_bin, 500)
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
