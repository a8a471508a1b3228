"""Gammapy -> fluxprofile conversion of datasets and flux points (needs gammapy 2.1).

The reference for every conversion is Gammapy itself: the same file read by Gammapy and
converted must equal the file read by fluxprofile array for array; the background of a
dataset with models must equal Gammapy's own ``npred()``; migration energy dispersion must
equal Gammapy's ``get_edisp_kernel``; flux points must give Gammapy's own tables.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gammapy

RTOL = 1e-12


@pytest.fixture(scope="module")
def gp():
    """The gammapy modules used here (imported only in the gammapy environment)."""
    gammapy = pytest.importorskip("gammapy")
    assert gammapy.__version__.startswith("2.1")
    import gammapy.datasets
    import gammapy.estimators
    import gammapy.maps
    import gammapy.modeling.models

    return gammapy


def _assert_map_equal(ours, conv, what):
    if ours is None:
        assert conv is None, what
        return
    assert conv.geom == ours.geom, what
    assert conv.unit == ours.unit, what
    assert conv.data.shape == ours.data.shape, what
    assert conv.data.dtype.isnative, what
    np.testing.assert_allclose(conv.data, ours.data, rtol=RTOL, atol=0, err_msg=what)


def _assert_same_dataset(ours, conv):
    from fluxprofile.datamodel.datasets import MapDatasetOnOff

    assert type(conv) is type(ours)
    assert conv.name == ours.name
    assert conv.stat_type == ours.stat_type
    for attr in ("counts", "exposure", "mask_safe", "mask_fit"):
        _assert_map_equal(getattr(ours, attr), getattr(conv, attr), attr)
    if isinstance(ours, MapDatasetOnOff):
        for attr in (
            "counts_off",
            "acceptance",
            "acceptance_off",
            "alpha",
            "background",
        ):
            _assert_map_equal(getattr(ours, attr), getattr(conv, attr), attr)
    # the converted background is Gammapy's npred() (clipped at 0, float64)
    np.testing.assert_allclose(conv.npred().data, ours.npred().data, rtol=RTOL, atol=0)
    if ours.edisp is None:
        assert conv.edisp is None
    else:
        assert conv.edisp.is_spatial == ours.edisp.is_spatial
        assert conv.edisp.energy_axis == ours.edisp.energy_axis
        assert conv.edisp.energy_axis_true == ours.edisp.energy_axis_true
        np.testing.assert_allclose(conv.edisp.data, ours.edisp.data, rtol=RTOL, atol=0)
        if ours.edisp.is_spatial:
            assert conv.edisp.geom == ours.edisp.geom
        if ours.edisp.exposure is not None:
            np.testing.assert_allclose(
                conv.edisp.exposure, ours.edisp.exposure, rtol=RTOL, atol=0
            )
    if ours.gti is None:
        assert conv.gti is None
    else:
        assert len(conv.gti) == len(ours.gti)
        for col in ("START", "STOP"):
            np.testing.assert_allclose(
                conv.gti[col].quantity, ours.gti[col].quantity, rtol=RTOL
            )
    assert (conv.meta_table is None) == (ours.meta_table is None)


@pytest.fixture(scope="module")
def dataset_files(fermi_gc_path, fermi_crab_path, reference_dir):
    return {
        "gc": fermi_gc_path,
        "crab": fermi_crab_path,
        "onoff": reference_dir / "onoff_simple_dataset.fits",
    }


@pytest.mark.parametrize("key", ["gc", "crab", "onoff"])
def test_from_gammapy_equals_file(gp, dataset_files, key):
    from fluxprofile import MapDataset, MapDatasetOnOff, read_dataset

    path = dataset_files[key]
    ours = read_dataset(path, name=f"ds-{key}")
    gp_cls = gp.datasets.MapDatasetOnOff if key == "onoff" else gp.datasets.MapDataset
    gp_dataset = gp_cls.read(path, name=f"ds-{key}")
    conv = MapDataset.from_gammapy(gp_dataset)
    _assert_same_dataset(ours, conv)
    if key == "onoff":
        assert isinstance(conv, MapDatasetOnOff)
        assert MapDatasetOnOff.from_gammapy(gp_dataset).stat_type == "wstat"
    else:
        with pytest.raises(TypeError, match="needs a Gammapy MapDatasetOnOff"):
            MapDatasetOnOff.from_gammapy(gp_dataset)
    # the Gammapy object is left untouched (no in-place byte swap)
    np.testing.assert_array_equal(gp_dataset.counts.data, ours.counts.data)


def test_background_is_gammapy_npred_with_models(gp, fermi_crab_path):
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    from fluxprofile.datamodel.datasets import MapDataset

    m = gp.modeling.models
    gp_dataset = gp.datasets.MapDataset.read(fermi_crab_path, name="crab")
    center = gp_dataset.counts.geom.center_skydir
    source = m.SkyModel(
        spectral_model=m.PowerLawSpectralModel(
            index=2.5, amplitude="3e-10 cm-2 s-1 TeV-1"
        ),
        spatial_model=m.PointSpatialModel(
            lon_0=center.data.lon, lat_0=center.data.lat, frame=center.frame.name
        ),
        name="src",
    )
    bkg = m.FoVBackgroundModel(dataset_name="crab")
    bkg.spectral_model.norm.value = 1.3
    gp_dataset.models = [source, bkg]
    raw_background = gp_dataset.background.data.astype(np.float64)
    conv = MapDataset.from_gammapy(gp_dataset)
    expected = gp_dataset.npred().data
    np.testing.assert_allclose(conv.background.data, expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose(conv.npred().data, expected, rtol=RTOL, atol=0)
    # the models matter: more than the raw background everywhere it is positive
    assert np.all(
        conv.background.data[raw_background > 0] > raw_background[raw_background > 0]
    )
    assert SkyCoord(center).separation(conv.counts.geom.center_skydir) < 1e-9 * u.deg


def test_edisp_map_migration_converted(gp):
    from astropy.coordinates import SkyCoord

    from fluxprofile.datamodel.datasets import MapDataset

    maps = gp.maps
    e = maps.MapAxis.from_energy_bounds("0.1 TeV", "10 TeV", 4)
    et = maps.MapAxis.from_energy_bounds("0.05 TeV", "20 TeV", 6, name="energy_true")
    migra = maps.MapAxis.from_edges(np.linspace(0.2, 3, 57), name="migra")
    geom = maps.WcsGeom.create(
        skydir=(0, 0), npix=(20, 10), binsz=0.1, frame="galactic", axes=[e]
    )
    gp_dataset = gp.datasets.MapDataset.create(
        geom, energy_axis_true=et, migra_axis=migra, binsz_irf=0.5, name="m"
    )
    assert type(gp_dataset.edisp).__name__ == "EDispMap"
    edisp_data = gp_dataset.edisp.edisp_map.data
    ny, nx = edisp_data.shape[-2:]
    sigma = 0.1 + 0.05 * np.arange(nx)[None, :] + 0.02 * np.arange(ny)[:, None]
    mc = migra.center.value[None, :, None, None]
    edisp_data[...] = np.exp(-0.5 * ((mc - 1) / sigma) ** 2) / (
        np.sqrt(2 * np.pi) * sigma
    )
    gp_dataset.exposure.data += 1e9
    conv = MapDataset.from_gammapy(gp_dataset)
    assert conv.edisp.is_spatial
    positions = SkyCoord(
        [0.3, -0.7, 0.05, 0.9], [0.2, -0.3, 0.4, -0.45], unit="deg", frame="galactic"
    )
    kernels = conv.edisp.get_kernels(positions)
    for i, position in enumerate(positions):
        expected = gp_dataset.edisp.get_edisp_kernel(
            position=position, energy_axis=e
        ).data
        np.testing.assert_allclose(kernels[i], expected, rtol=1e-10, atol=1e-15)
    # kernels differ between grid pixels (the test would be blind otherwise)
    assert np.abs(kernels[0] - kernels[1]).max() > 1e-3


def test_datasets_from_gammapy_and_as_dataset_list(gp, dataset_files):
    from fluxprofile.datamodel import Datasets, MapDatasetOnOff, as_dataset_list

    gp_gc = gp.datasets.MapDataset.read(dataset_files["crab"], name="crab")
    gp_onoff = gp.datasets.MapDatasetOnOff.read(dataset_files["onoff"], name="onoff")
    gp_datasets = gp.datasets.Datasets([gp_gc, gp_onoff])
    converted = Datasets.from_gammapy(gp_datasets)
    assert converted.names == gp_datasets.names == ["crab", "onoff"]
    assert converted.stat_type == ["cash", "wstat"]
    assert isinstance(converted["onoff"], MapDatasetOnOff)
    for obj in (gp_datasets, [gp_gc, gp_onoff], (gp_gc, gp_onoff)):
        assert [d.name for d in as_dataset_list(obj)] == ["crab", "onoff"]
    assert Datasets(gp_datasets).names == ["crab", "onoff"]
    assert Datasets([gp_gc]).names == ["crab"]
    mixed = as_dataset_list([converted["crab"], gp_onoff])
    assert mixed[0] is converted["crab"]
    assert as_dataset_list(gp_onoff)[0].stat_type == "wstat"
    with pytest.raises(ValueError, match="unique"):
        as_dataset_list([gp_gc, converted["crab"]])


def test_unsupported_gammapy_objects(gp, dataset_files):
    from regions import CircleSkyRegion

    from fluxprofile.datamodel import MapDataset, as_dataset_list

    gp_dataset = gp.datasets.MapDataset.read(dataset_files["crab"], name="crab")
    center = gp_dataset.counts.geom.center_skydir
    spectrum = gp_dataset.to_spectrum_dataset(
        CircleSkyRegion(center, radius=3 * gp_dataset.counts.geom.pixel_scales[0])
    )
    with pytest.raises(TypeError, match="RegionGeom.*spectrum datasets"):
        MapDataset.from_gammapy(spectrum)
    with pytest.raises(TypeError, match="SpectrumDataset"):
        as_dataset_list([spectrum])
    with pytest.raises(TypeError, match=r"gammapy\.maps\..*WcsGeom"):
        as_dataset_list(gp_dataset.counts.geom)
    with pytest.raises(TypeError, match="Gammapy MapDataset or MapDatasetOnOff"):
        MapDataset.from_gammapy(gp_dataset.counts)


# ---------------------------------------------------------------------------------------
# the estimator on Gammapy objects equals the estimator on the files
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "case_name", ["onoff_radial", "onoff_tilted_boxes", "fermi_annulus_seed"]
)
def test_profile_on_gammapy_dataset_equals_file(gp, load_reference_case, case_name):
    from fluxprofile.datamodel import as_dataset_list

    case = load_reference_case(case_name)
    ours = case.read_dataset()
    gp_cls = getattr(gp.datasets, case.spec["dataset"]["class"])
    gp_dataset = gp_cls.read(case.dataset_path, name=case.spec["dataset"]["name"])
    est = case.estimator()
    expected = est.run([ours]).to_table()
    got = est.run(as_dataset_list(gp_dataset)).to_table()
    assert got.colnames == expected.colnames
    for col in expected.colnames:
        a, b = np.asarray(got[col]), np.asarray(expected[col])
        if a.dtype.kind == "f":
            np.testing.assert_allclose(
                a, b, rtol=RTOL, atol=1e-300, equal_nan=True, err_msg=col
            )
        else:
            np.testing.assert_array_equal(a, b, err_msg=col)


# ---------------------------------------------------------------------------------------
# flux points
# ---------------------------------------------------------------------------------------
def _gammapy_columns(table):
    """The table without fluxprofile's columns (exact distance nodes, bin sizes), which
    Gammapy's FluxPoints lack."""
    table.remove_columns(
        [name for name in ("x_node", "npix", "solid_angle") if name in table.colnames]
    )
    return table


