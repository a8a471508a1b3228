"""Flux points of the Gammapy reference cases and small synthetic ones, shared by the
flux-point, profile-table and profile-file tests (registered as ``flux_points_cases`` by
tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.table import Table

from fluxprofile import FluxPoints, MapAxis, PowerLawSpectralModel

# Columns derived from the reference model (compared to 1e-9 relative: docs/flux_points.rst).
CONVERSION_PREFIXES = ("ref_", "dnde", "e2dnde", "flux", "eflux", "e_ref")


STORED_NAMES = (
    "norm", "norm_err", "norm_errn", "norm_errp", "norm_ul", "norm_sensitivity", "ts",
    "npred", "npred_excess", "stat", "stat_null", "stat_scan", "counts", "success",
)  # fmt: skip


# ---- helpers -----------------------------------------------------------------------------
def ok_cases(reference_dir: Path) -> list[str]:
    index = json.loads((reference_dir / "index.json").read_text())
    return [name for name, case in index.items() if case["status"] == "ok"]


def case_json(reference_dir: Path, case: str) -> dict:
    return json.loads((reference_dir / f"{case}.json").read_text())


def case_model(info: dict) -> PowerLawSpectralModel:
    spec = info["estimator"]["spectral_model"]
    assert spec["type"] == "PowerLawSpectralModel"
    pars = {p["name"]: u.Quantity(p["value"], p["unit"]) for p in spec["parameters"]}
    return PowerLawSpectralModel(
        index=pars["index"].value,
        amplitude=pars["amplitude"],
        reference=pars["reference"],
    )


def distance_nodes(info: dict) -> u.Quantity:
    """Projected distances of the regions of the case json (docs/data_model.rst: the distance
    of each region centre from the first one, the mean radius for annuli)."""
    regions = info["regions"]["list"]
    first = regions[0]["center"]
    ref = SkyCoord(first["lon_deg"], first["lat_deg"], unit="deg", frame=first["frame"])
    nodes = []
    for region in regions:
        if region["type"] == "CircleAnnulusSkyRegion":
            nodes.append(
                0.5 * (region["inner_radius_deg"] + region["outer_radius_deg"])
            )
        else:
            c = region["center"]
            pos = SkyCoord(c["lon_deg"], c["lat_deg"], unit="deg", frame=c["frame"])
            nodes.append(ref.separation(pos).deg)
    return u.Quantity(nodes, "deg")


def profile_from_case(reference_dir: Path, case: str) -> FluxPoints:
    """FluxPoints built with the constructor from CASE.ecsv (sqrt_ts and is_ul not stored)."""
    info = case_json(reference_dir, case)
    table = Table.read(reference_dir / f"{case}.ecsv")
    res = info["result"]
    energy = res["energy_axis"]
    energy_axis = MapAxis.from_energy_edges(u.Quantity(energy["edges"], energy["unit"]))
    distance_axis = MapAxis.from_nodes(distance_nodes(info), name="projected-distance")
    # sanity: the distance axis rebuilt from the regions is Gammapy's
    np.testing.assert_allclose(
        distance_axis.edges.to_value("deg"),
        res["projected_distance_axis"]["edges"],
        rtol=1e-12,
        atol=1e-14,
    )
    data = {
        name: np.asarray(table[name]) for name in table.colnames if name in STORED_NAMES
    }
    norm_scan = None
    if "stat_scan" in data:
        norm_scan = info["estimator"]["norm"]["scan_values"]
    meta = {
        "n_sigma": info["estimator"]["n_sigma"],
        "n_sigma_ul": info["estimator"]["n_sigma_ul"],
        "sed_type_init": "likelihood",
        "SED_TYPE": "likelihood",
    }
    return FluxPoints(
        data,
        energy_axis,
        distance_axis,
        case_model(info),
        meta=meta,
        norm_scan=norm_scan,
    )


def assert_tables_equal(
    mine: Table, ref: Table, what: str, skip: tuple[str, ...] = ()
) -> None:
    # Gammapy's columns in Gammapy's order, then fluxprofile's exact distance nodes
    assert mine.colnames == [*ref.colnames, "x_node"], what
    assert not mine.meta, what
    for name in ref.colnames:
        a, b = mine[name], ref[name]
        where = f"{what}: column {name}"
        assert (a.unit is None) == (b.unit is None), where
        if b.unit is not None:
            assert a.unit == b.unit, where
        assert a.dtype == b.dtype, where
        assert a.shape == b.shape, where
        if name in skip:
            continue
        if a.dtype.kind == "f":
            rtol = 1e-9 if name.startswith(CONVERSION_PREFIXES) else 1e-12
            np.testing.assert_allclose(
                a, b, rtol=rtol, atol=0, equal_nan=True, err_msg=where
            )
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)


def simple_profile(
    n_x: int = 4, n_e: int = 2, with_ul: bool = True, with_ts: bool = True
) -> FluxPoints:
    rng = np.random.default_rng(1)
    data = {
        "norm": rng.normal(1, 1, (n_x, n_e)),
        "norm_err": rng.uniform(0.1, 0.3, (n_x, n_e)),
    }
    if with_ul:
        data["norm_ul"] = data["norm"] + 2 * data["norm_err"]
    if with_ts:
        data["ts"] = rng.uniform(-0.5, 20, (n_x, n_e))
    data["npred"] = rng.uniform(50, 100, (n_x, n_e, 1))
    data["npred_excess"] = rng.uniform(0, 40, (n_x, n_e, 1)).astype(np.float32)
    data["stat"] = rng.uniform(-10, 10, (n_x, n_e))
    data["stat_scan"] = rng.uniform(0, 5, (n_x, n_e, 3)) + data["stat"][..., None]
    data["counts"] = rng.poisson(70, (n_x, n_e, 1)).astype(np.float64)
    data["success"] = np.ones((n_x, n_e), dtype=bool)
    energy = MapAxis.from_energy_edges(np.geomspace(0.1, 10, n_e + 1) * u.TeV)
    distance = MapAxis.from_nodes(
        np.arange(n_x) * 0.5 * u.deg, name="projected-distance"
    )
    return FluxPoints(
        data,
        energy,
        distance,
        PowerLawSpectralModel(index=2.5),
        norm_scan=[0.0, 1.0, 2.0],
    )


def assert_same_distance_axis(a: MapAxis, b: MapAxis) -> None:
    assert (a.node_type, a.interp, a.name, a.unit) == (
        b.node_type,
        b.interp,
        b.name,
        b.unit,
    )
    np.testing.assert_array_equal(a.nodes, b.nodes)
    np.testing.assert_array_equal(a.edges.value, b.edges.value)
    np.testing.assert_array_equal(a.center.value, b.center.value)


def assert_same_stored(a: FluxPoints, b: FluxPoints) -> None:
    # derived sqrt_ts / is_ul are written and come back as stored quantities (docs/flux_points.rst)
    extra = [n for n in ("sqrt_ts", "is_ul") if n in a.to_table().colnames]
    assert set(b.available_quantities) == set(a.available_quantities) | set(extra)
    for name in b.available_quantities:
        x, y = getattr(a, name).values, b._data[name]
        assert x.dtype == y.dtype, name
        assert x.shape == y.shape, name
        np.testing.assert_array_equal(x, y, err_msg=name)
    assert a.energy_axis == b.energy_axis
    # files store Gammapy's x_ref (edge midpoints) and fluxprofile's exact nodes x_node:
    # the distance axis comes back bit for bit (docs/profile_files.rst)
    assert_same_distance_axis(a.distance_axis, b.distance_axis)
    if a.norm_scan is None:
        assert b.norm_scan is None
    else:
        np.testing.assert_array_equal(a.norm_scan, b.norm_scan)


def profile_on_axis(distance: MapAxis) -> FluxPoints:
    """`simple_profile`'s quantities on another distance axis."""
    fp = simple_profile(n_x=distance.nbin)
    return FluxPoints(
        dict(fp._data),
        fp.energy_axis,
        distance,
        fp.reference_model,
        norm_scan=fp.norm_scan,
    )


def assert_tables_identical(a: Table, b: Table) -> None:
    assert a.colnames == b.colnames
    for name in a.colnames:
        assert a[name].unit == b[name].unit, name
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(
            np.asarray(a[name]), np.asarray(b[name]), err_msg=name
        )
