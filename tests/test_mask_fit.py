"""The fit mask: MASK_FIT HDUs read and written, and the reduction over pixels that are
both safe and fitted (docs/mask_fit.rst).

The reduction is checked against a brute-force NumPy sum over Gammapy's own region pixel
lists (../shared/reference/hess_crab_map_annulus_region_pixels.npz); files written by
Gammapy 2.1 with a MASK_FIT are made at test time by the gammapy-marked tests.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits

from fluxprofile import FluxProfileWarning, MapDataset, MapDatasetOnOff, read_dataset

CASE = "hess_crab_map_annulus"
EXCLUDED_ANNULUS = 5
EXCLUDED_BIN = 2


@pytest.fixture(scope="module")
def case(load_reference_case):
    return load_reference_case(CASE)


@pytest.fixture(scope="module")
def region_pixels(case):
    """Gammapy's pixel lists of the annuli: list of (iy, ix) index arrays."""
    pix = np.load(case.dir / f"{CASE}_region_pixels.npz")
    offsets = pix["offsets"]
    return [(pix["iy"][a:b], pix["ix"][a:b]) for a, b in itertools.pairwise(offsets)]


def _fit_mask(shape, region_pixels):
    """One annulus out, a disc that cuts across several annuli out, one energy bin out."""
    mask = np.ones(shape, dtype=bool)
    iy, ix = region_pixels[EXCLUDED_ANNULUS]
    mask[:, iy, ix] = False
    y, x = np.mgrid[: shape[1], : shape[2]]
    mask[:, np.hypot(x - 62.0, y - 55.0) < 6.0] = False
    mask[EXCLUDED_BIN] = False
    return mask


def _add_mask_fit(source, target, mask, dtype=np.int8):
    """Copy a DL4 file and add MASK_FIT (+ MASK_FIT_BANDS) built with astropy from the
    MASK_SAFE HDUs, as Gammapy lays them out."""
    with fits.open(source) as hdulist:
        hdus = [hdu.copy() for hdu in hdulist]
        header = hdulist["MASK_SAFE"].header.copy()
        header["EXTNAME"] = "MASK_FIT"
        header["BANDSHDU"] = "MASK_FIT_BANDS"
        image = fits.ImageHDU(mask.astype(dtype), header=header, name="MASK_FIT")
        bands = hdulist["MASK_SAFE_BANDS"].copy()
        bands.name = "MASK_FIT_BANDS"
    fits.HDUList([*hdus, image, bands]).writeto(target)
    return target


@pytest.fixture(scope="module")
def masked_file(case, region_pixels, tmp_path_factory):
    with fits.open(case.dataset_path) as hdulist:
        shape = hdulist["COUNTS"].data.shape
    mask = _fit_mask(shape, region_pixels)
    path = tmp_path_factory.mktemp("mask_fit") / "hess_mask_fit.fits"
    return _add_mask_fit(case.dataset_path, path, mask), mask


def _group_bins(dataset, table):
    """Reco-bin indices of each energy group, from the reference table's group edges."""
    edges = dataset.energy_axis.edges.to_value(u.TeV)
    e_min = np.asarray(table["e_min"][0]).ravel()
    e_max = np.asarray(table["e_max"][0]).ravel()
    groups = []
    for lo, hi in zip(e_min, e_max, strict=True):
        start = int(np.flatnonzero(np.isclose(edges, lo, rtol=1e-6))[0])
        stop = int(np.flatnonzero(np.isclose(edges, hi, rtol=1e-6))[0])
        groups.append(range(start, stop))
    return groups


def _run(case, dataset, **overrides):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FluxProfileWarning)
        table = (
            case.estimator(n_jobs=1, **overrides)
            .run(dataset)
            .to_table(sed_type="likelihood")
        )
    return table, [w for w in caught if issubclass(w.category, FluxProfileWarning)]


def test_read_mask_fit_built_with_astropy(masked_file, case):
    path, mask = masked_file
    dataset = MapDataset.read(path)
    assert dataset.mask_fit is not None
    assert dataset.mask_fit.data.dtype == np.bool_
    np.testing.assert_array_equal(dataset.mask_fit.data, mask)
    assert dataset.mask_fit.geom == dataset.counts.geom
    safe = fits.getdata(path, "MASK_SAFE").astype(bool)
    np.testing.assert_array_equal(dataset.mask, safe & mask)
    assert isinstance(read_dataset(path), MapDataset)
    # the file without MASK_FIT has none
    assert case.read_dataset().mask_fit is None


