"""A region's exposure is np.mean over its pixels to the bit, as Gammapy reduces it, and
reco cubes flagged ``numpy_sum`` are np.sum over the region's safe pixels to the bit.

Gammapy's norm_err is MIGRAD's covariance, which moves by ~1e-3 relative when the statistic
changes by 1e-10 (float32 round-off of a mean does that), so the core reproduces NumPy's
pairwise float32 / float64 summation and its division, and `fold_signal` uses that mean
wherever all of a region's pixels are safe. The on-off reduction sums its OFF counts,
background and acceptance that way (docs/onoff.rst).
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from regions import PixCoord

import fluxprofile as fp
from fluxprofile import _core

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
    annuli = fp.make_concentric_annulus_sky_regions(center, radius_max=0.6 * u.deg, nbin=12)
    boxes = fp.make_orthogonal_rectangle_sky_regions(
        SkyCoord(84.0, 21.7, unit="deg"), SkyCoord(83.2, 22.3, unit="deg"), _wcs(), 0.3 * u.deg, nbin=9
    )
    # one box reaching beyond the map: partly off the map, no exact mean
    edge = fp.make_orthogonal_rectangle_sky_regions(
        SkyCoord(84.5, 22.0, unit="deg"), SkyCoord(84.6, 22.0, unit="deg"), _wcs(), 0.3 * u.deg, nbin=1
    )
    return [*annuli, *boxes, *edge]


def _reduce(exposure, mask=None, containment="center"):
    shapes = fp.sky_regions_to_pixel_shapes(_regions(), _wcs())
    counts = np.ones((N_RECO, NY, NX))
    sums = _core.reduce_regions(
        shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, NX, NY, N_RECO,
        [counts], ["counts"], [True], mask=mask, exposure=exposure, containment=containment,
    )  # fmt: skip
    pixels = _core.region_pixels(shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, NX, NY, 1)
    return sums, pixels


def _numpy_means(exposure, pixels):
    index, offsets = pixels[0], pixels[1]
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
    got = sums["exposure_means"]
    expected = _numpy_means(exposure, pixels)
    inside = sums["npix_inmap"] == sums["npix_total"]
    assert inside.sum() == len(inside) - 1  # the edge box alone sticks out
    assert np.array_equal(got[inside], expected[inside])
    assert np.isnan(got[~inside]).all()
    # the old double-precision mean is not it (the test would be empty otherwise)
    plain = sums["exposure_sums"][:, :N_TRUE] / sums["npix_total"][:, None]
    if dtype == np.float32:
        assert not np.array_equal(plain[inside], expected[inside])


def test_no_exact_mean_for_integer_cubes_or_weighted_pixels():
    exposure = np.arange(N_TRUE * NY * NX, dtype=np.int64).reshape(N_TRUE, NY, NX)
    assert np.isnan(_reduce(exposure)[0]["exposure_means"]).all()
    exposure = exposure.astype(np.float32)
    assert np.isnan(_reduce(exposure, containment="exact")[0]["exposure_means"]).all()


def test_fold_signal_uses_the_mean_where_all_pixels_are_safe():
    rng = np.random.default_rng(5)
    exposure = (rng.lognormal(25, 1.5, (N_TRUE, NY, NX))).astype(np.float32)
    mask = np.ones((N_RECO, NY, NX), dtype=np.uint8)
    mask[1, :, : NX // 2] = 0  # reco bin 1: the left half of the map is not safe
    sums, _ = _reduce(exposure, mask=mask)
    flux = np.array([1e-12, 3e-13, 5e-14])
    kernels = rng.uniform(0, 1, (1, N_TRUE, N_RECO))
    signal = _core.fold_signal(
        sums["exposure_sums"], sums["npix_total"], flux, 1e4, kernels, 1,
        exposure_means=sums["exposure_means"], n_safe=sums["n_safe"],
    )  # fmt: skip
    whole = sums["n_safe"] == sums["npix_total"][:, None]
    assert whole[:, 0].sum() > 0
    assert (~whole[:, 1]).sum() > 0
    for r in range(len(signal)):
        for i in range(N_RECO):
            means = sums["exposure_means"][r]
            if not (whole[r, i] and np.isfinite(means).all()):
                means = sums["exposure_sums"][r, i * N_TRUE : (i + 1) * N_TRUE] / sums["npix_total"][r]
            expected = sum(means[j] * flux[j] * 1e4 * kernels[0, j, i] for j in range(N_TRUE))
            assert signal[r, i] == pytest.approx(expected, rel=1e-14, abs=0)
    with pytest.raises(ValueError, match="both exposure_means and n_safe"):
        _core.fold_signal(sums["exposure_sums"], sums["npix_total"], flux, 1e4, kernels, 1, exposure_means=sums["exposure_means"])


def _numpy_masked_sums(cube, mask, regions):
    """np.sum of each plane over each region's safe pixels, selected by boolean indexing
    (row-major order), as Gammapy's to_region_nd_map(np.sum, weights=mask_safe) does."""
    wcs = _wcs()
    y, x = np.mgrid[:NY, :NX]
    insides = [r.to_pixel(wcs).contains(PixCoord(x, y)) for r in regions]
    return np.array([[np.sum(plane[inside & m]) for plane, m in zip(cube, mask, strict=True)] for inside in insides])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_numpy_sum_cubes_equal_numpy_masked_sums_to_the_bit(dtype, n_threads):
    rng = np.random.default_rng(7)
    cube = rng.normal(10.0, 3.0, (N_RECO, NY, NX)).astype(dtype)
    mask = np.ones((N_RECO, NY, NX), dtype=bool)
    mask[1, :, : NX // 2] = False  # reco bin 1: the mask cuts through some regions
    regions = _regions()[:-1]  # all inside the map
    shapes = fp.sky_regions_to_pixel_shapes(regions, _wcs())
    args = (shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, NX, NY, N_RECO)
    sums = _core.reduce_regions(*args, [cube, cube], ["numpy order", "double"], [False, False],
                                mask=mask.view(np.uint8), numpy_sum=[True, False], n_threads=n_threads)  # fmt: skip
    expected = _numpy_masked_sums(cube, mask, regions)
    cut = (sums["n_safe"][:, 1] > 0) & (sums["n_safe"][:, 1] < sums["npix_total"])
    assert cut.any()
    assert sums["npix_total"].max() > 256  # NumPy's pairwise halves are exercised
    assert np.array_equal(sums["reco_sums"][0], expected.astype(np.float64))
    if dtype == np.float32:
        assert not np.array_equal(sums["reco_sums"][1], expected.astype(np.float64))  # not the double sum


def test_numpy_sum_cubes_still_report_bad_values_unless_allowed():
    shapes = fp.sky_regions_to_pixel_shapes(_regions()[:1], _wcs())
    args = (shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, NX, NY, 1)
    pixels = _core.region_pixels(*args[:6], 1)
    flat = int(pixels[0][3])
    cube = np.ones((1, NY, NX), dtype=np.float32)
    cube.reshape(-1)[flat] = np.nan
    with pytest.raises(_core.InvalidInput, match=rf"acceptance must be finite .* got nan in region 0 at \(plane, y, x\) = \(0, {flat // NX}, {flat % NX}\)"):
        _core.reduce_regions(*args, [cube], ["acceptance"], [False], numpy_sum=[True])
    sums = _core.reduce_regions(*args, [cube], ["acceptance"], [False], numpy_sum=[True], must_be_finite=[False])
    assert np.isnan(sums["reco_sums"][0][0, 0])
    cube.reshape(-1)[flat] = -1.0
    with pytest.raises(_core.InvalidInput, match=r"counts must be finite and >= 0 .* got -1 in region 0"):
        _core.reduce_regions(*args, [cube], ["counts"], [True], numpy_sum=[True])
