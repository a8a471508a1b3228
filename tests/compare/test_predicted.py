"""What a template predicts in a dataset: brute-force NumPy sums, the estimator's own
measurement of the template, a dataset simulated from a template."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from compare_cases import TEMPLATE_UNIT, line_regions, ridge_template, small_dataset

from fluxprofile import (
    EDispKernelMap,
    FluxProfileEstimator,
    Map,
    MapAxis,
    PowerLawSpectralModel,
    WcsGeom,
    fit_template_scale,
    make_predicted_profile,
    make_template_profile,
    profile_correlation,
)
from fluxprofile.compare import template_flux_cube, template_npred_map

INDEX = 2.4


def _template_on(geom: WcsGeom, index: float = INDEX) -> tuple[Map, np.ndarray]:
    """A power-law template on the image of ``geom`` (nodes 5 - 300 GeV) and its spatial
    amplitude per MeV at 10 GeV."""
    image = geom.to_image()
    coords = image.get_skycoord()
    lon = coords.l.wrap_at(180 * u.deg).deg
    lat = coords.b.deg
    amplitude = 1e-9 * np.exp(-(lat**2) / 0.5) * (1.5 + np.sin(lon))
    nodes = np.geomspace(5, 300, 4) * u.GeV
    axis = MapAxis.from_nodes(nodes, name="energy", interp="log")
    spectrum = (nodes / (10 * u.GeV)).to_value("") ** -index
    data = spectrum[:, None, None] * amplitude[None]
    return Map(image.to_cube([axis]), data, unit=TEMPLATE_UNIT), amplitude


def _kernel_dataset():
    """The small dataset with a non-diagonal energy dispersion."""
    ds = small_dataset()
    true = ds.exposure.geom.axes["energy_true"]
    reco = ds.counts.geom.axes["energy"]
    kernel = np.array(
        [[0.7, 0.1, 0.0], [0.2, 0.6, 0.1], [0.0, 0.25, 0.6], [0.0, 0.05, 0.8]]
    )
    ds.edisp = EDispKernelMap(kernel, true, reco)
    return ds, kernel


def _power_law_integral(e_lo_mev, e_hi_mev, index=INDEX):
    """Integral of (E / 10 GeV)^-index per MeV, in MeV."""
    e0 = 1e4
    g = 1 - index
    return e0 / g * ((e_hi_mev / e0) ** g - (e_lo_mev / e0) ** g)


@pytest.mark.parametrize("containment", ["center", "exact"])
def test_predicted_counts_equal_brute_force(containment):
    ds, kernel = _kernel_dataset()
    rng = np.random.default_rng(3)
    ds.counts.data = rng.poisson(2.0, ds.counts.data.shape).astype(float)
    geom = ds.counts.geom
    template, amplitude = _template_on(geom)
    regions = line_regions(geom.wcs, nbin=8, height=0.9)
    estimator = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=INDEX),
        energy_edges=[10, 30, 100] * u.GeV, containment=containment,
    )  # fmt: skip
    predicted = make_predicted_profile(template, ds, estimator)

    # brute force: pixel weights of each region, sums in NumPy
    image = geom.to_image()
    omega = image.solid_angle().to_value(u.sr)
    if containment == "center":
        coords = image.get_skycoord()
        weights = np.array([r.contains(coords, image.wcs) for r in regions], float)
    else:
        # the exact overlap by supersampling each pixel 20 x 20 (the regions' own test)
        n = 20
        ny, nx = image.data_shape
        sub = (np.arange(n) + 0.5) / n - 0.5
        yy, xx = np.meshgrid(
            (np.arange(ny)[:, None] + sub[None, :]).ravel(),
            (np.arange(nx)[:, None] + sub[None, :]).ravel(),
            indexing="ij",
        )
        fine = image.pix_to_skycoord(xx, yy)
        weights = np.array(
            [
                r.contains(fine, image.wcs).reshape(ny, n, nx, n).mean(axis=(1, 3))
                for r in regions
            ]
        )
    true_edges = ds.exposure.geom.axes["energy_true"].edges.to_value(u.MeV)
    phi = _power_law_integral(true_edges[:-1], true_edges[1:])  # MeV x per MeV
    exposure = ds.exposure.quantity.to_value("cm2 s")
    true_counts = exposure * phi[:, None, None] * (amplitude * omega)[None]
    mask = ds.mask_safe.data
    n_reco = 3
    expected = np.zeros((len(regions), n_reco))
    for r in range(len(regions)):
        for i in range(n_reco):
            w = weights[r] * mask[i]
            expected[r, i] = sum(
                kernel[j, i] * np.sum(w * true_counts[j]) for j in range(4)
            )
    rtol = 1e-10 if containment == "center" else 5e-3
    np.testing.assert_allclose(predicted.npred_reco, expected, rtol=rtol)
    # groups: 10-30 GeV is reco bin 0 (bin edges 10, 21.5, 46.4, 100: snapped), and so on
    groups = predicted.groups
    for g, (start, stop) in enumerate(groups):
        sl = slice(start, stop)
        np.testing.assert_allclose(
            predicted.npred[:, g], expected[:, sl].sum(axis=1), rtol=rtol
        )
        counts = [
            np.sum(weights[r][None] * mask[sl] * ds.counts.data[sl]) for r in range(8)
        ]
        np.testing.assert_allclose(predicted.counts[:, g], counts, rtol=rtol)
        background = [
            np.sum(weights[r][None] * mask[sl] * ds.background.data[sl])
            for r in range(8)
        ]
        np.testing.assert_allclose(
            predicted.npred_background[:, g], background, rtol=rtol
        )
    # the template's flux over each whole region in each group
    edges = predicted.energy_axis.edges.to_value(u.MeV)
    for g in range(len(groups)):
        flux = _power_law_integral(edges[g], edges[g + 1])
        want = [np.sum(weights[r] * amplitude * omega) * flux for r in range(8)]
        np.testing.assert_allclose(
            predicted.flux[:, g].to_value("cm-2 s-1"), want, rtol=rtol
        )
    table = predicted.to_table()
    assert table["flux_folded"].unit == u.Unit("cm-2 s-1")
    assert table["npred"].shape == (8, 2)


def test_estimator_measures_the_template_flux():
    """With the reference model's spectrum, a uniform exposure, all pixels safe and no
    dispersion between groups, the estimator's Asimov norm is the template's flux."""
    ds = small_dataset()
    ds.exposure.data[:] = 1e11
    ds.mask_safe.data[:] = True
    geom = ds.counts.geom
    template, _ = _template_on(geom)
    regions = line_regions(geom.wcs, nbin=8, height=0.9)
    estimator = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=INDEX),
        energy_edges=[10, 100] * u.GeV,
    )  # fmt: skip
    predicted = make_predicted_profile(template, ds, estimator)
    np.testing.assert_allclose(
        predicted.flux_folded.value, predicted.flux.value, rtol=1e-5
    )
    # a different reference spectrum measures a different flux (it is a measurement)
    other = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=1.5),
        energy_edges=[10, 100] * u.GeV,
    )  # fmt: skip
    shifted = make_predicted_profile(template, ds, other)
    assert not np.allclose(
        shifted.flux_folded.value, predicted.flux.value, rtol=1e-3, atol=0
    )


def test_template_on_another_grid_is_interpolated():
    """A template on a coarser, mirrored grid gives the template's values at the pixel
    centres of the dataset (bilinear interpolation is exact for linear maps)."""
    ds = small_dataset()
    template = ridge_template()
    tgeom = template.geom
    # a map linear in the template's pixels: a + b x + c y at every energy
    ny, nx = tgeom.data_shape[-2:]
    y, x = np.mgrid[0:ny, 0:nx]
    plane = 1e-9 * (3 + 0.02 * x + 0.05 * y)
    template = Map(tgeom, np.repeat(plane[None], 6, axis=0), unit=TEMPLATE_UNIT)
    flux = template_flux_cube(template, ds.counts.geom, [10, 20] * u.GeV)
    px, py = tgeom.skycoord_to_pix(ds.counts.geom.to_image().get_skycoord())
    omega = ds.counts.geom.to_image().solid_angle().to_value(u.sr)
    want = 1e-9 * (3 + 0.02 * px + 0.05 * py) * omega * 1e4  # 10 GeV wide, per MeV
    np.testing.assert_allclose(flux.data[0], want, rtol=1e-9)
    assert flux.unit == u.Unit("cm-2 s-1")
    with pytest.raises(ValueError, match="not an intensity"):
        template_flux_cube(
            Map(tgeom, template.data, unit="cm-2 MeV-1"),
            ds.counts.geom,
            [10, 20] * u.GeV,
        )


def _simulate(seed: int):
    ds = small_dataset()
    template = ridge_template()
    npred = template_npred_map(template, ds).data
    rng = np.random.default_rng(seed)
    ds.counts.data = rng.poisson(ds.background.data + npred).astype(float)
    return ds, template


def test_simulated_dataset_gives_scale_one_and_correlates():
    ds, template = _simulate(seed=11)
    regions = line_regions(ds.counts.geom.wcs)
    estimator = FluxProfileEstimator(
        regions, spectral_model=PowerLawSpectralModel(index=2.4),
        energy_edges=[10, 100] * u.GeV, selection_optional=["ul"],
    )  # fmt: skip
    predicted = make_predicted_profile(template, ds, estimator)
    fit = fit_template_scale(predicted)
    assert fit.success
    assert fit.n_bins == 12 * 3
    assert abs(fit.scale - 1) < 2 * fit.scale_err
    assert fit.scale_errn < fit.scale < fit.scale_ul
    assert fit.ts > 100
    # region by region as well: pulls of a unit normal
    pulls = (fit.region_scale - 1) / fit.region_scale_err
    assert np.all(np.abs(pulls) < 4)
    profile = estimator.run(ds)
    tp = make_template_profile(
        template, regions, energy_edges=[10, 100] * u.GeV, containment="exact"
    )
    c = profile_correlation(profile, tp, n_samples=200)
    assert c.pearson_r > 0.8
    assert c.pearson_p < 1e-3
    assert c.spearman_rho > 0.8
    assert c.spearman_p < 1e-3
    c = profile_correlation(profile, predicted, n_samples=200)
    assert c.pearson_r > 0.9
    assert c.pearson_p < 1e-4
    # the data follow the template: their fluxes agree within the errors
    flux = profile.flux.data[:, 0, 0, 0]
    err = profile.flux_err.data[:, 0, 0, 0]
    chi2 = np.sum(((flux - predicted.flux_folded[:, 0].value) / err) ** 2)
    assert chi2 < 12 + 4 * np.sqrt(24)


def test_scale_pulls_over_realisations():
    """Over independent realisations the fitted scale scatters as its error says."""
    pulls = []
    for seed in range(20):
        ds, template = _simulate(seed)
        estimator = FluxProfileEstimator(
            line_regions(ds.counts.geom.wcs), energy_edges=[10, 100] * u.GeV
        )
        fit = fit_template_scale(make_predicted_profile(template, ds, estimator))
        pulls.append((fit.scale - 1) / fit.scale_err)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 3 / np.sqrt(20)
    assert 0.6 < pulls.std() < 1.5


def test_scale_fit_equals_a_brute_force_likelihood():
    from scipy.optimize import minimize_scalar

    ds, template = _simulate(seed=5)
    estimator = FluxProfileEstimator(
        line_regions(ds.counts.geom.wcs), energy_edges=[10, 100] * u.GeV
    )
    predicted = make_predicted_profile(template, ds, estimator)
    fit = fit_template_scale(predicted)
    red = predicted.reduced
    ok = red.safe
    n, b, s = red.counts[ok], red.background[ok], predicted.npred_reco[ok]

    def cash(scale):
        mu = b + scale * s
        return 2 * np.sum(mu - n * np.log(mu))

    best = minimize_scalar(
        cash, bounds=(0.1, 5), method="bounded", options={"xatol": 1e-10}
    )
    assert fit.scale == pytest.approx(best.x, rel=1e-6)
    h = 1e-4
    curvature = (cash(best.x + h) - 2 * cash(best.x) + cash(best.x - h)) / h**2
    assert fit.scale_err == pytest.approx(np.sqrt(2 / curvature), rel=1e-3)
    assert fit.ts == pytest.approx(cash(0.0) - cash(best.x), rel=1e-6)


def test_predicted_profile_needs_one_dataset():
    ds = small_dataset()
    estimator = FluxProfileEstimator(line_regions(ds.counts.geom.wcs))
    other = small_dataset()
    other.name = "other"
    with pytest.raises(ValueError, match="one dataset"):
        make_predicted_profile(ridge_template(), [ds, other], estimator)
