"""Tests of fluxprofile.datamodel.sed: reference fluxes of the energy groups in closed form
(the tutorial's power law) and the SED quantities derived from the norms."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

from fluxprofile import (
    FluxPoints,
    LogParabolaSpectralModel,
    MapAxis,
    PowerLawSpectralModel,
)
from fluxprofile.datamodel.sed import (
    check_per_solid_angle_sed_type,
    check_sed_type,
    reference_flux,
    reference_spectral_model,
)


def test_reference_fluxes_closed_form(reference_dir: Path) -> None:
    """The tutorial's reference numbers (Gammapy 2.1; PL index 2.3, 10-500 GeV group)."""
    energy = MapAxis.from_energy_edges([10, 500] * u.GeV).copy()
    distance = MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
    fp = FluxPoints(
        {"norm": np.ones((2, 1))}, energy, distance, PowerLawSpectralModel(index=2.3)
    )
    np.testing.assert_allclose(
        fp.dnde_ref.to_value("cm-2 s-1 TeV-1"), 4.4277643069e-10, rtol=1e-9
    )
    np.testing.assert_allclose(
        fp.flux_ref.to_value("cm-2 s-1"), 3.0434221671e-10, rtol=1e-9
    )
    np.testing.assert_allclose(
        fp.eflux_ref.to_value("erg cm-2 s-1"), 1.4686230842e-11, rtol=1e-9
    )
    assert fp.dnde.unit == u.Unit("cm-2 s-1 TeV-1")
    assert fp.e2dnde.unit == u.Unit("erg cm-2 s-1")
    assert fp.flux.unit == u.Unit("cm-2 s-1")
    assert fp.eflux.unit == u.Unit("erg cm-2 s-1")


def test_sed_quantities_are_norms_times_reference():
    energy = MapAxis.from_energy_edges([0.1, 1, 10] * u.TeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    rng = np.random.default_rng(4)
    norm, err, ul = (rng.uniform(0.5, 2, (3, 2)) for _ in range(3))
    model = LogParabolaSpectralModel(alpha=2.1, beta=0.2)
    fp = FluxPoints(
        {"norm": norm, "norm_err": err, "norm_ul": ul}, energy, distance, model
    )
    # closed forms of the reference quantities at the group centres (log axis: geometric
    # means of the edges), integrals against scipy's adaptive quadrature
    from scipy.integrate import quad

    center = np.sqrt(energy.edges[:-1] * energy.edges[1:])
    np.testing.assert_allclose(fp.energy_axis.center.value, center.value, rtol=1e-12)
    dnde = model(center).to_value("cm-2 s-1 TeV-1")
    np.testing.assert_allclose(fp.dnde_ref.value, dnde, rtol=1e-12)
    np.testing.assert_allclose(
        fp.e2dnde_ref.to_value("TeV cm-2 s-1"), dnde * center.value**2, rtol=1e-12
    )
    lo, hi = energy.edges.value[:-1], energy.edges.value[1:]

    def dnde_tev(e):
        return model(e * u.TeV).to_value("cm-2 s-1 TeV-1")

    flux = [quad(dnde_tev, a, b, epsrel=1e-10)[0] for a, b in zip(lo, hi, strict=True)]
    np.testing.assert_allclose(fp.flux_ref.to_value("cm-2 s-1"), flux, rtol=1e-4)
    eflux = [
        quad(lambda e: e * dnde_tev(e), a, b, epsrel=1e-10)[0]
        for a, b in zip(lo, hi, strict=True)
    ]
    np.testing.assert_allclose(fp.eflux_ref.to_value("TeV cm-2 s-1"), eflux, rtol=1e-4)
    for sed_type in ("dnde", "e2dnde", "flux", "eflux"):
        ref = getattr(fp, f"{sed_type}_ref")
        np.testing.assert_array_equal(
            reference_flux(fp.reference_model, energy, sed_type), ref
        )
        for suffix, values in (("", norm), ("_err", err), ("_ul", ul)):
            q = getattr(fp, sed_type + suffix)
            np.testing.assert_allclose(q.values, values * ref.value, rtol=1e-15)
            assert q.unit == ref.unit
    with pytest.raises(AttributeError, match="norm_errn"):
        _ = fp.flux_errn


def test_checks_and_reference_model_argument():
    assert check_sed_type("likelihood") == "likelihood"
    with pytest.raises(ValueError, match="sed_type must be one of"):
        check_sed_type("norm")
    assert check_per_solid_angle_sed_type("eflux") == "eflux"
    for bad in ("likelihood", "norm"):
        with pytest.raises(ValueError, match="not defined for sed_type"):
            check_per_solid_angle_sed_type(bad)
    with pytest.raises(ValueError, match="sed_type must be one of"):
        check_per_solid_angle_sed_type("counts")
    energy = MapAxis.from_energy_edges([1, 10] * u.TeV)
    with pytest.raises(ValueError, match="sed_type must be one of"):
        reference_flux(PowerLawSpectralModel(), energy, "likelihood")
    default = reference_spectral_model(None)
    assert isinstance(default, PowerLawSpectralModel)
    assert default.index.value == 2

    class SkyModel:  # a Gammapy SkyModel carries its spectral model
        spectral_model = PowerLawSpectralModel(index=3)

    assert reference_spectral_model(SkyModel()).index.value == 3
