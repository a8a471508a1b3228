"""Property-based tests (hypothesis) of the C++ core against independent NumPy/SciPy brute force.

* ``_core.region_pixels`` / ``_core.reduce_regions``: every pixel centre of an extended grid
  is tested against the containment rule of shapes.hpp (docs/sky_geometry.rst), written here from the
  rule (rectangle ``|u| < w/2 & |v| < h/2``, circle ``hypot < r``, annulus
  ``(r < out) xor (r < in)``, polygon even-odd); membership, totals, masked sums of every
  reco cube (all core dtypes), exposure sums and the unmasked image sums must be identical.
* ``_core.fit_norms``: Cash and WStat statistics written here from Gammapy's definitions, the
  minimum bracketed on a dense grid and polished with ``scipy.optimize``, the curvature
  error by Richardson-extrapolated finite differences, errn/errp/ul by ``brentq`` on
  ``stat - stat_min - delta``: best fit, errors, ul and ts within 1e-6 (in units of the
  1-sigma error for norms).

In CI (``CI`` set) the examples are derandomized, so failures reproduce.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import optimize

from fluxprofile import _core

pytestmark = pytest.mark.timeout(600)

settings.register_profile(
    "fluxprofile-ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
if os.environ.get("CI"):
    settings.load_profile("fluxprofile-ci")

# ---------------------------------------------------------------------------------------
# pixel membership
# ---------------------------------------------------------------------------------------
MARGIN = 16  # pixels around the map in which the unbounded-grid totals are counted


def _coordinate(lo, hi):
    """Floats, with a good share of integers and half-integers (edge ties on pixel centres)."""
    return st.one_of(
        st.floats(lo, hi, allow_nan=False, allow_infinity=False),
        st.integers(int(np.ceil(lo)), int(np.floor(hi))).map(float),
        st.integers(int(np.ceil(2 * lo)), int(np.floor(2 * hi))).map(lambda k: k / 2.0),
    )


_SIZE = st.one_of(
    st.floats(0.05, 8.0),
    st.integers(1, 8).map(float),
    st.integers(1, 16).map(lambda k: k / 2.0),
)
_ANGLE = st.one_of(
    st.floats(0.0, 2 * np.pi), st.sampled_from([0.0, np.pi / 2, np.pi / 4, np.pi, 1.0])
)


@st.composite
def shapes(draw, nx, ny):
    """One pixel shape: (row of 7 floats, polygon vertices (vx, vy) or None)."""
    kind = draw(st.sampled_from([0, 1, 2, 3]))
    x = draw(_coordinate(-3.0, nx + 2.0))
    y = draw(_coordinate(-3.0, ny + 2.0))
    if kind == 0:
        angle = draw(_ANGLE)
        return [0.0, x, y, draw(_SIZE), draw(_SIZE), np.cos(angle), np.sin(angle)], None
    if kind == 1:
        return [1.0, x, y, draw(_SIZE), 0.0, 1.0, 0.0], None
    if kind == 2:
        inner = draw(st.one_of(st.just(0.0), _SIZE.map(lambda v: v / 2)))
        return [2.0, x, y, inner, inner + draw(_SIZE), 1.0, 0.0], None
    n = draw(st.integers(3, 6))
    vx = draw(st.lists(_coordinate(-3.0, nx + 2.0), min_size=n, max_size=n))
    vy = draw(st.lists(_coordinate(-3.0, ny + 2.0), min_size=n, max_size=n))
    return [3.0, float(np.mean(vx)), float(np.mean(vy)), 0.0, 0.0, 0.0, 0.0], (vx, vy)


@st.composite
def shape_sets(draw):
    nx = draw(st.integers(1, 12))
    ny = draw(st.integers(1, 12))
    items = draw(st.lists(shapes(nx, ny), min_size=1, max_size=4))
    table = np.array([row for row, _ in items], dtype=np.float64)
    vx, vy, offsets = [], [], [0]
    for _, vertices in items:
        if vertices is not None:
            vx += vertices[0]
            vy += vertices[1]
        offsets.append(len(vx))
    return (
        nx,
        ny,
        table,
        np.array(vx, float),
        np.array(vy, float),
        np.array(offsets, np.int64),
    )


def brute_force_contains(row, vx, vy, px, py):
    """Containment of pixel centres (px, py) (arrays) in one shape, from the rule."""
    kind, x, y, p1, p2, c, s = row
    dx, dy = px - x, py - y
    if kind == 0:
        u = c * dx + s * dy
        v = s * dx - c * dy
        return (np.abs(u) < p1 * 0.5) & (np.abs(v) < p2 * 0.5)
    if kind == 1:
        return np.hypot(dx, dy) < p1
    if kind == 2:
        r = np.hypot(dx, dy)
        return (r < p2) != (r < p1)
    inside = np.zeros(px.shape, bool)
    n = len(vx)
    with np.errstate(all="ignore"):
        for i in range(n):
            j = i - 1
            straddles = (vy[i] > py) != (vy[j] > py)
            x_cross = (vx[j] - vx[i]) * (py - vy[i]) / (vy[j] - vy[i]) + vx[i]
            inside ^= straddles & (px < x_cross)
    return inside


def brute_force_membership(nx, ny, table, vx, vy, offsets):
    """Per shape: (in-map boolean image (ny, nx), total count on the unbounded grid)."""
    gy, gx = np.mgrid[-MARGIN : ny + MARGIN, -MARGIN : nx + MARGIN].astype(np.float64)
    out = []
    for i, row in enumerate(table):
        inside = brute_force_contains(
            row,
            vx[offsets[i] : offsets[i + 1]],
            vy[offsets[i] : offsets[i + 1]],
            gx,
            gy,
        )
        in_map = inside[MARGIN : MARGIN + ny, MARGIN : MARGIN + nx]
        out.append((in_map, int(inside.sum())))
    return out


@settings(max_examples=300, deadline=None)
@given(shape_sets(), st.sampled_from([1, 2, 3]))
def test_region_pixels_match_brute_force(case, n_threads):
    nx, ny, table, vx, vy, offsets = case
    lists = _core.region_pixels(
        _core.ShapeTable(table, vx, vy, offsets), nx, ny, n_threads=n_threads
    )
    flat, starts, totals = lists.flat_index, lists.offsets, lists.total
    expected = brute_force_membership(nx, ny, table, vx, vy, offsets)
    assert starts[0] == 0
    assert starts[-1] == flat.size
    for i, (in_map, total) in enumerate(expected):
        np.testing.assert_array_equal(
            flat[starts[i] : starts[i + 1]], np.flatnonzero(in_map.ravel())
        )
        assert totals[i] == total


_DTYPES = [np.float64, np.float32, np.int16, np.int32, np.int64, np.uint8]


@st.composite
def reduction_cases(draw):
    nx, ny, table, vx, vy, offsets = draw(shape_sets())
    n_reco = draw(st.integers(1, 3))
    n_true = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    cubes = []
    for dtype in draw(st.lists(st.sampled_from(_DTYPES), min_size=1, max_size=3)):
        # Values exactly representable (multiples of 1/8 for floats): sums are exact in any order.
        # (signed types may hold negative values, which a clipping cube counts as 0)
        low = -50 if np.dtype(dtype).kind in "fi" else 0
        values = rng.integers(low, 100, (n_reco, ny, nx))
        cubes.append(
            (values / 8.0 if np.dtype(dtype).kind == "f" else values).astype(dtype)
        )
    mask_kind = draw(st.sampled_from(["none", "random", "spatial", "all_false"]))
    if mask_kind == "none":
        mask = None
    elif mask_kind == "random":
        mask = rng.random((n_reco, ny, nx)) < 0.7
    elif mask_kind == "spatial":
        mask = np.broadcast_to(rng.random((ny, nx)) < 0.7, (n_reco, ny, nx)).copy()
    else:
        mask = np.zeros((n_reco, ny, nx), bool)
    exposure_dtype = draw(st.sampled_from([np.float32, np.float64, None]))
    exposure = None
    if exposure_dtype is not None:
        exposure = (rng.integers(1, 1000, (n_true, ny, nx)) / 4.0).astype(
            exposure_dtype
        )
    image = None
    if draw(st.booleans()):
        image = rng.integers(0, 64, (ny, nx)) / 16.0  # e.g. pixel solid angles
    return nx, ny, table, vx, vy, offsets, n_reco, n_true, cubes, mask, exposure, image


@settings(max_examples=300, deadline=None)
@given(reduction_cases(), st.sampled_from([1, 2]), st.data())
def test_reduce_regions_matches_brute_force(case, n_threads, data):
    nx, ny, table, vx, vy, offsets, n_reco, n_true, cubes, mask, exposure, image = case
    mask_arg = None if mask is None else mask.view(np.uint8)
    clip = data.draw(st.lists(st.booleans(), min_size=len(cubes), max_size=len(cubes)))
    inputs = _core.ReduceInputs(
        _core.ShapeTable(table, vx, vy, offsets),
        [_core.Cube(f"cube {c}", cube, clip_negative=clip[c]) for c, cube in enumerate(cubes)],
        mask=mask_arg, exposure=exposure, image=image,
    )  # fmt: skip
    got = _core.reduce_regions(inputs, n_threads=n_threads)
    safe = np.ones((n_reco, ny, nx), bool) if mask is None else mask
    for r, (in_map, total) in enumerate(
        brute_force_membership(nx, ny, table, vx, vy, offsets)
    ):
        assert got.npix_total[r] == total
        assert got.npix_inmap[r] == in_map.sum()
        if image is not None:
            assert got.image_sum[r] == image[in_map].sum()  # unmasked, in-map pixels
        sel = safe & in_map[None]
        np.testing.assert_array_equal(got.n_safe[r], sel.sum(axis=(1, 2)))
        for c, cube in enumerate(cubes):
            values = np.maximum(cube, 0) if clip[c] else cube
            expected = [
                values[e][sel[e]].astype(np.float64).sum() for e in range(n_reco)
            ]
            np.testing.assert_array_equal(got.reco_sums[f"cube {c}"][r], expected)
        if exposure is None:
            assert got.exposure_sums.shape == (len(table), 0)
        else:
            expected = [
                exposure[j][sel[e]].astype(np.float64).sum()
                for e in range(n_reco)
                for j in range(n_true)
            ]
            np.testing.assert_array_equal(got.exposure_sums[r], expected)


# ---------------------------------------------------------------------------------------
# statistics, written from Gammapy's definitions
# ---------------------------------------------------------------------------------------
TRUNCATION = 1e-25
LOG_TRUNCATION = float(
    np.log(float(np.float32(TRUNCATION)))
)  # Gammapy: float32 value, float64 log


def cash_ref(n, mu):
    n, mu = np.broadcast_arrays(np.asarray(n, float), np.asarray(mu, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        above = 2.0 * (mu - np.where(n > 0, n * np.log(mu), 0.0))
    below = 2.0 * (TRUNCATION - np.where(n > 0, n * LOG_TRUNCATION, 0.0))
    return np.where(mu > TRUNCATION, above, below)


def wstat_ref(n_on, n_off, alpha, mu_sig, raw=False):
    n_on, n_off, alpha, mu_sig = np.broadcast_arrays(
        *(np.asarray(a, float) for a in (n_on, n_off, alpha, mu_sig))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        c = alpha * (n_on + n_off) - (1 + alpha) * mu_sig
        d = np.sqrt(c**2 + 4 * alpha * (alpha + 1) * n_off * mu_sig)
        mu_bkg = (c + d) / (2 * alpha * (alpha + 1))
        term = mu_sig + (1 + alpha) * mu_bkg
        term = term - np.where(n_on == 0, 0.0, n_on * np.log(mu_sig + alpha * mu_bkg))
        term = term - np.where(n_off == 0, 0.0, n_off * np.log(mu_bkg))
        gof = -np.where(n_on == 0, 0.0, n_on * (1 - np.log(n_on))) - np.where(
            n_off == 0, 0.0, n_off * (1 - np.log(n_off))
        )
    stat = 2 * term + 2 * gof
    return stat if raw else np.nan_to_num(stat)


class Problem:
    """One fit problem (bins of one kind) and its brute-force statistic."""

    def __init__(self, kind, counts, background, alpha, signal):
        self.kind = kind
        self.counts = np.asarray(counts, float)
        self.background = np.asarray(background, float)
        self.alpha = np.asarray(alpha, float)
        self.signal = np.asarray(signal, float)

    def __repr__(self) -> str:
        arrays = ", ".join(
            f"{k}={getattr(self, k).tolist()!r}"
            for k in ("counts", "background", "alpha", "signal")
        )
        return f"Problem({self.kind}, {arrays})"

    def stat(self, x, raw=False):
        """Total statistic at norm(s) ``x`` (NaN where WStat is undefined if ``raw``)."""
        x = np.atleast_1d(np.asarray(x, float))[:, None]
        if self.kind == 0:
            values = cash_ref(self.counts, self.background + x * self.signal)
        else:
            values = wstat_ref(
                self.counts, self.background, self.alpha, x * self.signal, raw=raw
            )
        return values.sum(axis=1)

    def f(self, x):
        value = float(self.stat(x, raw=True)[0])
        assume(
            np.isfinite(value)
        )  # outside WStat's domain: not a case for the brute force
        return value


def brute_force_fit(pb: Problem, null_value=0.0):
    """Best fit, curvature error, errn, errp, ul (delta 4) and ts by grid + scipy."""
    total_s = pb.signal.sum()
    excess = pb.counts.sum() - (
        pb.background.sum() if pb.kind == 0 else (pb.alpha * pb.background).sum()
    )
    x_hat = excess / total_s
    rough = np.sqrt(pb.counts.sum() + pb.background.sum() + 1.0) / total_s
    lo, hi = x_hat - 30 * rough, x_hat + 30 * rough
    if pb.kind == 0:
        # Cash: only norms keeping every bin with counts above the truncation value; below,
        # the truncated statistic has a plateau, not a minimum (docs/statistics.rst).
        with_counts = (pb.counts > 0) & (pb.signal > 0)
        edge = np.max(
            (TRUNCATION - pb.background[with_counts]) / pb.signal[with_counts]
        )
        lo = max(lo, edge + 1e-9 * max(abs(edge), rough))
    grid = np.linspace(lo, hi, 6001)
    values = pb.stat(grid, raw=True)
    values[~np.isfinite(values)] = np.inf
    i = int(np.argmin(values))
    assume(0 < i < grid.size - 1 and np.isfinite(values[i]))
    res = optimize.minimize_scalar(
        pb.f,
        bounds=(grid[i - 1], grid[i + 1]),
        method="bounded",
        options={"xatol": 1e-12 * max(rough, 1e-300)},
    )
    x0 = res.x
    # Kinks of the statistic: Cash bins without counts where the prediction reaches the
    # truncation value; WStat bins without ON or OFF counts where the closed-form
    # background switches branch. Finite differences must not
    # straddle them, and a minimum sitting on one has no curvature error to compare.
    if pb.kind == 0:
        sel = (pb.counts == 0) & (pb.signal != 0)
        kinks = (TRUNCATION - pb.background[sel]) / pb.signal[sel]
    else:
        # D = sqrt(C^2 + 4 alpha (alpha + 1) n_off mu_sig) vanishes only if n_on n_off = 0,
        # at mu_sig = alpha (n_on - n_off) / (1 + alpha).
        sel = (pb.counts * pb.background == 0) & (pb.signal != 0)
        a = pb.alpha[sel]
        kinks = a * (pb.counts[sel] - pb.background[sel]) / ((1 + a) * pb.signal[sel])
    h_probe = 1e-2 * rough
    probe = (pb.f(x0 + h_probe) - 2 * pb.f(x0) + pb.f(x0 - h_probe)) / h_probe**2
    assume(probe > 0)
    sigma_probe = np.sqrt(2.0 / probe)
    # A flat stretch (e.g. WStat bins without OFF counts compensating each other) has no
    # curvature: the probe is then rounding noise and sigma absurdly large.
    assume(sigma_probe < 30 * rough)
    clearance = np.min(np.abs(kinks - x0), initial=np.inf)
    assume(clearance > 0.02 * sigma_probe)
    reach = min(0.2 * sigma_probe, 0.5 * clearance)  # largest finite-difference step

    # Polish: the value minimum is only located to ~sqrt(eps |stat|); the root of the
    # Richardson-extrapolated central gradient is located to ~eps |stat|.
    h = 0.25 * reach

    def gradient(x):
        g1 = (pb.f(x + h) - pb.f(x - h)) / (2 * h)
        g2 = (pb.f(x + h / 2) - pb.f(x - h / 2)) / h
        return (4 * g2 - g1) / 3

    a, b = x0 - h, x0 + h
    if gradient(a) < 0 < gradient(b):
        x0 = optimize.brentq(gradient, a, b, xtol=1e-15 * max(abs(x0), h), rtol=1e-15)
    f0 = pb.f(x0)

    # Central second differences extrapolated to h -> 0 (Romberg: h, h/2, h/4; error O(h^6)).
    def second(step):
        return (pb.f(x0 + step) - 2 * f0 + pb.f(x0 - step)) / step**2

    d1, d2, d3 = second(reach / 2), second(reach / 4), second(reach / 8)
    e1, e2 = (4 * d2 - d1) / 3, (4 * d3 - d2) / 3
    curvature = (16 * e2 - e1) / 15
    assume(curvature > 0)
    sigma = np.sqrt(2.0 / curvature)
    assume(sigma < 30 * rough)

    def crossing(delta, direction):
        step = sigma
        for _ in range(60):
            x = x0 + direction * step
            if pb.f(x) - f0 - delta > 0:
                return abs(
                    optimize.brentq(
                        lambda t: pb.f(t) - f0 - delta,
                        x0,
                        x,
                        xtol=1e-14 * sigma,
                        rtol=1e-15,
                    )
                    - x0
                )
            step *= 2
        assume(False)
        return None

    return {
        "norm": x0,
        "norm_err": sigma,
        "norm_errn": crossing(1.0, -1.0),
        "norm_errp": crossing(1.0, +1.0),
        "norm_ul": x0 + crossing(4.0, +1.0),
        "ts": float(pb.stat(null_value)[0]) - f0,
        "stat": f0,
    }


def core_problems(problems: list[Problem]) -> _core.FitProblems:
    offsets = np.concatenate(
        [[0], np.cumsum([p.counts.size for p in problems])]
    ).astype(np.int64)
    statistic = np.concatenate(
        [np.full(p.counts.size, p.kind, np.int8) for p in problems]
    )
    arrays = [
        np.concatenate([getattr(p, k) for p in problems])
        for k in ("counts", "background", "alpha", "signal")
    ]
    return _core.FitProblems(offsets, statistic, *arrays)


def run_core(problems: list[Problem], n_threads=0, **options):
    options = _core.FitOptions(errn_errp=True, ul=True, minuit_errors=False, **options)
    return _core.fit_norms(core_problems(problems), options, n_threads)


def assert_matches(got, p, ref):
    sigma = ref["norm_err"]
    tol = 1e-6 * sigma
    assert got.success[p]
    assert abs(got.norm[p] - ref["norm"]) <= tol, (got.norm[p], ref["norm"])
    assert abs(got.norm_err[p] - sigma) <= 1e-6 * sigma, (got.norm_err[p], sigma)
    for key in ("norm_errn", "norm_errp", "norm_ul"):
        assert abs(getattr(got, key)[p] - ref[key]) <= tol, (
            key,
            getattr(got, key)[p],
            ref[key],
        )
    scale = 1e-12 * abs(ref["stat"])
    assert abs(got.ts[p] - ref["ts"]) <= 1e-6 + scale, (got.ts[p], ref["ts"])
    assert abs(got.stat[p] - ref["stat"]) <= 1e-6 + scale


_N_BINS = st.integers(1, 4)


@st.composite
def cash_problems(draw):
    n = draw(_N_BINS)
    counts = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    background = draw(
        st.lists(
            st.one_of(st.floats(0.05, 200.0), st.just(0.0)), min_size=n, max_size=n
        )
    )
    signal = draw(st.lists(st.floats(0.05, 100.0), min_size=n, max_size=n))
    assume(sum(counts) > 0)
    return Problem(0, counts, background, np.zeros(n), signal)


@st.composite
def wstat_problems(draw):
    n = draw(_N_BINS)
    n_on = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    n_off = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    alpha = draw(st.lists(st.floats(0.02, 2.0), min_size=n, max_size=n))
    signal = draw(st.lists(st.floats(0.05, 100.0), min_size=n, max_size=n))
    assume(sum(n_on) > 0)
    return Problem(1, n_on, n_off, alpha, signal)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(st.lists(cash_problems(), min_size=1, max_size=3), st.sampled_from([1, 2]))
def test_cash_fit_matches_brute_force(problems, n_threads):
    refs = [brute_force_fit(p) for p in problems]
    got = run_core(problems, n_threads=n_threads)
    for p, ref in enumerate(refs):
        assert_matches(got, p, ref)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(st.lists(wstat_problems(), min_size=1, max_size=3), st.sampled_from([1, 2]))
def test_wstat_fit_matches_brute_force(problems, n_threads):
    refs = [brute_force_fit(p) for p in problems]
    got = run_core(problems, n_threads=n_threads)
    for p, ref in enumerate(refs):
        assert_matches(got, p, ref)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(cash_problems(), wstat_problems()), min_size=1, max_size=4),
    st.lists(st.floats(-5.0, 20.0), min_size=1, max_size=8),
)
def test_problem_stat_and_scan_match_brute_force(problems, norms):
    """The statistic at arbitrary norms (also inside truncation / nan_to_num regions)."""
    got = run_core(problems, scan_values=norms, n_threads=1)
    fit_problems = core_problems(problems)
    for i, pb in enumerate(problems):
        expected = pb.stat(norms)
        np.testing.assert_allclose(got.stat_scan[i], expected, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(
            _core.problem_stat(fit_problems, i, np.asarray(norms, float)),
            expected,
            rtol=1e-12,
            atol=1e-9,
        )
        np.testing.assert_allclose(
            got.stat_null[i], pb.stat(0.0)[0], rtol=1e-12, atol=1e-9
        )


_COUNTS = st.one_of(st.integers(0, 1000).map(float), st.floats(0.0, 1e4))
_MU = st.one_of(
    st.floats(-10.0, 1e4), st.just(0.0), st.just(TRUNCATION), st.floats(0.0, 1e-20)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_COUNTS, _MU), min_size=1, max_size=20))
def test_cash_bins_match_formula(pairs):
    n, mu = np.array(pairs).T
    np.testing.assert_allclose(
        _core.cash(n, mu), cash_ref(n, mu), rtol=1e-13, atol=1e-12
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(_COUNTS, _COUNTS, st.floats(1e-3, 10.0), st.floats(-50.0, 1e4)),
        min_size=1,
        max_size=20,
    )
)
def test_wstat_bins_match_formula(rows):
    n_on, n_off, alpha, mu_sig = np.array(rows).T
    np.testing.assert_allclose(
        _core.wstat(n_on, n_off, alpha, mu_sig),
        wstat_ref(n_on, n_off, alpha, mu_sig),
        rtol=1e-10,
        atol=1e-8,
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(cash_problems(), min_size=1, max_size=5), st.sampled_from([0, 2, 3]))
def test_fit_results_do_not_depend_on_threads(problems, n_threads):
    serial = run_core(
        problems, n_threads=1, sensitivity=True, scan_values=[0.0, 1.0, 2.0]
    )
    threaded = run_core(
        problems, n_threads=n_threads, sensitivity=True, scan_values=[0.0, 1.0, 2.0]
    )
    assert serial.fields == threaded.fields
    for key in serial.fields:
        np.testing.assert_array_equal(
            getattr(serial, key), getattr(threaded, key), err_msg=key
        )
