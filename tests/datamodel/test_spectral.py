"""Tests of fluxprofile.datamodel.spectral: closed forms, quadrature, Gammapy's documented numbers."""

from __future__ import annotations

import copy

import astropy.units as u
import numpy as np
import pytest
from scipy.integrate import quad

from fluxprofile import Parameter
from fluxprofile.datamodel.spectral import (
    ExpCutoffPowerLawSpectralModel,
    LogParabolaSpectralModel,
    PowerLawSpectralModel,
    SpectralModel,
    TemplateSpectralModel,
    as_spectral_model,
    integrate_spectrum,
)

DNDE = u.Unit("cm-2 s-1 TeV-1")


def _quad_tev(func, lo: float, hi: float, power: int = 0) -> float:
    """Integral of E^power * func(E) with E in TeV, by adaptive quadrature in ln E."""

    def integrand(log_e: float) -> float:
        energy = np.exp(log_e)
        return func(energy * u.TeV).to_value(DNDE) * energy ** (power + 1)

    value, _ = quad(
        integrand, np.log(lo), np.log(hi), epsabs=0, epsrel=1e-12, limit=200
    )
    return value


# --- power law: closed forms ----------------------------------------------------------
@pytest.mark.parametrize(
    "index", [-0.7, 0.5, 1.0, 1.0 + 1e-10, 1.7, 2.0, 2.0 - 3e-9, 2.3, 3.5]
)
def test_powerlaw_integral_closed_form(index: float) -> None:
    amp, e0 = 3e-11, 0.2  # cm-2 s-1 TeV-1, TeV
    model = PowerLawSpectralModel(
        index=index, amplitude=f"{amp} cm-2 s-1 TeV-1", reference="200 GeV"
    )
    lo = np.array([0.01, 0.05, 0.3, 1.0])
    hi = np.array([0.05, 0.3, 1.0, 20.0])

    def antiderivative(e: np.ndarray, power: int) -> np.ndarray:
        g = power - index
        if abs(g) < 1e-6:  # the exactly-logarithmic limit
            return amp * e0**power * np.log(e)
        return amp * e0**power / g * (e / e0) ** g

    flux = model.integral(lo * u.TeV, hi * u.TeV).to_value("cm-2 s-1")
    eflux = model.energy_flux(lo * u.TeV, hi * u.TeV).to_value("TeV cm-2 s-1")
    assert flux.shape == (4,)
    np.testing.assert_allclose(
        flux, antiderivative(hi, 1) - antiderivative(lo, 1), rtol=1e-8
    )
    np.testing.assert_allclose(
        eflux, antiderivative(hi, 2) - antiderivative(lo, 2), rtol=1e-8
    )
    # and against brute-force quadrature
    for a, b, f, g in zip(lo, hi, flux, eflux, strict=True):
        assert f == pytest.approx(_quad_tev(model, a, b), rel=1e-9)
        assert g == pytest.approx(_quad_tev(model, a, b, power=1), rel=1e-9)


def test_powerlaw_special_cases_use_logarithm() -> None:
    lo, hi = 10 * u.GeV, 500 * u.GeV
    flux = PowerLawSpectralModel(index=1).integral(lo, hi)
    eflux = PowerLawSpectralModel(index=2).energy_flux(lo, hi)
    expected = 1e-12 * np.log(
        50
    )  # A E0 ln(Emax/Emin), A E0^2 ln(Emax/Emin) in TeV units
    assert flux.to_value("cm-2 s-1") == pytest.approx(expected, rel=1e-14)
    assert eflux.to_value("TeV cm-2 s-1") == pytest.approx(expected, rel=1e-14)
    assert np.isfinite(flux)
    assert np.isfinite(eflux)


def test_tutorial_reference_numbers() -> None:
    """The tutorial's reference numbers (Gammapy 2.1): PL Γ=2.3 on the 10-500 GeV group."""
    model = PowerLawSpectralModel(index=2.3)
    e_min, e_max = 10 * u.GeV, 500 * u.GeV
    e_ref = np.sqrt(e_min * e_max)
    assert e_ref.to_value(u.keV) == pytest.approx(70710678.1186548, rel=1e-14)
    assert model(e_ref).to_value("TeV-1 s-1 cm-2") == pytest.approx(
        4.4277643069e-10, rel=1e-10
    )
    assert model.integral(e_min, e_max).to_value("cm-2 s-1") == pytest.approx(
        3.0434221671e-10, rel=1e-10
    )
    assert model.energy_flux(e_min, e_max).to_value("erg cm-2 s-1") == pytest.approx(
        1.4686230842e-11, rel=1e-10
    )


