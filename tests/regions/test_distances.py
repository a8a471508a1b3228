"""Region centres and projected distances against the Gammapy 2.1 profile axes."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.table import Table
from region_cases import (
    REFERENCE_CASES,
    fermi_like_wcs,
    load_case,
    regions_from_json,
)
from regions import (
    CircleAnnulusSkyRegion,
    CirclePixelRegion,
    CircleSkyRegion,
    EllipseSkyRegion,
    PixCoord,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

from fluxprofile.regions import (
    projected_distances,
    region_centers,
)

# ---------------------------------------------------------------------------------------
# (5) projected distances vs the reference x_ref / x_min / x_max columns
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_projected_distances_match_reference_axis(reference_dir, name):
    case, _ = load_case(reference_dir, name)
    distances = projected_distances(regions_from_json(case))
    assert distances.unit == u.deg
    d = distances.to_value(u.deg)
    table = Table.read(reference_dir / f"{name}.ecsv", format="ascii.ecsv")
    # Edges of a centre-node linear axis (docs/regions.rst); x_ref = (x_min + x_max) / 2.
    edges = np.concatenate(
        [
            [d[0] - (d[1] - d[0]) / 2],
            (d[1:] + d[:-1]) / 2,
            [d[-1] + (d[-1] - d[-2]) / 2],
        ]
    )
    np.testing.assert_allclose(
        table["x_min"].quantity.to_value(u.deg), edges[:-1], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        table["x_max"].quantity.to_value(u.deg), edges[1:], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        table["x_ref"].quantity.to_value(u.deg),
        (edges[:-1] + edges[1:]) / 2,
        rtol=0,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        case["result"]["projected_distance_axis"]["edges"], edges, rtol=0, atol=1e-9
    )
    # for (nearly) uniform spacing x_ref is the node itself
    np.testing.assert_allclose(
        table["x_ref"].quantity.to_value(u.deg), d, rtol=0, atol=1e-8
    )


def test_projected_distances_mixed_frames_and_types():
    ref = SkyCoord(10, 1, unit="deg", frame="galactic")
    other = SkyCoord(11, -1, unit="deg", frame="galactic")
    regions = [
        RectangleSkyRegion(ref, 1 * u.deg, 1 * u.deg),
        CircleSkyRegion(other.icrs, 0.5 * u.deg),
        CircleAnnulusSkyRegion(other, 0.2 * u.deg, 0.5 * u.deg),
        PolygonSkyRegion(
            SkyCoord([10, 12, 12], [0, 0, 2], unit="deg", frame="galactic")
        ),
    ]
    d = projected_distances(regions).to_value(u.deg)
    assert d[0] == 0.0
    assert d[1] == pytest.approx(ref.separation(other.icrs).deg, abs=1e-12)
    assert d[2] == pytest.approx(0.35, rel=1e-14)
    # polygon centre: direction of the mean vertex unit vector
    xyz = SkyCoord(
        [10, 12, 12], [0, 0, 2], unit="deg", frame="galactic"
    ).cartesian.xyz.value.mean(axis=1)
    lon, lat = np.arctan2(xyz[1], xyz[0]), np.arctan2(xyz[2], np.hypot(xyz[0], xyz[1]))
    poly_center = SkyCoord(lon * u.rad, lat * u.rad, frame="galactic")
    assert d[3] == pytest.approx(ref.separation(poly_center).deg, abs=1e-12)
    centers = region_centers(regions)
    assert centers.frame.name == "galactic"
    assert centers.shape == (4,)
    assert centers[1].separation(other).deg < 1e-12
    # centres at hand are used as they are (the estimator passes its cached ones)
    assert np.array_equal(
        projected_distances(regions, centers=centers).to_value(u.deg), d
    )
    with pytest.raises(ValueError, match="one entry per region"):
        projected_distances(regions, centers=centers[:3])


def test_region_centers_of_pixel_regions_need_a_wcs():
    wcs = fermi_like_wcs()
    pix = CirclePixelRegion(PixCoord(199.5, 99.5), 2.0)
    with pytest.raises(TypeError, match=r"regions\[0\].*wcs"):
        region_centers([pix])
    center = region_centers([pix], wcs=wcs)
    assert (
        center[0].separation(SkyCoord(0, 0, unit="deg", frame="galactic")).deg < 1e-12
    )
    with pytest.raises(ValueError, match="empty"):
        projected_distances([])
    with pytest.raises(TypeError, match=r"regions\[0\].*EllipseSkyRegion"):
        region_centers(
            [EllipseSkyRegion(SkyCoord(0, 0, unit="deg"), 1 * u.deg, 2 * u.deg)]
        )