def test_reduction_is_over_safe_and_fitted_pixels(masked_file, case, region_pixels):
    path, mask = masked_file
    dataset = MapDataset.read(path, name=case.spec["dataset"]["name"])
    table, caught = _run(case, dataset, selection_optional=None)
    # the fully excluded annulus is reported, as every region without a fitted bin
    assert len(caught) == 1
    assert EXCLUDED_ANNULUS in caught[0].message.regions

    with fits.open(path) as hdulist:
        counts = hdulist["COUNTS"].data.astype(np.float64)
        background = np.clip(hdulist["BACKGROUND"].data.astype(np.float64), 0, None)
        safe = hdulist["MASK_SAFE"].data.astype(bool)
    groups = _group_bins(dataset, case.table)
    for r, (iy, ix) in enumerate(region_pixels):
        use = safe[:, iy, ix] & mask[:, iy, ix]  # (n_reco, n_pixels)
        n = np.sum(np.where(use, counts[:, iy, ix], 0.0), axis=1)
        mu = np.sum(np.where(use, background[:, iy, ix], 0.0), axis=1)
        fitted = use.any(axis=1)
        assert not fitted[EXCLUDED_BIN]
        assert np.all(mu[fitted] > 0)
        for g, bins in enumerate(groups):
            sel = [i for i in bins if fitted[i]]
            assert table["counts"][r][g, 0] == n[sel].sum()
            stat_null = np.sum(2.0 * (mu[sel] - n[sel] * np.log(mu[sel])))
            np.testing.assert_allclose(
                table["stat_null"][r][g], stat_null, rtol=1e-10, atol=1e-9
            )
            assert bool(table["success"][r][g]) == (len(sel) > 0)


def test_mask_fit_acts_as_a_narrower_safe_mask(masked_file, case):
    # the rule is mask = mask_safe AND mask_fit: moving the fit mask into the safe mask
    # changes nothing
    path, mask = masked_file
    dataset = MapDataset.read(path, name="hess")
    merged = MapDataset(
        dataset.counts, dataset.exposure, background=dataset.background,
        mask_safe=dataset.mask_safe.data & mask, edisp=dataset.edisp, name="hess",
    )  # fmt: skip
    ours, _ = _run(case, dataset)
    other, _ = _run(case, merged)
    for name in ours.colnames:
        np.testing.assert_array_equal(
            np.asarray(ours[name]), np.asarray(other[name]), err_msg=name
        )


def test_sum_over_energy_groups_sums_fitted_bins_only(masked_file, case, region_pixels):
    path, mask = masked_file
    dataset = MapDataset.read(path, name="hess")
    table, _ = _run(case, dataset, sum_over_energy_groups=True, selection_optional=None)
    with fits.open(path) as hdulist:
        counts = hdulist["COUNTS"].data.astype(np.float64)
        safe = hdulist["MASK_SAFE"].data.astype(bool)
    groups = _group_bins(dataset, case.table)
    for r, (iy, ix) in enumerate(region_pixels):
        use = safe[:, iy, ix] & mask[:, iy, ix]
        n = np.sum(np.where(use, counts[:, iy, ix], 0.0), axis=1)
        for g, bins in enumerate(groups):
            assert table["counts"][r][g, 0] == sum(n[i] for i in bins if use[i].any())


def test_write_read_round_trip_keeps_mask_fit(masked_file, tmp_path):
    path, mask = masked_file
    dataset = MapDataset.read(path, name="hess")
    out = tmp_path / "again.fits.gz"
    dataset.write(out)
    with fits.open(out) as hdulist:
        names = [h.name for h in hdulist]
        assert names.index("MASK_FIT_BANDS") == names.index("MASK_FIT") + 1
        assert hdulist["MASK_FIT"].header["BANDSHDU"] == "MASK_FIT_BANDS"
        np.testing.assert_array_equal(hdulist["MASK_FIT"].data.astype(bool), mask)
    back = MapDataset.read(out)
    np.testing.assert_array_equal(back.mask_fit.data, mask)


def test_onoff_reads_and_writes_mask_fit(data_dir, tmp_path, region_pixels):
    source = data_dir / "hess-dl3-dr1-crab" / "hess_crab_onoff.fits.gz"
    if not source.exists():
        pytest.fail(f"H.E.S.S. on-off dataset not found at {source}")
    with fits.open(source) as hdulist:
        shape = hdulist["COUNTS"].data.shape
    mask = _fit_mask(shape, region_pixels)
    path = _add_mask_fit(source, tmp_path / "onoff_mask_fit.fits", mask, dtype=np.int64)
    dataset = MapDatasetOnOff.read(path)
    np.testing.assert_array_equal(dataset.mask_fit.data, mask)
    assert isinstance(read_dataset(path), MapDatasetOnOff)
    np.testing.assert_array_equal(dataset.mask, dataset.mask_safe.data & mask)
    dataset.write(tmp_path / "back.fits")
    np.testing.assert_array_equal(
        MapDatasetOnOff.read(tmp_path / "back.fits").mask_fit.data, mask
    )


def test_mask_fit_of_the_wrong_shape_is_refused(case, tmp_path):
    with fits.open(case.dataset_path) as hdulist:
        ny, nx = hdulist["COUNTS"].data.shape[-2:]
    path = _add_mask_fit(
        case.dataset_path, tmp_path / "bad.fits", np.ones((3, ny, nx), bool)
    )
    with pytest.raises(ValueError, match=r"MASK_FIT.*shape \(3, 100, 100\)"):
        MapDataset.read(path)


