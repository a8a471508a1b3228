"""Sky images on WCS axes (Gammapy's ``WcsNDMap.plot``). matplotlib is imported inside
the function only."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

__all__ = ["plot_image"]


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
