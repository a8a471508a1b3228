"""Regions that straddle a mask edge or the map border: the flux of the whole region.

Gammapy 2.1 raises for such regions; fluxprofile reduces counts, background and exposure
over the same safe in-map pixels and normalises the exposure by the region's full pixel
count, so a region of uniform surface brightness gets the same norm however much of it is
masked or off the map.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from regions import PixCoord, RectanglePixelRegion

import fluxprofile as fp

NX, NY = 60, 40


def _uniform_dataset(mask_left_of=None):
    """Noise-free data: background 2 per bin plus a uniform PL(index 2) per pixel."""
    energy = fp.MapAxis.from_energy_bounds(1 * u.GeV, 100 * u.GeV, 3, name="energy")
    energy_true = fp.MapAxis.from_energy_bounds(
        1 * u.GeV, 100 * u.GeV, 3, name="energy_true"
    )
    geom = fp.WcsGeom.create(
        skydir=(0, 0),
        binsz=0.1,
        npix=(NX, NY),
        frame="galactic",
        proj="CAR",
        axes=[energy],
    )
    geom_true = fp.WcsGeom.create(
        skydir=(0, 0),
        binsz=0.1,
        npix=(NX, NY),
        frame="galactic",
        proj="CAR",
        axes=[energy_true],
    )
    y, x = np.mgrid[:NY, :NX]
    exposure = 1e10 * (1.0 + 0.5 * np.sin(x / 7.0) * np.cos(y / 5.0))
    exposure = (
        np.repeat(exposure[None], 3, axis=0) * np.array([1.0, 2.0, 3.0])[:, None, None]
    )
    per_pixel = fp.PowerLawSpectralModel(index=2, amplitude="1e-12 cm-2 s-1 TeV-1")
    flux = per_pixel.integral(energy_true.edges[:-1], energy_true.edges[1:]).to_value(
        "cm-2 s-1"
    )
    background = np.full((3, NY, NX), 2.0)
    counts = background + flux[:, None, None] * exposure  # diagonal energy dispersion
    mask = np.ones((3, NY, NX), dtype=bool)
    if mask_left_of is not None:
        mask[:, :, :mask_left_of] = False
    return fp.MapDataset(
        counts=fp.Map(geom, counts),
        background=fp.Map(geom, background),
        exposure=fp.Map(geom_true, exposure, unit="cm2 s"),
        mask_safe=fp.Map(geom, mask),
        name="uniform",
    )


def _boxes(wcs, centers_pix):
    regions = []
    for cx, cy in centers_pix:
        pix = RectanglePixelRegion(PixCoord(cx, cy), width=10, height=8)
        regions.append(pix.to_sky(wcs))
    return regions


def _pixel_count(region, wcs):
    """Pixel centres inside the region on a grid much larger than the map (regions' rule)."""
    pix = region.to_pixel(wcs)
    y, x = np.mgrid[-50 : NY + 50, -50 : NX + 50]
    return int(pix.contains(PixCoord(x.ravel(), y.ravel())).sum())


def _norms(dataset, regions):
    estimator = fp.FluxProfileEstimator(
        regions,
        spectral_model=fp.PowerLawSpectralModel(
            index=2, amplitude="1e-12 cm-2 s-1 TeV-1"
        ),
        energy_edges=[1, 100] * u.GeV,
        # the exact minimum (closed forms below), not where Gammapy's MIGRAD stops
        norm_err_method="curvature",
    )
    profile = estimator.run(dataset)
    return profile.norm.data.ravel(), profile.success.data.ravel()


@pytest.mark.parametrize(
    ("centers", "mask_left_of"),
    [
        ([(20.3, 20.1), (40.2, 20.3)], None),  # fully inside, unmasked
        ([(20.3, 20.1), (40.2, 20.3)], 18),  # first box half masked
        ([(1.2, 20.1), (30.2, 20.3)], None),  # first box half off the map
        ([(1.2, 38.6), (30.2, 20.3)], 4),  # off two edges and masked
    ],
)
def test_uniform_brightness_gives_whole_region_flux(centers, mask_left_of):
    dataset = _uniform_dataset(mask_left_of)
    wcs = dataset.counts.geom.wcs
    regions = _boxes(wcs, centers)
    norms, success = _norms(dataset, regions)
    # The reference model is the flux of one pixel, so the norm is the region's pixel count.
    expected = [_pixel_count(r, wcs) for r in regions]
    assert success.all()
    np.testing.assert_allclose(norms, expected, rtol=1e-9)


def test_region_outside_map_is_nan_row_with_warning():
    dataset = _uniform_dataset()
    wcs = dataset.counts.geom.wcs
    regions = _boxes(wcs, [(30.0, 20.0), (30.0, 120.0)])
    with pytest.warns(fp.FluxProfileWarning, match="Region 1 contains no pixel"):
        norms, success = _norms(dataset, regions)
    assert success.tolist() == [True, False]
    assert np.isfinite(norms[0])
    assert np.isnan(norms[1])


@pytest.fixture(scope="module")
def line_10_350(fermi_gc_path):
    dataset = fp.MapDataset.read(fermi_gc_path)
    regions = fp.make_orthogonal_rectangle_sky_regions(
        SkyCoord("10d", "0d", frame="galactic"),
        SkyCoord("350d", "0d", frame="galactic"),
        dataset.counts.geom.wcs,
        3 * u.deg,
        nbin=51,
    )
    return dataset, regions


def test_seed_line_10_to_350_runs_with_nan_end_boxes(line_10_350):
    dataset, regions = line_10_350
    estimator = fp.FluxProfileEstimator(
        regions,
        spectral_model=fp.PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 2000] * u.GeV,
        selection_optional=["ul"],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile = estimator.run(dataset)
    ours = [w.message for w in caught if issubclass(w.category, fp.FluxProfileWarning)]
    table = profile.to_table(sed_type="likelihood")
    success = np.array(table["success"]).ravel()
    # Boxes centred within 1 deg of the map edge lie entirely in the unsafe border.
    inside_border = np.array(
        [
            abs(r.center.l.wrap_at(180 * u.deg).deg) > 9.0 + r.width.to_value(u.deg) / 2
            for r in regions
        ]
    )
    assert inside_border.sum() == 4
    assert not success[inside_border].any()
    assert np.isnan(np.array(table["norm"]).ravel()[inside_border]).all()
    assert np.array(table["counts"]).ravel()[inside_border].tolist() == [0, 0, 0, 0]
    assert success[~inside_border].all()
    # one warning names all four boxes (as index runs in the text, and as indices)
    assert len(ours) == 1
    assert ours[0].regions == tuple(np.flatnonzero(inside_border))
    assert str(ours[0]).startswith("Regions 0-1, 49-50 have no safe pixel")


def test_box_half_in_border_matches_hand_computation(line_10_350):
    """Single-bin Cash has the closed-form best fit (C - B) / S."""
    dataset, regions = line_10_350
    index = (
        2  # centred at l = 9.02 deg: about half of it lies in the unsafe 1 deg border
    )
    region = regions[index]
    wcs = dataset.counts.geom.wcs
    y, x = np.mgrid[:200, :400]
    inside = region.to_pixel(wcs).contains(PixCoord(x, y))
    safe = dataset.mask_safe.data[0]
    assert 0 < (inside & safe).sum() < inside.sum()

    model = fp.PowerLawSpectralModel(index=2.3)
    sel = inside & safe
    counts = dataset.counts.data[:, sel].astype(float).sum()
    background = dataset.background.data[:, sel].astype(float).sum()
    true_edges = dataset.exposure.geom.axes["energy_true"].edges
    flux = model.integral(true_edges[:-1], true_edges[1:]).to_value("cm-2 s-1")
    exposure = dataset.exposure.data[:, sel].astype(float).sum(axis=1) / inside.sum()
    kernel = dataset.edisp.get_kernels(region.center)[0]  # (n_true, n_reco)
    signal = (flux * exposure) @ kernel
    expected = (counts - background) / signal.sum()

    estimator = fp.FluxProfileEstimator(
        regions[index : index + 2],
        spectral_model=model,
        energy_edges=[10, 2000] * u.GeV,
        sum_over_energy_groups=True,
        norm_err_method="curvature",  # the exact minimum
    )
    profile = estimator.run(dataset)
    assert profile.counts.data.ravel()[0] == counts
    np.testing.assert_allclose(profile.norm.data.ravel()[0], expected, rtol=1e-6)


@pytest.mark.parametrize("offset", [(0.0, 0.0), (0.37, -0.21)])
def test_exact_containment_gives_whole_region_flux(offset):
    """With area weights the norm is the region's exact area in pixels (uniform brightness)."""
    dataset = _uniform_dataset(mask_left_of=18)
    wcs = dataset.counts.geom.wcs
    centers = [
        (20.3 + offset[0], 20.1 + offset[1]),
        (58.8 + offset[0], 30.3 + offset[1]),
    ]
    regions = [
        RectanglePixelRegion(PixCoord(cx, cy), width=7.3, height=5.6).to_sky(wcs)
        for cx, cy in centers
    ]
    estimator = fp.FluxProfileEstimator(
        regions,
        spectral_model=fp.PowerLawSpectralModel(
            index=2, amplitude="1e-12 cm-2 s-1 TeV-1"
        ),
        energy_edges=[1, 100] * u.GeV,
        containment="exact",
        norm_err_method="curvature",  # the exact minimum
    )
    profile = estimator.run(dataset)
    # The rectangles as the estimator projects them (regions' own to_pixel differs slightly
    # off the projection centre); their area is width x height.
    table = fp.sky_regions_to_pixel_shapes(regions, wcs).table
    areas = table[:, 3] * table[:, 4]
    np.testing.assert_allclose(profile.norm.data.ravel(), areas, rtol=1e-9)
