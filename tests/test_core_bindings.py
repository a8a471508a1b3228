"""The compiled core's contract as Python sees it (`fluxprofile._core`): the bound classes
and their named fields, the enums, argument checks (no silent conversion), zero-copy views,
and results that do not depend on the number of threads."""

from __future__ import annotations

import enum
import gc
import pickle

import numpy as np
import pytest

import fluxprofile as fp
from fluxprofile import _core
from fluxprofile._core import Containment, ShapeKind, ShapeTableBuilder, Statistic

NX, NY = 40, 30


def _builder() -> ShapeTableBuilder:
    """One shape of every kind (the polygon has 11 vertices: NumPy's pairwise mean)."""
    b = ShapeTableBuilder(7)
    b.set_rectangles([0], 10.3, 12.1, 8.0, 4.0, np.cos(0.4), np.sin(0.4))
    b.set_circles([1], 20.0, 15.0, 5.5)
    b.set_annuli([2], 30.2, 10.0, 2.0, 6.0)
    b.set_parallelograms([3], 5.0, 25.0, 0.2, 0.05, -0.03, 0.25)
    b.set_ellipses([4], 33.0, 24.0, 0.04, 0.01, 0.09, 0.25)
    angles = np.linspace(0, 2 * np.pi, 11, endpoint=False)
    b.set_polygon(5, 18.0 + 6.1 * np.cos(angles), 5.0 + 4.3 * np.sin(angles))
    b.set_pixel_runs(6, [2.0, 5.0, 3.0, 3.0], [28.0, 28.0, 29.0, 29.0])
    return b


@pytest.fixture(scope="module")
def table() -> _core.ShapeTable:
    return _core.ShapeTable(_builder())


def _cubes(rng: np.random.Generator):
    counts = rng.poisson(4.0, (3, NY, NX)).astype(np.float32)
    background = rng.uniform(-0.5, 3.0, (3, NY, NX))
    return [
        _core.Cube("counts", counts, non_negative=True),
        _core.Cube("background", background, clip_negative=True),
    ]


# ---------------------------------------------------------------------------------------
# enums
# ---------------------------------------------------------------------------------------


def test_enums_are_python_enums_with_the_core_values():
    assert issubclass(ShapeKind, enum.IntEnum)
    assert issubclass(Statistic, enum.IntEnum)
    assert issubclass(Containment, enum.Enum)
    assert [k.name for k in ShapeKind] == [
        "rectangle", "circle", "annulus", "polygon", "parallelogram", "ellipse", "pixel_runs"
    ]  # fmt: skip
    assert [int(k) for k in ShapeKind] == list(range(7))
    assert (int(Statistic.cash), int(Statistic.wstat)) == (0, 1)
    assert Containment["exact"] is Containment.exact
    # an IntEnum compares with NumPy arrays as its integer
    assert np.array_equal(np.array([0, 3]) == ShapeKind.polygon, [False, True])


# ---------------------------------------------------------------------------------------
# shape tables
# ---------------------------------------------------------------------------------------


def test_shape_table_fields(table):
    assert len(table) == 7
    kinds = [ShapeKind.rectangle, ShapeKind.circle, ShapeKind.annulus, ShapeKind.parallelogram,
             ShapeKind.ellipse, ShapeKind.polygon, ShapeKind.pixel_runs]  # fmt: skip
    np.testing.assert_array_equal(table.kind, kinds)
    assert table.table.shape == (7, _core.ShapeTable.n_columns)
    np.testing.assert_array_equal(table.table[:, 0], table.kind)
    np.testing.assert_array_equal(table.x[:3], [10.3, 20.0, 30.2])
    np.testing.assert_array_equal(table.y[:3], [12.1, 15.0, 10.0])
    np.testing.assert_array_equal(table.vertex_offsets, [0, 0, 0, 0, 0, 0, 11, 15])
    lo, hi = table.vertex_offsets[5:7]
    # polygons are centred on np.mean of their vertices, to the bit
    assert table.x[5] == np.mean(table.vertices_x[lo:hi])
    assert table.y[5] == np.mean(table.vertices_y[lo:hi])
    angle = table.angle_rad
    assert angle[0] == pytest.approx(0.4, abs=1e-15)
    np.testing.assert_array_equal(angle[[1, 2, 5]], 0.0)
    assert np.isnan(angle[[3, 4, 6]]).all()
    for name in ("table", "vertices_x", "vertices_y", "vertex_offsets"):
        view = getattr(table, name)
        assert not view.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 1


