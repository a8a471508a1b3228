"""Tests of fluxprofile.datamodel.map: Map data handling, sums, smoothing (against
scipy.ndimage and astropy, as Gammapy smooths) and cutouts."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from fluxprofile import Map, MapAxis, MapDataset, WcsGeom, WcsNDMap


def _cube_geom() -> WcsGeom:
    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 3)
    return WcsGeom.create(
        skydir=(0, 0), binsz=0.5, width=(3, 2), frame="galactic", axes=[energy]
    )


def test_map_uses_data_in_place_and_sums():
    geom = _cube_geom()
    data = np.arange(np.prod(geom.data_shape), dtype=np.int32).reshape(geom.data_shape)
    m = Map(geom, data, unit="")
    assert m.data is data
    assert WcsNDMap is Map
    image = m.sum_over_axes()
    assert image.geom.is_image
    np.testing.assert_array_equal(image.data, data.sum(axis=0))
    kept = m.sum_over_axes(keepdims=True)
    assert kept.data.shape == (1, 4, 6)
    assert kept.geom.axes[0].nbin == 1
    fdata = data.astype(np.float32)
    fdata[0, 0, 0] = np.nan
    fm = Map(geom, fdata, unit="cm2 s")
    assert np.isfinite(fm.sum_over_axes().data).all()
    assert fm.quantity.unit == u.Unit("cm2 s")
    assert np.shares_memory(fm.quantity.value, fdata)
    copy = fm.copy()
    assert not np.shares_memory(copy.data, fdata)
    assert "Map" in repr(m)
    assert "int32" in repr(m)


def test_map_from_geom_and_errors():
    geom = _cube_geom()
    zeros = Map.from_geom(geom, unit="sr", dtype=np.float32)
    assert zeros.data.shape == geom.data_shape
    assert zeros.data.dtype == np.float32
    assert not zeros.data.any()
    with pytest.raises(ValueError, match="data shape"):
        Map(geom, np.zeros((2, 4, 6)))
    with pytest.raises(TypeError, match="WcsGeom"):
        Map("geom", np.zeros(3))
    with pytest.raises(TypeError, match="unit"):
        Map(geom, np.zeros(geom.data_shape) * u.m)
    with pytest.raises(ValueError, match="unit"):
        Map(geom, np.zeros(geom.data_shape), unit="not-a-unit")


# ---- sky images -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def counts_image(fermi_gc_path):
    return MapDataset.read(fermi_gc_path).counts.sum_over_axes()


def test_sum_over_axes_and_smooth_match_scipy(fermi_gc_path, counts_image):
    from astropy.convolution import Tophat2DKernel
    from scipy import ndimage

    counts = MapDataset.read(fermi_gc_path).counts
    np.testing.assert_array_equal(counts_image.data, counts.data.sum(axis=0))
    smoothed = counts_image.smooth("0.1 deg")  # 2 pixels of 0.05 deg
    assert smoothed.geom == counts_image.geom
    np.testing.assert_allclose(
        smoothed.data,
        ndimage.gaussian_filter(counts_image.data.astype(float), 2.0),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        counts_image.smooth(3.3).data,
        ndimage.gaussian_filter(counts_image.data.astype(float), 3.3),
        rtol=1e-12,
        atol=1e-12,
    )
    kernel = Tophat2DKernel(2.5)
    kernel.normalize("integral")
    np.testing.assert_allclose(
        counts_image.smooth(2.5, kernel="disk").data,
        ndimage.convolve(counts_image.data.astype(float), kernel.array),
        rtol=1e-12,
        atol=1e-12,
    )
    cube = counts.smooth(1.5)  # each energy plane on its own
    np.testing.assert_allclose(
        cube.data[3],
        ndimage.gaussian_filter(counts.data[3].astype(float), 1.5),
        rtol=1e-12,
        atol=1e-12,
    )
    with pytest.raises(ValueError, match="kernel must be"):
        counts_image.smooth(1, kernel="box")
    with pytest.raises(ValueError, match="width must be positive"):
        counts_image.smooth(0)


def test_cutout_around_the_galactic_centre(counts_image):
    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    cutout = counts_image.cutout(center, 3 * u.deg)
    # 400 x 200 pixels of 0.05 deg centred on (0, 0): the GC is at pixel (199.5, 99.5),
    # so 60 x 60 pixels from (170, 70)
    assert cutout.geom.npix == (60, 60)
    np.testing.assert_array_equal(cutout.data, counts_image.data[70:130, 170:230])
    sky = cutout.geom.pix_to_skycoord([0, 59], [0, 59])
    parent = counts_image.geom.pix_to_skycoord([170, 229], [70, 129])
    assert np.all(sky.separation(parent).deg < 1e-10)
    rect = counts_image.cutout(center, (4 * u.deg, 2 * u.deg))
    assert rect.geom.npix == (80, 40)
    with pytest.raises(TypeError, match="SkyCoord"):
        counts_image.cutout((0, 0), 1 * u.deg)
