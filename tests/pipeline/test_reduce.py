"""The per-region reduction of datasets in the core (`fluxprofile.pipeline.reduce`).

* precomputed pixel lists give the reductions that rasterise on the spot, for any thread
  count, and malformed lists are refused;
* a region's exposure is np.mean over its pixels to the bit, as Gammapy reduces it, and
  reco cubes flagged ``numpy_sum`` are np.sum over the region's safe pixels to the bit.

Gammapy's norm_err is MIGRAD's covariance, which moves by ~1e-3 relative when the statistic
changes by 1e-10 (float32 round-off of a mean does that), so the core reproduces NumPy's
pairwise float32 / float64 summation and its division, and `fold_signal` uses that mean
wherever all of a region's pixels are safe. The on-off reduction sums its OFF counts,
background and acceptance that way (docs/onoff.rst, docs/fit.rst).
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from regions import PixCoord

import fluxprofile as fp
from fluxprofile import _core
from fluxprofile.pipeline.geometry import region_pixel_lists
from fluxprofile.pipeline.reduce import core_array, reduce_dataset


@pytest.fixture(scope="module")
def fermi(fermi_gc_path):
    return fp.MapDataset.read(fermi_gc_path)


@pytest.mark.parametrize("containment", ["center", "exact"])
def test_precomputed_lists_give_identical_sums(fermi, containment):
    regions = fp.make_concentric_annulus_sky_regions(
        SkyCoord(0, 0, unit="deg", frame="galactic"), 2 * u.deg, nbin=21
    )
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    cubes = [
        _core.Cube("counts", fermi.counts.data, non_negative=True),
        _core.Cube("background", fermi.background.data),
    ]
    kwargs = {"mask": fermi.mask.view(np.uint8), "exposure": fermi.exposure.data}
    options = _core.ReduceOptions(_core.Containment[containment])
    direct = _core.reduce_regions(_core.ReduceInputs(shapes, cubes, **kwargs), options)
    lists = region_pixel_lists(shapes, 400, 200, containment, 1)
    cached = _core.reduce_regions(
        _core.ReduceInputs(shapes, cubes, pixels=lists, **kwargs), options
    )
    for key in ("exposure_sums", "n_safe", "npix_total", "npix_inmap"):
        assert np.array_equal(getattr(direct, key), getattr(cached, key)), key
    assert list(direct.reco_sums) == list(cached.reco_sums) == ["counts", "background"]
    for name in direct.reco_sums:
        assert np.array_equal(direct.reco_sums[name], cached.reco_sums[name])


def test_malformed_pixel_lists_are_rejected(fermi):
    regions = fp.make_concentric_annulus_sky_regions(
        SkyCoord(0, 0, unit="deg", frame="galactic"), 1 * u.deg, nbin=3
    )
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    cubes = [_core.Cube("counts", fermi.counts.data, non_negative=True)]
    lists = region_pixel_lists(shapes, 400, 200, "center", 1)
    index, weights, offsets, totals = (
        lists.flat_index,
        lists.weight,
        lists.offsets,
        lists.total,
    )
    bad_index = index.copy()
    bad_index[0] = 400 * 200
    bad = _core.PixelLists(bad_index, weights, offsets, totals, 400, 200)
    with pytest.raises(ValueError, match="flat index out of the map"):
        _core.reduce_regions(_core.ReduceInputs(shapes, cubes, pixels=bad))
    with pytest.raises(ValueError, match="offsets must have n \\+ 1 entries"):
        _core.PixelLists(index, weights, offsets[:-1], totals, 400, 200)
    # lists made for another map or another containment rule are refused before the core
    with pytest.raises(
        ValueError,
        match=r"pixels were made for a \(100, 400\) map, the cubes are \(200, 400\)",
    ):
        _core.ReduceInputs(
            shapes,
            cubes,
            pixels=_core.PixelLists(index, weights, offsets, totals, 400, 100),
        )
    with pytest.raises(ValueError, match="pixels were made for containment 'center'"):
        _core.reduce_regions(
            _core.ReduceInputs(shapes, cubes, pixels=lists),
            _core.ReduceOptions(_core.Containment.exact),
        )
    # and the lists the core reads cannot be changed under it
    with pytest.raises(ValueError, match="read-only"):
        lists.flat_index[0] = 0


@pytest.mark.parametrize("kind", ["annuli", "boxes"])
def test_many_regions_per_chunk_match_numpy_and_any_thread_count(fermi, kind):
    """Hundreds of thin regions: the core reduces them in chunks of consecutive regions,
    plane by plane; sums equal NumPy's over each region's own pixels, for any threads."""
    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    if kind == "annuli":
        regions = fp.make_concentric_annulus_sky_regions(center, 4 * u.deg, nbin=400)
    else:
        regions = fp.make_orthogonal_rectangle_sky_regions(
            SkyCoord(-8, 0, unit="deg", frame="galactic"),
            SkyCoord(8, 0, unit="deg", frame="galactic"),
            fermi.counts.geom.wcs,
            2 * u.deg,
            nbin=600,
        )
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    mask = fermi.mask.copy()
    mask[3, :, :50] = (
        False  # a reco bin with unsafe pixels: the exposure takes the per-bin path
    )
    cubes = [fermi.counts.data, fermi.background.data]
    core_cubes = [
        _core.Cube("counts", cubes[0], non_negative=True),
        _core.Cube("background", cubes[1]),
    ]
    kwargs = {"mask": mask.view(np.uint8), "exposure": fermi.exposure.data}
    lists = region_pixel_lists(shapes, 400, 200, "center", 1)
    with_lists = _core.ReduceInputs(shapes, core_cubes, pixels=lists, **kwargs)
    results = [_core.reduce_regions(with_lists, n_threads=n) for n in (1, 2, 3)]
    # rasterised on the spot
    results.append(
        _core.reduce_regions(
            _core.ReduceInputs(shapes, core_cubes, **kwargs), n_threads=2
        )
    )
    for other in results[1:]:
        for key in ("exposure_sums", "n_safe", "npix_total", "npix_inmap"):
            assert np.array_equal(getattr(results[0], key), getattr(other, key)), key
        for name in ("counts", "background"):
            assert np.array_equal(results[0].reco_sums[name], other.reco_sums[name])
    index, offsets = lists.flat_index, lists.offsets
    got = results[0]
    n_true = fermi.exposure.data.shape[0]
    flat_mask = mask.reshape(11, -1)
    assert (
        np.diff(offsets) > 0
    ).sum() > 300  # many non-empty regions, so chunks hold many
    for r in range(len(regions)):
        idx = index[offsets[r] : offsets[r + 1]]
        safe = flat_mask[:, idx]
        assert np.array_equal(got.n_safe[r], safe.sum(axis=1))
        for name, cube in zip(("counts", "background"), cubes, strict=True):
            values = cube.reshape(11, -1)[:, idx].astype(np.float64)
            np.testing.assert_allclose(
                got.reco_sums[name][r],
                np.where(safe, values, 0).sum(axis=1),
                rtol=1e-12,
            )
        exposure = fermi.exposure.data.reshape(n_true, -1)[:, idx].astype(np.float64)
        expected = np.einsum("ep,jp->ej", safe, exposure).ravel()
        np.testing.assert_allclose(got.exposure_sums[r], expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# exposure means and numpy_sum cubes to the bit
# ---------------------------------------------------------------------------------------
NX, NY, N_TRUE, N_RECO = 90, 70, 3, 2


def _wcs():
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [83.6, 22.0]
    wcs.wcs.crpix = [(NX + 1) / 2, (NY + 1) / 2]
    wcs.wcs.cdelt = [-0.02, 0.02]
    return wcs


def _regions():
    center = SkyCoord(83.6, 22.0, unit="deg")
    annuli = fp.make_concentric_annulus_sky_regions(
        center, radius_max=0.6 * u.deg, nbin=12
    )
    boxes = fp.make_orthogonal_rectangle_sky_regions(
        SkyCoord(84.0, 21.7, unit="deg"),
        SkyCoord(83.2, 22.3, unit="deg"),
        _wcs(),
        0.3 * u.deg,
        nbin=9,
    )
    # one box reaching beyond the map: partly off the map, no exact mean
    edge = fp.make_orthogonal_rectangle_sky_regions(
        SkyCoord(84.5, 22.0, unit="deg"),
        SkyCoord(84.6, 22.0, unit="deg"),
        _wcs(),
        0.3 * u.deg,
        nbin=1,
    )
    return [*annuli, *boxes, *edge]


def _reduce(exposure, mask=None, containment="center"):
    shapes = fp.sky_regions_to_pixel_shapes(_regions(), _wcs())
    counts = np.ones((N_RECO, NY, NX))
    inputs = _core.ReduceInputs(
        shapes,
        [_core.Cube("counts", counts, non_negative=True)],
        mask=mask,
        exposure=exposure,
    )
    sums = _core.reduce_regions(
        inputs, _core.ReduceOptions(_core.Containment[containment])
    )
    pixels = _core.region_pixels(shapes, NX, NY, 1)
    return sums, pixels


def _numpy_means(exposure, pixels):
    index, offsets = pixels.flat_index, pixels.offsets
    planes = exposure.reshape(N_TRUE, -1)
    out = []
    for r in range(len(offsets) - 1):
        flat = index[offsets[r] : offsets[r + 1]]
        # Gammapy: the plane's values at the region's pixels in row-major order, np.mean
        out.append([float(np.mean(plane[np.sort(flat)])) for plane in planes])
    return np.array(out)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exposure_means_equal_numpy_to_the_bit(dtype):
    rng = np.random.default_rng(11)
    exposure = (rng.lognormal(25, 1.5, (N_TRUE, NY, NX))).astype(dtype)
    sums, pixels = _reduce(exposure)
    got = sums.exposure_means
    expected = _numpy_means(exposure, pixels)
    inside = sums.npix_inmap == sums.npix_total
    assert inside.sum() == len(inside) - 1  # the edge box alone sticks out
    assert np.array_equal(got[inside], expected[inside])
    assert np.isnan(got[~inside]).all()
    # the old double-precision mean is not it (the test would be empty otherwise)
    plain = sums.exposure_sums[:, :N_TRUE] / sums.npix_total[:, None]
    if dtype == np.float32:
        assert not np.array_equal(plain[inside], expected[inside])


def test_no_exact_mean_for_integer_cubes_or_weighted_pixels():
    exposure = np.arange(N_TRUE * NY * NX, dtype=np.int64).reshape(N_TRUE, NY, NX)
    assert np.isnan(_reduce(exposure)[0].exposure_means).all()
    exposure = exposure.astype(np.float32)
    assert np.isnan(_reduce(exposure, containment="exact")[0].exposure_means).all()


def test_fold_signal_uses_the_mean_where_all_pixels_are_safe():
    rng = np.random.default_rng(5)
    exposure = (rng.lognormal(25, 1.5, (N_TRUE, NY, NX))).astype(np.float32)
    mask = np.ones((N_RECO, NY, NX), dtype=np.uint8)
    mask[1, :, : NX // 2] = 0  # reco bin 1: the left half of the map is not safe
    sums, _ = _reduce(exposure, mask=mask)
    flux = np.array([1e-12, 3e-13, 5e-14])
    kernels = rng.uniform(0, 1, (1, N_TRUE, N_RECO))
    signal = _core.fold_signal(
        sums.exposure_sums,
        sums.npix_total,
        flux,
        1e4,
        kernels,
        1,
        exposure_means=sums.exposure_means,
        n_safe=sums.n_safe,
    )
    whole = sums.n_safe == sums.npix_total[:, None]
    assert whole[:, 0].sum() > 0
    assert (~whole[:, 1]).sum() > 0
    for r in range(len(signal)):
        for i in range(N_RECO):
            means = sums.exposure_means[r]
            if not (whole[r, i] and np.isfinite(means).all()):
                means = (
                    sums.exposure_sums[r, i * N_TRUE : (i + 1) * N_TRUE]
                    / sums.npix_total[r]
                )
            expected = sum(
                means[j] * flux[j] * 1e4 * kernels[0, j, i] for j in range(N_TRUE)
            )
            assert signal[r, i] == pytest.approx(expected, rel=1e-14, abs=0)
    with pytest.raises(ValueError, match="both exposure_means and n_safe"):
        _core.fold_signal(
            sums.exposure_sums,
            sums.npix_total,
            flux,
            1e4,
            kernels,
            1,
            exposure_means=sums.exposure_means,
        )


def _numpy_masked_sums(cube, mask, regions):
    """np.sum of each plane over each region's safe pixels, selected by boolean indexing
    (row-major order), as Gammapy's to_region_nd_map(np.sum, weights=mask_safe) does."""
    wcs = _wcs()
    y, x = np.mgrid[:NY, :NX]
    insides = [r.to_pixel(wcs).contains(PixCoord(x, y)) for r in regions]
    return np.array(
        [
            [np.sum(plane[inside & m]) for plane, m in zip(cube, mask, strict=True)]
            for inside in insides
        ]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_numpy_sum_cubes_equal_numpy_masked_sums_to_the_bit(dtype, n_threads):
    rng = np.random.default_rng(7)
    cube = rng.normal(10.0, 3.0, (N_RECO, NY, NX)).astype(dtype)
    mask = np.ones((N_RECO, NY, NX), dtype=bool)
    mask[1, :, : NX // 2] = False  # reco bin 1: the mask cuts through some regions
    regions = _regions()[:-1]  # all inside the map
    shapes = fp.sky_regions_to_pixel_shapes(regions, _wcs())
    cubes = [
        _core.Cube("numpy order", cube, numpy_sum=True),
        _core.Cube("double", cube),
    ]
    sums = _core.reduce_regions(
        _core.ReduceInputs(shapes, cubes, mask=mask.view(np.uint8)), n_threads=n_threads
    )
    expected = _numpy_masked_sums(cube, mask, regions)
    cut = (sums.n_safe[:, 1] > 0) & (sums.n_safe[:, 1] < sums.npix_total)
    assert cut.any()
    assert sums.npix_total.max() > 256  # NumPy's pairwise halves are exercised
    assert np.array_equal(sums.reco_sums["numpy order"], expected.astype(np.float64))
    if dtype == np.float32:
        assert not np.array_equal(
            sums.reco_sums["double"], expected.astype(np.float64)
        )  # not the double sum


def test_numpy_sum_cubes_still_report_bad_values_unless_allowed():
    shapes = fp.sky_regions_to_pixel_shapes(_regions()[:1], _wcs())
    pixels = _core.region_pixels(shapes, NX, NY, 1)
    flat = int(pixels.flat_index[3])
    cube = np.ones((1, NY, NX), dtype=np.float32)
    cube.reshape(-1)[flat] = np.nan

    def reduce(name, **flags):
        return _core.reduce_regions(
            _core.ReduceInputs(
                shapes, [_core.Cube(name, cube, numpy_sum=True, **flags)]
            )
        )

    with pytest.raises(
        _core.InvalidInput,
        match=rf"acceptance must be finite .* got nan in region 0 at \(plane, y, x\) = \(0, {flat // NX}, {flat % NX}\)",
    ):
        reduce("acceptance")
    sums = reduce("acceptance", must_be_finite=False)
    assert np.isnan(sums.reco_sums["acceptance"][0, 0])
    cube.reshape(-1)[flat] = -1.0
    with pytest.raises(
        _core.InvalidInput,
        match=r"counts must be finite and >= 0 .* got -1 in region 0",
    ):
        reduce("counts", non_negative=True)


# ---------------------------------------------------------------------------------------
# arrays as the core reads them: the one normalisation of the pipeline
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "int16", "int32", "int64", "uint8"]
)
def test_core_array_reads_core_dtypes_in_place(dtype):
    cube = np.arange(24, dtype=dtype).reshape(2, 3, 4)
    assert np.shares_memory(core_array(cube), cube)


