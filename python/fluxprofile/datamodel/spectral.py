"""Spectral models used as the reference spectrum of a flux profile.

The classes reproduce the behaviour of Gammapy's spectral models that the flux profile
estimator needs: parameter names, defaults and units, evaluation, and integral and energy
flux over (arrays of) energy bins. The power law is integrated analytically; the other
models use Gammapy's numeric scheme (a log-log trapezoidal rule on a geometric grid), so
that the numbers agree with Gammapy to round-off.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, ClassVar

import astropy.units as u
import numpy as np
import numpy.typing as npt

from .parameter import Parameter, Parameters
from .parameter import as_float as _as_float

__all__ = [
    "ExpCutoffPowerLawSpectralModel",
    "LogParabolaSpectralModel",
    "PowerLawSpectralModel",
    "SpectralModel",
    "TemplateSpectralModel",
    "as_spectral_model",
    "integrate_spectrum",
]

_TINY = np.finfo(np.float64).tiny
# ``np.isclose(x, 0)`` with its default tolerances, used for the power-law special cases.
_ISCLOSE_ATOL = 1e-8


# --------------------------------------------------------------------------------------
# Validation and numeric integration
# --------------------------------------------------------------------------------------
# astropy composes and classifies units in Python (~20-200 us each); the few units a
# pipeline meets are cached here.
@functools.lru_cache(maxsize=256)
def _is_energy(unit: u.UnitBase) -> bool:
    return unit.physical_type == "energy"


@functools.lru_cache(maxsize=256)
def _unit_times_power(unit: u.UnitBase, base: u.UnitBase, power: int) -> u.UnitBase:
    """``unit * base**power``."""
    return unit * base**power


def _check_energy(energy: Any, name: str) -> u.Quantity:
    """Return ``energy`` as a float Quantity, or raise if it is not an energy."""
    if not isinstance(energy, u.Quantity):
        msg = (
            f"{name} must be an astropy Quantity with an energy unit, "
            f"got {energy!r} of type {type(energy).__name__}"
        )
        raise TypeError(msg)
    if not _is_energy(energy.unit):
        msg = f"{name} must have an energy unit (e.g. TeV), got unit {energy.unit.to_string()!r}"
        raise u.UnitConversionError(msg)
    return energy


def _powerlaw_segment_integral(
    x0: np.ndarray, x1: np.ndarray, y0: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """Integral of ``y0 (x/x0)^-index`` from x0 to x1 (index == 1 handled by a log)."""
    val = 1.0 - index
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        integral = y0 * x0 / val * ((x1 / x0) ** val - (x0 / x0) ** val)
        special = np.abs(val) <= _ISCLOSE_ATOL
        if np.any(special):
            log_case = y0 * x0 * np.log(x1 / x0)
            integral = np.where(special, log_case, integral)
    return integral


def _trapz_loglog(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Log-log trapezoidal integral along the last axis (each step is a local power law)."""
    x0, x1 = x[..., :-1], x[..., 1:]
    y0, y1 = y[..., :-1], y[..., 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        index = -np.log(np.clip(y0 / y1, _TINY, np.inf)) / np.log(
            np.clip(x0 / x1, _TINY, np.inf)
        )
    index = np.where(np.isnan(index), np.inf, index)
    return _powerlaw_segment_integral(x0, x1, y0, index).sum(axis=-1)


def integrate_spectrum(
    func: Callable[[u.Quantity], u.Quantity],
    energy_min: u.Quantity,
    energy_max: u.Quantity,
    ndecade: float = 100,
    energy_flux: bool = False,
) -> u.Quantity:
    r"""Integrate a spectrum numerically with the log-log trapezoidal rule.

    Every bin ``[energy_min, energy_max]`` is sampled on a geometric grid of
    ``int(max(max(ndecade * log10(energy_max / energy_min)), 2))`` points (the same number
    for all bins, set by the widest one) and each step is integrated as a local power law.
    This is the scheme of Gammapy's ``integrate_spectrum``.

    Parameters
    ----------
    func : callable
        Function of energy (`~astropy.units.Quantity`) returning dN/dE (Quantity).
    energy_min, energy_max : `~astropy.units.Quantity`
        Bin bounds (broadcastable arrays or scalars, energy units).
    ndecade : float, optional
        Grid points per decade. Default is 100.
    energy_flux : bool, optional
        Integrate ``E * func(E)`` instead of ``func(E)``. Default is False.

    Returns
    -------
    integral : `~astropy.units.Quantity`
        Integral per bin, shape of the broadcast bounds, unit ``func`` unit times the
        unit of ``energy_min`` (times it again when ``energy_flux``).

    Raises
    ------
    TypeError, ValueError
        If the bounds are not energy quantities.
    """
    energy_min = _check_energy(energy_min, "energy_min")
    energy_max = _check_energy(energy_max, "energy_max")
    energy_min, energy_max = np.broadcast_arrays(energy_min, energy_max, subok=True)
    unit = energy_min.unit
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (energy_max / energy_min).to_value(u.dimensionless_unscaled)
        num = int(np.maximum(np.max(ndecade * np.log10(ratio)), 2))
    grid = np.geomspace(energy_min.value, energy_max.to_value(unit), num=num, axis=-1)
    energy = u.Quantity(grid, unit)
    values = u.Quantity(func(energy))
    if energy_flux:
        values = values * energy
    integral = _trapz_loglog(values.value, grid)
    return u.Quantity(integral, values.unit * unit)


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------
class SpectralModel:
    """Base class of the spectral models (dN/dE as a function of energy).

    Subclasses declare ``_defaults``: ``(name, default value, Parameter keyword dict)``
    tuples. Parameters are given to the constructor by name as a number (in the default
    unit), a string/Quantity with an equivalent unit, or a `Parameter`; they are then
    available as attributes (``model.index``) and via `parameters`.

    Raises
    ------
    TypeError
        For an unknown parameter name or a non-numeric value.
    astropy.units.UnitConversionError
        (a ValueError) when a value's unit is not equivalent to the default unit.
    """

    tag: ClassVar[list[str]] = ["SpectralModel", "spectral"]
    _defaults: ClassVar[tuple[tuple[str, str, dict[str, Any]], ...]] = ()

    def __init__(self, **kwargs: Any) -> None:
        pars = []
        known = [d[0] for d in self._defaults]
        for key in kwargs:
            if key not in known:
                msg = f"{type(self).__name__}: unknown parameter {key!r}; expected one of {known}"
                raise TypeError(msg)
        for name, default, options in self._defaults:
            par = Parameter(name, default, **options)
            if name in kwargs:
                par = self._make_parameter(par, kwargs[name])
            pars.append(par)
        object.__setattr__(self, "_parameters", Parameters(pars))

    def _make_parameter(self, default: Parameter, value: Any) -> Parameter:
        """Build the parameter ``default.name`` from a user value."""
        name = default.name
        if isinstance(value, Parameter):
            if value.name != name:
                msg = f"{type(self).__name__}: Parameter for {name!r} is named {value.name!r}"
                raise ValueError(msg)
            self._check_unit(default, value.unit, value)
            return value
        if isinstance(value, (str, u.Quantity)):
            try:
                quantity = u.Quantity(value)
            except (TypeError, ValueError):
                msg = f"{type(self).__name__}: cannot parse {name}={value!r} as a quantity"
                raise ValueError(msg) from None
            if quantity.size != 1:
                msg = f"{type(self).__name__}: {name} must be a scalar, got {value!r}"
                raise ValueError(msg)
            self._check_unit(default, quantity.unit, value)
            default.value = quantity.value.item()
            default.unit = quantity.unit
            return default
        default.value = _as_float(value, f"{type(self).__name__}: {name}")
        return default

    def _check_unit(self, default: Parameter, unit: u.UnitBase, value: Any) -> None:
        if not unit.is_equivalent(default.unit):
            msg = (
                f"{type(self).__name__}: {default.name}={value!r} has unit "
                f"{unit.to_string()!r}, which is not equivalent to {default.unit.to_string()!r}"
            )
            raise u.UnitConversionError(msg)

    # --- parameter access ----------------------------------------------------------------
    @property
    def parameters(self) -> Parameters:
        """The model parameters (`Parameters`)."""
        return self._parameters

    def __getattr__(self, name: str) -> Parameter:
        # only called when normal lookup fails: expose parameters as attributes
        parameters = self.__dict__.get("_parameters")
        if parameters is not None and name in parameters.names:
            return parameters[name]
        msg = f"{type(self).__name__!r} object has no attribute {name!r}"
        raise AttributeError(msg)

    def __setattr__(self, name: str, value: Any) -> None:
        parameters = self.__dict__.get("_parameters")
        if parameters is None or name not in parameters.names:
            object.__setattr__(self, name, value)
            return
        par = parameters[name]
        if isinstance(value, Parameter):
            new = self._make_parameter(par, value)
            idx = parameters.names.index(name)
            parameters._parameters[idx] = new
        elif isinstance(value, (str, u.Quantity)):
            par.quantity = value
        else:
            par.value = value

    def _parameter_quantities(self, energy: u.Quantity) -> dict[str, u.Quantity]:
        """Parameter quantities, energies converted to the unit of ``energy``."""
        out = {}
        for par in self.parameters:
            quantity = par.quantity
            if _is_energy(quantity.unit):
                quantity = quantity.to(energy.unit)
            out[par.name] = quantity
        return out

    # --- evaluation and integration --------------------------------------------------------
    def __call__(self, energy: u.Quantity) -> u.Quantity:
        """Evaluate dN/dE at ``energy`` (`~astropy.units.Quantity`, energy units)."""
        energy = _check_energy(energy, "energy")
        return self.evaluate(energy, **self._parameter_quantities(energy))

    @staticmethod
    def evaluate(energy: u.Quantity, **kwargs: Any) -> u.Quantity:
        """Evaluate the model for given parameter values (implemented by subclasses)."""
        msg = "SpectralModel.evaluate must be implemented by subclasses"
        raise NotImplementedError(msg)

    def integral(
        self, energy_min: u.Quantity, energy_max: u.Quantity, **kwargs: Any
    ) -> u.Quantity:
        r"""Integral flux :math:`\int_{E_{min}}^{E_{max}} \phi(E) dE` per bin.

        Parameters
        ----------
        energy_min, energy_max : `~astropy.units.Quantity`
            Bin bounds (broadcastable arrays or scalars, energy units).
        **kwargs : dict
            Passed to `integrate_spectrum` (e.g. ``ndecade``) for numeric models.

        Returns
        -------
        flux : `~astropy.units.Quantity`
            Integral per bin.
        """
        energy_min = _check_energy(energy_min, "energy_min")
        energy_max = _check_energy(energy_max, "energy_max")
        if hasattr(self, "evaluate_integral"):
            pars = self._parameter_quantities(energy_min)
            return self.evaluate_integral(energy_min, energy_max, **pars)
        return integrate_spectrum(self, energy_min, energy_max, **kwargs)

    def energy_flux(
        self, energy_min: u.Quantity, energy_max: u.Quantity, **kwargs: Any
    ) -> u.Quantity:
        r"""Energy flux :math:`\int_{E_{min}}^{E_{max}} E \phi(E) dE` per bin.

        Parameters
        ----------
        energy_min, energy_max : `~astropy.units.Quantity`
            Bin bounds (broadcastable arrays or scalars, energy units).
        **kwargs : dict
            Passed to `integrate_spectrum` (e.g. ``ndecade``) for numeric models.

        Returns
        -------
        eflux : `~astropy.units.Quantity`
            Energy flux per bin.
        """
        energy_min = _check_energy(energy_min, "energy_min")
        energy_max = _check_energy(energy_max, "energy_max")
        if hasattr(self, "evaluate_energy_flux"):
            pars = self._parameter_quantities(energy_min)
            return self.evaluate_energy_flux(energy_min, energy_max, **pars)
        return integrate_spectrum(
            self, energy_min, energy_max, energy_flux=True, **kwargs
        )

    def copy(self) -> SpectralModel:
        """Return a deep copy (parameters are copied too)."""
        return copy.deepcopy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> SpectralModel:
        new = type(self).__new__(type(self))
        for key, value in self.__dict__.items():
            object.__setattr__(new, key, copy.deepcopy(value, memo))
        return new

    def __str__(self) -> str:
        name = self.tag[0] if self.tag else type(self).__name__
        table = str(self.parameters)
        return f"{name}\n\n{table}\n" if table else f"{name}\n"

    def __repr__(self) -> str:
        pars = ", ".join(f"{p.name}={p.quantity}" for p in self.parameters)
        return f"{type(self).__name__}({pars})"


_AMPLITUDE = ("amplitude", "1e-12 cm-2 s-1 TeV-1", {"interp": "log"})


def _powerlaw_integral(
    energy_min: Any,
    energy_max: Any,
    index: Any,
    amplitude: Any,
    reference: Any,
    power: int,
) -> u.Quantity:
    """Analytic integral of ``E^(power-1) * PL(E)`` (power 1: flux, 2: energy flux)."""
    unit = energy_min.unit
    e_min = np.asarray(energy_min.to_value(unit), dtype=np.float64)
    e_max = np.asarray(energy_max.to_value(unit), dtype=np.float64)
    e_ref = reference.to_value(unit)
    amp = amplitude.value
    val = power - u.Quantity(index).to_value(u.dimensionless_unscaled)
    factor = amp * e_ref**power
    with np.errstate(divide="ignore", invalid="ignore"):
        result = factor / val * ((e_max / e_ref) ** val - (e_min / e_ref) ** val)
        special = np.abs(val) <= _ISCLOSE_ATOL
        if np.any(special):
            result = np.where(special, factor * np.log(e_max / e_min), result)
    return u.Quantity(result, _unit_times_power(amplitude.unit, unit, power))


class PowerLawSpectralModel(SpectralModel):
    r"""Power law :math:`\phi(E) = \phi_0 (E / E_0)^{-\Gamma}`.

    Parameters
    ----------
    index : float
        :math:`\Gamma`. Default is 2.0.
    amplitude : str or `~astropy.units.Quantity`
        :math:`\phi_0`. Default is "1e-12 cm-2 s-1 TeV-1".
    reference : str or `~astropy.units.Quantity`
        :math:`E_0` (frozen). Default is "1 TeV".

    Examples
    --------
    >>> import astropy.units as u
    >>> from fluxprofile import PowerLawSpectralModel
    >>> pl = PowerLawSpectralModel(index=2.3)
    >>> flux = pl.integral(10 * u.GeV, 500 * u.GeV).to("cm-2 s-1")
    """

    tag: ClassVar[list[str]] = ["PowerLawSpectralModel", "pl"]
    _defaults = (
        ("index", "2.0", {}),
        _AMPLITUDE,
        ("reference", "1 TeV", {"frozen": True}),
    )

    @staticmethod
    def evaluate(energy: Any, index: Any, amplitude: Any, reference: Any) -> Any:
        """Evaluate the power law for given parameters."""
        return amplitude * np.power(energy / reference, -index)

    @staticmethod
    def evaluate_integral(
        energy_min: u.Quantity,
        energy_max: u.Quantity,
        index: Any,
        amplitude: u.Quantity,
        reference: u.Quantity,
    ) -> u.Quantity:
        r"""Analytic integral; :math:`\phi_0 E_0 \ln(E_{max}/E_{min})` when Γ ≈ 1 (1e-8)."""
        return _powerlaw_integral(
            energy_min, energy_max, index, amplitude, reference, 1
        )

    @staticmethod
    def evaluate_energy_flux(
        energy_min: u.Quantity,
        energy_max: u.Quantity,
        index: Any,
        amplitude: u.Quantity,
        reference: u.Quantity,
    ) -> u.Quantity:
        r"""Analytic energy flux; :math:`\phi_0 E_0^2 \ln(E_{max}/E_{min})` when Γ ≈ 2."""
        return _powerlaw_integral(
            energy_min, energy_max, index, amplitude, reference, 2
        )


class LogParabolaSpectralModel(SpectralModel):
    r"""Log parabola :math:`\phi(E) = \phi_0 (E/E_0)^{-\alpha - \beta \ln(E/E_0)}`.

    Integrated numerically (`integrate_spectrum`).

    Parameters
    ----------
    amplitude : str or `~astropy.units.Quantity`
        :math:`\phi_0`. Default is "1e-12 cm-2 s-1 TeV-1".
    reference : str or `~astropy.units.Quantity`
        :math:`E_0` (frozen). Default is "10 TeV".
    alpha : float
        :math:`\alpha`. Default is 2.
    beta : float
        :math:`\beta` (natural-log convention). Default is 1.
    """

    tag: ClassVar[list[str]] = ["LogParabolaSpectralModel", "lp"]
    _defaults = (
        _AMPLITUDE,
        ("reference", "10 TeV", {"frozen": True}),
        ("alpha", "2", {}),
        ("beta", "1", {}),
    )

    @staticmethod
    def evaluate(
        energy: Any, amplitude: Any, reference: Any, alpha: Any, beta: Any
    ) -> Any:
        """Evaluate the log parabola for given parameters."""
        xx = energy / reference
        return amplitude * np.power(xx, -alpha - beta * np.log(xx))


class ExpCutoffPowerLawSpectralModel(SpectralModel):
    r"""Power law with exponential cutoff :math:`\phi_0 (E/E_0)^{-\Gamma} e^{-(\lambda E)^\alpha}`.

    Integrated numerically (`integrate_spectrum`).

    Parameters
    ----------
    index : float
        :math:`\Gamma`. Default is 1.5.
    amplitude : str or `~astropy.units.Quantity`
        :math:`\phi_0`. Default is "1e-12 cm-2 s-1 TeV-1".
    reference : str or `~astropy.units.Quantity`
        :math:`E_0` (frozen). Default is "1 TeV".
    lambda_ : str or `~astropy.units.Quantity`
        :math:`\lambda` (inverse energy). Default is "0.1 TeV-1".
    alpha : float
        :math:`\alpha` (frozen). Default is 1.0.
    """

    tag: ClassVar[list[str]] = ["ExpCutoffPowerLawSpectralModel", "ecpl"]
    _defaults = (
        ("index", "1.5", {}),
        _AMPLITUDE,
        ("reference", "1 TeV", {"frozen": True}),
        ("lambda_", "0.1 TeV-1", {}),
        ("alpha", "1.0", {"frozen": True}),
    )

    @staticmethod
    def evaluate(
        energy: Any,
        index: Any,
        amplitude: Any,
        reference: Any,
        lambda_: Any,
        alpha: Any,
    ) -> Any:
        """Evaluate the cutoff power law for given parameters."""
        pwl = amplitude * (energy / reference) ** (-index)
        cutoff = np.exp(-np.power(energy * lambda_, alpha))
        return pwl * cutoff


class TemplateSpectralModel(SpectralModel):
    """Tabulated spectrum, interpolated linearly in log(value) vs log(energy).

    Outside the table it extrapolates linearly in log-log; values are clipped at 0.
    Integrated numerically (`integrate_spectrum`).

    Parameters
    ----------
    energy : `~astropy.units.Quantity`
        Strictly increasing positive energies (1-D).
    values : array-like or `~astropy.units.Quantity`
        Model values at ``energy`` (same length), e.g. dN/dE in cm-2 s-1 TeV-1.
    interp_kwargs : dict or None, optional
        Only ``{"values_scale": "log" | "lin"}`` is supported. Default is None ("log").
    meta : dict or None, optional
        Free meta data. Default is None.

    Raises
    ------
    TypeError
        If ``energy`` is not an energy Quantity.
    ValueError
        If the arrays are empty, of different lengths, or energies are not increasing.
    """

    tag: ClassVar[list[str]] = ["TemplateSpectralModel", "template"]

    def __init__(
        self,
        energy: u.Quantity,
        values: npt.ArrayLike | u.Quantity,
        interp_kwargs: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        energy = _check_energy(energy, "energy")
        values = u.Quantity(values)
        if energy.ndim != 1 or energy.size == 0 or values.shape != energy.shape:
            msg = (
                f"TemplateSpectralModel: energy and values must be non-empty 1-D arrays of the "
                f"same length, got shapes {energy.shape} and {values.shape}"
            )
            raise ValueError(msg)
        if np.any(energy.value <= 0) or np.any(np.diff(energy.value) <= 0):
            msg = f"TemplateSpectralModel: energy must be positive and increasing, got {energy}"
            raise ValueError(msg)
        interp_kwargs = dict(interp_kwargs or {})
        scale = interp_kwargs.pop("values_scale", "log")
        if scale not in ("log", "lin") or interp_kwargs:
            msg = f"TemplateSpectralModel: unsupported interp_kwargs {interp_kwargs or scale!r}"
            raise ValueError(msg)
        self.energy = energy
        self.values = values
        self.meta = {} if meta is None else meta
        self._values_scale = scale

    def evaluate(self, energy: u.Quantity) -> u.Quantity:  # type: ignore[override]
        """Interpolate the table at ``energy`` (log-log, linear extrapolation, clip at 0)."""
        x = np.log(np.asarray(energy.to_value(self.energy.unit), dtype=np.float64))
        xp = np.log(self.energy.value)
        log_values = self._values_scale == "log"
        if log_values:
            yp = np.log(np.clip(self.values.value, _TINY, np.inf))
        else:
            yp = np.asarray(self.values.value, dtype=np.float64)
        if xp.size == 1:
            y = np.full(x.shape, yp[0])
        else:
            i = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, xp.size - 2)
            t = (x - xp[i]) / (xp[i + 1] - xp[i])
            y = yp[i] * (1 - t) + yp[i + 1] * t
        if log_values:
            with np.errstate(over="ignore"):
                y = np.exp(y)
            y = np.where(np.abs(y) - _TINY <= _TINY, 0.0, y)
        return u.Quantity(np.clip(y, 0, np.inf), self.values.unit)

    def __call__(self, energy: u.Quantity) -> u.Quantity:
        """Evaluate the template at ``energy`` (`~astropy.units.Quantity`, energy units)."""
        return self.evaluate(_check_energy(energy, "energy"))


class _ExternalSpectralModel(SpectralModel):
    """Wrap a foreign spectral model (e.g. Gammapy's) or a callable energy -> dN/dE."""

    tag: ClassVar[list[str]] = ["ExternalSpectralModel", "external"]

    def __init__(self, model: Any, has_integrals: bool) -> None:
        super().__init__()
        self._model = model
        self._has_integrals = has_integrals
        pars = []
        for par in getattr(model, "parameters", []) or []:
            try:
                pars.append(
                    Parameter(par.name, par.value, unit=par.unit, frozen=par.frozen)
                )
            except (AttributeError, TypeError, ValueError):
                continue
        object.__setattr__(self, "_parameters", Parameters(pars))
        tag = getattr(model, "tag", None)
        if isinstance(tag, (list, tuple)) and tag:
            self.tag = list(tag)
        else:
            self.tag = [getattr(model, "__name__", type(model).__name__), "external"]

    def __call__(self, energy: u.Quantity) -> u.Quantity:
        """Evaluate the wrapped model at ``energy``."""
        return u.Quantity(self._model(_check_energy(energy, "energy")))

    def integral(
        self, energy_min: u.Quantity, energy_max: u.Quantity, **kwargs: Any
    ) -> u.Quantity:
        """Integral flux per bin (the wrapped model's own, else numeric)."""
        energy_min = _check_energy(energy_min, "energy_min")
        energy_max = _check_energy(energy_max, "energy_max")
        if self._has_integrals:
            return u.Quantity(self._model.integral(energy_min, energy_max, **kwargs))
        return integrate_spectrum(self, energy_min, energy_max, **kwargs)

    def energy_flux(
        self, energy_min: u.Quantity, energy_max: u.Quantity, **kwargs: Any
    ) -> u.Quantity:
        """Energy flux per bin (the wrapped model's own, else numeric)."""
        energy_min = _check_energy(energy_min, "energy_min")
        energy_max = _check_energy(energy_max, "energy_max")
        if self._has_integrals and hasattr(self._model, "energy_flux"):
            return u.Quantity(self._model.energy_flux(energy_min, energy_max, **kwargs))
        return integrate_spectrum(
            self, energy_min, energy_max, energy_flux=True, **kwargs
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> SpectralModel:
        new = type(self).__new__(type(self))
        for key, value in self.__dict__.items():
            if key == "_model" and not hasattr(value, "copy"):
                object.__setattr__(
                    new, key, value
                )  # plain functions are immutable enough
            else:
                object.__setattr__(new, key, copy.deepcopy(value, memo))
        return new


def as_spectral_model(obj: Any) -> SpectralModel:
    """Return ``obj`` as a fluxprofile `SpectralModel`.

    Parameters
    ----------
    obj : `SpectralModel`, Gammapy spectral model or callable
        Our models are returned unchanged. An object with ``integral`` and ``parameters``
        (e.g. a Gammapy spectral model, duck-typed) is wrapped and keeps its own integrals.
        Any other callable ``energy (Quantity) -> dN/dE (Quantity)`` is wrapped and
        integrated numerically with `integrate_spectrum`.

    Returns
    -------
    model : `SpectralModel`
        The model.

    Raises
    ------
    TypeError
        If ``obj`` is none of the above, or is a class instead of an instance.
    """
    if isinstance(obj, SpectralModel):
        return obj
    if isinstance(obj, type):
        # A class is callable too, but calling it builds a model instead of giving dN/dE.
        msg = (
            f"spectral_model must be a SpectralModel instance, got the class {obj.__name__}; "
            f"did you mean {obj.__name__}()?"
        )
        raise TypeError(msg)
    if callable(obj) and hasattr(obj, "integral") and hasattr(obj, "parameters"):
        return _ExternalSpectralModel(obj, has_integrals=True)
    if callable(obj):
        return _ExternalSpectralModel(obj, has_integrals=False)
    msg = (
        f"spectral_model must be a SpectralModel, a Gammapy spectral model or a callable "
        f"energy -> dnde, got {type(obj).__name__}"
    )
    raise TypeError(msg)
