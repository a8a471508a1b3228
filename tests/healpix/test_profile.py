"""Profiles on HEALPix maps, end to end: agreement with a WCS map of the same sky
(converging with NSIDE), counts and closed-form fluxes per region against brute-force
pixel selections (Cash, WStat, joint datasets, masks), surface brightness."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hpx_helpers import (
    EXPOSURE,
    INDEX,
    hpx_dataset,
    onoff_dataset,
    region_columns,
    wcs_dataset,
)

from fluxprofile import (
    FluxProfileEstimator,
    Map,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
)


def _boxes(nbin=8, height="4 deg"):
    return make_orthogonal_rectangle_sky_regions(
        SkyCoord(8.37, 0.11, unit="deg", frame="galactic"),
        SkyCoord(351.63, 0.11, unit="deg", frame="galactic"),
        wcs=None, height=height, nbin=nbin,
    )  # fmt: skip


def _estimator(regions, edges=(10, 2000), **kwargs):
    return FluxProfileEstimator(
        regions=regions, spectral_model=PowerLawSpectralModel(index=INDEX),
        energy_edges=list(edges) * u.GeV, **kwargs,
    )  # fmt: skip


def _flux(profile):
    return profile.to_table(sed_type="flux", format="profile")["flux"].quantity.ravel()


@pytest.mark.slow
def test_healpix_and_wcs_profiles_agree_within_the_pixelisation():
    regions = _boxes()
    est = _estimator(regions)
    reference = _flux(est.run(wcs_dataset(0.02, width=(18, 6))))  # ~ the sky's integral
    perimeter_over_area = (2 * (2 + 4)) / (2 * 4)  # deg^-1 of the 2 x 4 deg boxes
    mean_diff = []
    for nside in (128, 256, 512, 1024):
        flux = _flux(est.run(hpx_dataset(nside, region="DISK(0,0,10)")))
        pixel = np.sqrt(4 * np.pi / (12 * nside**2)) * 180 / np.pi
        rel = np.abs((flux / reference).to_value("") - 1)
        # within half a pixel row along the perimeter
        assert rel.max() < 0.5 * pixel * perimeter_over_area, nside
        mean_diff.append(rel.mean())
    assert mean_diff[-1] < mean_diff[0] / 3


def test_counts_and_fluxes_match_brute_force_selection():
    dataset = hpx_dataset(
        64, frame="icrs", nest=False, poisson_seed=1, edges_gev=(10, 2000)
    )
    boxes = _boxes(nbin=6, height="6 deg")
    annuli = make_concentric_annulus_sky_regions(
        SkyCoord(0.3, 0.2, unit="deg", frame="galactic"), "12 deg", "1 deg", nbin=3
    )
    for regions in (boxes, annuli):
        _check_against_brute_force(dataset, regions)


def _check_against_brute_force(dataset, regions):
    table = _estimator(regions).run(dataset).to_table(sed_type="flux", format="profile")
    geom = dataset.counts.geom
    counts = dataset.counts.data[0]
    for r, region in enumerate(regions):
        columns, n_all = region_columns(region, geom)
        n = counts[columns].sum()
        assert table["counts"][r].ravel()[0] == n
        assert table["npix"][r] == n_all
        np.testing.assert_allclose(
            table["solid_angle"][r], n_all * 4 * np.pi / (12 * 64**2)
        )
        # Cash without background: the flux maximising the likelihood is counts / exposure
        expected = n / EXPOSURE
        flux, err = table["flux"][r].ravel()[0], table["flux_err"][r].ravel()[0]
        assert abs(flux - expected) < 0.05 * err


def test_partial_sky_mask_and_off_map_pixels():
    dataset = hpx_dataset(
        64, region="DISK(0,0,10)", poisson_seed=2, edges_gev=(10, 2000)
    )
    geom = dataset.counts.geom
    safe = np.ones(dataset.counts.data.shape, dtype=bool)
    lon = geom.get_skycoord().l.wrap_at(180 * u.deg).deg
    safe[0, (lon > 1.0) & (lon < 2.5)] = False
    dataset.mask_safe = Map(dataset.counts.geom, safe)
    regions = _boxes(nbin=4, height="24 deg")[1:3]
    region = regions[0]  # crosses the disk's edge and the mask
    table = _estimator(regions).run(dataset).to_table(sed_type="flux", format="profile")
    columns, n_all = region_columns(region, geom)
    kept = columns[safe[0, columns]]
    n = dataset.counts.data[0, kept].sum()
    assert 0 < kept.size < columns.size < n_all
    # the flux of the whole region: safe counts over the exposure of the safe fraction
    expected = n / (EXPOSURE * kept.size / n_all)
    flux, err = table["flux"][0].ravel()[0], table["flux_err"][0].ravel()[0]
    assert abs(flux - expected) < 0.05 * err
    assert table["npix"][0] == n_all


def test_wstat_on_healpix_matches_the_closed_form():
    alpha = 0.2
    dataset = onoff_dataset(64, alpha, seed=3)
    regions = _boxes(nbin=4, height="6 deg")
    table = _estimator(regions).run(dataset).to_table(sed_type="flux", format="profile")
    geom = dataset.counts.geom
    for r, region in enumerate(regions):
        columns, _ = region_columns(region, geom)
        n_on = dataset.counts.data[0, columns].sum()
        n_off = dataset.counts_off.data[0, columns].sum()
        excess = n_on - alpha * n_off
        assert excess > 0
        flux, err = table["flux"][r].ravel()[0], table["flux_err"][r].ravel()[0]
        assert abs(flux - excess / EXPOSURE) < 0.05 * err


def test_joint_datasets_of_different_nside():
    first = hpx_dataset(32, poisson_seed=4, edges_gev=(10, 2000), name="a")
    second = hpx_dataset(
        128,
        region="DISK(0,0,20)",
        poisson_seed=5,
        edges_gev=(10, 2000),
        exposure_value=2 * EXPOSURE,
        name="b",
    )
    regions = _boxes(nbin=3, height="6 deg")
    table = (
        _estimator(regions)
        .run([first, second])
        .to_table(sed_type="flux", format="profile")
    )
    for r, region in enumerate(regions):
        n = [
            d.counts.data[0, region_columns(region, d.counts.geom)[0]].sum()
            for d in (first, second)
        ]
        expected = sum(n) / (EXPOSURE + 2 * EXPOSURE)
        flux, err = table["flux"][r].ravel()[0], table["flux_err"][r].ravel()[0]
        assert abs(flux - expected) < 0.05 * err


def test_exact_containment_is_refused_on_healpix():
    with pytest.raises(ValueError, match="defined on WCS maps only"):
        _estimator(_boxes(nbin=2), containment="exact").run(
            hpx_dataset(16, edges_gev=(10, 2000))
        )