def test_integral_vectorised_units_and_broadcasting() -> None:
    model = PowerLawSpectralModel(index=2.7)
    edges = np.geomspace(10, 500, 12) * u.GeV
    flux = model.integral(edges[:-1], edges[1:])
    assert isinstance(flux, u.Quantity)
    assert flux.shape == (11,)
    # the bins add up to the full range, and other input units give the same numbers
    total = model.integral(edges[0], edges[-1]).to_value("cm-2 s-1")
    assert flux.to_value("cm-2 s-1").sum() == pytest.approx(total, rel=1e-12)
    in_kev = model.integral(edges[:-1].to(u.keV), edges[1:].to(u.TeV)).to_value(
        "cm-2 s-1"
    )
    np.testing.assert_allclose(in_kev, flux.to_value("cm-2 s-1"), rtol=1e-13)
    # a scalar lower bound broadcasts against an array of upper bounds
    cumulative = model.integral(edges[0], edges[1:]).to_value("cm-2 s-1")
    np.testing.assert_allclose(
        cumulative, np.cumsum(flux.to_value("cm-2 s-1")), rtol=1e-12
    )
    # 2-D arrays keep their shape
    grid = model.integral(edges[:-1].reshape(1, 11), edges[1:].reshape(1, 11))
    assert grid.shape == (1, 11)


def test_call_units_and_value() -> None:
    model = PowerLawSpectralModel(
        index=2.0, amplitude="2e-12 cm-2 s-1 TeV-1", reference="1 TeV"
    )
    dnde = model([100, 1000] * u.GeV)
    assert dnde.unit.is_equivalent(DNDE)
    np.testing.assert_allclose(dnde.to_value(DNDE), [2e-10, 2e-12], rtol=1e-14)


# --- numeric models ---------------------------------------------------------------------
NUMERIC_MODELS = [
    LogParabolaSpectralModel(),
    LogParabolaSpectralModel(
        alpha=2.5, beta=0.3, reference="100 GeV", amplitude="4e-10 cm-2 s-1 TeV-1"
    ),
    ExpCutoffPowerLawSpectralModel(),
    ExpCutoffPowerLawSpectralModel(index=2.1, lambda_="2 TeV-1", alpha=0.7),
]


@pytest.mark.parametrize("model", NUMERIC_MODELS, ids=lambda m: repr(m))
def test_numeric_integrals_match_quadrature(model: SpectralModel) -> None:
    """Gammapy's scheme is a 2nd-order rule: ~1e-5 at 100 points/decade, 1e-6 at 1000."""
    lo = np.array([0.01, 0.03, 0.5, 2.0])
    hi = np.array([0.03, 0.5, 2.0, 30.0])
    expected_flux = np.array(
        [_quad_tev(model, a, b) for a, b in zip(lo, hi, strict=True)]
    )
    expected_eflux = np.array(
        [_quad_tev(model, a, b, power=1) for a, b in zip(lo, hi, strict=True)]
    )
    errors = {}
    for ndecade in (100, 1000):
        flux = model.integral(lo * u.TeV, hi * u.TeV, ndecade=ndecade).to_value(
            "cm-2 s-1"
        )
        eflux = model.energy_flux(lo * u.TeV, hi * u.TeV, ndecade=ndecade)
        assert flux.shape == eflux.shape == (4,)
        errors[ndecade] = np.abs(flux / expected_flux - 1)
        rtol = 1e-6 if ndecade == 1000 else 1e-4
        np.testing.assert_allclose(flux, expected_flux, rtol=rtol)
        np.testing.assert_allclose(
            eflux.to_value("TeV cm-2 s-1"), expected_eflux, rtol=rtol
        )
    # the default call is the 100-points-per-decade scheme
    default = model.integral(lo * u.TeV, hi * u.TeV).to_value("cm-2 s-1")
    np.testing.assert_array_equal(
        default, model.integral(lo * u.TeV, hi * u.TeV, ndecade=100).value
    )
    # second-order convergence: 10x more points, ~100x smaller error on the widest bin
    assert errors[1000][-1] < errors[100][-1] / 50


def test_numeric_scheme_is_exact_for_a_power_law() -> None:
    """The log-log trapezoid integrates a power law exactly (incl. the Γ=1 steps)."""
    for index in (1.0, 2.0, 2.4):
        pl = PowerLawSpectralModel(index=index)
        lo, hi = [0.01, 0.1] * u.TeV, [0.1, 7.0] * u.TeV
        numeric = integrate_spectrum(pl, lo, hi).to_value("cm-2 s-1")
        np.testing.assert_allclose(
            numeric, pl.integral(lo, hi).to_value("cm-2 s-1"), rtol=1e-12
        )
        numeric_e = integrate_spectrum(pl, lo, hi, energy_flux=True).to_value(
            "TeV cm-2 s-1"
        )
        analytic_e = pl.energy_flux(lo, hi).to_value("TeV cm-2 s-1")
        np.testing.assert_allclose(numeric_e, analytic_e, rtol=1e-12)


