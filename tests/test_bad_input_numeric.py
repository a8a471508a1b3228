"""Bad input at the numeric end (issue 13, items 4, 6 and 9; docs/numeric_limits.rst):
fits without a minimum, a signal that is zero everywhere, negative upper limits, absurd
n_sigma and n_jobs, region sums that overflow, region frames that cannot be transformed,
``reoptimize=True``. Each case ends in a clear error, or in Gammapy's numbers plus a
`FluxProfileWarning` naming the regions and energy groups.

Independent results: closed forms of the Cash statistic without counts, and brute-force
NumPy/SciPy crossings of the statistic.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from regions import CircleSkyRegion, RectangleSkyRegion
from scipy import optimize

from fluxprofile import (
    FluxProfileEstimator,
    FluxProfileWarning,
    Map,
    MapAxis,
    MapDataset,
    PowerLawSpectralModel,
    WcsGeom,
    _core,
)
from fluxprofile.datamodel import EDispKernelMap
from fluxprofile.estimator import MAX_N_JOBS, MAX_N_SIGMA

pytestmark = pytest.mark.timeout(120)

EDGES = [10, 100, 500] * u.GeV


def _dataset(
    counts=None, background=5.0, exposure=1e11, true_range=(10, 500), edisp=None
):
    energy = MapAxis.from_energy_bounds(10, 500, 4, unit="GeV", name="energy")
    true = MapAxis.from_energy_bounds(*true_range, 5, unit="GeV", name="energy_true")
    kw = {"skydir": (0, 0), "binsz": 0.1, "width": (4, 2), "frame": "galactic"}
    geom = WcsGeom.create(axes=[energy], **kw)
    geom_true = WcsGeom.create(axes=[true], **kw)
    bkg = np.full(geom.data_shape, float(background))
    if counts is None:
        counts = np.random.default_rng(0).poisson(bkg + 1.0).astype(np.float64)
    elif np.isscalar(counts):
        counts = np.full(geom.data_shape, float(counts))
    return MapDataset(
        Map(geom, counts),
        Map(geom_true, np.full(geom_true.data_shape, float(exposure)), unit="cm2 s"),
        background=Map(geom, bkg),
        edisp=edisp,
        name="bad",
    )


def _gal(lon, lat=0.0):
    return SkyCoord(lon, lat, unit="deg", frame="galactic")


def _boxes():
    return [RectangleSkyRegion(_gal(x), 0.5 * u.deg, 1.0 * u.deg) for x in (-1, 0, 1)]


def _run(dataset, **kwargs):
    kwargs.setdefault("energy_edges", EDGES)
    est = FluxProfileEstimator(_boxes(), **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = est.run(dataset)
    return result, [
        w.message for w in caught if isinstance(w.message, FluxProfileWarning)
    ]


def _quantity(result, key):
    return np.asarray(result._data[key], dtype=float).squeeze()


# -- fits without a minimum -------------------------------------------------------------
def _problem(counts, background, signal):
    n = len(counts)
    return _core.FitProblems(
        np.array([0, n], dtype=np.int64),
        np.zeros(n, dtype=np.int8),
        np.asarray(counts, dtype=float),
        np.asarray(background, dtype=float),
        np.zeros(n),
        np.asarray(signal, dtype=float),
    )


@pytest.mark.parametrize("minuit", [True, False])
@pytest.mark.parametrize("background", [0.0, 3.0])
def test_no_counts_closed_form(background, minuit):
    """No counts: Cash = 2 * sum(max(b + N s, 1e-25)) falls until the predictions reach 0
    at N0 = -b / s (one bin), so there is no minimum; ts = 2 b and the upper limit is
    N0 + n_sigma_ul**2 / (2 s)."""
    s = 4.0
    options = _core.FitOptions(ul=True, minuit_errors=minuit, minuit_norm=minuit)
    r = _core.fit_norms(_problem([0.0], [background], [s]), options)
    assert not r.success[0]
    assert np.isnan(r.norm[0])
    assert np.isnan(r.norm_err[0])
    np.testing.assert_allclose(r.ts[0], 2 * background, atol=1e-12)
    np.testing.assert_allclose(r.norm_ul[0], -background / s + 4 / (2 * s), rtol=1e-9)


def test_zero_counts_and_background_warn_naming_regions_and_groups():
    result, caught = _run(
        _dataset(counts=0.0, background=0.0), selection_optional=["ul"]
    )
    assert not _quantity(result, "success").any()
    assert np.isnan(_quantity(result, "norm")).all()
    np.testing.assert_array_equal(_quantity(result, "ts"), 0.0)
    (warning,) = [w for w in caught if "no counts" in str(w)]
    assert str(warning).startswith("Regions 0-2 in 10 GeV-70.71 GeV, 70.71 GeV-500 GeV")
    assert "(energy groups 0-1)" in str(warning)
    assert warning.regions == (0, 1, 2)


def test_zero_count_groups_keep_gammapy_ts_with_a_warning():
    """Zero counts on a background of 5 per pixel: ts = 2 * the background summed over
    the group's safe bins (stat_null - 0), as in Gammapy."""
    result, caught = _run(
        _dataset(counts=0.0, background=5.0), selection_optional=["ul"]
    )
    ts = _quantity(result, "ts")
    np.testing.assert_allclose(ts, 2 * _quantity(result, "stat_null") / 2, rtol=1e-12)
    assert np.all(ts > 0)
    assert any("no counts" in str(w) and "ts" in str(w) for w in caught)
    # the limit lies below 0 (no counts where 5 per pixel are expected): Gammapy's value
    assert np.all(_quantity(result, "norm_ul") < 0)