@pytest.fixture(scope="module")
def onoff_profile(load_reference_case):
    case = load_reference_case("onoff_radial")
    return case.estimator().run(case.read_dataset())


@pytest.mark.parametrize("sed_type", ["likelihood", "dnde", "flux", "eflux", "e2dnde"])
def test_flux_points_to_gammapy(gp, onoff_profile, sed_type):
    gp_points = onoff_profile.to_gammapy()
    assert isinstance(gp_points, gp.estimators.FluxPoints)
    assert gp_points.geom.axes.names == ["energy", "projected-distance"]
    assert type(gp_points.reference_spectral_model).__name__ == "PowerLawSpectralModel"
    ours = _gammapy_columns(onoff_profile.to_table(sed_type=sed_type))
    with np.errstate(
        divide="ignore", invalid="ignore"
    ):  # gammapy's PL energy flux at index 2
        theirs = gp_points.to_table(sed_type=sed_type, format="profile")
    assert theirs.colnames == ours.colnames
    for col in ours.colnames:
        a, b = np.asarray(theirs[col]), np.asarray(ours[col])
        assert theirs[col].unit == ours[col].unit, col
        if a.dtype.kind == "f":
            np.testing.assert_allclose(
                a, b, rtol=RTOL, atol=1e-15, equal_nan=True, err_msg=col
            )
        else:
            np.testing.assert_array_equal(a, b, err_msg=col)


