"""Tests of fluxprofile.datamodel.edisp: EDispKernelMap kernels read from the Fermi-LAT files
(region and WCS kernels, nearest-pixel choice by brute force) and the diagonal response in
closed form.
"""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from small_datasets import small_dataset

from fluxprofile import EDispKernelMap, MapAxis, MapDataset, WcsGeom

GC_K00, GC_K10 = 0.54433805, 0.45566195


@pytest.fixture(scope="module")
def gc(fermi_gc_path: Path) -> MapDataset:
    return MapDataset.read(fermi_gc_path)


@pytest.fixture(scope="module")
def crab(fermi_crab_path: Path) -> MapDataset:
    return MapDataset.read(fermi_crab_path)


def test_gc_edisp_kernel(gc):
    edisp = gc.edisp
    assert isinstance(edisp, EDispKernelMap)
    assert not edisp.is_spatial
    assert edisp.edisp_map is None
    assert edisp.energy_axis == gc.energy_axis
    assert edisp.energy_axis_true == gc.energy_axis_true
    positions = SkyCoord([0, 5, -8], [0, 1, -2], unit="deg", frame="galactic")
    kernels = edisp.get_kernels(positions)
    assert kernels.shape == (3, 12, 11)
    assert kernels.dtype == np.float64
    assert kernels[0, 0, 0] == pytest.approx(GC_K00, rel=1e-7)
    assert kernels[0, 1, 0] == pytest.approx(GC_K10, rel=1e-7)
    assert np.all(kernels[0].sum(axis=1) <= 1 + 1e-6)
    np.testing.assert_array_equal(kernels[1], kernels[0])
    np.testing.assert_array_equal(kernels[2], kernels[0])
    assert edisp.get_kernels(positions[0]).shape == (1, 12, 11)
    assert edisp.exposure.shape == (12, 1)
    with pytest.raises(TypeError, match="SkyCoord"):
        edisp.get_kernels((0, 0))
    with pytest.raises(ValueError, match="constant"):
        edisp.nearest_pixels(positions)


def test_crab_edisp_nearest_pixel(crab, fermi_crab_path):
    edisp = crab.edisp
    assert edisp.is_spatial
    raw = fits.getdata(fermi_crab_path, "EDISP").astype(
        np.float64
    )  # (n_true, n_reco, ny, nx)
    assert edisp.data.shape == raw.shape == (5, 5, 20, 25)
    geom = edisp.geom
    rng = np.random.default_rng(3)
    ix = rng.integers(0, 25, 30)
    iy = rng.integers(0, 20, 30)
    # positions within 0.3 pixel of a pixel centre: that pixel is the nearest one
    dx, dy = rng.uniform(-0.3, 0.3, (2, 30))
    positions = geom.pix_to_skycoord(ix + dx, iy + dy)
    kernels = edisp.get_kernels(positions.icrs)
    for k, i, j in zip(kernels, ix, iy, strict=True):
        np.testing.assert_array_equal(k, raw[:, :, j, i])
    # brute force: the pixel centre with the smallest angular separation
    centres = geom.get_skycoord()
    for pos, i, j in zip(positions[:5], ix, iy, strict=False):
        sep = pos.separation(centres).deg
        assert np.unravel_index(np.argmin(sep), sep.shape) == (j, i)
    # outside the coarse grid: nearest edge pixel
    outside = geom.pix_to_skycoord([-3.0, 30.0], [5.0, 25.0])
    k_out = edisp.get_kernels(outside)
    np.testing.assert_array_equal(k_out[0], raw[:, :, 5, 0])
    np.testing.assert_array_equal(k_out[1], raw[:, :, 19, 24])
    assert np.all(raw.sum(axis=1) <= 1 + 1e-6)


def test_diagonal_response_closed_form():
    same = MapAxis.from_energy_edges([1, 2, 4, 8] * u.TeV)
    kernel = EDispKernelMap.from_diagonal_response(same, same.copy(name="energy_true"))
    np.testing.assert_allclose(kernel.data, np.eye(3), atol=1e-15)
    reco = MapAxis.from_energy_edges([1, 3, 4] * u.TeV)
    true = MapAxis.from_energy_edges([1000, 2000, 4000] * u.GeV, name="energy_true")
    k = EDispKernelMap.from_diagonal_response(reco, true)
    # true [1, 2] lies in reco [1, 3]; true [2, 4]: half in [1, 3], half in [3, 4]
    np.testing.assert_allclose(k.data, [[1.0, 0.0], [0.5, 0.5]], atol=1e-14)
    swapped = EDispKernelMap.from_diagonal_response(true, reco)
    np.testing.assert_array_equal(swapped.data, k.data)
    geom = WcsGeom.create(binsz=1, width=(3, 2))
    spatial = EDispKernelMap.from_diagonal_response(reco, true, geom=geom)
    assert spatial.data.shape == (2, 2, 2, 3)
    pos = SkyCoord([0.3, -1.0], [0.0, 0.4], unit="deg")
    np.testing.assert_allclose(
        spatial.get_kernels(pos), np.broadcast_to(k.data, (2, 2, 2))
    )
    small = small_dataset(with_edisp=False)
    assert small.edisp is None
    fallback = small.edisp_or_diagonal()
    assert fallback.data.shape == (4, 3)
    assert np.all(fallback.data.sum(axis=1) <= 1 + 1e-12)
    with pytest.raises(ValueError, match="data shape"):
        EDispKernelMap(np.zeros((3, 3)), true, reco)
