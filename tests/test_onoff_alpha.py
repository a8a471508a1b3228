"""The on-off reduction and its alpha rule (docs/onoff.rst), against a brute-force NumPy
version of Gammapy's reduction and WStat.

The brute force follows Gammapy 2.1 literally: per region and reco bin, OFF counts summed
over the safe pixels, alpha = sum(nan_to_num(acceptance / acceptance_off) * counts_off) /
sum(counts_off), WStat with its closed-form background (NaN -> 0 per bin), the norm at the
minimum of the summed statistic and its 1 sigma crossings found with SciPy. Where alpha is
undefined fluxprofile gives NaN rows with success False and one FluxProfileWarning.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from regions import PixCoord, RectangleSkyRegion
from scipy.optimize import brentq, minimize_scalar

import fluxprofile as fp
from fluxprofile import FluxProfileEstimator, FluxProfileWarning
from fluxprofile.pipeline._profile import ALPHA_NO_OFF, OFF_ROUNDOFF, reduce_dataset

NX, NY, N_RECO = 8, 4, 4
EXPOSURE = 1e10  # cm2 s
AMPLITUDE, INDEX = 1e-9, 2.0  # TeV-1 cm-2 s-1
ENERGY_EDGES = [1.0, 10**0.5, 10.0] * u.TeV  # groups: reco bins 0-1 and 2-3
GROUP_BINS = [slice(0, 2), slice(2, 4)]


def _geom(axis):
    return fp.WcsGeom.create(skydir=(0, 0), binsz=0.1, width=(NX * 0.1, NY * 0.1), frame="icrs", axes=[axis])


def make_dataset(name="onoff", seed=3):
    """An on-off dataset with pixel-varying acceptances and the H.E.S.S. ring-background
    oddities: OFF counts of -1e-7 and a negative acceptance_off where the OFF counts are
    round-off, and a pixel with acceptance_off 0 and no OFF counts."""
    axis = fp.MapAxis.from_energy_bounds(1 * u.TeV, 10 * u.TeV, N_RECO, name="energy")
    axis_true = fp.MapAxis.from_energy_bounds(1 * u.TeV, 10 * u.TeV, N_RECO, name="energy_true")
    geom, geom_true = _geom(axis), _geom(axis_true)
    rng = np.random.default_rng(seed)
    shape = geom.data_shape
    counts = rng.poisson(4.0, shape).astype(np.float32)
    counts_off = rng.poisson(12.0, shape).astype(np.float32)
    acceptance = rng.uniform(0.8, 1.2, shape).astype(np.float32)
    acceptance_off = rng.uniform(3.0, 5.0, shape).astype(np.float32)
    counts_off[3, 0, 1] = -1e-7
    acceptance_off[3, 0, 1] = -200.0
    counts_off[2, 1, 6] = -2e-7
    counts_off[1, 2, 3] = 0.0
    acceptance_off[1, 2, 3] = 0.0
    return fp.MapDatasetOnOff(
        counts=fp.Map(geom, counts),
        counts_off=fp.Map(geom, counts_off),
        acceptance=fp.Map(geom, acceptance),
        acceptance_off=fp.Map(geom, acceptance_off),
        exposure=fp.Map(geom_true, np.full(geom_true.data_shape, EXPOSURE), unit="cm2 s"),
        mask_safe=fp.Map(geom, np.ones(shape, dtype=bool)),
        edisp=fp.EDispKernelMap.from_diagonal_response(axis, axis_true),
        name=name,
    )


def make_regions(dataset):
    """Four boxes of 2 x 4 pixels side by side along x; their edges lie on pixel edges."""
    wcs = dataset.counts.geom.wcs
    out = []
    for k in range(4):
        center = PixCoord(2 * k + 0.5, (NY - 1) / 2).to_sky(wcs)
        out.append(RectangleSkyRegion(center, width=0.2 * u.deg, height=NY * 0.1 * u.deg))
    return out


def estimator(regions, **kwargs):
    model = fp.PowerLawSpectralModel(index=INDEX, amplitude=f"{AMPLITUDE} TeV-1 cm-2 s-1", reference="1 TeV")
    kwargs.setdefault("selection_optional", ["errn-errp"])
    return FluxProfileEstimator(regions, spectral_model=model, energy_edges=ENERGY_EDGES,
                                norm_err_method="curvature", **kwargs)  # fmt: skip


def _membership(dataset, regions):
    wcs = dataset.counts.geom.wcs
    y, x = np.mgrid[:NY, :NX]
    return [r.to_pixel(wcs).contains(PixCoord(x, y)) for r in regions]


def gammapy_region_sums(dataset, regions):
    """n_on, n_off and sum(alpha_p * n_off_p) per (region, reco bin), Gammapy's way."""
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.nan_to_num(dataset.acceptance.data.astype(float) / dataset.acceptance_off.data)
    n_on, n_off, b = [], [], []
    for inside in _membership(dataset, regions):
        n_on.append(dataset.counts.data[:, inside].sum(axis=1, dtype=float))
        n_off.append(dataset.counts_off.data[:, inside].sum(axis=1, dtype=float))
        b.append((alpha * dataset.counts_off.data)[:, inside].sum(axis=1))
    return np.array(n_on), np.array(n_off), np.array(b)


