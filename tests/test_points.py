"""Tests of `fluxprofile.datamodel.flux_points.FluxPoints` against the Gammapy 2.1 reference tables."""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table

from fluxprofile import MapAxis
from fluxprofile.datamodel.spectral import PowerLawSpectralModel, TemplateSpectralModel
from fluxprofile.datamodel.flux_points import FluxPoints, ProfileQuantity

# Columns derived from the reference model (compared to 1e-9 relative, SEMANTICS §4.2/§3.9).
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
    """Projected distances of SEMANTICS §1.5, from the region list of the case json."""
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


# ---- acceptance: tables equal Gammapy's -----------------------------------------------------
@pytest.mark.parametrize("sed_type", ["likelihood", "dnde", "flux"])
def test_to_table_matches_gammapy(reference_dir: Path, sed_type: str) -> None:
    suffix = "" if sed_type == "likelihood" else f"_{sed_type}"
    cases = ok_cases(reference_dir)
    assert cases
    for case in cases:
        fp = profile_from_case(reference_dir, case)
        ref = Table.read(reference_dir / f"{case}{suffix}.ecsv")
        table = fp.to_table(sed_type=sed_type)
        assert_tables_equal(table, ref, f"{case} {sed_type}")
        for name in ("x_min", "x_max", "x_ref"):  # Gammapy's values to the last bit
            np.testing.assert_array_equal(
                table[name], ref[name], err_msg=f"{case} {name}"
            )


def test_available_quantities_and_meta_match_gammapy(reference_dir: Path) -> None:
    for case in ok_cases(reference_dir):
        info = case_json(reference_dir, case)
        fp = profile_from_case(reference_dir, case)
        assert fp.available_quantities == info["result"]["available_quantities"], case
        assert fp.n_sigma == info["result"]["n_sigma"]
        assert fp.n_sigma_ul == info["result"]["n_sigma_ul"]
        assert fp.sqrt_ts_threshold_ul == info["result"]["sqrt_ts_threshold_ul"]


@pytest.mark.parametrize("sed_type", ["likelihood", "dnde", "flux"])
def test_from_table_reproduces_reference(reference_dir: Path, sed_type: str) -> None:
    suffix = "" if sed_type == "likelihood" else f"_{sed_type}"
    for case in ok_cases(reference_dir):
        model = case_model(case_json(reference_dir, case))
        table = Table.read(reference_dir / f"{case}{suffix}.ecsv")
        fp = FluxPoints.from_table(table, reference_model=model)
        assert fp.sed_type_init == sed_type
        # the axis is rebuilt from x_ref: nodes equal x_ref, x_min/x_max are recomputed
        np.testing.assert_array_equal(fp.distance_axis.center.value, table["x_ref"])
        assert_tables_equal(
            fp.to_table(), table, case, skip=("x_min", "x_max", "x_ref")
        )
        likelihood = Table.read(reference_dir / f"{case}.ecsv")
        np.testing.assert_allclose(
            fp.to_table(sed_type="likelihood")["norm"], likelihood["norm"], rtol=1e-9
        )


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


def test_reference_fluxes_closed_form(reference_dir: Path) -> None:
    """SEMANTICS §3.9 tutorial numbers (PL index 2.3, 10-500 GeV)."""
    energy = MapAxis.from_energy_edges([10, 500] * u.GeV).copy()
    distance = MapAxis.from_nodes([0, 1] * u.deg, name="projected-distance")
    fp = FluxPoints(
        {"norm": np.ones((2, 1))}, energy, distance, PowerLawSpectralModel(index=2.3)
    )
    np.testing.assert_allclose(
        fp.dnde_ref.to_value("cm-2 s-1 TeV-1"), 4.4277643069e-10, rtol=1e-9
    )
    np.testing.assert_allclose(
        fp.flux_ref.to_value("cm-2 s-1"), 3.0434221671e-10, rtol=1e-9
    )
    np.testing.assert_allclose(
        fp.eflux_ref.to_value("erg cm-2 s-1"), 1.4686230842e-11, rtol=1e-9
    )
    assert fp.dnde.unit == u.Unit("cm-2 s-1 TeV-1")
    assert fp.e2dnde.unit == u.Unit("erg cm-2 s-1")
    assert fp.flux.unit == u.Unit("cm-2 s-1")
    assert fp.eflux.unit == u.Unit("erg cm-2 s-1")


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


# ---- sqrt_ts and is_ul rules (SEMANTICS §3.8, §4.2) ---------------------------------------
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