def test_shape_table_from_the_layout_arrays_and_pickle(table):
    copy = _core.ShapeTable(
        table.table.copy(),
        table.vertices_x.copy(),
        table.vertices_y.copy(),
        table.vertex_offsets.copy(),
    )
    for name in ("table", "vertices_x", "vertices_y", "vertex_offsets"):
        np.testing.assert_array_equal(getattr(copy, name), getattr(table, name))
    back = pickle.loads(pickle.dumps(table))
    np.testing.assert_array_equal(back.table, table.table)
    shapes = fp.PixelShapes(_builder())
    again = pickle.loads(pickle.dumps(shapes))
    assert type(again) is fp.PixelShapes
    np.testing.assert_array_equal(again.angle.value, shapes.angle.value)


def test_shape_table_builder_errors():
    b = ShapeTableBuilder(2)
    b.set_circles(0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="shape table row 1 was never set"):
        _core.ShapeTable(b)
    with pytest.raises(ValueError, match="shape row 5 is out of the table of 2 rows"):
        b.set_circles([5], 1.0, 1.0, 1.0)
    with pytest.raises(
        ValueError,
        match=r"x must have one value per row \(2\) or a single value, got 3",
    ):
        b.set_circles([0, 1], [1.0, 2.0, 3.0], 1.0, 1.0)
    with pytest.raises(
        ValueError, match="vertices_x and vertices_y must have equal length"
    ):
        b.set_polygon(1, [0.0, 1.0, 1.0], [0.0, 1.0])
    b.set_circles(1, 3.0, 3.0, -1.0)  # the geometry is checked when the table is made
    with pytest.raises(ValueError, match="shape 1: circle radius must be > 0"):
        _core.ShapeTable(b)
    with pytest.raises(ValueError, match="a shape table needs n >= 0 rows"):
        ShapeTableBuilder(-1)


# ---------------------------------------------------------------------------------------
# argument checks: no silent conversion, clear messages
# ---------------------------------------------------------------------------------------


def test_wrong_dtype_raises_type_error_naming_the_argument(table):
    rows = table.table.copy()
    with pytest.raises(
        TypeError,
        match=r"shapes must be a float64 array, got float32 \(no copy is made",
    ):
        _core.ShapeTable(
            rows.astype(np.float32),
            table.vertices_x,
            table.vertices_y,
            table.vertex_offsets,
        )
    with pytest.raises(
        TypeError, match="vertex_offsets must be a int64 array, got int32"
    ):
        _core.ShapeTable(
            rows,
            table.vertices_x,
            table.vertices_y,
            table.vertex_offsets.astype(np.int32),
        )
    with pytest.raises(TypeError, match=r"counts: unsupported dtype complex128"):
        _core.Cube("counts", np.ones((1, 2, 2), np.complex128))
    with pytest.raises(TypeError, match="statistic must be a int8 array, got int64"):
        _core.FitProblems(
            np.array([0, 1]),
            np.zeros(1, np.int64),
            np.ones(1),
            np.ones(1),
            np.zeros(1),
            np.ones(1),
        )
    with pytest.raises(TypeError, match="incompatible constructor arguments"):
        _core.Cube("counts", [[[1.0]]])  # a list is not converted either


def test_fortran_order_and_byte_order_raise_value_error(table):
    cube = np.ones((2, NY, NX))
    with pytest.raises(ValueError, match="counts must be C-contiguous"):
        _core.Cube("counts", np.asfortranarray(cube))
    with pytest.raises(
        ValueError, match="counts must be in native byte order, got >f8"
    ):
        _core.Cube("counts", cube.astype(">f8"))
    with pytest.raises(ValueError, match="shapes must be C-contiguous"):
        _core.ShapeTable(
            np.asfortranarray(table.table),
            table.vertices_x,
            table.vertices_y,
            table.vertex_offsets,
        )
    with pytest.raises(ValueError, match="counts must be in native byte order"):
        _core.FitProblems(
            np.array([0, 1]),
            np.zeros(1, np.int8),
            np.ones(1, ">f8"),
            np.ones(1),
            np.zeros(1),
            np.ones(1),
        )
    with pytest.raises(ValueError, match="image must be C-contiguous"):
        _core.ReduceInputs(
            table,
            [_core.Cube("counts", cube)],
            image=np.asfortranarray(np.ones((NY, NX))),
        )
    with pytest.raises(ValueError, match="counts must be a 3-D cube"):
        _core.Cube("counts", np.ones((NY, NX)))