# ---------------------------------------------------------------------------------------
# files written by Gammapy 2.1
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gp():
    gammapy = pytest.importorskip("gammapy")
    assert gammapy.__version__.startswith("2.1")
    import gammapy.datasets
    import gammapy.estimators
    import gammapy.modeling.models

    return gammapy


def _uniform_fit_mask(gp_dataset, regions):
    """A fit mask Gammapy accepts for the annuli: one annulus and one energy bin out."""
    geom = gp_dataset.counts.geom
    mask = ~geom.region_mask([regions[EXCLUDED_ANNULUS]])
    mask.data[EXCLUDED_BIN] = False
    return mask


@pytest.mark.gammapy
def test_gammapy_written_mask_fit_gives_gammapy_profile(gp, case, tmp_path):
    gp_dataset = gp.datasets.MapDataset.read(case.dataset_path, name="hess-crab")
    gp_dataset.mask_fit = _uniform_fit_mask(gp_dataset, case.regions)
    path = tmp_path / "gammapy_mask_fit.fits.gz"
    gp_dataset.write(path)
    gp_dataset = gp.datasets.MapDataset.read(path, name="hess-crab")

    ours = MapDataset.read(path, name="hess-crab")
    np.testing.assert_array_equal(
        ours.mask_fit.data, gp_dataset.mask_fit.data.astype(bool)
    )

    spec = case.spec["estimator"]
    model = gp.modeling.models.PowerLawSpectralModel(
        index=2.6, amplitude="1e-12 cm-2 s-1 TeV-1"
    )
    assert spec["spectral_model"]["parameters"][0]["value"] == 2.6
    energy_edges = u.Quantity(
        spec["energy_edges"]["value"], spec["energy_edges"]["unit"]
    )
    expected = (
        gp.estimators.FluxProfileEstimator(
            case.regions,
            spectral_model=model,
            energy_edges=energy_edges,
            selection_optional=["ul"],
        )
        .run(gp_dataset)
        .to_table(sed_type="likelihood")
    )
    table, caught = _run(case, ours, selection_optional=["ul"])
    assert len(caught) == 1
    assert caught[0].message.regions == (EXCLUDED_ANNULUS,)

    ok = np.asarray(expected["success"]).astype(bool)
    np.testing.assert_array_equal(np.asarray(table["success"]).astype(bool), ok)
    np.testing.assert_array_equal(
        np.asarray(table["counts"]), np.asarray(expected["counts"])
    )
    err = np.asarray(expected["norm_err"])[ok]
    np.testing.assert_allclose(np.asarray(table["norm_err"])[ok], err, rtol=1e-3)
    ul = np.abs(np.asarray(table["norm_ul"]) - np.asarray(expected["norm_ul"]))[ok]
    assert np.all(ul <= 0.01 * err + 1e-6)
    ts, ts_gp = np.asarray(table["ts"])[ok], np.asarray(expected["ts"])[ok]
    assert np.all(np.abs(ts - ts_gp) <= 1e-3 + 1e-5 * np.abs(ts_gp))
    for name in ("stat", "stat_null"):
        np.testing.assert_allclose(
            np.asarray(table[name])[ok],
            np.asarray(expected[name])[ok],
            atol=1e-3,
            rtol=0,
        )
    # fluxprofile's norm is the exact minimum; MIGRAD (tol 0.1) stops up to ~1.3 % of
    # norm_err away from it here (row 1, group 0). That offset is Gammapy's: its stat is
    # higher than ours by exactly (offset / norm_err)^2.
    offset = (np.asarray(table["norm"]) - np.asarray(expected["norm"]))[ok] / err
    assert np.all(np.abs(offset) <= 0.02)
    stat_excess = (np.asarray(expected["stat"]) - np.asarray(table["stat"]))[ok]
    np.testing.assert_allclose(stat_excess, offset**2, rtol=0.05, atol=1e-6)


@pytest.mark.gammapy
def test_gammapy_reads_the_mask_fit_fluxprofile_writes(gp, masked_file, tmp_path):
    path, mask = masked_file
    out = tmp_path / "from_fluxprofile.fits"
    MapDataset.read(path, name="hess").write(out)
    gp_dataset = gp.datasets.MapDataset.read(out)
    np.testing.assert_array_equal(gp_dataset.mask_fit.data.astype(bool), mask)
    np.testing.assert_array_equal(gp_dataset.mask.data, MapDataset.read(out).mask)


@pytest.mark.gammapy
def test_gammapy_written_onoff_mask_fit(gp, data_dir, case, tmp_path):
    source = data_dir / "hess-dl3-dr1-crab" / "hess_crab_onoff.fits.gz"
    gp_dataset = gp.datasets.MapDatasetOnOff.read(source, name="onoff")
    gp_dataset.mask_fit = _uniform_fit_mask(gp_dataset, case.regions)
    path = tmp_path / "gammapy_onoff_mask_fit.fits.gz"
    gp_dataset.write(path)
    ours = MapDatasetOnOff.read(path)
    np.testing.assert_array_equal(
        ours.mask_fit.data, gp_dataset.mask_fit.data.astype(bool)
    )
    np.testing.assert_array_equal(ours.mask, gp_dataset.mask.data)