def _signal_per_bin():
    # integral of the power law over each reco (= true) bin times the exposure
    edges = np.geomspace(1.0, 10.0, N_RECO + 1)
    return AMPLITUDE * (edges[:-1] ** (1 - INDEX) - edges[1:] ** (1 - INDEX)) / (INDEX - 1) * EXPOSURE


def wstat(n_on, n_off, alpha, mu_sig):
    """Gammapy's WStat per bin (with its goodness-of-fit terms, NaN -> 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        c = alpha * (n_on + n_off) - (1 + alpha) * mu_sig
        d = np.sqrt(c**2 + 4 * alpha * (alpha + 1) * n_off * mu_sig)
        mu_bkg = (c + d) / (2 * alpha * (alpha + 1))
        stat = mu_sig + (1 + alpha) * mu_bkg
        stat = stat - np.where(n_on == 0, 0.0, n_on * np.log(mu_sig + alpha * mu_bkg))
        stat = stat - np.where(n_off == 0, 0.0, n_off * np.log(mu_bkg))
        gof = np.where(n_on == 0, 0.0, n_on * (1 - np.log(n_on))) + np.where(n_off == 0, 0.0, n_off * (1 - np.log(n_off)))
        return np.nan_to_num(2 * stat - 2 * gof)


def brute_force_fit(n_on, n_off, alpha, signal):
    """norm, norm_err (curvature), errn, errp, ts, stat, stat_null of one group."""
    def total(norm):
        return float(np.sum(wstat(n_on, n_off, alpha, norm * signal)))

    grid = np.linspace(-20.0, 20.0, 4001)
    start = grid[np.argmin([total(x) for x in grid])]
    best = minimize_scalar(total, bounds=(start - 0.02, start + 0.02), method="bounded", options={"xatol": 1e-10})
    norm, stat = best.x, total(best.x)
    h = 1e-3 * max(1.0, abs(norm))
    curvature = (total(norm + h) - 2 * stat + total(norm - h)) / h**2
    errn = norm - brentq(lambda x: total(x) - stat - 1, norm - 50, norm, xtol=1e-12)
    errp = brentq(lambda x: total(x) - stat - 1, norm, norm + 50, xtol=1e-12) - norm
    return {"norm": norm, "norm_err": np.sqrt(2 / curvature), "norm_errn": errn, "norm_errp": errp,
            "ts": total(0.0) - stat, "stat": stat, "stat_null": total(0.0)}


def _column(table, name):
    return np.array([np.asarray(v, dtype=float).ravel() for v in table[name]])


def assert_row_matches(table, r, g, expected):
    for key, value in expected.items():
        got = _column(table, key)[r, g]
        if key == "norm_err":
            np.testing.assert_allclose(got, value, rtol=1e-4, err_msg=key)
        elif key in ("stat", "stat_null", "ts"):
            np.testing.assert_allclose(got, value, rtol=0, atol=1e-8, err_msg=key)
        else:
            np.testing.assert_allclose(got, value, rtol=1e-6, atol=1e-9, err_msg=key)


def _run(dataset, regions, **kwargs):
    return estimator(regions, **kwargs).run(dataset).to_table(format="profile", sed_type="likelihood")


@pytest.mark.parametrize("sum_over", [False, True])
def test_defined_alpha_matches_gammapy_brute_force(sum_over):
    dataset = make_dataset()
    regions = make_regions(dataset)
    table = _run(dataset, regions, sum_over_energy_groups=sum_over)  # no warning (filterwarnings=error)
    n_on, n_off, b = gammapy_region_sums(dataset, regions)
    signal = _signal_per_bin()
    assert np.all(_column(table, "success"))
    for r in range(len(regions)):
        for g, bins in enumerate(GROUP_BINS):
            if sum_over:
                args = (n_on[r, bins].sum(), n_off[r, bins].sum(), b[r, bins].sum() / n_off[r, bins].sum(), signal[bins].sum())
            else:
                args = (n_on[r, bins], n_off[r, bins], b[r, bins] / n_off[r, bins], signal[bins])
            assert _column(table, "counts")[r, g] == n_on[r, bins].sum()
            assert_row_matches(table, r, g, brute_force_fit(*args))


def test_hess_region_off_counts_and_alpha_are_gammapy_sums(load_reference_case):
    """The real ring-background data (918 OFF values in [-2.8e-7, 0), 93 negative
    acceptance_off values) reduce to Gammapy's sums over the reference pixel lists."""
    case = load_reference_case("hess_crab_onoff_annulus")
    dataset = case.read_dataset()
    assert np.sum(dataset.counts_off.data < 0) > 0
    assert np.sum(dataset.acceptance_off.data < 0) > 0
    est = case.estimator(n_jobs=1)
    geometry = est._geometry()
    red = reduce_dataset(dataset, est._pixel_shapes(geometry, dataset.counts.geom.wcs),
                         est._centers(geometry), est.spectral_model, 1)  # fmt: skip
    pixels = np.load(case.dir / f"{case.name}_region_pixels.npz")
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.nan_to_num(dataset.acceptance.data.astype(float) / dataset.acceptance_off.data)
    mask = dataset.mask_safe.data
    off = np.where(mask, dataset.counts_off.data.astype(float), 0.0)
    for r in range(len(case.regions)):
        sl = slice(pixels["offsets"][r], pixels["offsets"][r + 1])
        iy, ix = pixels["iy"][sl], pixels["ix"][sl]
        n_off = off[:, iy, ix].sum(axis=1)
        b = (alpha * off)[:, iy, ix].sum(axis=1)
        safe = mask[:, iy, ix].any(axis=1)
        np.testing.assert_allclose(red.background[r, safe], n_off[safe], rtol=1e-12)
        np.testing.assert_allclose(red.alpha[r, safe], b[safe] / n_off[safe], rtol=1e-12)
    assert not red.alpha_undefined.any()
    assert not red.no_off.any()