# ---- tables, files -----------------------------------------------------------------------
def test_formatted_table() -> None:
    table = simple_profile().to_table(sed_type="flux", formatted=True)
    assert table["flux"].format == ".3e"
    assert table["e_ref"].format == ".3f"
    assert table["ts"].format == ".3f"
    assert table["stat_scan"].format == ".3f"
    assert table["norm_scan"].format == ".3f"
    assert table["counts"].format is None
    assert simple_profile().to_table()["norm"].format is None


def test_to_table_e2dnde_and_eflux() -> None:
    fp = simple_profile()
    for sed in ("e2dnde", "eflux"):
        table = fp.to_table(sed_type=sed)
        assert table.colnames[6:9] == [sed, f"{sed}_err", f"{sed}_ul"]
        assert table[sed].unit == u.Unit("erg cm-2 s-1")
    e_ref = fp.energy_axis.center
    expected = fp.norm.values * (fp.reference_model(e_ref) * e_ref**2).to_value(
        "erg cm-2 s-1"
    )
    np.testing.assert_allclose(
        fp.to_table(sed_type="e2dnde")["e2dnde"], expected, rtol=1e-12
    )
    with pytest.raises(ValueError, match="sed_type"):
        fp.to_table(sed_type="foo")
    with pytest.raises(ValueError, match="format"):
        fp.to_table(format="gadf-sed")


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
    # derived sqrt_ts / is_ul are written and come back as stored quantities (§4.5)
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


@pytest.mark.parametrize("suffix", [".fits", ".ecsv", ".fits.gz"])
def test_write_read_round_trip(
    reference_dir: Path, tmp_path: Path, suffix: str
) -> None:
    for case in ok_cases(reference_dir):
        fp = FluxPoints.read(reference_dir / f"{case}.ecsv")
        assert fp.reference_model.tag[-1] == "template"
        path = tmp_path / f"{case}{suffix}"
        fp.write(path)
        back = FluxPoints.read(path, reference_model=fp.reference_model)
        assert_same_stored(fp, back)
        assert back.sed_type_init == "likelihood"
        with pytest.raises(OSError, match="exists"):
            fp.write(path)
        fp.write(path, overwrite=True)


def test_written_ecsv_header_equals_gammapy(
    reference_dir: Path, tmp_path: Path
) -> None:
    """ECSV written by `write` has Gammapy's header (columns, units, dtypes) plus x_node."""
    for case in ok_cases(reference_dir):
        fp = profile_from_case(reference_dir, case)
        for sed_type, suffix in (
            ("likelihood", ""),
            ("dnde", "_dnde"),
            ("flux", "_flux"),
        ):
            path = tmp_path / f"{case}{suffix}.ecsv"
            fp.write(path, sed_type=sed_type)
            mine = [line for line in path.read_text().splitlines() if line[:1] == "#"]
            ref_text = (reference_dir / f"{case}{suffix}.ecsv").read_text()
            ref = [line for line in ref_text.splitlines() if line[:1] == "#"]
            # Gammapy's header plus fluxprofile's x_node column after the last column
            x_node = "# - {name: x_node, unit: deg, datatype: float64}"
            assert mine.count(x_node) == 1, f"{case} {sed_type}"
            last = max(i for i, line in enumerate(ref) if line.startswith("# - {name:"))
            assert mine.index(x_node) == last + 1, f"{case} {sed_type}"
            assert [line for line in mine if line != x_node] == ref, (
                f"{case} {sed_type}"
            )


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


@pytest.mark.parametrize("suffix", [".fits", ".ecsv", ".fits.gz"])
def test_unequal_spacing_round_trips_bitwise(
    reference_dir: Path, tmp_path: Path, suffix: str
) -> None:
    """Unequally spaced nodes (tilted boxes on a TAN map, arbitrary distances, path-box
    edges) come back bit for bit, and so does the file written again."""
    tilted = distance_nodes(case_json(reference_dir, "hess_crab_map_rect"))
    axes = {
        "tilted boxes": MapAxis.from_nodes(tilted, name="projected-distance"),
        "arbitrary": MapAxis.from_nodes(
            [0.0, 0.1, 0.35, 0.4, 1.2, 1.21] * u.deg, name="projected-distance"
        ),
        "path boxes": MapAxis.from_edges(
            [0.0, 0.3, 0.6, 0.75, 0.9, 1.0] * u.deg, name="projected-distance"
        ),
    }
    for what, axis in axes.items():
        fp = profile_on_axis(axis)
        table = fp.to_table()
        # the Gammapy columns keep Gammapy's values: x_ref is the midpoint, not the node
        np.testing.assert_array_equal(table["x_min"], axis.edges.value[:-1])
        np.testing.assert_array_equal(
            table["x_ref"], (axis.edges.value[1:] + axis.edges.value[:-1]) / 2
        )
        path = tmp_path / f"{what.replace(' ', '_')}{suffix}"
        fp.write(path)
        back = FluxPoints.read(path, reference_model=fp.reference_model)
        assert_same_distance_axis(axis, back.distance_axis)
        assert_tables_identical(back.to_table(), table)
        again = tmp_path / f"again{suffix}"
        back.write(again, overwrite=True)
        again_back = FluxPoints.read(again, reference_model=fp.reference_model)
        assert_tables_identical(again_back.to_table(), table)
    # the tilted boxes' midpoints are not their nodes: Gammapy's reader would move them
    x_ref = profile_on_axis(axes["tilted boxes"]).to_table()["x_ref"]
    assert np.max(np.abs(x_ref - tilted.value)[1:] / tilted.value[1:]) > 1e-6