def test_flux_points_round_trip_through_gammapy(gp, onoff_profile):
    from fluxprofile import FluxPoints
    from fluxprofile.datamodel.spectral import PowerLawSpectralModel

    back = FluxPoints.from_gammapy(onoff_profile.to_gammapy())
    assert isinstance(back.reference_model, PowerLawSpectralModel)
    assert back.reference_model.index.value == onoff_profile.reference_model.index.value
    ours, theirs = (
        _gammapy_columns(onoff_profile.to_table()),
        _gammapy_columns(back.to_table()),
    )
    # the distance axis survives both conversions bit for bit (docs/profile_files.rst)
    gp_axis = onoff_profile.to_gammapy().geom.axes["projected-distance"]
    np.testing.assert_array_equal(
        gp_axis.center.value, onoff_profile.distance_axis.center.value
    )
    np.testing.assert_array_equal(
        gp_axis.edges.value, onoff_profile.distance_axis.edges.value
    )
    np.testing.assert_array_equal(
        back.distance_axis.center.value, onoff_profile.distance_axis.center.value
    )
    np.testing.assert_array_equal(
        back.distance_axis.edges.value, onoff_profile.distance_axis.edges.value
    )
    assert theirs.colnames == ours.colnames
    for col in ours.colnames:
        a, b = np.asarray(theirs[col]), np.asarray(ours[col])
        if a.dtype.kind == "f":
            np.testing.assert_allclose(
                a, b, rtol=RTOL, atol=1e-15, equal_nan=True, err_msg=col
            )
        else:
            np.testing.assert_array_equal(a, b, err_msg=col)


