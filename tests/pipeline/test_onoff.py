"""The on-off reduction and its alpha rule (docs/onoff.rst), against a brute-force NumPy
version of Gammapy's reduction and WStat.

The brute force follows Gammapy 2.1's ``MapDatasetOnOff.to_spectrum_dataset`` literally, in
the maps' float32: per region and reco bin np.sum of the OFF counts and of the background
nan_to_num(acceptance / acceptance_off) * counts_off, np.mean of the acceptance (each over
the region's safe pixels in row-major order), acceptance_off = nan_to_num(acceptance *
counts_off / background), alpha = nan_to_num(acceptance / acceptance_off); then WStat with
its closed-form background (NaN -> 0 per bin), the norm at the minimum of the summed
statistic and its 1 sigma crossings found with SciPy. fluxprofile's region OFF counts and
alpha equal that recipe to the bit, also on the real H.E.S.S. file. Where alpha is
undefined fluxprofile gives NaN rows with success False and one FluxProfileWarning.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from regions import PixCoord, RectangleSkyRegion
from scipy.optimize import brentq, minimize_scalar

import fluxprofile as fp
from fluxprofile import FluxProfileEstimator, FluxProfileWarning
from fluxprofile.pipeline.onoff import ALPHA_NO_OFF, OFF_ROUNDOFF
from fluxprofile.pipeline.reduce import reduce_dataset

NX, NY, N_RECO = 8, 4, 4
EXPOSURE = 1e10  # cm2 s
AMPLITUDE, INDEX = 1e-9, 2.0  # TeV-1 cm-2 s-1
ENERGY_EDGES = [1.0, 10**0.5, 10.0] * u.TeV  # groups: reco bins 0-1 and 2-3
GROUP_BINS = [slice(0, 2), slice(2, 4)]


def _geom(axis):
    return fp.WcsGeom.create(
        skydir=(0, 0), binsz=0.1, width=(NX * 0.1, NY * 0.1), frame="icrs", axes=[axis]
    )


def make_dataset(name="onoff", seed=3):
    """An on-off dataset with pixel-varying acceptances and the H.E.S.S. ring-background
    oddities: OFF counts of -1e-7 and a negative acceptance_off where the OFF counts are
    round-off, and a pixel with acceptance_off 0 and no OFF counts."""
    axis = fp.MapAxis.from_energy_bounds(1 * u.TeV, 10 * u.TeV, N_RECO, name="energy")
    axis_true = fp.MapAxis.from_energy_bounds(
        1 * u.TeV, 10 * u.TeV, N_RECO, name="energy_true"
    )
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
        exposure=fp.Map(
            geom_true, np.full(geom_true.data_shape, EXPOSURE), unit="cm2 s"
        ),
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
        out.append(
            RectangleSkyRegion(center, width=0.2 * u.deg, height=NY * 0.1 * u.deg)
        )
    return out


def estimator(regions, **kwargs):
    model = fp.PowerLawSpectralModel(
        index=INDEX, amplitude=f"{AMPLITUDE} TeV-1 cm-2 s-1", reference="1 TeV"
    )
    kwargs.setdefault("selection_optional", ["errn-errp"])
    return FluxProfileEstimator(regions, spectral_model=model, energy_edges=ENERGY_EDGES,
                                norm_err_method="curvature", **kwargs)  # fmt: skip


def _membership(dataset, regions):
    wcs = dataset.counts.geom.wcs
    y, x = np.mgrid[:NY, :NX]
    return [r.to_pixel(wcs).contains(PixCoord(x, y)) for r in regions]


def gammapy_region_reduction(dataset, insides):
    """n_on, n_off and alpha per (region, reco bin) as Gammapy 2.1 reduces them, in the maps'
    own type; ``insides`` are the regions' boolean (ny, nx) pixel masks. Bins without safe
    pixels are 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha_p = np.nan_to_num(dataset.acceptance.data / dataset.acceptance_off.data)
    background = alpha_p * dataset.counts_off.data
    safe = dataset.mask_safe.data
    n_planes = safe.shape[0]
    n_on = np.zeros((len(insides), n_planes))
    n_off = np.zeros((len(insides), n_planes), dtype=dataset.counts_off.data.dtype)
    alpha = np.zeros((len(insides), n_planes), dtype=alpha_p.dtype)
    for r, inside in enumerate(insides):
        for i in range(n_planes):
            # boolean indexing of a plane: the selected pixels in row-major order
            pixels = inside & safe[i]
            if not pixels.any():
                continue
            n_on[r, i] = np.sum(dataset.counts.data[i][pixels])
            n_off[r, i] = np.sum(dataset.counts_off.data[i][pixels])
            acceptance = np.mean(dataset.acceptance.data[i][pixels])
            with np.errstate(invalid="ignore", divide="ignore"):
                acceptance_off = np.nan_to_num(
                    acceptance * n_off[r, i] / np.sum(background[i][pixels])
                )
                alpha[r, i] = np.nan_to_num(acceptance / acceptance_off)
    return n_on, n_off, alpha