# Edits of region 0 and 2 in reco bin 3 (group 1) that leave alpha undefined there.
def _acceptance_off_zero(ds, inside):
    ds.acceptance_off.data[3, inside] = 0.0


def _acceptance_off_nan(ds, inside):
    ds.acceptance_off.data[3, inside] = np.nan


def _acceptance_off_zero_in_one_pixel(ds, inside):
    y, x = np.argwhere(inside)[0]
    ds.acceptance_off.data[3, y, x] = 0.0


def _acceptance_zero(ds, inside):
    ds.acceptance.data[3, inside] = 0.0  # alpha = 0: Gammapy's acceptance_off is 0 / 0


def _acceptance_off_negative(ds, inside):
    ds.acceptance_off.data[3, inside] *= -1.0


def _off_sum_negative(ds, inside):
    ds.counts_off.data[3, inside] = -1.0


def _no_off_in_group(ds, inside):
    ds.counts_off.data[2:4, inside] = 0.0


UNDEFINED_EDITS = [_acceptance_off_zero, _acceptance_off_nan, _acceptance_off_zero_in_one_pixel,
                   _acceptance_zero, _acceptance_off_negative, _off_sum_negative, _no_off_in_group]  # fmt: skip


@pytest.mark.parametrize("edit", UNDEFINED_EDITS, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("sum_over", [False, True])
def test_undefined_alpha_gives_nan_rows_and_one_warning(edit, sum_over):
    reference = make_dataset()
    regions = make_regions(reference)
    expected = _run(reference, regions, sum_over_energy_groups=sum_over)
    dataset = make_dataset()
    inside = _membership(dataset, regions)
    for r in (0, 2):
        edit(dataset, inside[r])
    with pytest.warns(FluxProfileWarning, match=r"Regions 0, 2 have no defined on-off background normalisation alpha .*dataset 'onoff'") as record:
        table = _run(dataset, regions, sum_over_energy_groups=sum_over)
    assert len(record) == 1
    assert record[0].message.regions == (0, 2)
    success = _column(table, "success").astype(bool)
    assert not success[0, 1]
    assert not success[2, 1]
    for key in ("norm", "norm_err", "norm_errn", "norm_errp", "ts", "stat", "stat_null", "npred", "npred_excess"):
        values = _column(table, key)
        assert np.all(np.isnan(values[[0, 2], 1])), key
        # every other bin is unchanged
        keep = np.ones(values.shape, dtype=bool)
        keep[[0, 2], 1] = False
        np.testing.assert_array_equal(values[keep], _column(expected, key)[keep], err_msg=key)
    # counts stay the measured ON counts
    np.testing.assert_array_equal(_column(table, "counts"), _column(expected, "counts"))


def test_off_sum_within_round_off_is_no_off_counts_with_gammapy_alpha():
    """A bin whose OFF counts are round-off is a bin without OFF counts: counts_off 0 and
    the alpha Gammapy gets for exact zeros (float32 max), the same numbers as exact zeros."""
    dataset, exact = make_dataset(), make_dataset()
    regions = make_regions(dataset)
    inside = _membership(dataset, regions)[1]
    # |values| below OFF_ROUNDOFF * max|counts_off| of the plane (about 2e-5), a sum of either sign
    noise = np.random.default_rng(5).uniform(-5e-6, 4e-6, inside.sum()).astype(np.float32)
    dataset.counts_off.data[3, inside] = noise
    exact.counts_off.data[3, inside] = 0.0
    assert noise.sum() != 0
    assert np.abs(noise).max() < OFF_ROUNDOFF * np.abs(dataset.counts_off.data[3]).max()
    table = _run(dataset, regions)
    np.testing.assert_array_equal(_column(table, "norm"), _column(_run(exact, regions), "norm"))
    n_on, n_off, b = gammapy_region_sums(exact, regions)
    bins = GROUP_BINS[1]
    alpha = b[1, bins] / np.where(n_off[1, bins] > 0, n_off[1, bins], 1.0)
    # Gammapy: acceptance_off = acceptance * 0 / 0 -> 0, alpha = acceptance / 0 -> float32 max
    alpha[n_off[1, bins] == 0] = np.finfo(np.float32).max
    assert n_off[1, 3] == 0
    assert np.finfo(np.float32).max == ALPHA_NO_OFF
    assert_row_matches(table, 1, 1, brute_force_fit(n_on[1, bins], n_off[1, bins], alpha, _signal_per_bin()[bins]))


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_round_off_tolerance_is_relative_to_the_plane(scale):
    """An OFF sum counts as round-off down to -OFF_ROUNDOFF * (largest |counts_off| of the
    plane) * (pixels summed), whatever the scale of the data."""
    regions = make_regions(make_dataset())
    results = {}
    for factor in (0.5, 2.0):
        dataset = make_dataset()
        dataset.counts_off.data[3] *= np.float32(scale)
        inside = _membership(dataset, regions)[1]
        dataset.counts_off.data[3, inside] = 0.0
        tolerance = OFF_ROUNDOFF * np.abs(dataset.counts_off.data[3]).max() * inside.sum()
        y, x = np.argwhere(inside)[0]
        dataset.counts_off.data[3, y, x] = -factor * tolerance
        if factor < 1:
            results[factor] = _run(dataset, regions)
        else:
            with pytest.warns(FluxProfileWarning, match=r"Region 1 has no defined on-off"):
                results[factor] = _run(dataset, regions)
    assert _column(results[0.5], "success")[1, 1] == 1.0
    assert _column(results[2.0], "success")[1, 1] == 0.0


def test_non_finite_off_counts_are_an_error_naming_dataset_and_region():
    dataset = make_dataset(name="bad-off")
    regions = make_regions(dataset)
    y, x = np.argwhere(_membership(dataset, regions)[2])[0]
    dataset.counts_off.data[1, y, x] = np.nan
    with pytest.raises(ValueError, match=rf"dataset 'bad-off': counts_off must be finite in the pixels a region uses, got nan in region 2 at \(plane, y, x\) = \(1, {y}, {x}\)"):
        _run(dataset, regions)


def test_joint_fit_row_is_nan_when_one_dataset_has_no_alpha():
    first, second = make_dataset("first", seed=3), make_dataset("second", seed=4)
    regions = make_regions(first)
    expected = _run(fp.Datasets([first, make_dataset("second", seed=4)]), regions)
    second.acceptance_off.data[0, _membership(second, regions)[3]] = 0.0
    with pytest.warns(FluxProfileWarning, match=r"Region 3 has no defined on-off .* of dataset 'second' \(") as record:
        table = _run(fp.Datasets([first, second]), regions)
    assert len(record) == 1
    norm = _column(table, "norm")
    assert np.isnan(norm[3, 0])
    assert not _column(table, "success")[3, 0]
    keep = np.ones(norm.shape, dtype=bool)
    keep[3, 0] = False
    np.testing.assert_array_equal(norm[keep], _column(expected, "norm")[keep])
