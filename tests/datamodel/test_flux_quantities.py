"""Tests of fluxprofile.datamodel.flux_quantities: storage, quantity access and Gammapy's rules
for the derived quantities (sqrt_ts, is_ul, npred_*, ts_scan), against the reference
cases' long tables and closed forms."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Table
from flux_points_cases import (
    CONVERSION_PREFIXES,
    ok_cases,
    profile_from_case,
    simple_profile,
)

from fluxprofile import FluxPoints, MapAxis, PowerLawSpectralModel
from fluxprofile.datamodel import ProfileQuantity


def test_derived_quantities_match_long_tables(reference_dir: Path) -> None:
    for case in ok_cases(reference_dir):
        fp = profile_from_case(reference_dir, case)
        long = Table.read(reference_dir / f"{case}_long.ecsv", format="ascii.ecsv")
        i_x, i_e = np.asarray(long["i_region"]), np.asarray(long["i_energy"])
        checked = 0
        for name in long.colnames:
            if name in ("i_region", "i_energy", "x_min", "x_max", "x_center_node"):
                continue
            if (name.endswith("_ref") and name != "e_ref") or name.startswith("e_"):
                continue
            pq = fp[name]
            values = (
                pq.values[i_x, i_e, 0] if pq.values.ndim == 3 else pq.values[i_x, i_e]
            )
            expected = long[name]
            if expected.unit is not None:
                values = (values * pq.unit).to_value(expected.unit)
            if values.dtype == bool:
                np.testing.assert_array_equal(
                    values, expected, err_msg=f"{case} {name}"
                )
            else:
                rtol = 1e-9 if name.startswith(CONVERSION_PREFIXES) else 1e-12
                np.testing.assert_allclose(
                    values,
                    expected,
                    rtol=rtol,
                    equal_nan=True,
                    err_msg=f"{case} {name}",
                )
            checked += 1
        assert checked >= 20, case
        # reference fluxes (dnde_ref ... of the long table, row order = (region, energy))
        for sed in ("dnde", "flux", "eflux", "e2dnde"):
            ref = getattr(fp, f"{sed}_ref")
            expected = long[f"{sed}_ref"].quantity.reshape(-1, fp.energy_axis.nbin)[0]
            np.testing.assert_allclose(
                ref.to_value(expected.unit), expected.value, rtol=1e-9
            )


def test_quantity_access_shapes(reference_dir: Path) -> None:
    fp = profile_from_case(reference_dir, "fermi_annulus_seed")
    n_x, n_e = 10, 2
    assert isinstance(fp.norm, ProfileQuantity)
    assert fp.norm.data.shape == (n_x, n_e, 1, 1)
    assert fp["norm"].data.shape == (n_x, n_e, 1, 1)
    assert fp.counts.data.shape == (n_x, n_e, 1, 1, 1)
    assert fp.stat_scan.data.shape == (n_x, n_e, 11, 1, 1)
    assert fp.npred_excess.data.dtype == np.float32
    assert fp.success.data.dtype == bool
    assert fp.norm.axes.names == ["energy", "projected-distance"]
    assert fp.counts.axes.names == ["dataset", "energy", "projected-distance"]
    assert fp.stat_scan.axes.names == ["norm", "energy", "projected-distance"]
    q = fp.dnde.quantity
    assert q.unit == u.Unit("cm-2 s-1 TeV-1")
    assert q.shape == (n_x, n_e, 1, 1)
    np.testing.assert_array_equal(np.asarray(fp["dnde"]), fp.dnde.data)
    np.testing.assert_array_equal(
        fp.npred_background.data,
        fp.npred.data - fp.npred_excess.data.astype(np.float64),
    )
    np.testing.assert_allclose(
        fp.ts_scan.values, fp.stat_scan.values - fp.stat.values[..., None], rtol=0
    )
    with pytest.raises(AttributeError, match="norm_errn"):
        _ = fp.norm_errn
    with pytest.raises(AttributeError, match="norm_sensitivity"):
        _ = fp.flux_sensitivity
    with pytest.raises(KeyError, match="copy"):
        fp["copy"]
    with pytest.raises(TypeError, match="int"):
        fp[0]


def test_norm_filtered_where_fit_failed() -> None:
    fp = simple_profile()
    fp._data["success"][1, 0] = False
    raw = fp._data["norm"][1, 0]
    assert np.isfinite(raw)
    assert np.isnan(fp.norm.values[1, 0])
    assert np.isnan(fp.norm_err.values[1, 0])
    assert np.isnan(fp.dnde.values[1, 0])
    assert np.isnan(fp.flux_err.values[1, 0])
    # the others are not filtered
    assert fp.norm_ul.values[1, 0] == fp._data["norm_ul"][1, 0]
    assert np.isfinite(fp.dnde_ul.values[1, 0])
    assert fp.norm.values[0, 0] == fp._data["norm"][0, 0]
    table = fp.to_table()
    assert np.isnan(table["norm"][1][0])
    assert not table["success"][1][0]
    fp.filter_success_nan = False
    assert fp.norm.values[1, 0] == raw


# ---- sqrt_ts and is_ul rules (docs/flux_points.rst) ---------------------------------------
def test_sqrt_ts_sign_rules() -> None:
    fp = simple_profile(n_x=5, n_e=1)
    fp._data["norm"][:, 0] = [2.0, -1.0, 0.0, 3.0, 1.0]
    fp._data["ts"][:, 0] = [9.0, 4.0, 1.0, -2.0, 16.0]
    fp._data["success"][4, 0] = False
    sqrt_ts = fp.sqrt_ts.values[:, 0]
    np.testing.assert_array_equal(sqrt_ts, [3.0, -2.0, -1.0, 0.0, -4.0])
    assert np.signbit(fp.sqrt_ts.values[2, 0])  # norm == 0 -> negative
    assert "sqrt_ts" not in fp.available_quantities


def test_is_ul_rules() -> None:
    fp = simple_profile(n_x=4, n_e=1)
    fp._data["norm"][:, 0] = [1.0, 1.0, -1.0, 1.0]
    fp._data["ts"][:, 0] = [4.0, 3.99, 100.0, np.nan]
    np.testing.assert_array_equal(fp.is_ul.values[:, 0], [False, True, True, False])
    # threshold setter stores is_ul and the meta value
    fp.sqrt_ts_threshold_ul = 1.9
    assert fp.meta["sqrt_ts_threshold_ul"] == 1.9
    assert fp.available_quantities[-1] == "is_ul"
    np.testing.assert_array_equal(fp.is_ul.values[:, 0], [False, False, True, False])
    fp._data["ts"][:, 0] = 0.0  # the stored map no longer follows ts
    np.testing.assert_array_equal(fp.is_ul.values[:, 0], [False, False, True, False])

    no_ts = simple_profile(n_x=3, n_e=1, with_ts=False)
    no_ts._data["norm_ul"][:, 0] = [1.0, np.nan, np.inf]
    np.testing.assert_array_equal(no_ts.is_ul.values[:, 0], [True, False, False])
    with pytest.raises(ValueError, match="TS or sqrt_ts"):
        no_ts.sqrt_ts_threshold_ul = 3

    no_ul = simple_profile(n_x=3, n_e=1, with_ul=False)
    no_ul._data["success"][1, 0] = False
    np.testing.assert_array_equal(no_ul.is_ul.values[:, 0], [False, True, False])
    assert "is_ul" not in no_ul.to_table().colnames
    assert "is_ul" in simple_profile().to_table().colnames


def test_derived_sqrt_ts_and_is_ul_equal_reference(reference_dir: Path) -> None:
    for case in ok_cases(reference_dir):
        fp = profile_from_case(reference_dir, case)
        ref = Table.read(reference_dir / f"{case}.ecsv")
        np.testing.assert_allclose(fp.sqrt_ts.values, ref["sqrt_ts"], rtol=1e-12)
        if "is_ul" in ref.colnames:
            np.testing.assert_array_equal(fp.is_ul.values, ref["is_ul"])


def test_npred_excess_errors() -> None:
    fp = simple_profile()
    ref = fp.npred_excess.values.astype(np.float64) / fp.norm.values[..., None]
    np.testing.assert_allclose(fp.npred_excess_ref.values, ref, rtol=1e-15)
    np.testing.assert_allclose(
        fp.npred_excess_err.values, ref * fp.norm_err.values[..., None], rtol=1e-15
    )
    np.testing.assert_allclose(
        fp.npred_excess_ul.values, ref * fp.norm_ul.values[..., None], rtol=1e-15
    )
    with pytest.raises(AttributeError, match="norm_errp"):
        _ = fp.npred_excess_errp


def test_constructor_errors() -> None:
    energy = MapAxis.from_energy_edges([1, 10] * u.TeV)
    distance = MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
    model = PowerLawSpectralModel()
    with pytest.raises(ValueError, match="'norm'"):
        FluxPoints({"ts": np.zeros((2, 1))}, energy, distance, model)
    with pytest.raises(ValueError, match="'foo'"):
        FluxPoints(
            {"norm": np.zeros((2, 1)), "foo": np.zeros((2, 1))}, energy, distance, model
        )
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):
        FluxPoints({"norm": np.zeros((3, 1))}, energy, distance, model)
    with pytest.raises(ValueError, match="norm_scan"):
        FluxPoints(
            {"norm": np.zeros((2, 1)), "stat_scan": np.zeros((2, 1, 3))},
            energy,
            distance,
            model,
        )
    with pytest.raises(TypeError, match="dict"):
        FluxPoints([1, 2], energy, distance, model)
    with pytest.raises(TypeError, match="energy_axis"):
        FluxPoints({"norm": np.zeros((2, 1))}, [1, 10], distance, model)
    # Gammapy-shaped input (trailing spatial dimensions) is accepted, defaults are Gammapy's
    fp = FluxPoints({"norm": np.zeros((2, 1, 1, 1))}, energy, distance, None)
    assert fp.norm.data.shape == (2, 1, 1, 1)
    assert fp.reference_model.index.value == 2
    assert fp.meta == {
        "n_sigma": 1, "n_sigma_ul": 2, "sed_type_init": "likelihood", "SED_TYPE": "likelihood"
    }  # fmt: skip
