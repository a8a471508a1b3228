"""FluxPoints.to_gammapy / from_gammapy and the Gammapy-compatible behaviour of the
result, checked against Gammapy 2.1 itself (gammapy-marked: run by .ci/interop).

- the round trip fluxprofile -> Gammapy -> fluxprofile is exact: every stored quantity
  (dtype, shape, values, unit), the axes bit for bit, the dataset names, the GTI, the
  meta and the reference model;
- Gammapy's downstream takes the converted points: ``FluxPointsDataset(data=...)``,
  ``plot``, ``write`` (and Gammapy reads the file back);
- the quantities' geometries have Gammapy's axes (names, types, shapes);
- ``recompute_ul`` gives Gammapy's numbers; a Gammapy ``Parameter`` works as ``norm``.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

pytestmark = pytest.mark.gammapy
gammapy = pytest.importorskip("gammapy")

from gammapy.data import GTI as GammapyGTI
from gammapy.datasets import FluxPointsDataset
from gammapy.datasets import MapDatasetOnOff as GammapyMapDatasetOnOff
from gammapy.estimators import FluxPoints as GammapyFluxPoints
from gammapy.estimators import FluxProfileEstimator as GammapyEstimator
from gammapy.maps import MapAxis as GammapyMapAxis
from gammapy.maps import WcsGeom as GammapyWcsGeom
from gammapy.modeling import Parameter as GammapyParameter

from fluxprofile import (
    FluxPoints,
    FluxProfileEstimator,
    make_concentric_annulus_sky_regions,
)


def simple_onoff():
    """The on-off dataset of Gammapy's own profile tests (test_profile.py)."""
    axis = GammapyMapAxis.from_energy_bounds(0.1, 10, 2, unit="TeV")
    geom = GammapyWcsGeom.create(npix=40, binsz=0.01, axes=[axis])
    dataset = GammapyMapDatasetOnOff.create(geom, name="test-on-off")
    dataset.mask_safe |= True
    dataset.counts += 5
    dataset.counts_off += 1
    dataset.acceptance += 1
    dataset.acceptance_off += 1
    dataset.exposure += 1000 * u.m**2 * u.s
    dataset.gti = GammapyGTI.create(
        [0 * u.s], [5 * u.h], reference_time="2010-01-01T00:00:00"
    )
    return dataset


@pytest.fixture(scope="module")
def setup():
    dataset = simple_onoff()
    regions = make_concentric_annulus_sky_regions(
        center=dataset.counts.geom.center_skydir, radius_max=0.2 * u.deg
    )
    kwargs = {"energy_edges": [0.1, 1, 10] * u.TeV, "selection_optional": "all"}
    ours = FluxProfileEstimator(regions, **kwargs).run(dataset)
    theirs = GammapyEstimator(regions, **kwargs).run(dataset)
    return ours, theirs


def test_round_trip_through_gammapy_is_exact(setup):
    ours, _ = setup
    gp_points = ours.to_gammapy()
    assert isinstance(gp_points, GammapyFluxPoints)
    back = FluxPoints.from_gammapy(gp_points)
    assert back.available_quantities == ours.available_quantities
    for name in ours.available_quantities:
        a, b = ours._data[name], back._data[name]
        assert a.dtype == b.dtype, name
        assert a.shape == b.shape, name
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert ours._units[name] == back._units[name], name
    for axis in ("energy_axis", "distance_axis"):
        a, b = getattr(ours, axis), getattr(back, axis)
        np.testing.assert_array_equal(a.nodes, b.nodes)
        assert (a.node_type, a.interp, a.name, a.unit) == (
            b.node_type, b.interp, b.name, b.unit
        )  # fmt: skip
    np.testing.assert_array_equal(back.norm_scan, ours.norm_scan)
    assert back.dataset_names == ours.dataset_names == ["test-on-off"]
    assert back.gti == ours.gti
    assert back.meta == ours.meta
    assert back.filter_success_nan == ours.filter_success_nan
    ref, new = ours.reference_model, back.reference_model
    assert type(new) is type(ref)
    assert [(p.name, p.value, p.unit) for p in new.parameters] == [
        (p.name, p.value, p.unit) for p in ref.parameters
    ]