def test_core_array_converts_what_the_core_cannot_read():
    cube = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    big = cube.astype(">f4")
    native = core_array(big)
    assert native.dtype == np.dtype("=f4")
    assert np.array_equal(native, cube)
    fortran = core_array(np.asfortranarray(cube))
    assert fortran.flags.c_contiguous
    assert np.array_equal(fortran, cube)
    mask = cube > 5
    view = core_array(mask)
    assert view.dtype == np.uint8
    assert np.shares_memory(view, mask)
    assert np.array_equal(view, mask)
    odd = core_array(cube.astype(np.int8))
    assert odd.dtype == np.float64
    assert np.array_equal(odd, cube)
    # big-endian FITS data reduce to the same sums as native data
    shapes = fp.sky_regions_to_pixel_shapes(_regions()[:3], _wcs())
    counts = np.random.default_rng(2).poisson(5.0, (N_RECO, NY, NX)).astype(np.float64)
    sums = [
        _core.reduce_regions(
            _core.ReduceInputs(shapes, [_core.Cube("counts", core_array(c))])
        ).reco_sums["counts"]
        for c in (counts, counts.astype(">f8"), np.asfortranarray(counts))
    ]
    assert np.array_equal(sums[0], sums[1])
    assert np.array_equal(sums[0], sums[2])