def test_logparabola_with_zero_beta_is_a_power_law() -> None:
    lp = LogParabolaSpectralModel(alpha=2.3, beta=0, reference="1 TeV")
    pl = PowerLawSpectralModel(index=2.3)
    edges = np.geomspace(10, 500, 6) * u.GeV
    np.testing.assert_allclose(
        lp.integral(edges[:-1], edges[1:]).to_value("cm-2 s-1"),
        pl.integral(edges[:-1], edges[1:]).to_value("cm-2 s-1"),
        rtol=1e-12,
    )


def test_template_interpolates_log_log_and_integrates() -> None:
    pl = PowerLawSpectralModel(index=2.5)
    energy = np.geomspace(0.005, 1, 7) * u.TeV
    template = TemplateSpectralModel(energy=energy, values=pl(energy))
    probe = np.geomspace(0.001, 3, 25) * u.TeV  # includes extrapolation on both sides
    np.testing.assert_allclose(
        template(probe).to_value(DNDE), pl(probe).to_value(DNDE), rtol=1e-12
    )
    lo, hi = [0.01, 0.1] * u.TeV, [0.1, 2.0] * u.TeV
    np.testing.assert_allclose(
        template.integral(lo, hi).to_value("cm-2 s-1"),
        pl.integral(lo, hi).to_value("cm-2 s-1"),
        rtol=1e-11,
    )
    np.testing.assert_allclose(
        template.energy_flux(lo, hi).to_value("erg cm-2 s-1"),
        pl.energy_flux(lo, hi).to_value("erg cm-2 s-1"),
        rtol=1e-11,
    )
    assert template.tag == ["TemplateSpectralModel", "template"]
    assert len(template.parameters) == 0


def test_template_zero_values_give_zero() -> None:
    energy = [1, 2, 4] * u.TeV
    template = TemplateSpectralModel(energy=energy, values=[1.0, 0.0, 1.0] * DNDE)
    assert template(2 * u.TeV).to_value(DNDE) == 0.0
    assert np.all(np.isfinite(template.integral(1 * u.TeV, 4 * u.TeV)))


# --- parameters, tags, str --------------------------------------------------------------
def test_default_parameters_like_gammapy() -> None:
    pl = PowerLawSpectralModel()
    assert pl.parameters.names == ["index", "amplitude", "reference"]
    assert pl.index.value == 2.0
    assert pl.amplitude.quantity == 1e-12 * DNDE
    assert pl.reference.quantity == 1 * u.TeV
    assert pl.reference.frozen
    assert not pl.index.frozen
    assert pl.amplitude.interp == "log"
    lp = LogParabolaSpectralModel()
    assert lp.parameters.names == ["amplitude", "reference", "alpha", "beta"]
    assert lp.reference.quantity == 10 * u.TeV
    assert (lp.alpha.value, lp.beta.value) == (2.0, 1.0)
    ecpl = ExpCutoffPowerLawSpectralModel()
    assert ecpl.parameters.names == [
        "index",
        "amplitude",
        "reference",
        "lambda_",
        "alpha",
    ]
    assert ecpl.lambda_.quantity == 0.1 / u.TeV
    assert ecpl.alpha.frozen
    assert ecpl.parameters["index"] is ecpl.index


def test_tags_and_str() -> None:
    pl = PowerLawSpectralModel(index=2.3)
    assert pl.tag == ["PowerLawSpectralModel", "pl"]
    assert LogParabolaSpectralModel.tag[1] == "lp"
    assert ExpCutoffPowerLawSpectralModel.tag[1] == "ecpl"
    text = str(pl)
    lines = text.splitlines()
    assert lines[0] == "PowerLawSpectralModel"
    for name in ("index", "amplitude", "reference"):
        assert name in text
    assert "2.3000e+00" in text
    assert "PowerLawSpectralModel(" in repr(pl)


