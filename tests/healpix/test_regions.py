"""Regions on the sphere: the core's pixel centres inside each region against a
brute-force selection with astropy frames, across l = 0/360, the poles and frames."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hpx_helpers import brute_force_inside
from regions import (
    CircleAnnulusSkyRegion,
    CirclePixelRegion,
    CircleSkyRegion,
    PixCoord,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

from fluxprofile.datamodel.hpx_geom import HpxGeom
from fluxprofile.regions.healpix import healpix_pixel_lists, sphere_shapes


def _regions():
    gal = "galactic"
    return [
        # across l = 0/360, rotated
        RectangleSkyRegion(
            SkyCoord(0.37, 1.13, unit="deg", frame=gal),
            7.3 * u.deg,
            3.1 * u.deg,
            27.0 * u.deg,
        ),
        # at the north galactic pole and near the south one
        RectangleSkyRegion(
            SkyCoord(33.3, 89.7, unit="deg", frame=gal),
            12.1 * u.deg,
            5.3 * u.deg,
            -61.0 * u.deg,
        ),
        CircleSkyRegion(SkyCoord(211.1, -88.9, unit="deg", frame=gal), 6.7 * u.deg),
        CircleAnnulusSkyRegion(
            SkyCoord(359.2, -0.4, unit="deg", frame=gal), 2.3 * u.deg, 9.7 * u.deg
        ),
        # an annulus larger than a hemisphere (defined on the sphere at any size)
        CircleAnnulusSkyRegion(
            SkyCoord(123.4, 45.6, unit="deg", frame=gal), 80.3 * u.deg, 131.7 * u.deg
        ),
        # a polygon in icrs across ra = 0, and one around the celestial pole
        PolygonSkyRegion(
            SkyCoord(
                [356.1, 4.3, 5.2, 353.7],
                [-3.2, -4.1, 6.3, 5.1],
                unit="deg",
                frame="icrs",
            )
        ),
        PolygonSkyRegion(
            SkyCoord([10.1, 130.2, 250.3], [80.1, 81.2, 79.3], unit="deg", frame="icrs")
        ),
    ]


@pytest.mark.parametrize("frame", ["galactic", "icrs"])
@pytest.mark.parametrize("nest", [True, False])
def test_pixels_match_brute_force(frame, nest):
    geom = HpxGeom(32, nest=nest, frame=frame)
    coords = geom.get_skycoord()
    regions = _regions()
    lists = healpix_pixel_lists(regions, geom)
    for r, region in enumerate(regions):
        got = np.sort(lists.flat_index[lists.offsets[r] : lists.offsets[r + 1]])
        want = np.flatnonzero(brute_force_inside(region, coords))
        assert want.size > 0
        np.testing.assert_array_equal(got, want, err_msg=f"region {r}")
        assert lists.total[r] == want.size


def test_partial_sky_counts_off_map_pixels():
    full = HpxGeom(32, nest=False, frame="galactic")
    part = HpxGeom.create(32, nest=False, frame="galactic", region="DISK(0,0,8)")
    region = CircleSkyRegion(
        SkyCoord(5.1, 0.3, unit="deg", frame="galactic"), 6.2 * u.deg
    )
    inside_all = np.flatnonzero(brute_force_inside(region, full.get_skycoord()))
    stored = np.intersect1d(inside_all, part.pixels)
    lists = healpix_pixel_lists([region], part)
    # columns of the stored pixels inside; total counts the pixels off the map too
    np.testing.assert_array_equal(np.sort(part.pixels[lists.flat_index]), stored)
    assert lists.total[0] == inside_all.size
    assert 0 < stored.size < inside_all.size


def test_ring_of_boxes_tiles_the_band():
    from fluxprofile import make_orthogonal_rectangle_sky_regions

    start = SkyCoord(0, 0, unit="deg", frame="galactic")
    regions = make_orthogonal_rectangle_sky_regions(
        start, start, wcs=None, height="10 deg", nbin=180
    )
    geom = HpxGeom(64, nest=False, frame="galactic")
    lists = healpix_pixel_lists(regions, geom)
    b = geom.get_skycoord().b.deg
    band = np.flatnonzero(np.abs(b) < 5)
    # every pixel of the band in exactly one box, although many centres lie on box edges
    np.testing.assert_array_equal(np.sort(lists.flat_index), band)


def test_regions_larger_than_a_hemisphere_are_refused():
    c = SkyCoord(10, 20, unit="deg", frame="galactic")
    with pytest.raises(ValueError, match="larger than a hemisphere"):
        sphere_shapes([RectangleSkyRegion(c, 181 * u.deg, 3 * u.deg)], "galactic")
    big = PolygonSkyRegion(
        SkyCoord([0, 100, 200], [0, 0, 0], unit="deg", frame="galactic")
    )
    with pytest.raises(ValueError, match="larger than a hemisphere"):
        sphere_shapes([big], "galactic")
    with pytest.raises(ValueError, match="180"):
        sphere_shapes([CircleSkyRegion(c, 181 * u.deg)], "galactic")


def test_pixel_regions_are_refused():
    with pytest.raises(TypeError, match="not supported on HEALPix"):
        sphere_shapes([CirclePixelRegion(PixCoord(1, 2), 3)], "galactic")


def test_path_boxes_across_the_pole_match_brute_force():
    from fluxprofile import make_path_sky_regions

    path = SkyCoord(
        [10.3, 190.3, 190.3], [70.2, 75.1, 40.7], unit="deg", frame="galactic"
    )
    boxes = make_path_sky_regions(path, 6 * u.deg, bin_size=5 * u.deg)
    geom = HpxGeom(32, nest=True, frame="icrs")
    lists = healpix_pixel_lists(boxes, geom)
    coords = geom.get_skycoord()
    for r, box in enumerate(boxes):
        want = np.flatnonzero(brute_force_inside(box, coords))
        got = np.sort(lists.flat_index[lists.offsets[r] : lists.offsets[r + 1]])
        np.testing.assert_array_equal(got, want)
