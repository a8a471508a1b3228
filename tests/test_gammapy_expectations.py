"""Gammapy 2.1's own tests of FluxProfileEstimator (gammapy/estimators/points/tests/
test_profile.py), ported to fluxprofile with their numbers and tolerances.

The dataset is built in memory the way Gammapy's test builds it: a 40 x 40 on-off map of
0.01 deg pixels with 5 ON and 1 OFF count per pixel and bin, alpha 1, exposure
1000 m2 s. ``test_profile_with_model_or_mask`` needs a map dataset simulated from the CTA
1DC IRFs (../shared/data/cta-1dc) with Gammapy's own simulation machinery, so it is
gammapy-marked: Gammapy builds the dataset, fluxprofile measures the profile.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table
from astropy.time import Time
from numpy.testing import assert_allclose
from regions import CircleSkyRegion

import fluxprofile as fp


def get_simple_dataset_on_off():
    axis = fp.MapAxis.from_energy_bounds(0.1 * u.TeV, 10 * u.TeV, 2, name="energy")
    axis_true = fp.MapAxis.from_energy_bounds(
        0.1 * u.TeV, 10 * u.TeV, 2, name="energy_true"
    )
    geom = fp.WcsGeom.create(npix=40, binsz=0.01, axes=[axis])
    geom_true = fp.WcsGeom.create(npix=40, binsz=0.01, axes=[axis_true])
    shape = geom.data_shape
    reference = Time("2010-01-01T00:00:00", scale="utc").tt
    gti = Table({"START": [0.0] * u.s, "STOP": [5.0 * 3600] * u.s})
    gti.meta.update(
        MJDREFI=int(reference.mjd),
        MJDREFF=reference.mjd % 1,
        TIMESYS="tt",
        TIMEUNIT="s",
    )
    return fp.MapDatasetOnOff(
        counts=fp.Map(geom, np.full(shape, 5.0)),
        counts_off=fp.Map(geom, np.full(shape, 1.0)),
        acceptance=fp.Map(geom, np.ones(shape)),
        acceptance_off=fp.Map(geom, np.ones(shape)),
        exposure=fp.Map(geom_true, np.full(geom_true.data_shape, 1000.0), unit="m2 s"),
        mask_safe=fp.Map(geom, np.ones(shape, dtype=bool)),
        edisp=fp.EDispKernelMap.from_diagonal_response(axis, axis_true),
        gti=gti,
        name="test-on-off",
    )


def make_boxes(wcs):
    start_line = SkyCoord(0.08, -0.16, unit="deg", frame="icrs")
    end_line = SkyCoord(359.9, 0.16, unit="deg", frame="icrs")
    return fp.make_orthogonal_rectangle_sky_regions(
        start_line, end_line, wcs, 0.1 * u.deg, 8
    )


def make_horizontal_boxes(wcs):
    start_line = SkyCoord(0.08, 0.1, unit="deg", frame="icrs")
    end_line = SkyCoord(359.9, 0.1, unit="deg", frame="icrs")
    return fp.make_orthogonal_rectangle_sky_regions(
        start_line, end_line, wcs, 0.1 * u.deg, 8
    )


def _annuli(dataset):
    return fp.make_concentric_annulus_sky_regions(
        center=dataset.counts.geom.center_skydir, radius_max=0.2 * u.deg
    )


def test_profile_content():
    dataset = get_simple_dataset_on_off()
    boxes = make_horizontal_boxes(dataset.counts.geom.wcs)
    prof_maker = fp.FluxProfileEstimator(
        regions=boxes,
        energy_edges=[0.1, 1, 10] * u.TeV,
        selection_optional="all",
        n_sigma=1,
        n_sigma_ul=3,
    )
    result = prof_maker.run(dataset)

    imp_prof = result.to_table(sed_type="flux")
    assert_allclose(imp_prof[7]["x_min"], 0.1462, atol=1e-4)
    assert_allclose(imp_prof[7]["x_ref"], 0.1575, atol=1e-4)
    assert_allclose(imp_prof[7]["counts"], [[100.0], [100.0]], atol=1e-2)
    assert_allclose(imp_prof[7]["sqrt_ts"], [7.63, 7.63], atol=1e-2)
    assert_allclose(imp_prof[0]["flux"], [8e-06, 8.0e-06], atol=1e-3)

    assert_allclose(result.npred_excess.data[7].squeeze(), [80.0, 80.0], rtol=1e-3)
    assert_allclose(
        result.npred_excess_errn.data[7].squeeze(), [10.75, 10.75], atol=1e-2
    )
    assert_allclose(
        result.npred_excess_ul.data[7].squeeze(), [115.171875, 115.171874], atol=1e-2
    )


def test_tilted_boxes_run():
    dataset = get_simple_dataset_on_off()
    boxes = make_boxes(dataset.counts.geom.wcs)
    result = fp.FluxProfileEstimator(
        regions=boxes, energy_edges=[0.1, 1, 10] * u.TeV
    ).run(dataset)
    assert result.success.data.all()


def test_profile_optimization():
    dataset = get_simple_dataset_on_off()
    boxes = make_horizontal_boxes(dataset.counts.geom.wcs)
    with pytest.raises(ValueError, match="reoptimize=True is not available"):
        fp.FluxProfileEstimator(
            regions=boxes,
            energy_edges=[0.1, 1, 10] * u.TeV,
            selection_optional="all",
            n_sigma=1,
            n_sigma_ul=3,
            reoptimize=True,
        )


def test_radial_profile():
    dataset = get_simple_dataset_on_off()
    prof_maker = fp.FluxProfileEstimator(
        _annuli(dataset),
        energy_edges=[0.1, 1, 10] * u.TeV,
        selection_optional="all",
        n_sigma_ul=3,
    )
    result = prof_maker.run(dataset)

    imp_prof = result.to_table(sed_type="flux")
    assert_allclose(imp_prof[7]["x_min"], 0.14, atol=1e-4)
    assert_allclose(imp_prof[7]["x_ref"], 0.15, atol=1e-4)
    assert_allclose(imp_prof[7]["counts"], [[980.0], [980.0]], atol=1e-2)
    assert_allclose(imp_prof[7]["sqrt_ts"], [23.886444, 23.886444], atol=1e-5)
    assert_allclose(imp_prof[0]["flux"], [8e-06, 8.0e-06], atol=1e-3)

    assert_allclose(result.npred_excess.data[7].squeeze(), [784.0, 784.0], rtol=1e-3)
    assert_allclose(
        result.npred_excess_errn.data[7].squeeze(), [34.075, 34.075], rtol=2e-3
    )
    assert_allclose(
        result.npred_excess_ul.data[0].squeeze(), [75.834986, 75.834986], rtol=1e-3
    )


def test_radial_profile_one_interval():
    dataset = get_simple_dataset_on_off()
    prof_maker = fp.FluxProfileEstimator(
        _annuli(dataset),
        selection_optional="all",
        energy_edges=[0.1, 10] * u.TeV,
        n_sigma_ul=3,
        sum_over_energy_groups=True,
    )
    result = prof_maker.run(dataset)

    imp_prof = result.to_table(sed_type="flux")
    assert_allclose(imp_prof[7]["counts"], [[1960]], atol=1e-5)
    assert_allclose(imp_prof[7]["npred_excess"], [[1568.0]], rtol=1e-3)
    assert_allclose(imp_prof[7]["sqrt_ts"], [33.780533], rtol=1e-3)
    assert_allclose(imp_prof[0]["flux"], [16e-06], atol=1e-3)

    assert list(result.counts.axes["dataset"].center) == ["test-on-off"]
    assert_allclose(result.npred_excess_errn.data[7].squeeze(), [48.278367], rtol=2e-3)
    assert_allclose(result.npred_excess_ul.data[0].squeeze(), [134.285974], rtol=1e-3)


def test_serialisation(tmp_path):
    dataset = get_simple_dataset_on_off()
    est = fp.FluxProfileEstimator(_annuli(dataset), energy_edges=[0.1, 10] * u.TeV)
    result = est.run(dataset)
    result.write(tmp_path / "profile.fits")
    profile = fp.FluxPoints.read(
        tmp_path / "profile.fits", reference_model=fp.PowerLawSpectralModel()
    )

    assert_allclose(result.norm.data, profile.norm.data, rtol=1e-4)
    assert_allclose(result.norm_err.data, profile.norm_err.data, rtol=1e-4)
    assert_allclose(result.npred.data, profile.npred.data)
    assert_allclose(result.ts.data, profile.ts.data)
    gti = profile.gti
    start = (
        Time(gti.meta["MJDREFI"] + gti.meta["MJDREFF"], format="mjd", scale="tt")
        + gti["START"][0] * u.s
    )
    assert_allclose(start.mjd, 55197.000766, rtol=1e-5)
    assert np.all(result.is_ul.data == profile.is_ul.data)


def test_regions_init():
    with pytest.raises(ValueError, match="at least two regions"):
        fp.FluxProfileEstimator(regions=[])
    region = CircleSkyRegion(center=SkyCoord("0d", "0d"), radius=0.1 * u.deg)
    with pytest.raises(ValueError, match="at least two regions"):
        fp.FluxProfileEstimator(regions=[region])


def test_region_geometry_cache_follows_changes():
    """Re-running after replacing or editing regions uses the new geometry."""
    dataset = get_simple_dataset_on_off()
    boxes = make_horizontal_boxes(dataset.counts.geom.wcs)
    est = fp.FluxProfileEstimator(regions=boxes, energy_edges=[0.1, 10] * u.TeV)
    first = est.run(dataset).counts.data.copy()
    assert np.array_equal(est.run(dataset).counts.data, first)
    est.regions[0].height = 0.05 * u.deg  # a new attribute value: half the pixels
    halved = est.run(dataset).counts.data
    assert halved[0].sum() < first[0].sum()
    assert np.array_equal(halved[1:], first[1:])
    est.regions = make_horizontal_boxes(dataset.counts.geom.wcs)
    assert np.array_equal(est.run(dataset).counts.data, first)
    clone = est.copy()
    assert np.array_equal(clone.run(dataset).counts.data, first)


# ---------------------------------------------------------------------------------------
# test_profile_with_model_or_mask: a dataset simulated with Gammapy from the CTA 1DC IRFs
# ---------------------------------------------------------------------------------------
def simulate_map_dataset_with_gammapy(irf_file, name):
    """The simulated dataset of Gammapy's ``test_profile_with_model_or_mask``: 1 h of the
    CTA South IRFs on a 4 x 4 deg galactic map of 0.1 deg pixels (14 log energy bins
    0.1-100 TeV), a Gaussian source of 0.4 deg on a FoV background model, faked with
    random_state 0. Returns the Gammapy dataset with its models."""
    from astropy.coordinates import EarthLocation
    from gammapy.data import FixedPointingInfo, Observation
    from gammapy.datasets import MapDataset as GPMapDataset
    from gammapy.irf import load_irf_dict_from_file
    from gammapy.makers import MapDatasetMaker
    from gammapy.maps import MapAxis as GPMapAxis
    from gammapy.maps import WcsGeom as GPWcsGeom
    from gammapy.modeling.models import (
        FoVBackgroundModel,
        GaussianSpatialModel,
        PowerLawSpectralModel,
        SkyModel,
    )

    skydir = SkyCoord("0 deg", "0 deg", frame="galactic")
    energy_axis = GPMapAxis.from_edges(
        np.logspace(-1, 2, 15) * u.TeV, name="energy", interp="log"
    )
    geom = GPWcsGeom.create(
        skydir=skydir, width=(4, 4), binsz=0.1, axes=[energy_axis], frame="galactic"
    )
    observation = Observation.create(
        pointing=FixedPointingInfo(fixed_icrs=skydir.icrs),
        livetime=1 * u.h,
        irfs=load_irf_dict_from_file(irf_file),
        location=EarthLocation(lon="-70d18m58.84s", lat="-24d41m0.34s", height="2000m"),
    )
    maker = MapDatasetMaker(selection=["exposure", "background", "psf", "edisp"])
    dataset = maker.run(GPMapDataset.create(geom, name=name), observation)
    source = SkyModel(
        spatial_model=GaussianSpatialModel(
            lon_0="0 deg", lat_0="0 deg", sigma="0.4 deg", frame="galactic"
        ),
        spectral_model=PowerLawSpectralModel(amplitude="1e-11 cm-2 s-1 TeV-1"),
        name="source",
    )
    dataset.models = [FoVBackgroundModel(dataset_name=dataset.name), source]
    dataset.fake(random_state=0)
    return dataset


def _run_warning_empty_annuli(prof_maker, datasets):
    """Run the profile; with 0.1 deg pixels the inner annuli hold no pixel centre (Gammapy
    gives NaN rows for them silently, fluxprofile warns)."""
    with pytest.warns(fp.FluxProfileWarning) as caught:
        result = prof_maker.run(datasets)
    assert 7 not in caught[0].message.regions
    return result, caught


@pytest.mark.gammapy
def test_profile_with_model_or_mask(data_dir):
    gammapy = pytest.importorskip("gammapy")
    assert gammapy.__version__.startswith("2.1")
    irf_file = (
        data_dir
        / "cta-1dc"
        / "caldb"
        / "data"
        / "cta"
        / "1dc"
        / "bcf"
        / "South_z20_50h"
        / "irf_file.fits"
    )
    if not irf_file.exists():
        pytest.fail(f"CTA 1DC IRFs not found at {irf_file} (set FLUXPROFILE_TEST_DATA)")
    with warnings.catch_warnings():
        # Gammapy's own warnings while it simulates (IRF units, astropy time scales).
        warnings.simplefilter("ignore")
        dataset = simulate_map_dataset_with_gammapy(irf_file, name="test-map-pwl")

    geom = dataset.counts.geom
    regions = fp.make_concentric_annulus_sky_regions(
        center=geom.center_skydir, radius_max=0.2 * u.deg
    )
    prof_maker = fp.FluxProfileEstimator(
        regions,
        selection_optional="all",
        energy_edges=[0.1, 10] * u.TeV,
        n_sigma_ul=3,
        sum_over_energy_groups=True,
    )
    # with the models: the source is in the predicted background, no excess is left
    result, _ = _run_warning_empty_annuli(prof_maker, fp.Datasets([dataset]))
    imp_prof = result.to_table(sed_type="flux")
    assert_allclose(imp_prof[7]["npred_excess"], [[-1.115967]], rtol=1e-3)

    dataset.models = None
    result, _ = _run_warning_empty_annuli(
        prof_maker, fp.MapDataset.from_gammapy(dataset)
    )
    imp_prof = result.to_table(sed_type="flux")
    assert_allclose(imp_prof[7]["npred_excess"], [[112.95312]], rtol=1e-3)

    dataset.mask_fit = ~geom.region_mask([regions[7]])
    with pytest.warns(fp.FluxProfileWarning) as caught:
        result = prof_maker.run(fp.Datasets([dataset]))
    assert any(w.message.regions == (7,) for w in caught)
    imp_prof = result.to_table(sed_type="flux")
    assert_allclose(imp_prof[7]["npred_excess"], [[0]], rtol=1e-3)
    assert imp_prof[7]["counts"][0, 0] == 0