def test_gammapy_written_profile_reads_with_gammapy_nodes(reference_dir: Path) -> None:
    """Tables written by Gammapy have no x_node: the nodes are x_ref, as Gammapy's
    ``MapAxis.from_nodes(x_ref)`` reads them (SEMANTICS.md §4.5), even where x_ref is not
    the regions' distance (hess_crab_map_rect, up to 6e-6 relative)."""
    for case in ok_cases(reference_dir):
        table = Table.read(reference_dir / f"{case}.ecsv")
        assert "x_node" not in table.colnames
        fp = FluxPoints.read(reference_dir / f"{case}.ecsv")
        expected = MapAxis.from_nodes(
            table["x_ref"].quantity, name="projected-distance"
        )
        assert_same_distance_axis(fp.distance_axis, expected)
        assert fp.distance_axis.node_type == "center"
    table = Table.read(reference_dir / "hess_crab_map_rect.ecsv")
    nodes = distance_nodes(case_json(reference_dir, "hess_crab_map_rect")).value
    assert np.max(np.abs(np.asarray(table["x_ref"]) - nodes)[1:] / nodes[1:]) > 1e-6


def test_x_node_column_checks(tmp_path: Path) -> None:
    fp = profile_on_axis(
        MapAxis.from_nodes([0.0, 0.1, 0.35, 0.4] * u.deg, name="projected-distance")
    )
    table = fp.to_table()
    # rows cut out of a table keep their nodes (the outer edges are extrapolated again)
    part = FluxPoints.from_table(table[1:3])
    np.testing.assert_array_equal(part.distance_axis.center.value, [0.1, 0.35])
    # a node outside its bin: the table was edited after it was written
    edited = table.copy()
    edited["x_node"][2] = 0.39  # bin 2 is [0.225, 0.375]
    with pytest.raises(ValueError, match=r"x_node.*row 2.*outside \[x_min, x_max\]"):
        FluxPoints.from_table(edited)
    unsorted = table.copy()
    unsorted["x_node"][1], unsorted["x_node"][2] = 0.2, 0.15
    unsorted["x_min"][2] = 0.1
    with pytest.raises(ValueError, match="'x_node' does not define a distance axis"):
        FluxPoints.from_table(unsorted)
    no_edges = table.copy()
    del no_edges["x_max"]
    with pytest.raises(ValueError, match=r"x_node.*\['x_max'\]"):
        FluxPoints.from_table(no_edges)
    # equal edges whose centres are also the nodes of a centre-node axis with the same
    # edges: either reading is the same axis, value for value
    edge = MapAxis.from_edges([0, 1, 2, 3] * u.deg, name="projected-distance")
    back = FluxPoints.from_table(profile_on_axis(edge).to_table()).distance_axis
    np.testing.assert_array_equal(back.edges.value, edge.edges.value)
    np.testing.assert_array_equal(back.center.value, edge.center.value)


def test_fits_layout_and_gti(tmp_path: Path) -> None:
    fp = simple_profile()
    fp.gti = Table({"START": [0.0, 0.0], "STOP": [1e7, 1e7]}, meta={"MJDREFI": 51910})
    path = tmp_path / "profile.fits"
    fp.write(path)
    with fits.open(path) as hdulist:
        assert [h.name for h in hdulist] == ["PRIMARY", "FLUXPOINTS", "GTI"]
        header = hdulist["FLUXPOINTS"].header
        assert "SED_TYPE" not in header
        assert "UL_CONF" not in header
        names = hdulist["FLUXPOINTS"].columns.names
        formats = dict(zip(names, hdulist["FLUXPOINTS"].columns.formats, strict=True))
        dims = dict(zip(names, hdulist["FLUXPOINTS"].columns.dims, strict=True))
        assert formats["npred_excess"].endswith("E")
        assert formats["success"].endswith("L")
        assert formats["norm"].endswith("D")
        assert dims["counts"] == "(1,2)"  # FITS order (n_dataset, n_energy)
        assert dims["stat_scan"] == "(3,2)"
    back = FluxPoints.read(path)
    np.testing.assert_array_equal(back.gti["STOP"], [1e7, 1e7])
    assert back.gti.meta["MJDREFI"] == 51910
    assert_same_stored(fp, back)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="not found"):
        FluxPoints.read(tmp_path / "missing.ecsv")
    bad = tmp_path / "bad.ecsv"
    bad.write_text("this is not a table\n\x00\x01")
    with pytest.raises(OSError, match=r"bad\.ecsv"):
        FluxPoints.read(bad)


