"""`ProfileQuantity`: one quantity of flux points on its axes (a light stand-in for
Gammapy's ``RegionNDMap``: ``geom``, ``data``, ``quantity``, ``unit``, element-wise
arithmetic and comparison, slices, ``plot``), and the split of quantity data into values
and a unit."""

from __future__ import annotations

import operator
from typing import Any

import astropy.units as u
import numpy as np
from astropy.table import Column, MaskedColumn

from .axes import MapAxes, MapAxis
from .region_geom import RegionGeom

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

    Arithmetic follows Gammapy's maps (docs/from_gammapy.rst): ``+``, ``-`` and the
    comparisons convert the other operand to this unit (a quantity, an array, a number,
    or a quantity on an equal geometry), ``*`` and ``/`` combine the units; the result
    is a new `ProfileQuantity` on the same axes (comparisons: boolean, dimensionless),
    never a change of the flux points it came from. ``&``, ``|``, ``^`` and ``~`` work
    on boolean quantities such as ``is_ul``.
    """

    # ndarray (op) quantity defers to the reflected methods below
    __array_priority__ = 1000

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
    def geom(self) -> RegionGeom:
        """Geometry: a `~fluxprofile.RegionGeom` without region on `axes`, so that
        ``geom.axes["dataset"]`` works as on Gammapy's maps."""
        return RegionGeom(region=None, axes=list(self._axes))

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

    # ---- element-wise operations (Gammapy's Map._arithmetics rules) --------------------
    def _like(self, data: np.ndarray, unit: Any) -> ProfileQuantity:
        data = np.asarray(data)
        if data.shape != self.data.shape:
            msg = (
                f"ProfileQuantity {self.name!r}: the result has shape {data.shape}, "
                f"the quantity {self.data.shape}; operands must broadcast to the quantity"
            )
            raise ValueError(msg)
        return ProfileQuantity(
            self.name, data.reshape(self._values.shape), unit, list(self._axes)
        )

    def _other(self, other: Any) -> tuple[np.ndarray, u.UnitBase]:
        if isinstance(other, ProfileQuantity):
            if other.geom != self.geom:
                msg = (
                    f"ProfileQuantity arithmetic: inconsistent geometries ({self.name!r} "
                    f"on {self._axes.names}, {other.name!r} on {other.axes.names})"
                )
                raise ValueError(msg)
            return other.data, other.unit
        if isinstance(other, u.Quantity):
            return other.value, other.unit
        arr = np.asarray(other)
        if arr.dtype.kind not in "biuf":
            msg = f"cannot combine ProfileQuantity {self.name!r} with {type(other).__name__}"
            raise TypeError(msg)
        return arr, u.dimensionless_unscaled

    def _converted(self, other: Any) -> np.ndarray:
        data, unit = self._other(other)
        if unit == self._unit:
            return data
        return unit.to(self._unit, data)

    def _combine(self, op: Any, other: Any, reflected: bool = False) -> ProfileQuantity:
        data, unit = self._other(other)
        if reflected:
            return self._like(op(data, self.data), op(unit, self._unit))
        return self._like(op(self.data, data), op(self._unit, unit))

    def _shifted(self, op: Any, other: Any, reflected: bool = False) -> ProfileQuantity:
        data = self._converted(other)
        values = op(data, self.data) if reflected else op(self.data, data)
        return self._like(values, self._unit)

    def _compare(self, op: Any, other: Any) -> ProfileQuantity:
        return self._like(op(self.data, self._converted(other)), "")

    def _logical(self, op: Any, other: Any) -> ProfileQuantity:
        data, _ = self._other(other)
        return self._like(op(self.data, data), "")

    def __add__(self, other: Any) -> ProfileQuantity:
        return self._shifted(np.add, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> ProfileQuantity:
        return self._shifted(np.subtract, other)

    def __rsub__(self, other: Any) -> ProfileQuantity:
        return self._shifted(np.subtract, other, reflected=True)

    def __mul__(self, other: Any) -> ProfileQuantity:
        return self._combine(operator.mul, other)

    def __rmul__(self, other: Any) -> ProfileQuantity:
        return self._combine(operator.mul, other, reflected=True)

    def __truediv__(self, other: Any) -> ProfileQuantity:
        return self._combine(operator.truediv, other)

    def __rtruediv__(self, other: Any) -> ProfileQuantity:
        return self._combine(operator.truediv, other, reflected=True)

    def __pow__(self, power: Any) -> ProfileQuantity:
        if not np.isscalar(power):
            msg = f"ProfileQuantity {self.name!r}: the power must be a number"
            raise TypeError(msg)
        return self._like(self.data**power, self._unit**power)

    def __neg__(self) -> ProfileQuantity:
        return self._like(-self.data, self._unit)

    def __pos__(self) -> ProfileQuantity:
        return self._like(+self.data, self._unit)

    def __abs__(self) -> ProfileQuantity:
        return self._like(np.abs(self.data), self._unit)

    def __eq__(self, other: object) -> ProfileQuantity:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: object) -> ProfileQuantity:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> ProfileQuantity:
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> ProfileQuantity:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> ProfileQuantity:
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> ProfileQuantity:
        return self._compare(np.greater_equal, other)

    def __and__(self, other: Any) -> ProfileQuantity:
        return self._logical(np.logical_and, other)

    __rand__ = __and__

    def __or__(self, other: Any) -> ProfileQuantity:
        return self._logical(np.logical_or, other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> ProfileQuantity:
        return self._logical(np.logical_xor, other)

    __rxor__ = __xor__

    def __invert__(self) -> ProfileQuantity:
        return self._like(np.logical_not(self.data), "")

    # an element-wise __eq__ makes the quantity unhashable, as numpy arrays are
    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        # as numpy: only a single value has a truth value (never "always True")
        return bool(self.data)

    # ---- slices ----------------------------------------------------------------------
    def slice_by_idx(self, slices: dict[str, slice | int]) -> ProfileQuantity:
        """Select bins along axes by index (Gammapy's ``Map.slice_by_idx``).

        Parameters
        ----------
        slices : dict of str to slice or int
            Axis name to a step-1 slice or an int. Unlike Gammapy, an int keeps the
            axis with one bin (as `~fluxprofile.FluxPoints.slice_by_idx`).

        Returns
        -------
        quantity : `ProfileQuantity`
            The selected bins (a view of the values) on the sliced axes.

        Raises
        ------
        KeyError
            For an unknown axis name.
        """
        axes = list(self._axes)
        index: list[slice] = [slice(None)] * self._values.ndim
        for name, idx in slices.items():
            i = self._axes.index(name)
            axes[i] = axes[i].slice(idx)
            if isinstance(idx, (int, np.integer)):
                n = self._axes[i].nbin
                j = int(idx) + n if idx < 0 else int(idx)
                idx = slice(j, j + 1)
            # the values run over the axes in reverse order
            index[len(axes) - 1 - i] = idx
        return ProfileQuantity(self.name, self._values[tuple(index)], self._unit, axes)

    def __getitem__(self, item: Any) -> Any:
        """``q[{"energy": slice(0, 1)}]`` slices by axis name (`slice_by_idx`); any
        other index selects from ``data`` as numpy does (``q[7]`` is profile bin 7)."""
        if isinstance(item, dict):
            return self.slice_by_idx(item)
        return self.data[item]

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
