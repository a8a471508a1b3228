"""Template profiles: flat maps give area x value, the inputs are equivalent, mirrored
grids give the same profile, energy integrals are exact for power laws."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from compare_cases import TEMPLATE_UNIT, ridge_template, template_wcs
from regions import CircleAnnulusSkyRegion, CircleSkyRegion, RectangleSkyRegion

from fluxprofile import (
    FluxProfileWarning,
    Map,
    MapAxis,
    WcsGeom,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
    make_template_profile,
)
from fluxprofile.compare import (
    as_template_map,
    evaluate_template,
    integrate_template,
    standard_orientation,
)

DIFFUSE_UNIT = "cm-2 s-1 MeV-1 sr-1"


def _flat_geom() -> WcsGeom:
    # standard grid (CDELT1 < 0), 0.05 deg pixels
    return WcsGeom.create(
        skydir=(30, 10), binsz=0.05, width=(6, 4), frame="galactic", proj="CAR"
    )


def _flat_regions() -> list:
    # centres between pixel centres (no pixel centre on an edge)
    # (distances from the first: 0, 0.5 deg, the annulus' mean radius 1.07 deg)
    c = SkyCoord(30.013, 10.011, unit="deg", frame="galactic")
    c2 = SkyCoord(
        30.013 + 0.5 / np.cos(np.radians(10.011)), 10.011, unit="deg", frame="galactic"
    )
    return [
        RectangleSkyRegion(c, width=1.03 * u.deg, height=0.61 * u.deg),
        CircleSkyRegion(c2, radius=0.77 * u.deg),
        CircleAnnulusSkyRegion(c, inner_radius=0.81 * u.deg, outer_radius=1.33 * u.deg),
    ]


def _analytic_sr(region) -> float:
    """Area of a small region on the sphere (spherical cap, flat rectangle)."""
    if isinstance(region, CircleSkyRegion):
        return 2 * np.pi * (1 - np.cos(region.radius.to_value(u.rad)))
    if isinstance(region, CircleAnnulusSkyRegion):
        outer = 1 - np.cos(region.outer_radius.to_value(u.rad))
        inner = 1 - np.cos(region.inner_radius.to_value(u.rad))
        return 2 * np.pi * (outer - inner)
    return (region.width * region.height).to_value(u.sr)


@pytest.mark.parametrize("containment", ["center", "exact"])
def test_flat_image_is_area_times_value(containment):
    geom = _flat_geom()
    value = 2.5
    image = Map(geom, np.full(geom.data_shape, value), unit="cm-2 s-1 sr-1")
    regions = _flat_regions()
    profile = make_template_profile(image, regions, containment=containment)
    omega = geom.solid_angle().to_value(u.sr)
    coords = geom.get_skycoord()
    for r, region in enumerate(regions):
        if containment == "center":
            # brute force: regions' own pixel-centre test on the standard grid
            inside = region.contains(coords, geom.wcs)
            area = omega[inside].sum()
            npix = inside.sum()
            assert profile.npix[r] == npix
            assert profile.solid_angle[r].to_value(u.sr) == pytest.approx(
                area, rel=1e-12
            )
        else:
            # the exact overlap covers the region's area on the sky
            area = _analytic_sr(region)
            assert profile.solid_angle[r].to_value(u.sr) == pytest.approx(
                area, rel=2e-3
            )
            area = profile.solid_angle[r].to_value(u.sr)
    expected = profile.solid_angle.to_value(u.sr) * value
    np.testing.assert_allclose(
        profile.integral.to_value("cm-2 s-1"), expected, rtol=1e-12
    )
    np.testing.assert_allclose(profile.mean.value, value, rtol=1e-12)
    np.testing.assert_allclose(profile.sum.value, value * profile.npix, rtol=1e-12)
    # per sr map: surface brightness is the value itself
    assert profile.surface_brightness.unit == u.Unit("cm-2 s-1 sr-1")
    np.testing.assert_allclose(profile.surface_brightness.value, value, rtol=1e-12)


def test_flat_counts_image_surface_brightness_is_per_sr():
    geom = _flat_geom()
    image = Map(geom, np.full(geom.data_shape, 4.0), unit="")
    profile = make_template_profile(image, _flat_regions(), containment="exact")
    assert profile.surface_brightness.unit == u.Unit("sr-1")
    np.testing.assert_allclose(
        profile.surface_brightness.value,
        4.0 * profile.npix / profile.solid_angle.to_value(u.sr),
        rtol=1e-12,
    )
    assert profile.integral.unit == u.sr


def test_inputs_are_equivalent(tmp_path):
    template = ridge_template()
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("1.9d", "0.03d", frame="galactic"),
        end_pos=SkyCoord("358.1d", "0.03d", frame="galactic"),
        wcs=template.geom.wcs, height=1.2 * u.deg, nbin=8,
    )  # fmt: skip
    reference = make_template_profile(template, regions)
    hdus = fits.HDUList([fits.PrimaryHDU(), *template.to_hdulist(hdu="TEMPLATE")])
    path = tmp_path / "template.fits"
    hdus.writeto(path)
    nodes = template.geom.axes[0].center
    image_hdu = fits.ImageHDU(template.data, header=template.geom.wcs.to_header())
    image_hdu.header["BUNIT"] = TEMPLATE_UNIT.to_string("fits")
    inputs = {
        "file": path,
        "hdulist": hdus,
        "pair": (template.quantity, template.geom.wcs),
        "hdu": image_hdu,
    }
    for name, item in inputs.items():
        profile = make_template_profile(item, regions, energy_axis=nodes)
        for q in ("sum", "mean", "integral", "surface_brightness"):
            got, want = getattr(profile, q), getattr(reference, q)
            assert got.unit == want.unit, (name, q)
            np.testing.assert_allclose(got.value, want.value, rtol=1e-12, err_msg=name)
    assert reference.energy_axis.nbin == 6
    assert reference.sum.shape == (8, 6)
    # the distance axis is the estimator's (region centres from the first)
    centre_distance = regions[0].center.separation(regions[-1].center).deg
    assert reference.distance_axis.center[-1].to_value(u.deg) == pytest.approx(
        centre_distance, rel=1e-6
    )


def test_bad_inputs():
    with pytest.raises(TypeError, match="template must be"):
        as_template_map(42)
    with pytest.raises(ValueError, match="needs energy_axis"):
        as_template_map((np.ones((3, 4, 5)), template_wcs(5, 4)))
    with pytest.raises(ValueError, match="template file not found"):
        as_template_map("/nonexistent/template.fits")
    with pytest.raises(ValueError, match="containment"):
        make_template_profile(ridge_template(), _flat_regions(), containment="all")
    image = Map(_flat_geom(), np.ones(_flat_geom().data_shape))
    with pytest.raises(ValueError, match="needs a template with an energy axis"):
        make_template_profile(image, _flat_regions(), energy_edges=[1, 10] * u.GeV)
    with pytest.raises(ValueError, match="not per energy"):
        integrate_template(
            Map(ridge_template().geom, ridge_template().data), [10, 20] * u.GeV
        )


def test_regions_off_the_template_warn_and_nan():
    image = Map(_flat_geom(), np.ones(_flat_geom().data_shape), unit="sr-1")
    far = SkyCoord(200, -40, unit="deg", frame="galactic")
    edge = SkyCoord(33.0, 10.0, unit="deg", frame="galactic")
    regions = [
        *_flat_regions()[:1],
        CircleSkyRegion(edge, radius=0.5 * u.deg),
        CircleSkyRegion(far, radius=0.5 * u.deg),
    ]
    with pytest.warns(FluxProfileWarning) as record:
        profile = make_template_profile(image, regions)
    messages = " ".join(str(w.message) for w in record)
    assert "no pixel on the template" in messages
    assert "extends beyond the template" in messages
    assert np.isnan(profile.sum[2])
    assert np.isfinite(profile.sum[1])
    # non-finite values poison only the regions they are in
    data = np.ones(_flat_geom().data_shape)
    x, y = _flat_geom().skycoord_to_pix(
        SkyCoord(30.013, 10.011, unit="deg", frame="galactic")
    )
    data[round(float(y)), round(float(x))] = np.nan
    with pytest.warns(FluxProfileWarning, match="non-finite"):
        profile = make_template_profile(
            Map(_flat_geom(), data, unit="sr-1"), _flat_regions()
        )
    assert np.isnan(profile.sum[0])
    assert np.isnan(profile.sum[1])
    assert np.isfinite(profile.sum[2])


def test_power_law_integral_is_exact():
    template = ridge_template()
    edges = [7, 20, 60, 250] * u.GeV
    integrated = integrate_template(template, edges)
    assert integrated.unit == u.Unit("cm-2 s-1 sr-1")
    spatial = template.data[0] / template.data[0].max()
    amplitude = template.data[0].max() * (5 / 10) ** 2.4  # value at 10 GeV, per MeV
    e = edges.to_value(u.MeV)
    closed = amplitude * 1e4 / -1.4 * ((e[1:] / 1e4) ** -1.4 - (e[:-1] / 1e4) ** -1.4)
    np.testing.assert_allclose(
        integrated.data, closed[:, None, None] * spatial[None], rtol=1e-10
    )
    values = evaluate_template(template, [12, 100] * u.GeV)
    np.testing.assert_allclose(
        values.data[:, 10, 10],
        template.data[0, 10, 10] * (np.array([12, 100]) / 5) ** -2.4,
        rtol=1e-10,
    )
    with pytest.warns(FluxProfileWarning, match="extrapolated"):
        integrate_template(template, [1, 10] * u.GeV)


def test_linear_segments_where_values_vanish():
    wcs = template_wcs(3, 2)
    axis = MapAxis.from_nodes([1, 2, 4] * u.GeV, name="energy", interp="log")
    data = np.zeros((3, 2, 3))
    data[1] = 1.0  # 0 -> 1 -> 0 per GeV: triangles of 0.5 GeV and 1 GeV
    tmap = Map(WcsGeom(wcs, (3, 2), axes=[axis]), data, unit="GeV-1 cm-2 s-1 sr-1")
    integrated = integrate_template(tmap, [1, 4] * u.GeV)
    np.testing.assert_allclose(integrated.data, 0.5 * 1 + 0.5 * 2, rtol=1e-12)


def _flipped(path):
    """The diffuse cube stored the usual way: CDELT1 < 0, columns reversed."""
    with fits.open(path) as hdus:
        header = hdus[0].header.copy()
        header["CDELT1"] = -header["CDELT1"]
        header["CRPIX1"] = header["NAXIS1"] + 1 - header["CRPIX1"]
        return fits.HDUList(
            [fits.PrimaryHDU(hdus[0].data[:, :, ::-1].copy(), header), hdus[1].copy()]
        )


@pytest.mark.parametrize("containment", ["center", "exact"])
def test_diffuse_model_mirrored_grid_gives_the_same_profile(diffuse_path, containment):
    with fits.open(diffuse_path) as hdus:
        assert hdus[0].header["CDELT1"] > 0  # the case under test
        header = hdus[0].header.copy()
    flipped = _flipped(diffuse_path)
    assert flipped[0].header["CDELT1"] < 0
    # Rectangles along the plane (their edges fall on pixel centres: ties) and annuli.
    lines = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("5d", "0d", frame="galactic"),
        end_pos=SkyCoord("355d", "0d", frame="galactic"),
        wcs=as_template_map(diffuse_path).geom.wcs, height=2 * u.deg, nbin=20,
    )  # fmt: skip
    annuli = make_concentric_annulus_sky_regions(
        center=SkyCoord("0.1d", "0.05d", frame="galactic"),
        radius_max=2.5 * u.deg, nbin=8,
    )  # fmt: skip
    for regions in (lines, annuli):
        for edges in (None, [10, 100, 500] * u.GeV):
            a = make_template_profile(
                diffuse_path, regions, energy_edges=edges, containment=containment,
                unit=DIFFUSE_UNIT,
            )  # fmt: skip
            b = make_template_profile(
                flipped, regions, energy_edges=edges, containment=containment,
                unit=DIFFUSE_UNIT,
            )  # fmt: skip
            np.testing.assert_array_equal(a.npix, b.npix)
            for q in ("sum", "integral", "surface_brightness"):
                np.testing.assert_allclose(
                    getattr(a, q).value, getattr(b, q).value, rtol=1e-12, atol=0
                )
            assert np.all(a.integral.value > 0)
    # not a tautology: the mirror image of the sky is another profile
    mirrored = fits.HDUList([fits.PrimaryHDU(flipped[0].data, header), flipped[1]])
    c = make_template_profile(
        mirrored, lines, containment=containment, unit=DIFFUSE_UNIT
    )
    a = make_template_profile(
        diffuse_path, lines, containment=containment, unit=DIFFUSE_UNIT
    )
    assert not np.allclose(a.sum.value, c.sum.value, rtol=1e-3, atol=0)


def test_standard_orientation_keeps_sky_positions(diffuse_path):
    tmap = as_template_map(diffuse_path)
    flipped = standard_orientation(tmap)
    assert flipped.geom.wcs.wcs.cdelt[0] < 0
    ny, nx = tmap.data.shape[-2:]
    y, x = np.mgrid[0:ny, 0:nx]
    a = tmap.geom.pix_to_skycoord(x, y)
    b = flipped.geom.pix_to_skycoord(nx - 1 - x, y)
    np.testing.assert_array_equal(a.l.deg, b.l.deg)
    np.testing.assert_array_equal(a.b.deg, b.b.deg)
    np.testing.assert_array_equal(flipped.data[..., ::-1], tmap.data)
    # a standard map is returned as it is
    assert standard_orientation(flipped) is flipped


def test_table_has_the_distance_axis_and_units(diffuse_path):
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max=2 * u.deg, nbin=5
    )
    profile = make_template_profile(
        diffuse_path, regions, energy_edges=[10, 100] * u.GeV, unit=DIFFUSE_UNIT,
        containment="exact",
    )  # fmt: skip
    table = profile.to_table()
    assert table["integral"].unit == u.Unit("cm-2 s-1")
    assert table["x_ref"].unit == u.deg
    assert table["integral"].shape == (4, 1)
    assert profile.energy_label(0) == "1e+04-1e+05 MeV"
    assert profile.values("integral", None).shape == (4,)


@pytest.mark.gammapy
def test_gammapy_map_is_accepted():
    pytest.importorskip("gammapy")
    from gammapy.maps import Map as GPMap

    template = ridge_template()
    gp = GPMap.from_hdulist(
        fits.HDUList([fits.PrimaryHDU(), *template.to_hdulist(hdu="TEMPLATE")]),
        hdu="TEMPLATE",
    )
    regions = [
        CircleSkyRegion(SkyCoord("0.1d", "0d", frame="galactic"), radius=0.6 * u.deg),
        CircleSkyRegion(SkyCoord("1.1d", "0d", frame="galactic"), radius=0.6 * u.deg),
    ]
    a = make_template_profile(gp, regions, containment="exact")
    b = make_template_profile(template, regions, containment="exact")
    np.testing.assert_allclose(a.integral.value, b.integral.value, rtol=1e-12)
