"""Reductions from precomputed pixel lists equal reductions that rasterise on the spot."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord

import fluxprofile as fp
from fluxprofile import _core
from fluxprofile.pipeline._profile import region_pixel_lists


@pytest.fixture(scope="module")
def fermi(fermi_gc_path):
    return fp.MapDataset.read(fermi_gc_path)


@pytest.mark.parametrize("containment", ["center", "exact"])
def test_precomputed_lists_give_identical_sums(fermi, containment):
    regions = fp.make_concentric_annulus_sky_regions(SkyCoord(0, 0, unit="deg", frame="galactic"), 2 * u.deg, nbin=21)
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    cubes = [_core.Cube("counts", fermi.counts.data, non_negative=True), _core.Cube("background", fermi.background.data)]
    kwargs = dict(mask=fermi.mask.view(np.uint8), exposure=fermi.exposure.data)
    options = _core.ReduceOptions(_core.Containment[containment])
    direct = _core.reduce_regions(_core.ReduceInputs(shapes, cubes, **kwargs), options)
    lists = region_pixel_lists(shapes, 400, 200, containment, 1)
    cached = _core.reduce_regions(_core.ReduceInputs(shapes, cubes, pixels=lists, **kwargs), options)
    for key in ("exposure_sums", "n_safe", "npix_total", "npix_inmap"):
        assert np.array_equal(getattr(direct, key), getattr(cached, key)), key
    assert list(direct.reco_sums) == list(cached.reco_sums) == ["counts", "background"]
    for name in direct.reco_sums:
        assert np.array_equal(direct.reco_sums[name], cached.reco_sums[name])


def test_malformed_pixel_lists_are_rejected(fermi):
    regions = fp.make_concentric_annulus_sky_regions(SkyCoord(0, 0, unit="deg", frame="galactic"), 1 * u.deg, nbin=3)
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    cubes = [_core.Cube("counts", fermi.counts.data, non_negative=True)]
    lists = region_pixel_lists(shapes, 400, 200, "center", 1)
    index, weights, offsets, totals = lists.flat_index, lists.weight, lists.offsets, lists.total
    bad_index = index.copy()
    bad_index[0] = 400 * 200
    bad = _core.PixelLists(bad_index, weights, offsets, totals, 400, 200)
    with pytest.raises(ValueError, match="flat index out of the map"):
        _core.reduce_regions(_core.ReduceInputs(shapes, cubes, pixels=bad))
    with pytest.raises(ValueError, match="offsets must have n \\+ 1 entries"):
        _core.PixelLists(index, weights, offsets[:-1], totals, 400, 200)
    # lists made for another map or another containment rule are refused before the core
    with pytest.raises(ValueError, match=r"pixels were made for a \(100, 400\) map, the cubes are \(200, 400\)"):
        _core.ReduceInputs(shapes, cubes, pixels=_core.PixelLists(index, weights, offsets, totals, 400, 100))
    with pytest.raises(ValueError, match="pixels were made for containment 'center'"):
        _core.reduce_regions(_core.ReduceInputs(shapes, cubes, pixels=lists), _core.ReduceOptions(_core.Containment.exact))
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
            SkyCoord(-8, 0, unit="deg", frame="galactic"), SkyCoord(8, 0, unit="deg", frame="galactic"),
            fermi.counts.geom.wcs, 2 * u.deg, nbin=600,
        )
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    mask = fermi.mask.copy()
    mask[3, :, :50] = False  # a reco bin with unsafe pixels: the exposure takes the per-bin path
    cubes = [fermi.counts.data, fermi.background.data]
    core_cubes = [_core.Cube("counts", cubes[0], non_negative=True), _core.Cube("background", cubes[1])]
    kwargs = dict(mask=mask.view(np.uint8), exposure=fermi.exposure.data)
    lists = region_pixel_lists(shapes, 400, 200, "center", 1)
    with_lists = _core.ReduceInputs(shapes, core_cubes, pixels=lists, **kwargs)
    results = [_core.reduce_regions(with_lists, n_threads=n) for n in (1, 2, 3)]
    # rasterised on the spot
    results.append(_core.reduce_regions(_core.ReduceInputs(shapes, core_cubes, **kwargs), n_threads=2))
    for other in results[1:]:
        for key in ("exposure_sums", "n_safe", "npix_total", "npix_inmap"):
            assert np.array_equal(getattr(results[0], key), getattr(other, key)), key
        for name in ("counts", "background"):
            assert np.array_equal(results[0].reco_sums[name], other.reco_sums[name])
    index, offsets = lists.flat_index, lists.offsets
    got = results[0]
    n_true = fermi.exposure.data.shape[0]
    flat_mask = mask.reshape(11, -1)
    assert (np.diff(offsets) > 0).sum() > 300  # many non-empty regions, so chunks hold many
    for r in range(len(regions)):
        idx = index[offsets[r] : offsets[r + 1]]
        safe = flat_mask[:, idx]
        assert np.array_equal(got.n_safe[r], safe.sum(axis=1))
        for name, cube in zip(("counts", "background"), cubes, strict=True):
            values = cube.reshape(11, -1)[:, idx].astype(np.float64)
            np.testing.assert_allclose(got.reco_sums[name][r], np.where(safe, values, 0).sum(axis=1), rtol=1e-12)
        exposure = fermi.exposure.data.reshape(n_true, -1)[:, idx].astype(np.float64)
        expected = np.einsum("ep,jp->ej", safe, exposure).ravel()
        np.testing.assert_allclose(got.exposure_sums[r], expected, rtol=1e-12)
