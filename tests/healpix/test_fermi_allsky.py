"""A 360-degree Galactic longitude profile from an all-sky simulation on the real
Fermi-LAT HEALPix exposure (NSIDE 64, RING, icrs): Poisson counts from a known diffuse
model (fixed seed) and a known isotropic background; the flux points must recover the
model's flux in each box within their errors, with the right coverage."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from hpx_helpers import INDEX, bin_integrals

from fluxprofile import (
    FluxProfileEstimator,
    HpxNDMap,
    Map,
    MapAxis,
    MapDataset,
    PowerLawSpectralModel,
    make_orthogonal_rectangle_sky_regions,
)

AMPLITUDE = 1e-9  # cm-2 s-1 TeV-1 sr-1 at 1 TeV


def ridge(lon_deg, lat_deg):
    """The diffuse model's spatial template: a Galactic ridge brightest towards l = 0."""
    lon = np.deg2rad(lon_deg)
    return np.exp(-0.5 * (lat_deg / 2.5) ** 2) * (
        1.2 + np.cos(lon) + 0.3 * np.sin(2 * lon)
    )


@pytest.fixture(scope="module")
def fermi_exposure(data_dir):
    path = data_dir / "fermi_3fhl" / "fermi_3fhl_exposure_cube_hpx.fits.gz"
    if not path.exists():
        pytest.skip(f"Fermi-LAT HEALPix exposure not found at {path}")
    return HpxNDMap.read(path)


def test_read_fermi_exposure_cube(fermi_exposure):
    geom = fermi_exposure.geom
    assert (geom.nside, geom.nest, geom.frame, geom.is_allsky) == (
        64,
        False,
        "icrs",
        True,
    )
    assert geom.axes.names == ["energy_true"]
    assert fermi_exposure.data.shape == (18, 12 * 64**2)
    assert fermi_exposure.unit == u.Unit("cm2 s")
    assert np.all(fermi_exposure.data > 0)


def _dataset(exposure_map, seed):
    """2 reco = true bins over 10 GeV - 2 TeV, exposure log-interpolated at the bin
    centres; counts ~ Poisson(ridge signal + isotropic background)."""
    nodes = exposure_map.geom.axes["energy_true"].center.to_value(u.GeV)
    edges = np.array([10.0, 50.0, 2000.0])
    centres = np.sqrt(edges[:-1] * edges[1:])
    log_exp = np.log(exposure_map.data)
    exposure = np.exp(
        np.stack(
            [
                [np.interp(np.log(c), np.log(nodes), col) for col in log_exp.T]
                for c in centres
            ]
        )
    )
    geom = exposure_map.geom.to_image()
    e = MapAxis.from_edges(edges * u.GeV, name="energy", interp="log")
    et = MapAxis.from_edges(edges * u.GeV, name="energy_true", interp="log")
    gal = geom.get_skycoord().galactic
    sr = geom.pixel_area.to_value(u.sr)
    flux = AMPLITUDE * bin_integrals(e)[:, None]  # cm-2 s-1 sr-1 per bin
    signal = flux * ridge(gal.l.deg, gal.b.deg)[None] * sr * exposure
    background = 0.2 * flux * sr * exposure
    counts = np.random.default_rng(seed).poisson(signal + background).astype(np.float32)
    dataset = MapDataset(
        counts=Map(geom.to_cube([e]), counts),
        exposure=Map(geom.to_cube([et]), exposure, unit="cm2 s"),
        background=Map(geom.to_cube([e]), background),
        name="fermi-allsky-sim",
    )
    return dataset, gal


@pytest.mark.slow
def test_360_degree_profile_recovers_the_diffuse_model(fermi_exposure):
    dataset, gal = _dataset(fermi_exposure, seed=20261202)
    start = SkyCoord(0, 0, unit="deg", frame="galactic")
    regions = make_orthogonal_rectangle_sky_regions(
        start, start, wcs=None, height="10 deg", nbin=180
    )
    profile = FluxProfileEstimator(
        regions=regions, spectral_model=PowerLawSpectralModel(index=INDEX),
        energy_edges=[10, 2000] * u.GeV, selection_optional=["errn-errp"],
    ).run(dataset)  # fmt: skip
    table = profile.to_table(sed_type="flux", format="profile")
    # the distance axis runs along the whole ring
    np.testing.assert_allclose(
        table["x_ref"].quantity.to_value(u.deg), 2.0 * np.arange(180)
    )
    # the input: the model's flux summed over each box's pixels
    geom = dataset.counts.geom
    from fluxprofile.regions.healpix import healpix_pixel_lists

    lists = healpix_pixel_lists(regions, geom)
    per_pixel = (
        AMPLITUDE
        * bin_integrals(MapAxis.from_edges([10, 2000] * u.GeV, name="energy"))[0]
    )
    truth = np.array([
        per_pixel * geom.pixel_area.to_value(u.sr)
        * ridge(gal.l.deg, gal.b.deg)[lists.flat_index[lists.offsets[r]:lists.offsets[r + 1]]].sum()
        for r in range(180)
    ])  # fmt: skip
    flux = table["flux"].quantity.to_value("cm-2 s-1").ravel()
    errn = table["flux_errn"].quantity.to_value("cm-2 s-1").ravel()
    errp = table["flux_errp"].quantity.to_value("cm-2 s-1").ravel()
    pull = np.where(flux > truth, (flux - truth) / errn, (flux - truth) / errp)
    assert np.all(np.isfinite(pull))
    within_1, within_2 = np.mean(np.abs(pull) < 1), np.mean(np.abs(pull) < 2)
    print(
        f"coverage 1 sigma {within_1:.3f}, 2 sigma {within_2:.3f}, mean pull {np.mean(pull):.3f}"
    )
    # coverage of the 1 and 2 sigma intervals (68.3 % and 95.4 %; 180 bins: +- 3.5 %, 1.6 %)
    assert 0.58 < within_1 < 0.79, within_1
    assert within_2 > 0.90, within_2
    assert abs(np.mean(pull)) < 3 / np.sqrt(180)  # no bias
