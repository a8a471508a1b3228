"""Model parameters: `Parameter` (a value with a unit, bounds and scan settings) and the
ordered collection `Parameters`, as Gammapy's spectral models hold them."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.table import Table

__all__ = ["Parameter", "Parameters", "as_float"]

_TINY = np.finfo(np.float64).tiny


def as_float(value: Any, what: str) -> float:
    """``value`` as a float, or a TypeError naming ``what``.

    Parameters
    ----------
    value : object
        A real number (anything `float` accepts).
    what : str
        What the value is, used in the error message.

    Returns
    -------
    value : float
        The number.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    """
    try:
        return float(value)
    except (TypeError, ValueError):
        msg = f"{what} must be a real number, got {value!r} of type {type(value).__name__}"
        raise TypeError(msg) from None


class Parameter:
    """A model parameter: a named float value with a unit and fit/scan settings.

    Parameters
    ----------
    name : str
        Parameter name.
    value : float, str or `~astropy.units.Quantity`
        Value. A string or Quantity also sets the unit (e.g. ``"1e-12 cm-2 s-1 TeV-1"``).
    unit : str or `~astropy.units.Unit`, optional
        Unit, used when ``value`` is a plain number. Default is "" (dimensionless).
    min, max : float, optional
        Allowed range (NaN means unbounded). Default is NaN.
    frozen : bool, optional
        Whether the parameter is fixed in fits. Default is False.
    error : float, optional
        Parameter error. Default is 0.
    scan_min, scan_max : float or None, optional
        Range of the likelihood scan. None means ``value -/+ step * scan_n_sigma`` with
        ``step = error`` if positive, else ``|value|``. Default is None.
    scan_n_values : int, optional
        Number of scan values. Default is 11.
    scan_n_sigma : int, optional
        Width of the default scan range in units of the step. Default is 2.
    scan_values : array-like or None, optional
        Explicit scan values, used verbatim when given. Default is None.
    scale_method : str, optional
        Scaling used by optimisers (kept for Gammapy compatibility). Default is "scale10".
    interp : {"lin", "log", "sqrt"}, optional
        Scale in which the default scan values are evenly spaced. Default is "lin".

    Raises
    ------
    TypeError
        If ``name`` is not a string, ``value`` is not a number or ``scan_values`` are not
        numbers.
    ValueError
        If ``interp`` is unknown, the unit cannot be parsed, or ``scan_min``,
        ``scan_max`` or ``scan_values`` are not finite (``scan_values`` must also be a
        non-empty 1-D sequence).
    """

    def __init__(
        self,
        name: str,
        value: float | str | u.Quantity,
        unit: str | u.UnitBase = "",
        min: float = np.nan,
        max: float = np.nan,
        frozen: bool = False,
        error: float = 0.0,
        scan_min: float | None = None,
        scan_max: float | None = None,
        scan_n_values: int = 11,
        scan_n_sigma: int = 2,
        scan_values: npt.ArrayLike | None = None,
        scale_method: str = "scale10",
        interp: str = "lin",
    ) -> None:
        if not isinstance(name, str):
            msg = f"Parameter name must be a string, got {name!r} of type {type(name).__name__}"
            raise TypeError(msg)
        self.name = name
        if isinstance(value, (u.Quantity, str)):
            try:
                quantity = u.Quantity(value)
            except (TypeError, ValueError) as err:
                msg = f"Parameter {name!r}: cannot parse value {value!r} as a quantity ({err})"
                raise ValueError(msg) from None
            self.value = quantity.value
            self.unit = quantity.unit
        else:
            self.value = as_float(value, f"Parameter {name!r} value")
            self.unit = unit
        self.min = min
        self.max = max
        self.frozen = bool(frozen)
        self.error = error
        self.scan_min = scan_min
        self.scan_max = scan_max
        self.scan_n_values = int(scan_n_values)
        self.scan_n_sigma = scan_n_sigma
        self.scan_values = scan_values
        self.scale_method = scale_method
        self.interp = interp

    # --- plain attributes with conversion ----------------------------------------------
    @property
    def value(self) -> float:
        """Value as a float (in `unit`)."""
        return self._value

    @value.setter
    def value(self, val: float) -> None:
        self._value = as_float(val, f"Parameter {self.name!r} value")

    @property
    def unit(self) -> u.UnitBase:
        """Unit (`~astropy.units.Unit`)."""
        return self._unit

    @unit.setter
    def unit(self, val: str | u.UnitBase) -> None:
        try:
            self._unit = u.Unit(val)
        except (TypeError, ValueError) as err:
            msg = f"Parameter {self.name!r}: invalid unit {val!r} ({err})"
            raise ValueError(msg) from None

    @property
    def quantity(self) -> u.Quantity:
        """Value times unit (`~astropy.units.Quantity`); setting it needs an equivalent unit."""
        return self.value * self.unit

    @quantity.setter
    def quantity(self, val: u.Quantity | str) -> None:
        quantity = u.Quantity(val)
        if not quantity.unit.is_equivalent(self.unit):
            msg = (
                f"Parameter {self.name!r}: unit of {quantity!r} is not equivalent "
                f"to {self.unit.to_string()!r}"
            )
            raise u.UnitConversionError(msg)
        self.value = quantity.value
        self.unit = quantity.unit

    @property
    def min(self) -> float:
        """Lower bound (NaN if unbounded)."""
        return self._min

    @min.setter
    def min(self, val: float | None) -> None:
        self._min = (
            np.nan if val is None else as_float(val, f"Parameter {self.name!r} min")
        )

    @property
    def max(self) -> float:
        """Upper bound (NaN if unbounded)."""
        return self._max

    @max.setter
    def max(self, val: float | None) -> None:
        self._max = (
            np.nan if val is None else as_float(val, f"Parameter {self.name!r} max")
        )

    @property
    def error(self) -> float:
        """Parameter error."""
        return self._error

    @error.setter
    def error(self, val: float) -> None:
        self._error = as_float(val, f"Parameter {self.name!r} error")

    @property
    def interp(self) -> str:
        """Scale of the default scan grid: "lin", "log" or "sqrt"."""
        return self._interp

    @interp.setter
    def interp(self, val: str) -> None:
        if val not in ("lin", "log", "sqrt"):
            msg = f"Parameter {self.name!r}: interp must be 'lin', 'log' or 'sqrt', got {val!r}"
            raise ValueError(msg)
        self._interp = val

    @property
    def scan_n_sigma(self) -> int:
        """Width of the default scan range in units of the step (int)."""
        return self._scan_n_sigma

    @scan_n_sigma.setter
    def scan_n_sigma(self, val: int) -> None:
        self._scan_n_sigma = int(val)

    # --- scan grid -----------------------------------------------------------------------
    @property
    def _step(self) -> float:
        return self.error if self.error > 0 else abs(self.value)

    @property
    def scan_min(self) -> float:
        """Lower end of the scan (``value - step * scan_n_sigma`` when not set)."""
        if self._scan_min is None:
            return self.value - self._step * self.scan_n_sigma
        return self._scan_min

    @scan_min.setter
    def scan_min(self, val: float | None) -> None:
        self._scan_min = self._finite_or_none(val, "scan_min")

    @property
    def scan_max(self) -> float:
        """Upper end of the scan (``value + step * scan_n_sigma`` when not set)."""
        if self._scan_max is None:
            return self.value + self._step * self.scan_n_sigma
        return self._scan_max

    @scan_max.setter
    def scan_max(self, val: float | None) -> None:
        self._scan_max = self._finite_or_none(val, "scan_max")

    def _finite_or_none(self, val: Any, what: str) -> float | None:
        """None, or ``val`` as a finite float (else a ValueError naming the parameter)."""
        if val is None:
            return None
        number = as_float(val, f"Parameter {self.name!r} {what}")
        if not np.isfinite(number):
            msg = f"Parameter {self.name!r}: {what} must be finite, got {val!r}"
            raise ValueError(msg)
        return number

    @property
    def scan_values(self) -> np.ndarray:
        """Scan values: the explicit ones, else evenly spaced in the `interp` scale."""
        if self._scan_values is not None:
            return self._scan_values
        lo, hi = float(self.scan_min), float(self.scan_max)
        if self.interp == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                grid = np.linspace(
                    *np.log(np.clip([lo, hi], _TINY, np.inf)), self.scan_n_values
                )
            values = np.exp(grid)
            return np.where(np.abs(values) - _TINY <= _TINY, 0.0, values)
        if self.interp == "sqrt":
            scaled = np.sign([lo, hi]) * np.sqrt(np.abs([lo, hi]))
            return np.linspace(*scaled, self.scan_n_values) ** 2
        return np.linspace(lo, hi, self.scan_n_values)

    @scan_values.setter
    def scan_values(self, values: npt.ArrayLike | None) -> None:
        if values is not None:
            try:
                array = np.array(values, dtype=np.float64, ndmin=1)
            except (TypeError, ValueError):
                msg = f"Parameter {self.name!r}: scan_values must be real numbers, got {values!r}"
                raise TypeError(msg) from None
            if array.ndim != 1 or array.size == 0:
                msg = f"Parameter {self.name!r}: scan_values must be a non-empty 1-D sequence, got {values!r}"
                raise ValueError(msg)
            if not np.all(np.isfinite(array)):
                msg = f"Parameter {self.name!r}: scan_values must be finite, got {values!r}"
                raise ValueError(msg)
            values = array
        self._scan_values = values

    def copy(self) -> Parameter:
        """Return a deep copy."""
        return copy.deepcopy(self)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, value={self.value!r}, "
            f"unit={self.unit.to_string()!r}, min={self.min!r}, max={self.max!r}, "
            f"frozen={self.frozen!r})"
        )


class Parameters:
    """Ordered, list-like collection of `Parameter` with access by index or name.

    Parameters
    ----------
    parameters : iterable of `Parameter`, optional
        The parameters. Default is no parameters.
    """

    def __init__(self, parameters: list[Parameter] | None = None) -> None:
        self._parameters = list(parameters) if parameters is not None else []

    @property
    def names(self) -> list[str]:
        """Parameter names, in order."""
        return [p.name for p in self._parameters]

    @property
    def value(self) -> np.ndarray:
        """Parameter values as a float64 array."""
        return np.array([p.value for p in self._parameters], dtype=np.float64)

    @property
    def free_parameters(self) -> Parameters:
        """The parameters that are not frozen."""
        return Parameters([p for p in self._parameters if not p.frozen])

    def freeze_all(self) -> None:
        """Freeze every parameter."""
        for par in self._parameters:
            par.frozen = True

    def __getitem__(self, key: int | str) -> Parameter:
        if isinstance(key, str):
            for par in self._parameters:
                if par.name == key:
                    return par
            msg = f"No parameter named {key!r}; available: {self.names}"
            raise KeyError(msg)
        return self._parameters[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return key in self.names
        return key in self._parameters

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def to_table(self) -> Table:
        """Return the parameters as an `~astropy.table.Table` (name, value, unit, ...)."""
        table = Table(
            {
                "name": [p.name for p in self],
                "value": np.array([p.value for p in self], dtype=float),
                "unit": [p.unit.to_string("fits") for p in self],
                "error": np.array([p.error for p in self], dtype=float),
                "min": np.array([p.min for p in self], dtype=float),
                "max": np.array([p.max for p in self], dtype=float),
                "frozen": np.array([p.frozen for p in self], dtype=bool),
            }
        )
        table["value"].format = ".4e"
        table["error"].format = ".3e"
        return table

    def __str__(self) -> str:
        if not self._parameters:
            return ""
        return "\n".join(self.to_table().pformat(max_lines=-1, max_width=-1))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.names})"
