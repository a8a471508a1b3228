"""`ProfileQuantity`: one quantity of flux points on its axes (a light stand-in for
Gammapy's ``RegionNDMap``), and the split of quantity data into values and a unit."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Column, MaskedColumn

from .axes import MapAxes, MapAxis

__all__ = ["ProfileQuantity", "values_and_unit"]


class ProfileQuantity:
    """One quantity of a `FluxPoints` object (light stand-in for Gammapy's RegionNDMap).

    Parameters
    ----------
    name : str
        Quantity name (e.g. "norm", "dnde", "counts").
    values : `~numpy.ndarray`
        Values of shape ``(n_x, n_energy)`` or ``(n_x, n_energy, n_k)`` (``n_k`` = number of
        datasets or of scan values). Kept without a copy.
    unit : str or `~astropy.units.Unit`
        Unit of the values.
    axes : sequence of `~fluxprofile.MapAxis`
        Non-spatial axes in Gammapy order: ``[k-axis,] energy, projected-distance``.

    Notes
    -----
    ``data`` has Gammapy's shape: ``values`` followed by two length-1 spatial dimensions,
    e.g. ``(n_x, n_energy, 1, 1)`` for ``norm``. It is a view of ``values``.
    """

    def __init__(
        self, name: str, values: np.ndarray, unit: str | u.UnitBase, axes: list[MapAxis]
    ) -> None:
        self.name = name
        self._values = values
        self._unit = u.Unit(unit)
        self._axes = MapAxes(axes)

    @property
    def values(self) -> np.ndarray:
        """Values without the spatial dimensions, shape ``(n_x, n_energy[, n_k])``."""
        return self._values

    @property
    def data(self) -> np.ndarray:
        """Values in Gammapy's map layout, shape ``(n_x, n_energy[, n_k], 1, 1)``."""
        return self._values.reshape((*self._values.shape, 1, 1))

    @property
    def unit(self) -> u.UnitBase:
        """Unit of the values."""
        return self._unit

    @property
    def quantity(self) -> u.Quantity:
        """``data`` as a `~astropy.units.Quantity`."""
        return u.Quantity(self.data, self._unit, copy=False)

    @property
    def axes(self) -> MapAxes:
        """Non-spatial axes (Gammapy order: ``[k-axis,] energy, projected-distance``)."""
        return self._axes

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of ``data``."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """Data type of the values."""
        return self._values.dtype

    def to_value(self, unit: str | u.UnitBase | None = None) -> np.ndarray:
        """Values (``data`` layout) converted to ``unit``.

        Parameters
        ----------
        unit : str or `~astropy.units.Unit`, optional
            Target unit. Default is None (no conversion).

        Returns
        -------
        values : `~numpy.ndarray`
            Converted values.
        """
        if unit is None:
            return self.data
        return self.quantity.to_value(unit)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self.data
        if dtype is not None:
            data = data.astype(dtype, copy=False)
        return data.copy() if copy else data

    def __repr__(self) -> str:
        return (
            f"ProfileQuantity(name={self.name!r}, shape={self.shape}, unit={str(self.unit)!r}, "
            f"axes={self._axes.names})"
        )

    def plot(self, ax: Any = None, axis_name: str | None = None, **kwargs: Any) -> Any:
        """Plot the quantity along the profile axis (Gammapy's ``RegionNDMap.plot``).

        One `~matplotlib.axes.Axes.errorbar` series (markers "o", no line, x error bars
        spanning the bins) is drawn per bin of the other axes (energy, dataset / scan
        value), labelled by that bin; NaN values are not drawn. The y label
        ``"<name> [<unit>]"`` (``"<name>"`` if dimensionless) is set only if the axes
        have none yet.

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes to draw on. Default is None (current axes).
        axis_name : str, optional
            Axis along x. Default is None: the only axis with more than one bin, else
            "projected-distance".
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.errorbar` (``label`` replaces the default
            labels).

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
            The axes.

        Raises
        ------
        ValueError
            If ``axis_name`` is not an axis of the quantity.
        """
        from ..plotting.flux_points import plot_quantity

        return plot_quantity(
            self.name, self._values, self._unit, list(self._axes), ax=ax,
            axis_name=axis_name, **kwargs,
        )  # fmt: skip


def values_and_unit(name: str, value: Any) -> tuple[np.ndarray, u.UnitBase]:
    """Split a quantity's data into an array and a unit.

    Parameters
    ----------
    name : str
        Quantity name, used in the error message.
    value : `ProfileQuantity`, `~astropy.units.Quantity`, table column or array-like
        The data. Masked entries of a masked column become NaN (False for bool).

    Returns
    -------
    values : `~numpy.ndarray`
        The values (not copied where possible).
    unit : `~astropy.units.UnitBase`
        Their unit (dimensionless for plain arrays).

    Raises
    ------
    TypeError
        If ``value`` is not array-like.
    """
    if isinstance(value, ProfileQuantity):
        return value.values, value.unit
    if isinstance(value, u.Quantity):
        return value.value, value.unit
    if isinstance(value, MaskedColumn | np.ma.MaskedArray):
        arr = np.ma.getdata(value)
        mask = np.ma.getmaskarray(value)
        if mask.any():
            arr = arr.copy()
            arr[mask] = False if arr.dtype == bool else np.nan
        return np.asarray(arr), u.Unit(getattr(value, "unit", None) or "")
    if isinstance(value, Column):
        return np.asarray(value.data), u.Unit(value.unit or "")
    try:
        return np.asarray(value), u.dimensionless_unscaled
    except (TypeError, ValueError) as err:
        msg = f"data[{name!r}] must be array-like, got {type(value).__name__}"
        raise TypeError(msg) from err