def test_reduce_dataset_names_a_bad_containment():
    with pytest.raises(
        ValueError, match="containment must be 'center' or 'exact', got 'area'"
    ):
        reduce_dataset(None, None, None, None, 1, containment="area")


# -- several datasets in one core call (joint fits) -------------------------------------
def _reduced_fields(reduced):
    return {
        name: getattr(reduced, name)
        for name in (
            "counts",
            "background",
            "alpha",
            "signal",
            "safe",
            "npix_total",
            "npix_inmap",
            "solid_angle",
            "alpha_undefined",
            "no_off",
        )
    }


@pytest.mark.parametrize("containment", ["center", "exact"])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_reduce_datasets_equals_one_reduction_per_dataset(containment, n_threads):
    from small_datasets import small_dataset, small_onoff

    from fluxprofile.pipeline.geometry import GeometryCache, clear_caches
    from fluxprofile.pipeline.reduce import reduce_datasets

    for make in (
        lambda: [small_dataset(0), small_dataset(1), small_dataset(2, False)],
        lambda: [small_onoff("a", 1), small_onoff("b", 2)],
    ):
        datasets = make()
        wcs = datasets[0].counts.geom.wcs
        ny, nx = datasets[0].counts.data.shape[-2:]
        centre = wcs.pixel_to_world(nx / 2 - 0.5, ny / 2 - 0.5)
        regions = fp.make_concentric_annulus_sky_regions(
            centre, 3 * abs(wcs.wcs.cdelt[0]) * u.deg, nbin=4
        )
        model = fp.PowerLawSpectralModel(index=2.3)
        clear_caches()
        joint = reduce_datasets(
            datasets,
            GeometryCache().snapshot(regions),
            model,
            n_threads,
            containment,
        )
        assert [r.name for r in joint] == [d.name for d in datasets]
        centers = fp.region_centers(regions)
        for d, r in zip(datasets, joint, strict=True):
            shapes = fp.sky_regions_to_pixel_shapes(regions, d.counts.geom.wcs)
            alone = reduce_dataset(d, shapes, centers, model, 1, containment)
            for name, value in _reduced_fields(alone).items():
                np.testing.assert_array_equal(
                    _reduced_fields(r)[name], value, err_msg=name
                )


