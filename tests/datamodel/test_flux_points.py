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