def test_empty_and_mismatched_input_raise_value_error(table):
    with pytest.raises(ValueError, match="reco_cubes must hold at least one Cube"):
        _core.ReduceInputs(table, [])
    with pytest.raises(
        ValueError, match="offsets must be 1-D with n_problems \\+ 1 entries, got none"
    ):
        _core.FitProblems(
            np.zeros(0, np.int64),
            *(np.zeros(0, t) for t in (np.int8, float, float, float, float)),
        )
    cube = _core.Cube("counts", np.ones((2, NY, NX)))
    with pytest.raises(
        ValueError, match="reco cube names must be unique, got 'counts' twice"
    ):
        _core.ReduceInputs(table, [cube, cube])
    with pytest.raises(
        ValueError,
        match=r"background must have the shape \(2, 30, 40\) of the first reco cube",
    ):
        _core.ReduceInputs(
            table, [cube, _core.Cube("background", np.ones((2, NY, NX + 1)))]
        )
    with pytest.raises(
        ValueError, match=r"mask must be a bool/uint8 cube of shape \(2, 30, 40\)"
    ):
        _core.ReduceInputs(table, [cube], mask=np.ones((2, NY, NX), np.float32))
    with pytest.raises(
        ValueError, match=r"exposure must have shape \(n_true, 30, 40\)"
    ):
        _core.ReduceInputs(table, [cube], exposure=np.ones((4, NY, 3)))
    # a problem-free fit is fine: no problems, empty results
    empty = _core.fit_norms(
        _core.FitProblems(
            np.zeros(1, np.int64),
            *(np.zeros(0, t) for t in (np.int8, float, float, float, float)),
        )
    )
    assert empty.norm.shape == (0,)
    assert empty.npred.shape == (0,)


# ---------------------------------------------------------------------------------------
# the bound classes' fields and zero-copy views
# ---------------------------------------------------------------------------------------


def test_reduce_inputs_and_region_sums(table):
    rng = np.random.default_rng(1)
    cubes = _cubes(rng)
    mask = rng.random((3, NY, NX)) < 0.8
    exposure = rng.uniform(1e10, 2e10, (2, NY, NX)).astype(np.float32)
    image = np.full((NY, NX), 2.0)
    inputs = _core.ReduceInputs(table, cubes, mask=mask, exposure=exposure, image=image)
    assert inputs.shapes is table
    assert [c.name for c in inputs.reco_cubes] == ["counts", "background"]
    assert inputs.reco_cubes[0] is cubes[0]
    assert (inputs.n_reco, inputs.ny, inputs.nx) == (3, NY, NX)
    assert inputs.pixels is None
    # held, not copied
    assert np.shares_memory(inputs.mask, mask)
    assert np.shares_memory(inputs.exposure, exposure)
    assert np.shares_memory(cubes[0].data, inputs.reco_cubes[0].data)
    assert cubes[1].clip_negative
    assert not cubes[1].non_negative
    assert cubes[0].must_be_finite
    sums = _core.reduce_regions(inputs, _core.ReduceOptions(Containment.center), 1)
    assert sums.fields == (
        "reco_sums",
        "exposure_sums",
        "exposure_means",
        "n_safe",
        "npix_total",
        "npix_inmap",
        "image_sum",
    )
    assert list(sums.reco_sums) == ["counts", "background"]
    assert sums.reco_sums["counts"].shape == (7, 3)
    assert sums.exposure_sums.shape == (7, 3 * 2)
    assert sums.exposure_means.shape == (7, 2)
    lists = _core.region_pixels(table, NX, NY, 1)
    for r in range(7):
        idx = lists.flat_index[lists.offsets[r] : lists.offsets[r + 1]]
        safe = mask.reshape(3, -1)[:, idx]
        np.testing.assert_array_equal(sums.n_safe[r], safe.sum(axis=1))
        counts = cubes[0].data.reshape(3, -1)[:, idx].astype(np.float64)
        np.testing.assert_allclose(
            sums.reco_sums["counts"][r],
            np.where(safe, counts, 0).sum(axis=1),
            rtol=1e-12,
        )
        background = np.maximum(cubes[1].data.reshape(3, -1)[:, idx], 0)
        np.testing.assert_allclose(
            sums.reco_sums["background"][r],
            np.where(safe, background, 0).sum(axis=1),
            rtol=1e-12,
        )
        assert sums.image_sum[r] == 2.0 * idx.size
    np.testing.assert_array_equal(sums.npix_total, lists.total)