def test_converted_points_have_gammapys_layout(setup):
    ours, theirs = setup
    gp_points = ours.to_gammapy()
    # the dataset names, the GTI and the reference model made it across
    assert list(gp_points.counts.geom.axes["dataset"].center) == ["test-on-off"]
    np.testing.assert_allclose(
        gp_points.gti.time_start.mjd, theirs.gti.time_start.mjd, rtol=0, atol=1e-9
    )
    assert type(gp_points.reference_spectral_model).__name__ == "PowerLawSpectralModel"
    for name in theirs.available_quantities:
        ours_map, their_map = getattr(gp_points, name), getattr(theirs, name)
        assert ours_map.geom.axes.names == their_map.geom.axes.names, name
        assert [type(a).__name__ for a in ours_map.geom.axes] == [
            type(a).__name__ for a in their_map.geom.axes
        ], name
        assert ours_map.data.shape == their_map.data.shape, name
        assert ours_map.data.dtype == their_map.data.dtype, name
        # fluxprofile's own quantities have Gammapy's geometry too
        mine = getattr(ours, name)
        assert mine.geom.axes.names == their_map.geom.axes.names, name
        assert mine.data.shape == their_map.data.shape, name
    # and Gammapy's numbers (fluxprofile emulates MINUIT: issue 19's tolerances)
    np.testing.assert_allclose(
        gp_points.norm.data,
        theirs.norm.data,
        atol=0.01 * np.nanmax(theirs.norm_err.data),
    )
    np.testing.assert_array_equal(gp_points.counts.data, theirs.counts.data)


def test_gammapys_downstream_accepts_the_points(setup, tmp_path):
    import matplotlib.pyplot as plt

    ours, theirs = setup
    gp_points = ours.to_gammapy()
    fp_dataset = FluxPointsDataset(data=gp_points, name="profile")
    their_dataset = FluxPointsDataset(data=theirs, name="gammapy-profile")
    assert fp_dataset.data.dnde.data.shape == their_dataset.data.dnde.data.shape
    assert (
        np.asarray(fp_dataset.mask_safe).shape
        == np.asarray(their_dataset.mask_safe).shape
    )
    ax = gp_points.plot(sed_type="flux", axis_name="projected-distance")
    assert ax.lines or ax.collections or ax.containers
    plt.close("all")
    path = tmp_path / "profile.fits"
    # Gammapy's power-law energy flux divides by (2 - index) before its index-2 case
    with np.errstate(divide="ignore", invalid="ignore"):
        gp_points.write(path, format="profile")
    again = GammapyFluxPoints.read(path, format="profile")
    np.testing.assert_allclose(again.norm.data, gp_points.norm.data, rtol=1e-12)
    np.testing.assert_allclose(
        again.gti.time_start.mjd, gp_points.gti.time_start.mjd, atol=1e-9
    )


def test_from_gammapy_of_gammapys_own_run(setup):
    ours, theirs = setup
    converted = FluxPoints.from_gammapy(theirs)
    assert converted.dataset_names == ["test-on-off"]
    np.testing.assert_array_equal(converted.counts.values, ours.counts.values)
    np.testing.assert_allclose(converted.ts.values, theirs.ts.data[..., 0, 0])
    assert converted.gti.time_start[0].mjd == pytest.approx(55197.000766, rel=1e-9)


def test_recompute_ul_gives_gammapys_numbers(setup):
    ours, _ = setup
    for n_sigma_ul in (1, 3):
        mine = ours.recompute_ul(n_sigma_ul=n_sigma_ul)
        theirs = ours.to_gammapy().recompute_ul(n_sigma_ul=n_sigma_ul)
        np.testing.assert_allclose(
            mine.norm_ul.data, theirs.norm_ul.data, rtol=1e-9, equal_nan=True
        )
        assert mine.meta["n_sigma_ul"] == theirs.meta["n_sigma_ul"] == n_sigma_ul


def test_gammapy_parameter_as_norm():
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord(0, 0, unit="deg"), radius_max=0.2 * u.deg
    )
    norm = GammapyParameter("norm", 1, unit="", interp="log", scan_min=0.5,
                            scan_max=3, scan_n_values=5)  # fmt: skip
    ours = FluxProfileEstimator(regions, norm=norm)
    theirs = GammapyEstimator(regions, norm=norm)
    np.testing.assert_allclose(
        ours.norm.scan_values, theirs.norm.scan_values, rtol=1e-12
    )
    assert ours.norm.interp == theirs.norm.interp == "log"