def test_negative_upper_limit_matches_the_statistic():
    """Counts well below the background: the norm and the limit are negative; the limit
    is where the statistic rises by n_sigma_ul**2 above its minimum (SciPy on NumPy's
    Cash statistic)."""
    counts, background, signal = (
        np.array([2.0, 1.0]),
        np.array([6.0, 5.0]),
        np.array([3.0, 2.0]),
    )
    options = _core.FitOptions(ul=True, minuit_errors=False, minuit_norm=False)
    r = _core.fit_norms(_problem(counts, background, signal), options)

    def cash(norm):
        mu = background + norm * signal
        return 2 * np.sum(mu - counts * np.log(mu))

    best = optimize.minimize_scalar(cash, bounds=(-1.6, 5), method="bounded",
                                    options={"xatol": 1e-12}).x  # fmt: skip
    ul = optimize.brentq(lambda x: cash(x) - cash(best) - 4, best, 10, xtol=1e-13)
    assert r.success[0]
    np.testing.assert_allclose(r.norm[0], best, atol=1e-7)
    np.testing.assert_allclose(r.norm_ul[0], ul, atol=1e-7)
    assert r.norm_ul[0] < 0


def test_negative_upper_limits_on_the_galactic_centre(load_reference_case):
    """The tutorial's longitude profile on the Galactic-centre data with one group per
    reco bin: in bins with fewer counts than the background predicts the limit is
    negative. It is Gammapy's value (Gammapy 2.1 gives the same, e.g. -0.207 in region
    16, reco bin 2; docs/numeric_limits.rst): the best-fit norm (negative there) plus
    the distance to where the statistic rises by 4 (recomputed against SciPy in
    test_negative_upper_limit_matches_the_statistic)."""
    case = load_reference_case("fermi_rect_seed")
    dataset = case.read_dataset()
    est = case.estimator(energy_edges=dataset.counts.geom.axes["energy"].edges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = est.run(dataset)
    ul = _quantity(result, "norm_ul")
    norm = _quantity(result, "norm")
    assert np.any(ul < 0)
    # a negative limit comes with a negative best fit, and lies above it
    fitted = np.isfinite(norm)
    assert np.all(norm[fitted & (ul < 0)] < 0)
    assert np.all(ul[fitted] > norm[fitted])


# -- a reference model that predicts nothing --------------------------------------------
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("amplitude", "integral flux is 0 in every true-energy bin"),
        ("exposure", "exposure is 0 in every region"),
        ("true_axis", "misses the reco-energy axis"),
        ("edisp", "all-zero EDISP"),
    ],
)
def test_zero_signal_is_explained(case, reason):
    kwargs, model = {}, PowerLawSpectralModel()
    if case == "amplitude":
        model = PowerLawSpectralModel(amplitude=0 * u.Unit("cm-2 s-1 TeV-1"))
    elif case == "exposure":
        kwargs["exposure"] = 0.0
    elif case == "true_axis":
        kwargs["true_range"] = (1000, 5000)
    if case == "edisp":
        ds = _dataset()
        energy = ds.counts.geom.axes["energy"]
        true = ds.exposure.geom.axes["energy_true"]
        kwargs["edisp"] = EDispKernelMap(
            np.zeros((true.nbin, energy.nbin)), true, energy
        )
    ds = _dataset(**kwargs)
    result, caught = _run(ds, spectral_model=model)
    assert not _quantity(result, "success").any()
    dataset_warning = [w for w in caught if str(w).startswith("dataset 'bad'")]
    assert len(dataset_warning) == 1
    assert reason in str(dataset_warning[0])
    (region_warning,) = [w for w in caught if "predicts no counts (its flux" in str(w)]
    assert region_warning.regions == (0, 1, 2)
    assert "energy groups 0-1" in str(region_warning)


