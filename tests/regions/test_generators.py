"""The region generators against the tutorial and the Gammapy 2.1 reference region lists."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from region_cases import (
    REFERENCE_CASES,
    fermi_like_wcs,
    load_case,
    skycoord_of,
)

from fluxprofile.regions import (
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    projected_distances,
    region_centers,
)

# ---------------------------------------------------------------------------------------
# region generators (docs/regions.rst) and the reference region lists
# ---------------------------------------------------------------------------------------


def _tutorial_boxes(reference_dir, nbin):
    """The tutorial's boxes from l = 9 to 351 deg (3 deg high) on the seed case's WCS."""
    _, wcs = load_case(reference_dir, "fermi_rect_seed")
    return make_orthogonal_rectangle_sky_regions(
        SkyCoord(9, 0, unit="deg", frame="galactic"),
        SkyCoord(351, 0, unit="deg", frame="galactic"),
        wcs,
        "3 deg",
        nbin=nbin,
    )


def test_rectangle_generator_tutorial(reference_dir):
    regions = _tutorial_boxes(reference_dir, nbin=49)
    assert len(regions) == 49
    centers = region_centers(regions)
    expected_l = (
        9 - 18 / 98 - np.arange(49) * 18 / 49
    ) % 360  # 8.816327 ... 351.183673
    np.testing.assert_allclose(centers.l.deg, expected_l, rtol=0, atol=1e-9)
    np.testing.assert_allclose(centers.b.deg, 0, atol=1e-9)
    assert abs(centers.l.deg[0] - 8.816327) < 1e-6
    assert abs(centers.l.deg[-1] - 351.183673) < 1e-6
    for region in regions:
        assert region.width.unit == u.rad
        assert region.width.value == pytest.approx(0.006411413578754685, rel=1e-14)
        assert region.height == 3 * u.deg
        assert abs(region.angle.to_value(u.rad)) < 1e-12
    # projected distances: 0, 0.367347, ..., 17.632653 deg (18/49 spacing)
    np.testing.assert_allclose(
        projected_distances(regions).to_value(u.deg), np.arange(49) * 18 / 49, atol=1e-9
    )


def test_rectangle_generator_boxes_are_the_regions_constructor_gives(reference_dir):
    # the boxes after the first are copies (validated once): each must equal the
    # constructor's box, with its own meta and visual attributes
    from regions import RectangleSkyRegion

    regions = _tutorial_boxes(reference_dir, nbin=5)
    for region in regions:
        built = RectangleSkyRegion(
            center=region.center,
            width=region.width,
            height=region.height,
            angle=region.angle,
        )
        assert region == built
        assert type(region) is RectangleSkyRegion
    regions[1].meta["label"] = "second"
    regions[2].visual["color"] = "red"
    assert "label" not in regions[0].meta
    assert "label" not in regions[2].meta
    assert "color" not in regions[0].visual
    assert "color" not in regions[1].visual
    regions[3].center = SkyCoord(1, 0, unit="deg", frame="galactic")
    assert regions[4].center.l.deg != 1
    assert regions[0].center.l.deg != 1
    with pytest.raises(ValueError, match=r"(?i)scalar|skycoord"):
        regions[2].center = SkyCoord([1, 2], [0, 0], unit="deg")


def test_annulus_generator_tutorial():
    center = SkyCoord(0, 0, unit="deg", frame="galactic")
    regions = make_concentric_annulus_sky_regions(center, radius_max="1.5 deg")
    assert len(regions) == 10  # nbin=11 edges -> 10 annuli
    edges = 1e-5 + np.arange(11) * (1.5 - 1e-5) / 10
    np.testing.assert_allclose(
        [r.inner_radius.to_value(u.deg) for r in regions], edges[:-1], rtol=1e-14
    )
    np.testing.assert_allclose(
        [r.outer_radius.to_value(u.deg) for r in regions], edges[1:], rtol=1e-14
    )
    dist = projected_distances(regions).to_value(u.deg)
    np.testing.assert_allclose(dist, (edges[:-1] + edges[1:]) / 2, rtol=1e-14)
    assert dist[0] == pytest.approx(0.0750095, rel=1e-12)
    assert dist[-1] == pytest.approx(1.4250005, rel=1e-12)
    assert all(r.center == center for r in regions)


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_generators_reproduce_reference_region_lists(reference_dir, name):
    case, wcs = load_case(reference_dir, name)
    gen = case["regions"]["generator"]
    if gen["function"].endswith("make_orthogonal_rectangle_sky_regions"):
        regions = make_orthogonal_rectangle_sky_regions(
            skycoord_of(gen["start_pos"]),
            skycoord_of(gen["end_pos"]),
            wcs,
            gen["height_deg"] * u.deg,
            nbin=gen["nbin"],
        )
    else:
        regions = make_concentric_annulus_sky_regions(
            skycoord_of(gen["center"]),
            gen["radius_max_deg"] * u.deg,
            radius_min=gen["radius_min_deg"] * u.deg,
            nbin=gen["nbin"],
        )
    entries = case["regions"]["list"]
    assert len(regions) == len(entries)
    for region, entry in zip(regions, entries, strict=True):
        assert type(region).__name__ == entry["type"]
        expected_center = skycoord_of(entry["center"])
        assert region.center.frame.name == expected_center.frame.name
        assert region.center.separation(expected_center).deg < 1e-9
        if entry["type"] == "RectangleSkyRegion":
            assert region.width.to_value(u.deg) == pytest.approx(
                entry["width_deg"], rel=1e-12
            )
            assert region.height.to_value(u.deg) == pytest.approx(
                entry["height_deg"], rel=1e-12
            )
            assert region.angle.to_value(u.deg) == pytest.approx(
                entry["angle_deg"], rel=1e-9, abs=1e-12
            )
        else:
            assert region.inner_radius.to_value(u.deg) == pytest.approx(
                entry["inner_radius_deg"], rel=1e-12
            )
            assert region.outer_radius.to_value(u.deg) == pytest.approx(
                entry["outer_radius_deg"], rel=1e-12
            )


def test_generator_validation():
    wcs = fermi_like_wcs()
    a = SkyCoord(1, 0, unit="deg", frame="galactic")
    b = SkyCoord(-1, 0, unit="deg", frame="galactic")
    with pytest.raises(ValueError, match="nbin"):
        make_orthogonal_rectangle_sky_regions(a, b, wcs, "1 deg", nbin=0)
    with pytest.raises(TypeError, match="nbin"):
        make_orthogonal_rectangle_sky_regions(a, b, wcs, "1 deg", nbin=2.5)
    with pytest.raises(ValueError, match="height"):
        make_orthogonal_rectangle_sky_regions(a, b, wcs, -1 * u.deg)
    with pytest.raises(ValueError, match="differ"):
        make_orthogonal_rectangle_sky_regions(a, a, wcs, 1 * u.deg)
    with pytest.raises(TypeError, match="start_pos"):
        make_orthogonal_rectangle_sky_regions((1, 0), b, wcs, 1 * u.deg)
    with pytest.raises(ValueError, match="radius_min must be < radius_max"):
        make_concentric_annulus_sky_regions(a, 1 * u.deg, radius_min=2 * u.deg)
    with pytest.raises(ValueError, match="radius_min"):
        make_concentric_annulus_sky_regions(a, 1 * u.deg, radius_min=0 * u.deg)
    with pytest.raises(ValueError, match="nbin"):
        make_concentric_annulus_sky_regions(a, 1 * u.deg, nbin=1)