def gammapy_region_sums(dataset, regions):
    """n_on, n_off and sum(alpha_p * n_off_p) = alpha * n_off per (region, reco bin),
    Gammapy's way (`gammapy_region_reduction`), in float64."""
    n_on, n_off, alpha = gammapy_region_reduction(
        dataset, _membership(dataset, regions)
    )
    return n_on, n_off.astype(float), alpha.astype(float) * n_off


def _signal_per_bin():
    # integral of the power law over each reco (= true) bin times the exposure
    edges = np.geomspace(1.0, 10.0, N_RECO + 1)
    return (
        AMPLITUDE
        * (edges[:-1] ** (1 - INDEX) - edges[1:] ** (1 - INDEX))
        / (INDEX - 1)
        * EXPOSURE
    )


def wstat(n_on, n_off, alpha, mu_sig):
    """Gammapy's WStat per bin (with its goodness-of-fit terms, NaN -> 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        c = alpha * (n_on + n_off) - (1 + alpha) * mu_sig
        d = np.sqrt(c**2 + 4 * alpha * (alpha + 1) * n_off * mu_sig)
        mu_bkg = (c + d) / (2 * alpha * (alpha + 1))
        stat = mu_sig + (1 + alpha) * mu_bkg
        stat = stat - np.where(n_on == 0, 0.0, n_on * np.log(mu_sig + alpha * mu_bkg))
        stat = stat - np.where(n_off == 0, 0.0, n_off * np.log(mu_bkg))
        gof = np.where(n_on == 0, 0.0, n_on * (1 - np.log(n_on))) + np.where(
            n_off == 0, 0.0, n_off * (1 - np.log(n_off))
        )
        return np.nan_to_num(2 * stat - 2 * gof)


def brute_force_fit(n_on, n_off, alpha, signal):
    """norm, norm_err (curvature), errn, errp, ts, stat, stat_null of one group."""

    def total(norm):
        return float(np.sum(wstat(n_on, n_off, alpha, norm * signal)))

    grid = np.linspace(-20.0, 20.0, 4001)
    start = grid[np.argmin([total(x) for x in grid])]
    best = minimize_scalar(
        total,
        bounds=(start - 0.02, start + 0.02),
        method="bounded",
        options={"xatol": 1e-10},
    )
    norm, stat = best.x, total(best.x)
    h = 1e-3 * max(1.0, abs(norm))
    curvature = (total(norm + h) - 2 * stat + total(norm - h)) / h**2
    errn = norm - brentq(lambda x: total(x) - stat - 1, norm - 50, norm, xtol=1e-12)
    errp = brentq(lambda x: total(x) - stat - 1, norm, norm + 50, xtol=1e-12) - norm
    return {
        "norm": norm,
        "norm_err": np.sqrt(2 / curvature),
        "norm_errn": errn,
        "norm_errp": errp,
        "ts": total(0.0) - stat,
        "stat": stat,
        "stat_null": total(0.0),
    }


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
    return (
        estimator(regions, **kwargs)
        .run(dataset)
        .to_table(format="profile", sed_type="likelihood")
    )


@pytest.mark.parametrize("sum_over", [False, True])
def test_defined_alpha_matches_gammapy_brute_force(sum_over):
    dataset = make_dataset()
    regions = make_regions(dataset)
    table = _run(
        dataset, regions, sum_over_energy_groups=sum_over
    )  # no warning (filterwarnings=error)
    n_on, n_off, b = gammapy_region_sums(dataset, regions)
    # Gammapy's WStat takes its float32 alpha as float64
    alpha = gammapy_region_reduction(dataset, _membership(dataset, regions))[2].astype(
        float
    )
    signal = _signal_per_bin()
    assert np.all(_column(table, "success"))
    for r in range(len(regions)):
        for g, bins in enumerate(GROUP_BINS):
            if sum_over:
                args = (
                    n_on[r, bins].sum(),
                    n_off[r, bins].sum(),
                    b[r, bins].sum() / n_off[r, bins].sum(),
                    signal[bins].sum(),
                )
            else:
                args = (n_on[r, bins], n_off[r, bins], alpha[r, bins], signal[bins])
            assert _column(table, "counts")[r, g] == n_on[r, bins].sum()
            assert_row_matches(table, r, g, brute_force_fit(*args))


def _reduce(dataset, estimator_, n_threads=1, containment="center"):
    geometry = estimator_._geometry()
    shapes = geometry.pixel_shapes(dataset.counts.geom.wcs)
    return reduce_dataset(dataset, shapes, geometry.centers(), estimator_.spectral_model, n_threads,
                          containment=containment)  # fmt: skip


def _assert_gammapy_reduction(red, dataset, insides):
    """Region OFF counts and alpha of the safe bins equal Gammapy's float32 recipe to the bit."""
    _, n_off, alpha = gammapy_region_reduction(dataset, insides)
    safe = red.safe
    assert safe.sum() > 0
    assert n_off.dtype == alpha.dtype == np.float32
    assert not red.alpha_undefined.any()
    assert not red.no_off.any()
    np.testing.assert_array_equal(red.background[safe], n_off[safe].astype(float))
    np.testing.assert_array_equal(red.alpha[safe], alpha[safe].astype(float))