def test_reduce_datasets_names_the_bad_dataset():
    from small_datasets import small_dataset

    from fluxprofile.pipeline.geometry import GeometryCache
    from fluxprofile.pipeline.reduce import reduce_datasets

    good, bad = small_dataset(0), small_dataset(1)
    bad.name = "bad"
    bad.counts.data[0] = -1
    wcs = good.counts.geom.wcs
    regions = fp.make_concentric_annulus_sky_regions(
        wcs.pixel_to_world(4, 3), 3 * abs(wcs.wcs.cdelt[0]) * u.deg, nbin=3
    )
    with pytest.raises(ValueError, match=r"dataset 'bad': .*counts"):
        reduce_datasets(
            [good, bad],
            GeometryCache().snapshot(regions),
            fp.PowerLawSpectralModel(),
            1,
        )


def test_pixel_solid_angles_kernel_equals_the_numpy_formula():
    rng = np.random.default_rng(3)
    lon = np.deg2rad(rng.uniform(0, 360, (7, 9)))
    lat = np.deg2rad(rng.uniform(-89, 89, (7, 9)))
    xyz = np.stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1
    )
    xyz[3, 4] = np.nan

    def tri(a, b, c):
        triple = np.einsum("...i,...i->...", a, np.cross(b, c))
        den = (
            1.0 + np.einsum("...i,...i->...", a, b) + np.einsum("...i,...i->...", b, c)
        )
        den = den + np.einsum("...i,...i->...", c, a)
        return 2.0 * np.arctan2(np.abs(triple), den)

    a, b, c, d = xyz[:-1, :-1], xyz[:-1, 1:], xyz[1:, 1:], xyz[1:, :-1]
    expected = tri(a, b, c) + tri(a, c, d)
    for n_threads in (1, 2):
        got = _core.pixel_solid_angles(np.ascontiguousarray(xyz), n_threads)
        assert got.shape == (6, 8)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_allclose(got, expected, rtol=1e-13, equal_nan=True)
    with pytest.raises(ValueError, match=r"xyz must have shape"):
        _core.pixel_solid_angles(np.zeros((1, 3, 3)))