def test_inputs_keep_their_arrays_alive(table):
    rng = np.random.default_rng(2)
    cube = rng.poisson(3.0, (2, NY, NX)).astype(np.float64)
    expected = _core.reduce_regions(
        _core.ReduceInputs(table, [_core.Cube("counts", cube.copy())])
    ).reco_sums["counts"]
    inputs = _core.ReduceInputs(table, [_core.Cube("counts", cube)])
    del cube
    gc.collect()
    np.testing.assert_array_equal(
        _core.reduce_regions(inputs).reco_sums["counts"], expected
    )


def test_pixel_lists_fields(table):
    centre = _core.region_pixels(table, NX, NY, 1)
    exact = _core.region_overlap(table, NX, NY, 1)
    assert centre.weight is None
    assert centre.containment is Containment.center
    assert exact.containment is Containment.exact
    assert exact.weight.dtype == np.float64
    for lists in (centre, exact):
        assert (lists.nx, lists.ny, len(lists)) == (NX, NY, 7)
        assert lists.flat_index.dtype == np.int64
        assert lists.offsets.dtype == np.int64
        assert lists.total.dtype == np.float64
        assert lists.offsets[0] == 0
        assert lists.offsets[-1] == lists.flat_index.size
        assert not lists.flat_index.flags.writeable
    # the pixel runs of row 6: columns 2-5 of row 28, column 3 of row 29
    run = centre.flat_index[centre.offsets[6] : centre.offsets[7]]
    np.testing.assert_array_equal(
        run, [28 * NX + 2, 28 * NX + 3, 28 * NX + 4, 28 * NX + 5, 29 * NX + 3]
    )
    assert centre.total[6] == 5.0
    # lists made elsewhere are checked like the core's own
    rebuilt = _core.PixelLists(
        centre.flat_index, None, centre.offsets, centre.total, NX, NY
    )
    np.testing.assert_array_equal(rebuilt.flat_index, centre.flat_index)
    offsets = centre.offsets.copy()
    offsets[1] = offsets[-1]
    with pytest.raises(ValueError, match="pixels: offsets must be non-decreasing"):
        _core.PixelLists(centre.flat_index, None, offsets, centre.total, NX, NY)


def test_fit_problems_options_and_results():
    offsets = np.array([0, 2, 3], np.int64)
    statistic = np.array([Statistic.cash, Statistic.cash, Statistic.wstat], np.int8)
    counts, background = np.array([12.0, 9.0, 30.0]), np.array([5.0, 4.0, 40.0])
    alpha, signal = np.array([0.0, 0.0, 0.25]), np.array([3.0, 2.0, 6.0])
    problems = _core.FitProblems(offsets, statistic, counts, background, alpha, signal)
    assert (problems.n_problems, problems.n_bins, len(problems)) == (2, 3, 2)
    for name, array in zip(("offsets", "statistic", "counts", "background", "alpha", "signal"),
                           (offsets, statistic, counts, background, alpha, signal), strict=True):  # fmt: skip
        assert np.shares_memory(getattr(problems, name), array), name
    options = _core.FitOptions()
    assert (
        options.n_sigma,
        options.n_sigma_ul,
        options.n_sigma_sensitivity,
        options.null_value,
    ) == (1.0, 2.0, 5.0, 0.0)
    assert not (options.errn_errp)
    assert not (options.ul)
    assert not (options.sensitivity)
    assert not (options.minuit_norm)
    assert options.minuit_errors
    assert options.scan_values == []
    options.ul = True
    options.scan_values = [0.5, 1.0, 2.0]
    result = _core.fit_norms(problems, options, 1)
    assert result.fields == ("norm", "norm_err", "stat", "stat_null", "ts", "norm_errn", "norm_errp", "norm_ul",
                             "norm_sensitivity", "norm_at_stat", "success", "stat_scan", "npred")  # fmt: skip
    assert result.success.dtype == np.bool_
    assert result.success.all()
    assert result.stat_scan.shape == (2, 3)
    assert result.npred.shape == (3,)
    assert np.isfinite(result.norm_ul).all()
    assert np.isnan(result.norm_errn).all()
    # the statistic at the scan norms is the problem's statistic there
    for p in range(2):
        np.testing.assert_allclose(
            result.stat_scan[p],
            _core.problem_stat(problems, p, np.array([0.5, 1.0, 2.0])),
            rtol=1e-14,
        )
    # Cash of the first problem from the per-bin statistic
    norm = result.norm_at_stat[0]
    assert result.stat[0] == pytest.approx(
        _core.cash(counts[:2], background[:2] + norm * signal[:2]).sum(), rel=1e-13
    )
    assert result.norm.flags.writeable  # results belong to the caller


