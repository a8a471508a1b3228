"""Tests of fluxprofile.datamodel.geom: WcsGeom conventions, pixel/sky transforms and solid angles."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from fluxprofile import MapAxis, WcsGeom


def test_wcsgeom_create_conventions():
    energy = MapAxis.from_energy_bounds("10 GeV", "500 GeV", 11)
    geom = WcsGeom.create(
        skydir=(0, 0), binsz=0.05, width=(20, 10), frame="galactic", axes=[energy]
    )
    assert geom.npix == (400, 200)
    assert geom.data_shape == (11, 200, 400)
    np.testing.assert_allclose(geom.wcs.wcs.crpix, [200.5, 100.5])
    np.testing.assert_allclose(geom.wcs.wcs.cdelt, [-0.05, 0.05])
    assert list(geom.wcs.wcs.ctype) == ["GLON-CAR", "GLAT-CAR"]
    assert geom.frame == "galactic"
    assert geom.projection == "CAR"
    center = geom.center_skydir
    assert center.l.deg == pytest.approx(0, abs=1e-12)
    assert center.b.deg == pytest.approx(0, abs=1e-12)
    np.testing.assert_allclose(geom.width.to_value(u.deg), [20, 10])
    assert geom.to_image().data_shape == (200, 400)
    assert geom.to_image().is_image
    assert geom.axes.names == ["energy"]
    icrs = WcsGeom.create(
        skydir=SkyCoord(83.63, 22.01, unit="deg"), binsz=(0.1, 0.2), npix=(10, 5)
    )
    assert icrs.frame == "icrs"
    assert list(icrs.wcs.wcs.ctype) == ["RA---CAR", "DEC--CAR"]
    np.testing.assert_allclose(icrs.wcs.wcs.crval, [83.63, 22.01])
    np.testing.assert_allclose(icrs.wcs.wcs.crpix, [5.5, 3.0])
    assert "galactic" in repr(geom)
    assert "CAR" in repr(geom)


def test_wcsgeom_pixel_sky_round_trip():
    geom = WcsGeom.create(skydir=(10, 5), binsz=0.1, width=(4, 2), frame="galactic")
    x = np.array([0.0, 3.3, 39.0])
    y = np.array([0.0, 7.1, 19.0])
    coord = geom.pix_to_skycoord(x, y)
    x2, y2 = geom.skycoord_to_pix(coord.icrs)
    np.testing.assert_allclose(x2, x, atol=1e-8)
    np.testing.assert_allclose(y2, y, atol=1e-8)
    grid = geom.get_skycoord()
    assert grid.shape == (20, 40)
    with pytest.raises(TypeError, match="SkyCoord"):
        geom.skycoord_to_pix((1, 2))


def test_solid_angle_closed_form_and_full_sky():
    geom = WcsGeom.create(skydir=(0, 0), binsz=0.05, width=(2, 2), frame="galactic")
    omega = geom.solid_angle()
    assert omega.unit == u.sr
    assert omega.shape == (40, 40)
    # lat-lon cell area, dlon * (sin b2 - sin b1): equal to the geodesic cell to << 1e-6
    b_edges = np.radians(np.arange(41) * 0.05 - 1.0)
    cell = np.radians(0.05) * np.diff(np.sin(b_edges))
    np.testing.assert_allclose(
        omega.value, np.broadcast_to(cell[:, None], (40, 40)), rtol=1e-6
    )
    # the pixels of an all-sky CAR map tile the sphere
    allsky = WcsGeom.create(binsz=2.0, frame="icrs")
    assert allsky.npix == (180, 90)
    assert allsky.solid_angle().sum().value == pytest.approx(4 * np.pi, rel=1e-12)


def test_wcsgeom_errors_and_equality():
    geom = WcsGeom.create(binsz=1, width=(10, 5))
    with pytest.raises(TypeError, match="wcs"):
        WcsGeom("header", (1, 1))
    with pytest.raises(ValueError, match="npix"):
        WcsGeom(geom.wcs, (0, 3))
    with pytest.raises(ValueError, match="binsz"):
        WcsGeom.create(binsz=-1, width=3)
    with pytest.raises(ValueError, match="no pixel"):
        WcsGeom.create(binsz=1, width=0.2)
    with pytest.raises(TypeError, match="skydir"):
        WcsGeom.create(skydir="crab")
    assert geom == WcsGeom.create(binsz=1, width=(10, 5))
    assert geom != WcsGeom.create(binsz=1, width=(10, 6))
    assert geom != WcsGeom.create(binsz=1, width=(10, 5), frame="galactic")