@pytest.mark.parametrize("mask_kind", ["energy_only", "mixed", "first_pixel_unsafe"])
def test_exposure_sums_with_energy_dependent_masks_equal_numpy(mask_kind):
    # pixels safe in the same reco bins as the region's first one share one exposure sum
    # per true bin (docs/performance.rst); every mask gives NumPy's masked sums
    rng = np.random.default_rng(5)
    exposure = rng.uniform(1.0, 2.0, (N_TRUE, NY, NX))
    mask = np.ones((N_RECO, NY, NX), dtype=bool)
    if mask_kind == "energy_only":
        mask[1] = False  # bin 1 unsafe everywhere
    elif mask_kind == "mixed":
        mask[1, :, : NX // 2] = False
    else:
        mask[0] = rng.uniform(size=(NY, NX)) < 0.5
    exposure[:, ~mask.any(axis=0)] = np.nan  # never safe: never read as bad
    sums, pixels = _reduce(exposure, mask.view(np.uint8))
    flat = exposure.reshape(N_TRUE, -1)
    safe = mask.reshape(N_RECO, -1)
    for r in range(len(pixels)):
        idx = pixels.flat_index[pixels.offsets[r] : pixels.offsets[r + 1]]
        for i in range(N_RECO):
            for j in range(N_TRUE):
                chosen = idx[safe[i, idx]]
                expected = float(np.sum(flat[j, chosen])) if chosen.size else 0.0
                got = sums.exposure_sums[r, i * N_TRUE + j]
                assert got == pytest.approx(expected, rel=1e-13, abs=0)


def test_joint_profile_gti_is_every_dataset_gti_once_per_region():
    # stacked once and tiled per region: the table vstack of the repeated list gives
    from astropy.table import Table, vstack
    from small_datasets import small_dataset

    datasets = []
    for k in range(3):
        d = small_dataset(k)
        d.name = f"d{k}"
        d.gti = Table(
            {"START": [10.0 * k, 10.0 * k + 3], "STOP": [10.0 * k + 2, 10.0 * k + 5]}
        )
        datasets.append(d)
    wcs = datasets[0].counts.geom.wcs
    regions = fp.make_concentric_annulus_sky_regions(
        wcs.pixel_to_world(2.5, 1.5), 3 * abs(wcs.wcs.cdelt[0]) * u.deg, nbin=4
    )
    profile = fp.FluxProfileEstimator(regions, energy_edges=[10, 100] * u.GeV).run(
        datasets
    )
    expected = vstack([d.gti for d in datasets] * len(regions))
    got = profile.gti.table if hasattr(profile.gti, "table") else profile.gti
    assert got.colnames == expected.colnames
    for name in expected.colnames:
        np.testing.assert_array_equal(got[name], expected[name])