def test_flux_points_from_gammapy_estimator(gp, load_reference_case):
    """Gammapy's own profile (run by Gammapy) converts to the reference table."""
    import astropy.units as u
    from astropy.table import Table

    from fluxprofile import FluxPoints
    from fluxprofile.interop import spectral_model_to_gammapy

    case = load_reference_case("onoff_radial_default")
    gp_dataset = gp.datasets.MapDatasetOnOff.read(
        case.dataset_path, name=case.spec["dataset"]["name"]
    )
    e = case.spec["estimator"]
    gp_model = spectral_model_to_gammapy(case.spectral_model)
    assert type(gp_model).__name__ == e["spectral_model"]["class"]
    est = gp.estimators.FluxProfileEstimator(
        regions=case.regions,
        spectral_model=gp_model,
        energy_edges=u.Quantity(e["energy_edges"]["value"], e["energy_edges"]["unit"]),
        selection_optional=e["selection_optional_requested"],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        gp_points = est.run(gp_dataset)
    ours = FluxPoints.from_gammapy(gp_points).to_table()
    expected = Table(case.table)
    for col in ("norm", "norm_err", "ts", "stat", "counts"):
        np.testing.assert_allclose(
            np.asarray(ours[col]), np.asarray(expected[col]), rtol=1e-6, err_msg=col
        )


def test_flux_points_from_gammapy_errors(gp, onoff_profile):
    from fluxprofile import FluxPoints

    with pytest.raises(TypeError, match="Gammapy FluxPoints"):
        FluxPoints.from_gammapy(onoff_profile)