# ---------------------------------------------------------------------------------------
# thread counts
# ---------------------------------------------------------------------------------------


def test_results_are_bitwise_equal_for_1_2_and_all_threads(table):
    rng = np.random.default_rng(3)
    cubes = _cubes(rng)
    exposure = rng.uniform(1e10, 2e10, (2, NY, NX))
    n = 500
    statistic = np.repeat(rng.integers(0, 2, n), 2).astype(np.int8)
    problems = _core.FitProblems(
        np.arange(n + 1, dtype=np.int64) * 2, statistic, rng.poisson(20, 2 * n).astype(float),
        rng.uniform(5.0, 40.0, 2 * n), np.where(statistic == Statistic.wstat, 0.4, 0.0), np.full(2 * n, 5.0),
    )  # fmt: skip
    options = _core.FitOptions(
        errn_errp=True, ul=True, sensitivity=True, scan_values=[0.0, 1.0]
    )
    runs = []
    for n_threads in (1, 2, 0):
        centre = _core.region_pixels(table, NX, NY, n_threads)
        exact = _core.region_overlap(table, NX, NY, n_threads)
        sums = _core.reduce_regions(
            _core.ReduceInputs(table, cubes, exposure=exposure),
            _core.ReduceOptions(),
            n_threads,
        )
        weighted = _core.reduce_regions(
            _core.ReduceInputs(table, cubes, exposure=exposure, pixels=exact),
            _core.ReduceOptions(Containment.exact),
            n_threads,
        )
        runs.append(
            (
                centre,
                exact,
                sums,
                weighted,
                _core.fit_norms(problems, options, n_threads),
            )
        )
    first = runs[0]
    assert first[4].success.sum() > 400  # the fits really ran
    for other in runs[1:]:
        for a, b in zip(first[:2], other[:2], strict=True):
            for name in ("flat_index", "offsets", "total"):
                assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert np.array_equal(first[1].weight, other[1].weight)
        for a, b in zip(first[2:4], other[2:4], strict=True):
            for name in a.fields[1:]:
                assert np.array_equal(
                    getattr(a, name), getattr(b, name), equal_nan=True
                ), name
            for name in a.reco_sums:
                assert np.array_equal(a.reco_sums[name], b.reco_sums[name]), name
        a, b = first[4], other[4]
        for name in a.fields:
            assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), (
                name
            )


# ---------------------------------------------------------------------------------------
# the type stub (python/fluxprofile/_core.pyi, regenerated and diffed by .ci/stubs)
# ---------------------------------------------------------------------------------------


def test_the_type_stub_matches_the_module():
    import ast
    import inspect
    from pathlib import Path

    path = Path(fp.__file__).with_name("_core.pyi")  # installed with the package
    tree = ast.parse(path.read_text())
    public = sorted(name for name in dir(_core) if not name.startswith("_"))
    stub_all = next(
        node
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and node.target.id == "__all__"
    )
    assert sorted(ast.literal_eval(stub_all.value)) == public
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    functions = {
        node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)
    }
    assert set(classes) | set(functions) == set(public)
    for name, node in classes.items():
        cls = getattr(_core, name)
        if issubclass(cls, enum.Enum):
            members = {
                t.targets[0].id: ast.literal_eval(t.value)
                for t in node.body
                if isinstance(t, ast.Assign)
            }
            assert members == {m.name: m.value for m in cls}, name
            continue
        stubbed = {t.name for t in node.body if isinstance(t, ast.FunctionDef)}
        stubbed |= {t.target.id for t in node.body if isinstance(t, ast.AnnAssign)}
        bound = {a for a in vars(cls) if not a.startswith("_")}
        assert bound <= stubbed, (name, bound - stubbed)
    for name, node in functions.items():
        # the runtime signature (pybind11's first docstring line) names the same arguments
        runtime = inspect.getdoc(getattr(_core, name)).splitlines()[0]
        arguments = [a.arg for a in node.args.args + node.args.kwonlyargs]
        assert all(f"{a}:" in runtime for a in arguments), (name, runtime)
