"""SED-type conversions of flux points: the reference fluxes of the energy groups, the
dnde/e2dnde/flux/eflux quantities derived from the norms and their surface brightness
(docs/flux_points.rst)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import astropy.units as u
import numpy as np

from ..vocabulary import (
    DEFAULT_UNIT,
    FLUX_SED_TYPES,
    QUANTITY_SUFFIXES,
    SED_TYPES,
    SUFFIXES_LIKELIHOOD,
)
from .axes import MapAxis
from .quantity import ProfileQuantity
from .spectral import PowerLawSpectralModel, SpectralModel, as_spectral_model

__all__ = [
    "SedConversions",
    "check_per_solid_angle_sed_type",
    "check_sed_type",
    "reference_flux",
    "reference_spectral_model",
]


def check_sed_type(sed_type: str) -> str:
    """``sed_type`` if it is one of the SED types of flux points.

    Parameters
    ----------
    sed_type : str
        Requested SED type.

    Returns
    -------
    sed_type : str
        The same SED type.

    Raises
    ------
    ValueError
        If it is not one of `~fluxprofile.vocabulary.SED_TYPES`.
    """
    if sed_type not in SED_TYPES:
        msg = f"sed_type must be one of {list(SED_TYPES)}, got {sed_type!r}"
        raise ValueError(msg)
    return sed_type


def check_per_solid_angle_sed_type(sed_type: str) -> str:
    """``sed_type`` if a surface brightness (a quantity per solid angle) exists for it.

    Parameters
    ----------
    sed_type : str
        Requested SED type.

    Returns
    -------
    sed_type : str
        The same SED type.

    Raises
    ------
    ValueError
        For "likelihood"/"norm" (norms are scale factors fitted over a whole region,
        not per solid angle) or a type outside `~fluxprofile.vocabulary.FLUX_SED_TYPES`.
    """
    if sed_type in ("likelihood", "norm"):
        msg = (
            f"per_solid_angle / surface brightness is not defined for sed_type {sed_type!r}: "
            "norms are dimensionless scale factors of the reference model fitted over the "
            "whole region, not quantities per unit solid angle; use sed_type 'dnde', "
            "'e2dnde', 'flux' or 'eflux'"
        )
        raise ValueError(msg)
    if sed_type not in FLUX_SED_TYPES:
        msg = f"sed_type must be one of {list(FLUX_SED_TYPES)}, got {sed_type!r}"
        raise ValueError(msg)
    return sed_type


def reference_spectral_model(reference_model: Any) -> SpectralModel:
    """The spectral model of a ``reference_model`` argument of `FluxPoints`.

    Parameters
    ----------
    reference_model : object or None
        None (a power law of index 2), an object with a ``spectral_model`` attribute
        (e.g. a Gammapy ``SkyModel``) or anything `as_spectral_model` accepts.

    Returns
    -------
    model : `~fluxprofile.SpectralModel`
        The spectral model.
    """
    if reference_model is None:
        return PowerLawSpectralModel(index=2)
    if hasattr(reference_model, "spectral_model"):
        reference_model = reference_model.spectral_model
    return as_spectral_model(reference_model)


def reference_flux(
    model: SpectralModel, energy_axis: MapAxis, sed_type: str
) -> u.Quantity:
    """The reference quantity of each energy group for a SED type (norm 1).

    Parameters
    ----------
    model : `~fluxprofile.SpectralModel`
        Reference spectral model.
    energy_axis : `~fluxprofile.MapAxis`
        Energy groups.
    sed_type : {"dnde", "e2dnde", "flux", "eflux"}
        "dnde" and "e2dnde" at the group centres, "flux" and "eflux" integrated over the
        groups.

    Returns
    -------
    ref : `~astropy.units.Quantity`
        Shape (n_energy,), in the SED type's default unit
        (`~fluxprofile.vocabulary.DEFAULT_UNIT`).

    Raises
    ------
    ValueError
        For another SED type.
    """
    if sed_type not in FLUX_SED_TYPES:
        msg = f"sed_type must be one of {list(FLUX_SED_TYPES)}, got {sed_type!r}"
        raise ValueError(msg)
    unit = DEFAULT_UNIT[sed_type]
    if sed_type in ("dnde", "e2dnde"):
        energy = energy_axis.center
        dnde = model(energy)
        return (dnde if sed_type == "dnde" else dnde * energy**2).to(unit)
    edges = energy_axis.edges
    integrate = model.integral if sed_type == "flux" else model.energy_flux
    with np.errstate(invalid="ignore", divide="ignore"):
        return integrate(edges[:-1], edges[1:]).to(unit)


class SedConversions:
    """The SED-type conversions of `FluxPoints` (a mixin).

    The flux quantities are the norms times the reference quantity of their energy group
    (`reference_flux`), e.g. ``flux_ul = norm_ul * flux_ref``; the integral types need
    energy edges. The host class provides the energy axis, the reference model, the
    stored data and the norm quantities.
    """

    _energy_axis: MapAxis
    _reference_model: SpectralModel
    _data: dict[str, np.ndarray]
    _units: dict[str, u.UnitBase]
    _make: Callable[..., ProfileQuantity]
    sed_type_init: str | None
    available_quantities: list[str]

    @property
    def is_convertible_to_flux_sed_type(self) -> bool:
        """Whether integral SED types (flux, eflux) can be computed (energy edges known)."""
        if self.sed_type_init in ("dnde", "e2dnde"):
            return self._energy_axis.node_type == "edges"
        return True

    def _check_convertible(self, sed_type: str) -> None:
        if not self.is_convertible_to_flux_sed_type:
            msg = f"Missing energy range definition, cannot convert to SED type {sed_type!r}."
            raise ValueError(msg)

    @property
    def dnde_ref(self) -> u.Quantity:
        """Reference dN/dE at the energy-axis centres (cm-2 s-1 TeV-1), shape (n_energy,)."""
        return reference_flux(self._reference_model, self._energy_axis, "dnde")

    @property
    def e2dnde_ref(self) -> u.Quantity:
        """Reference E² dN/dE at the energy-axis centres (erg cm-2 s-1)."""
        return reference_flux(self._reference_model, self._energy_axis, "e2dnde")

    @property
    def flux_ref(self) -> u.Quantity:
        """Reference integral flux of each energy group (cm-2 s-1)."""
        self._check_convertible("flux")
        return reference_flux(self._reference_model, self._energy_axis, "flux")

    @property
    def eflux_ref(self) -> u.Quantity:
        """Reference energy flux of each energy group (erg cm-2 s-1)."""
        self._check_convertible("eflux")
        return reference_flux(self._reference_model, self._energy_axis, "eflux")

    def _sed_quantity(self, name: str) -> ProfileQuantity:
        sed_type, _, suffix = name.partition("_")
        norm = getattr(self, "norm" + ("_" + suffix if suffix else ""))
        ref = getattr(self, f"{sed_type}_ref")
        with np.errstate(invalid="ignore"):
            values = norm.values * ref.value
        return self._make(name, values, ref.unit)

    @property
    def has_solid_angle(self) -> bool:
        """Whether the solid angle of every bin is known (surface brightness available)."""
        return "solid_angle" in self._data

    def solid_angle_sr(self) -> np.ndarray:
        """Solid angle of every profile bin in sr, NaN where it is not positive.

        Returns
        -------
        omega : `~numpy.ndarray`
            float64, shape ``(n_x, n_energy)``; NaN for regions without pixels.

        Raises
        ------
        ValueError
            If the flux points do not have the ``solid_angle`` of their bins, or it is
            not in units of solid angle.
        """
        if not self.has_solid_angle:
            msg = (
                "surface brightness needs the solid angle of every profile bin, which these "
                "flux points do not have (e.g. a profile written by Gammapy, or one made "
                "without fluxprofile's estimator); stored quantities: "
                f"{self.available_quantities}"
            )
            raise ValueError(msg)
        unit = self._units["solid_angle"]
        if not unit.is_equivalent(u.sr):
            msg = f"solid_angle must be in units of solid angle (e.g. sr), got unit {str(unit)!r}"
            raise ValueError(msg)
        omega = np.asarray(self._data["solid_angle"], dtype=np.float64) * unit.to(u.sr)
        with np.errstate(invalid="ignore"):
            return np.where(omega > 0, omega, np.nan)

    def surface_brightness(
        self, sed_type: str = "flux", quantity: str | None = None
    ) -> ProfileQuantity:
        """A flux-like quantity divided by the solid angle of each profile bin.

        Parameters
        ----------
        sed_type : {"flux", "eflux", "dnde", "e2dnde"}, optional
            SED type. Default is "flux".
        quantity : {None, "err", "errn", "errp", "ul", "sensitivity"}, optional
            Which quantity of the SED type: the values (None), the errors, the upper
            limits or the sensitivity, e.g. ``quantity="ul"`` gives ``flux_ul`` per
            solid angle. Default is None.

        Returns
        -------
        surface_brightness : `ProfileQuantity`
            Named like the flux quantity (e.g. "flux_ul"), in the unit of the SED type
            per sr (e.g. cm-2 s-1 sr-1), shape ``(n_x, n_energy)``. Bins whose solid
            angle is zero (regions without pixels) are NaN.

        Raises
        ------
        ValueError
            For "likelihood"/"norm" (norms are scale factors of the reference model
            fitted over the whole region: they are not per unit solid angle), an
            unknown SED type or quantity, or flux points without the ``solid_angle``
            of their bins.
        AttributeError
            If the requested quantity is not stored (e.g. no upper limits).

        Examples
        --------
        >>> import numpy as np
        >>> import astropy.units as u
        >>> from fluxprofile import FluxPoints, MapAxis
        >>> energy = MapAxis.from_energy_edges([10, 500] * u.GeV)
        >>> distance = MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
        >>> data = {"norm": np.ones((2, 1)), "solid_angle": [[1e-4], [2e-4]] * u.sr}
        >>> fp = FluxPoints(data, energy, distance)
        >>> sb = fp.surface_brightness("flux")
        >>> sb.unit
        Unit("1 / (s sr cm2)")
        >>> bool(np.allclose(sb.values, fp.flux.values / [[1e-4], [2e-4]]))
        True
        """
        check_per_solid_angle_sed_type(sed_type)
        if quantity not in QUANTITY_SUFFIXES:
            msg = f"quantity must be one of {list(QUANTITY_SUFFIXES)}, got {quantity!r}"
            raise ValueError(msg)
        omega = self.solid_angle_sr()
        name = sed_type if quantity is None else f"{sed_type}_{quantity}"
        flux = getattr(self, name)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = flux.values / omega
        return self._make(name, values, flux.unit / u.sr)


def _make_sed_property(name: str) -> property:
    sed_type, _, suffix = name.partition("_")
    what = {"": "values", "err": "errors (x n_sigma)", "errn": "negative errors",
            "errp": "positive errors", "ul": "upper limits",
            "sensitivity": "sensitivity"}[suffix]  # fmt: skip

    def getter(self: SedConversions) -> ProfileQuantity:
        return self._sed_quantity(name)

    getter.__doc__ = (
        f"{sed_type} {what}: ``norm{'_' + suffix if suffix else ''} * {sed_type}_ref`` "
        f"in {DEFAULT_UNIT[sed_type]}."
    )
    return property(getter)


for _sed in FLUX_SED_TYPES:
    for _suffix in ("", *SUFFIXES_LIKELIHOOD):
        setattr(SedConversions, _sed + _suffix, _make_sed_property(_sed + _suffix))
del _sed, _suffix