def test_read_non_likelihood_uses_default_model(
    reference_dir: Path, tmp_path: Path
) -> None:
    table = Table.read(reference_dir / "onoff_radial_dnde.ecsv")
    with pytest.warns(UserWarning, match="Assuming point source with E\\^-2 spectrum"):
        fp = FluxPoints.from_table(table)
    assert fp.sed_type_init == "dnde"
    assert fp.reference_model.tag[-1] == "pl"
    assert fp.reference_model.index.value == 2
    # norm = dnde / (1e-12 (E / 1 TeV)^-2)  (closed form of the default model)
    e_ref = np.asarray(table["e_ref"][0])
    expected = np.asarray(table["dnde"]) / (1e-12 * e_ref**-2)
    np.testing.assert_allclose(fp._data["norm"], expected, rtol=1e-12)
    assert fp.available_quantities[:6] == [
        "norm", "norm_err", "norm_errp", "norm_errn", "norm_ul", "norm_sensitivity"
    ]  # fmt: skip
    # default sed type of to_table is the initial one; dnde values come back unchanged
    assert_tables_equal(
        fp.to_table(), table, "dnde round trip", skip=("x_min", "x_max")
    )
    # a file: same warning
    path = tmp_path / "dnde.ecsv"
    fp.write(path)
    with pytest.warns(UserWarning, match="No reference model set"):
        again = FluxPoints.read(path)
    assert again.sed_type_init == "dnde"
    assert again.meta["SED_TYPE"] == "dnde"
    assert again.n_sigma_ul is None


def test_read_dnde_with_reference_model_recovers_norm(reference_dir: Path) -> None:
    case = "onoff_horizontal_boxes"
    model = case_model(case_json(reference_dir, case))
    table = Table.read(reference_dir / f"{case}_flux.ecsv")
    fp = FluxPoints.from_table(table, reference_model=model)
    likelihood = Table.read(reference_dir / f"{case}.ecsv")
    for name in (
        "norm",
        "norm_err",
        "norm_errn",
        "norm_errp",
        "norm_ul",
        "norm_sensitivity",
    ):
        np.testing.assert_allclose(
            fp._data[name], likelihood[name], rtol=1e-9, err_msg=name
        )


def test_dnde_without_energy_edges() -> None:
    table = simple_profile().to_table(sed_type="dnde")
    table.remove_columns(["e_min", "e_max"])
    fp = FluxPoints.from_table(table, reference_model=PowerLawSpectralModel(index=2.5))
    assert fp.energy_axis.node_type == "center"
    assert not fp.is_convertible_to_flux_sed_type
    out = fp.to_table()
    assert "e_min" not in out.colnames
    assert "e_max" not in out.colnames
    np.testing.assert_allclose(out["dnde"], table["dnde"], rtol=1e-12)
    with pytest.raises(ValueError, match="flux"):
        fp.to_table(sed_type="flux")


def test_from_table_errors() -> None:
    table = simple_profile().to_table()
    with pytest.raises(ValueError, match="format"):
        FluxPoints.from_table(table, format="lightcurve")
    bad = table.copy()
    bad.remove_column("norm")
    with pytest.raises(ValueError, match="SED type"):
        FluxPoints.from_table(bad)
    bad = table.copy()
    bad["e_min"][1] = bad["e_min"][1] * 2
    with pytest.raises(ValueError, match="e_min"):
        FluxPoints.from_table(bad)
    template = FluxPoints.from_table(table)
    assert isinstance(template.reference_model, TemplateSpectralModel)
    assert "template" in str(template)


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


def test_profile_quantity_plot() -> None:
    import matplotlib.pyplot as plt

    fp = simple_profile(n_x=4, n_e=2)
    fig, ax = plt.subplots()
    try:
        out = fp.dnde.plot(ax=ax, color="k")
        assert out is ax
        assert len(ax.lines) == 2
        np.testing.assert_array_equal(
            ax.lines[0].get_xdata(), fp.distance_axis.center.value
        )
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), fp.dnde.values[:, 1])
        # Gammapy's label: unit in astropy's "latex_inline" format (degree sign)
        assert ax.get_xlabel() == "Projected-distance [$\\mathrm{{}^{\\circ}}$]"
        assert ax.get_legend() is not None
    finally:
        plt.close(fig)