def test_hess_region_off_counts_and_alpha_are_gammapy_float32_sums(load_reference_case):
    """The real ring-background data (918 OFF values in [-2.8e-7, 0), 93 negative
    acceptance_off values) reduce to Gammapy's float32 sums over the reference pixel lists
    (written by Gammapy), to the bit; a float64 computation would not be that."""
    case = load_reference_case("hess_crab_onoff_annulus")
    dataset = case.read_dataset()
    assert np.sum(dataset.counts_off.data < 0) > 0
    assert np.sum(dataset.acceptance_off.data < 0) > 0
    red = _reduce(dataset, case.estimator(n_jobs=1))
    pixels = np.load(case.dir / f"{case.name}_region_pixels.npz")
    insides = []
    for r in range(len(case.regions)):
        sl = slice(pixels["offsets"][r], pixels["offsets"][r + 1])
        inside = np.zeros(dataset.counts.data.shape[-2:], dtype=bool)
        inside[pixels["iy"][sl], pixels["ix"][sl]] = True
        insides.append(inside)
    _assert_gammapy_reduction(red, dataset, insides)
    # the float64 ratio sum(alpha_p n_off_p) / sum(n_off_p) differs in the last float32 bits
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha_p = np.nan_to_num(
            dataset.acceptance.data.astype(float) / dataset.acceptance_off.data
        )
    off = np.where(dataset.mask_safe.data, dataset.counts_off.data.astype(float), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 in the unsafe bin
        ratio = np.array(
            [(alpha_p * off)[:, m].sum(axis=1) / off[:, m].sum(axis=1) for m in insides]
        )
    assert not np.array_equal(red.alpha[red.safe], ratio[red.safe])
    np.testing.assert_allclose(red.alpha[red.safe], ratio[red.safe], rtol=1e-6)


def _hess_interop_regions(dataset, kind):
    """The regions of the interop cases hess_onoff_annuli / hess_onoff_boxes."""
    if kind == "annuli":
        return fp.make_concentric_annulus_sky_regions(
            dataset.counts.geom.center_skydir, radius_max=0.5 * u.deg, nbin=5
        )
    return fp.make_orthogonal_rectangle_sky_regions(
        SkyCoord(83.9, 21.8, unit="deg"),
        SkyCoord(83.35, 22.25, unit="deg"),
        dataset.counts.geom.wcs,
        0.25 * u.deg,
        nbin=5,
    )


@pytest.fixture(scope="module")
def hess_onoff(data_dir):
    return fp.MapDatasetOnOff.read(
        data_dir / "hess-dl3-dr1-crab" / "hess_crab_onoff.fits.gz", name="hess-onoff"
    )


@pytest.mark.parametrize("mask", ["file", "partial"])
@pytest.mark.parametrize("kind", ["annuli", "boxes"])
def test_hess_interop_regions_reduce_to_gammapy_float32_bits(hess_onoff, kind, mask):
    """The H.E.S.S. on-off file over the interop cases' annuli and boxes: region OFF counts
    and alpha equal NumPy's float32 np.sum / np.mean over the region's safe pixels in
    row-major order (Gammapy's recipe) to the bit, whatever the thread count; with a safe
    mask cutting through the regions, over the safe pixels alone (Gammapy refuses such
    masks; fluxprofile applies the same recipe to the safe part)."""
    dataset = hess_onoff
    if mask == "partial":
        mask_safe = hess_onoff.mask_safe.data.copy()
        mask_safe[2:5, :, :50] = False  # the map's left half in reco bins 2-4
        dataset = fp.MapDatasetOnOff(
            counts=hess_onoff.counts, counts_off=hess_onoff.counts_off, acceptance=hess_onoff.acceptance,
            acceptance_off=hess_onoff.acceptance_off, exposure=hess_onoff.exposure, edisp=hess_onoff.edisp,
            mask_safe=fp.Map(hess_onoff.mask_safe.geom, mask_safe), name="partial",
        )  # fmt: skip
    regions = _hess_interop_regions(dataset, kind)
    est = FluxProfileEstimator(
        regions,
        spectral_model=fp.PowerLawSpectralModel(index=2.6),
        energy_edges=[0.5, 1.5, 50] * u.TeV,
    )
    insides = _membership_grid(dataset, regions)
    one = _reduce(dataset, est, n_threads=1)
    _assert_gammapy_reduction(one, dataset, insides)
    two = _reduce(dataset, est, n_threads=2)
    for name in ("background", "alpha", "counts", "signal"):
        assert np.array_equal(getattr(one, name), getattr(two, name), equal_nan=True), (
            name
        )
    # the regions are large enough for NumPy's pairwise blocks (8 partial sums; halves above
    # 128 pixels) ...
    assert max(inside.sum() for inside in insides) > (256 if kind == "annuli" else 64)
    if mask == "partial":
        # ... and the mask cuts through some of them in some bins
        cut = [(r, i) for r, inside in enumerate(insides) for i in (2, 3, 4)
               if 0 < (inside & dataset.mask_safe.data[i]).sum() < inside.sum()]  # fmt: skip
        assert cut


def _membership_grid(dataset, regions):
    ny, nx = dataset.counts.data.shape[-2:]
    wcs = dataset.counts.geom.wcs
    y, x = np.mgrid[:ny, :nx]
    return [r.to_pixel(wcs).contains(PixCoord(x, y)) for r in regions]


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


def _acceptance_nan_where_no_off(ds, inside):
    # alpha_p is NaN but adds nothing (no OFF counts); the region's mean acceptance is NaN
    y, x = np.argwhere(inside)[0]
    ds.acceptance.data[3, y, x] = np.nan
    ds.counts_off.data[3, y, x] = 0.0


def _acceptance_off_negative(ds, inside):
    ds.acceptance_off.data[3, inside] *= -1.0


def _off_sum_negative(ds, inside):
    ds.counts_off.data[3, inside] = -1.0


def _no_off_in_group(ds, inside):
    ds.counts_off.data[2:4, inside] = 0.0


UNDEFINED_EDITS = [_acceptance_off_zero, _acceptance_off_nan, _acceptance_off_zero_in_one_pixel,
                   _acceptance_zero, _acceptance_nan_where_no_off, _acceptance_off_negative, _off_sum_negative,
                   _no_off_in_group]  # fmt: skip


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
    with pytest.warns(
        FluxProfileWarning,
        match=r"Regions 0, 2 have no defined on-off background normalisation alpha .*dataset 'onoff'",
    ) as record:
        table = _run(dataset, regions, sum_over_energy_groups=sum_over)
    assert len(record) == 1
    assert record[0].message.regions == (0, 2)
    success = _column(table, "success").astype(bool)
    assert not success[0, 1]
    assert not success[2, 1]
    for key in (
        "norm",
        "norm_err",
        "norm_errn",
        "norm_errp",
        "ts",
        "stat",
        "stat_null",
        "npred",
        "npred_excess",
    ):
        values = _column(table, key)
        assert np.all(np.isnan(values[[0, 2], 1])), key
        # every other bin is unchanged
        keep = np.ones(values.shape, dtype=bool)
        keep[[0, 2], 1] = False
        np.testing.assert_array_equal(
            values[keep], _column(expected, key)[keep], err_msg=key
        )
    # counts stay the measured ON counts
    np.testing.assert_array_equal(_column(table, "counts"), _column(expected, "counts"))


def test_off_sum_within_round_off_is_no_off_counts_with_gammapy_alpha():
    """A bin whose OFF counts are round-off is a bin without OFF counts: counts_off 0 and
    the alpha Gammapy gets for exact zeros (float32 max), the same numbers as exact zeros."""
    dataset, exact = make_dataset(), make_dataset()
    regions = make_regions(dataset)
    inside = _membership(dataset, regions)[1]
    # |values| below OFF_ROUNDOFF * max|counts_off| of the plane (about 2e-5), a sum of either sign
    noise = (
        np.random.default_rng(5).uniform(-5e-6, 4e-6, inside.sum()).astype(np.float32)
    )
    dataset.counts_off.data[3, inside] = noise
    exact.counts_off.data[3, inside] = 0.0
    assert noise.sum() != 0
    assert np.abs(noise).max() < OFF_ROUNDOFF * np.abs(dataset.counts_off.data[3]).max()
    table = _run(dataset, regions)
    np.testing.assert_array_equal(
        _column(table, "norm"), _column(_run(exact, regions), "norm")
    )
    n_on, n_off, b = gammapy_region_sums(exact, regions)
    bins = GROUP_BINS[1]
    alpha = b[1, bins] / np.where(n_off[1, bins] > 0, n_off[1, bins], 1.0)
    # Gammapy: acceptance_off = acceptance * 0 / 0 -> 0, alpha = acceptance / 0 -> float32 max
    alpha[n_off[1, bins] == 0] = np.finfo(np.float32).max
    assert n_off[1, 3] == 0
    assert np.finfo(np.float32).max == ALPHA_NO_OFF
    assert_row_matches(
        table,
        1,
        1,
        brute_force_fit(n_on[1, bins], n_off[1, bins], alpha, _signal_per_bin()[bins]),
    )


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
        tolerance = (
            OFF_ROUNDOFF * np.abs(dataset.counts_off.data[3]).max() * inside.sum()
        )
        y, x = np.argwhere(inside)[0]
        dataset.counts_off.data[3, y, x] = -factor * tolerance
        if factor < 1:
            results[factor] = _run(dataset, regions)
        else:
            with pytest.warns(
                FluxProfileWarning, match=r"Region 1 has no defined on-off"
            ):
                results[factor] = _run(dataset, regions)
    assert _column(results[0.5], "success")[1, 1] == 1.0
    assert _column(results[2.0], "success")[1, 1] == 0.0


def test_non_finite_off_counts_are_an_error_naming_dataset_and_region():
    dataset = make_dataset(name="bad-off")
    regions = make_regions(dataset)
    y, x = np.argwhere(_membership(dataset, regions)[2])[0]
    dataset.counts_off.data[1, y, x] = np.nan
    with pytest.raises(
        ValueError,
        match=rf"dataset 'bad-off': counts_off must be finite in the pixels a region uses, got nan in region 2 at \(plane, y, x\) = \(1, {y}, {x}\)",
    ):
        _run(dataset, regions)


def test_joint_fit_row_is_nan_when_one_dataset_has_no_alpha():
    first, second = make_dataset("first", seed=3), make_dataset("second", seed=4)
    regions = make_regions(first)
    expected = _run(fp.Datasets([first, make_dataset("second", seed=4)]), regions)
    second.acceptance_off.data[0, _membership(second, regions)[3]] = 0.0
    with pytest.warns(
        FluxProfileWarning,
        match=r"Region 3 has no defined on-off .* of dataset 'second' \(",
    ) as record:
        table = _run(fp.Datasets([first, second]), regions)
    assert len(record) == 1
    norm = _column(table, "norm")
    assert np.isnan(norm[3, 0])
    assert not _column(table, "success")[3, 0]
    keep = np.ones(norm.shape, dtype=bool)
    keep[3, 0] = False
    np.testing.assert_array_equal(norm[keep], _column(expected, "norm")[keep])
