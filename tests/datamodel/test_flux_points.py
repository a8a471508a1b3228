"""Tests of fluxprofile.datamodel.flux_points: FluxPoints against the Gammapy 2.1 reference
cases (meta, printing, item access), slices and copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from flux_points_cases import case_json, ok_cases, profile_from_case, simple_profile

from fluxprofile import (
    PowerLawSpectralModel,
)


def test_available_quantities_and_meta_match_gammapy(reference_dir: Path) -> None:
    for case in ok_cases(reference_dir):
        info = case_json(reference_dir, case)
        fp = profile_from_case(reference_dir, case)
        assert fp.available_quantities == info["result"]["available_quantities"], case
        assert fp.n_sigma == info["result"]["n_sigma"]
        assert fp.n_sigma_ul == info["result"]["n_sigma_ul"]
        assert fp.sqrt_ts_threshold_ul == info["result"]["sqrt_ts_threshold_ul"]


# ---- str, access, shapes ------------------------------------------------------------------
def test_str_layout(reference_dir: Path) -> None:
    fp = profile_from_case(reference_dir, "fermi_rect_seed")
    info = case_json(reference_dir, "fermi_rect_seed")
    expected = (
        "FluxPoints\n"
        "----------\n"
        "\n"
        "  geom                   : RegionGeom\n"
        "  axes                   : ['lon', 'lat', 'energy', 'projected-distance']\n"
        "  shape                  : (1, 1, 1, 51)\n"
        f"  quantities             : {info['result']['available_quantities']}\n"
        "  ref. model             : pl\n"
        "  n_sigma                : 1\n"
        "  n_sigma_ul             : 2\n"
        "  sqrt_ts_threshold_ul   : 2\n"
        "  sed type init          : likelihood\n"
    )
    assert str(fp) == expected


# ---- slicing, copies, constructor ----------------------------------------------------------
def test_slice_by_idx(reference_dir: Path) -> None:
    fp = profile_from_case(reference_dir, "fermi_annulus_seed")
    sliced = fp.slice_by_idx({"energy": slice(1, 2)})
    assert sliced.energy_axis.nbin == 1
    np.testing.assert_array_equal(sliced.energy_axis.edges, fp.energy_axis.edges[1:])
    assert sliced.norm.data.shape == (10, 1, 1, 1)
    np.testing.assert_array_equal(sliced.norm.values[:, 0], fp.norm.values[:, 1])
    np.testing.assert_array_equal(
        sliced.stat_scan.values[:, 0], fp.stat_scan.values[:, 1]
    )
    np.testing.assert_allclose(
        sliced.dnde.values[:, 0], fp.dnde.values[:, 1], rtol=1e-15
    )
    assert sliced.meta == fp.meta
    assert sliced.meta is not fp.meta
    assert sliced.reference_model is fp.reference_model
    assert sliced.available_quantities == fp.available_quantities

    sub = fp.slice_by_idx({"projected-distance": slice(2, 5), "norm": slice(0, 4)})
    np.testing.assert_array_equal(
        sub.distance_axis.center, fp.distance_axis.center[2:5]
    )
    np.testing.assert_array_equal(sub.norm_scan, fp.norm_scan[:4])
    np.testing.assert_array_equal(sub.stat_scan.values, fp.stat_scan.values[2:5, :, :4])
    np.testing.assert_array_equal(sub.counts.values, fp.counts.values[2:5])

    one = fp.slice_by_idx({"energy": -1, "dataset": 0})
    np.testing.assert_array_equal(one.ts.values[:, 0], fp.ts.values[:, -1])
    assert one.to_table().colnames == fp.to_table().colnames

    with pytest.raises(ValueError, match="axis 'time'"):
        fp.slice_by_idx({"time": slice(0, 1)})
    with pytest.raises(ValueError, match="at least one bin"):
        fp.slice_by_idx({"energy": slice(2, 2)})


def test_copy_is_independent() -> None:
    fp = simple_profile()
    new = fp.copy()
    new._data["norm"][0, 0] = 123.0
    new.meta["n_sigma"] = 3
    assert fp._data["norm"][0, 0] != 123.0
    assert fp.n_sigma == 1
    with pytest.warns(UserWarning, match="reference model"):
        other = fp.copy(reference_model=PowerLawSpectralModel(index=2))
    ratio = other.dnde_ref / fp.dnde_ref
    e = fp.energy_axis.center.to_value("TeV")
    np.testing.assert_allclose(ratio.to_value(""), e**-2 / e**-2.5, rtol=1e-12)


# ---- Gammapy's map-like access (issue 12) ---------------------------------------------------
def test_geom_gti_and_quantity_geoms() -> None:
    import astropy.units as u

    from fluxprofile import GTI, FluxPoints

    fp = simple_profile()
    assert fp.geom.axes.names == ["energy", "projected-distance"]
    assert fp.geom.data_shape == fp.norm.data.shape
    assert fp.counts.geom.axes.names == ["dataset", "energy", "projected-distance"]
    assert fp.stat_scan.geom.axes["norm"].center.value.tolist() == [0.0, 1.0, 2.0]
    named = FluxPoints(
        dict(fp._data), fp.energy_axis, fp.distance_axis, fp.reference_model,
        norm_scan=fp.norm_scan, dataset_names=["test-on-off"],
    )  # fmt: skip
    assert named.counts.geom.axes["dataset"].center == ["test-on-off"]
    # a GTI table in FITS form becomes a GTI with Time values
    named.gti = GTI.create([0] * u.s, [5] * u.h, reference_time="2010-01-01T00:00:00")
    assert isinstance(named.gti, GTI)
    assert named.gti.time_start[0].mjd == pytest.approx(55197.000766, rel=1e-9)
    named.gti = named.gti.to_table()
    assert isinstance(named.gti, GTI)
    # element-wise comparison of two results (Gammapy's test_serialisation)
    assert np.all(named.is_ul == fp.is_ul)


def test_to_maps_lists_gammapys_quantities_by_name() -> None:
    fp = simple_profile()
    maps = fp.to_maps()
    assert list(maps) == [
        "norm", "norm_err", "norm_ul", "ts", "sqrt_ts", "npred", "npred_excess", "stat",
        "stat_scan", "is_ul", "counts", "success",
    ]  # fmt: skip
    np.testing.assert_array_equal(maps["norm"].values, fp.norm.values)
    flux = fp.to_maps(sed_type="flux")
    assert list(flux)[:3] == ["flux", "flux_err", "flux_ul"]
    np.testing.assert_allclose(flux["flux"].values, fp.flux.values)
    with pytest.raises(ValueError, match="sed_type must be one of"):
        fp.to_maps(sed_type="nope")


def test_recompute_ul_from_a_parabolic_scan() -> None:
    import astropy.units as u

    from fluxprofile import FluxPoints, MapAxis

    norm_scan = np.linspace(-1, 5, 11)
    mu = np.array([[0.5, 1.0], [2.0, 0.2], [1.0, 1.5]])
    sigma = 0.4
    stat = 3.0 + ((norm_scan - mu[..., None]) / sigma) ** 2
    fp = FluxPoints(
        {"norm": mu, "stat": np.full_like(mu, 3.0), "stat_scan": stat},
        MapAxis.from_energy_edges([1, 10, 100] * u.GeV),
        MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance"),
        norm_scan=norm_scan,
    )
    new = fp.recompute_ul(n_sigma_ul=3, xtol=1e-12)
    # the quadratic spline of a parabola is the parabola: ul = mu + 3 sigma
    np.testing.assert_allclose(new.norm_ul.values, mu + 3 * sigma, atol=1e-6)
    assert new.meta["n_sigma_ul"] == 3
    assert "norm_ul" not in fp.available_quantities  # the original is unchanged
    with pytest.raises(ValueError, match="Stat profiles not present"):
        FluxPoints({"norm": mu}, fp.energy_axis, fp.distance_axis).recompute_ul()


def test_read_and_write_without_a_filename_raise_valueerror() -> None:
    from fluxprofile import FluxPoints

    with pytest.raises(ValueError, match="filename is not defined"):
        FluxPoints.read(None)
    with pytest.raises(ValueError, match="filename is not defined"):
        simple_profile().write(None)


def test_to_gammapy_needs_gammapy(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    # as without gammapy installed (a None entry makes every gammapy import fail)
    for name in [m for m in sys.modules if m == "gammapy" or m.startswith("gammapy.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "gammapy", None)
    with pytest.raises(ImportError, match="gammapy"):
        simple_profile().to_gammapy()