def test_set_parameters_and_copy() -> None:
    pl = PowerLawSpectralModel()
    pl.index = 2.5
    pl.amplitude = 3e-12 * u.Unit("m-2 s-1 TeV-1")
    assert pl.index.value == 2.5
    assert pl.amplitude.quantity.to_value(DNDE) == pytest.approx(3e-16)
    pl.index.value = 2.0
    other = pl.copy()
    other.index.value = 3.0
    assert pl.index.value == 2.0
    assert copy.deepcopy(pl).index.value == 2.0
    assert other.parameters["index"] is other.index
    with pytest.raises(u.UnitConversionError, match="amplitude"):
        pl.amplitude = 1 * u.TeV


# --- bad input ----------------------------------------------------------------------------
def test_wrong_parameter_units() -> None:
    with pytest.raises(ValueError, match=r"amplitude.*not equivalent"):
        PowerLawSpectralModel(amplitude="1e-12 TeV")
    with pytest.raises(ValueError, match="reference"):
        PowerLawSpectralModel(reference="1 cm")
    with pytest.raises(ValueError, match="lambda_"):
        ExpCutoffPowerLawSpectralModel(lambda_="1 TeV")
    with pytest.raises(TypeError, match="unknown parameter 'gamma'"):
        PowerLawSpectralModel(gamma=2)
    with pytest.raises(TypeError, match="index"):
        PowerLawSpectralModel(index=[1, 2])
    with pytest.raises(TypeError, match="name"):
        Parameter(3, 1.0)
    with pytest.raises(ValueError, match="interp"):
        Parameter("x", 1.0, interp="cubic")


def test_wrong_energy_inputs() -> None:
    pl = PowerLawSpectralModel()
    with pytest.raises(TypeError, match="energy_min must be an astropy Quantity"):
        pl.integral(1, 10 * u.TeV)
    with pytest.raises(TypeError, match="energy_max"):
        pl.energy_flux(1 * u.TeV, [10, 20])
    with pytest.raises(ValueError, match=r"energy_min must have an energy unit.*'m'"):
        pl.integral(1 * u.m, 10 * u.TeV)
    with pytest.raises(ValueError, match="energy must have an energy unit"):
        pl(1 * u.s)
    with pytest.raises(TypeError, match="energy"):
        LogParabolaSpectralModel().integral(1, 2)


def test_template_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        TemplateSpectralModel([1, 2, 3] * u.TeV, [1, 2] * DNDE)
    with pytest.raises(ValueError, match="increasing"):
        TemplateSpectralModel([1, 3, 2] * u.TeV, [1, 2, 3] * DNDE)
    with pytest.raises(TypeError, match="energy"):
        TemplateSpectralModel([1, 2, 3], [1, 2, 3])


# --- as_spectral_model --------------------------------------------------------------------
def test_as_spectral_model_variants() -> None:
    pl = PowerLawSpectralModel(index=2.3)
    assert as_spectral_model(pl) is pl

    # a plain callable is integrated numerically (exact for a power law, see above)
    wrapped = as_spectral_model(lambda energy: pl(energy))
    lo, hi = [10, 50] * u.GeV, [50, 500] * u.GeV
    np.testing.assert_allclose(
        wrapped.integral(lo, hi).to_value("cm-2 s-1"),
        pl.integral(lo, hi).to_value("cm-2 s-1"),
        rtol=1e-12,
    )
    assert wrapped(1 * u.TeV).to_value(DNDE) == pytest.approx(1e-12)
    assert wrapped.copy().integral(lo, hi).shape == (2,)

    class Foreign:
        """Gammapy-like duck type: its own integral must be used."""

        def __init__(self) -> None:
            self.tag = ["ForeignModel", "foreign"]
            self.parameters = [Parameter("index", 2.3)]

        def __call__(self, energy: u.Quantity) -> u.Quantity:
            return pl(energy)

        def integral(
            self, energy_min: u.Quantity, energy_max: u.Quantity
        ) -> u.Quantity:
            return 2 * pl.integral(energy_min, energy_max)

        def energy_flux(
            self, energy_min: u.Quantity, energy_max: u.Quantity
        ) -> u.Quantity:
            return 3 * pl.energy_flux(energy_min, energy_max)

    foreign = as_spectral_model(Foreign())
    assert isinstance(foreign, SpectralModel)
    assert foreign.tag == ["ForeignModel", "foreign"]
    assert foreign.parameters.names == ["index"]
    np.testing.assert_allclose(
        foreign.integral(lo, hi).to_value("cm-2 s-1"),
        2 * pl.integral(lo, hi).to_value("cm-2 s-1"),
    )
    np.testing.assert_allclose(
        foreign.energy_flux(lo, hi).to_value("erg cm-2 s-1"),
        3 * pl.energy_flux(lo, hi).to_value("erg cm-2 s-1"),
    )

    with pytest.raises(TypeError, match="got int"):
        as_spectral_model(3)