# -- n_sigma and n_jobs -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["n_sigma", "n_sigma_ul", "n_sigma_sensitivity"])
@pytest.mark.parametrize("value", [100.5, 1000, 1e4, 1e300])
def test_n_sigma_beyond_the_range(name, value):
    with pytest.raises(ValueError, match=rf"{name} must be in \(0, 100\], got"):
        FluxProfileEstimator(_boxes(), **{name: value})


def test_n_sigma_at_the_cap_gives_the_crossing():
    """n_sigma = 100: errp is where the statistic rises by 1e4 (SciPy), not NaN; errn does
    not exist (the predictions reach 0 before the statistic rises by 1e4) and is NaN."""
    assert MAX_N_SIGMA == 100
    counts, background, signal = np.array([30.0]), np.array([20.0]), np.array([5.0])
    options = _core.FitOptions(
        n_sigma=MAX_N_SIGMA, errn_errp=True, minuit_errors=False, minuit_norm=False
    )
    r = _core.fit_norms(_problem(counts, background, signal), options)

    def cash(norm):
        mu = background + norm * signal
        return 2 * np.sum(mu - counts * np.log(mu))

    best = 2.0  # counts = background + 2 * signal
    up = optimize.brentq(lambda x: cash(x) - cash(best) - 1e4, best, 1e6, xtol=1e-10)
    assert r.success[0]
    np.testing.assert_allclose(r.norm_errp[0], up - best, rtol=1e-9)
    assert np.isnan(r.norm_errn[0])


@pytest.mark.parametrize("n_jobs", [MAX_N_JOBS + 1, 10**8, 2**31 - 1, 2**31, 2**63])
def test_n_jobs_beyond_the_cap(n_jobs):
    with pytest.raises(
        ValueError, match=rf"n_jobs must be at most 1024 .*got {n_jobs}"
    ):
        FluxProfileEstimator(_boxes(), n_jobs=n_jobs)


def test_n_jobs_at_the_cap_runs_and_matches_one_thread():
    ds = _dataset()
    one, _ = _run(ds, n_jobs=1)
    many, _ = _run(ds, n_jobs=MAX_N_JOBS)
    np.testing.assert_array_equal(_quantity(many, "norm"), _quantity(one, "norm"))


def test_core_threads_beyond_the_cap():
    with pytest.raises(ValueError, match=r"n_threads must be in \[0, 1024\]"):
        _core.fit_norms(_problem([1.0], [1.0], [1.0]), _core.FitOptions(), 1025)


# -- errors that name what is wrong -----------------------------------------------------
def test_overflowing_region_sum_names_dataset_region_and_group():
    ds = _dataset()
    x, y = ds.counts.geom.wcs.world_to_pixel(_gal(0.0))
    ds.counts.data[0, round(float(y)) - 1 : round(float(y)) + 2, round(float(x))] = (
        1e308
    )
    with pytest.raises(
        ValueError,
        match=r"dataset 'bad', region 1, energy group 0: the counts summed over the region "
        r"is inf",
    ):
        _run(ds)


@pytest.mark.parametrize(
    ("frame", "reason"), [("hcrs", "UnitsError"), ("altaz", "AttributeError")]
)
def test_region_frame_that_cannot_be_transformed(frame, reason):
    regions = [
        CircleSkyRegion(_gal(0), 0.5 * u.deg),
        CircleSkyRegion(SkyCoord(10, 20, unit="deg", frame=frame), 0.5 * u.deg),
    ]
    est = FluxProfileEstimator(regions, energy_edges=EDGES)
    with pytest.raises(
        ValueError,
        match=rf"regions\[1\] \(CircleSkyRegion\): its coordinates in frame '{frame}' "
        rf"cannot be transformed .*\({reason}: ",
    ):
        est.run(_dataset())


def test_reoptimize_message_is_short():
    with pytest.raises(ValueError, match="reoptimize=True is not available") as info:
        FluxProfileEstimator(_boxes(), reoptimize=True)
    message = str(info.value)
    assert "\n" not in message
    assert len(message) < 200
    assert "reoptimize=False" in message
