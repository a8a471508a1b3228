"""Energy groups: snapping to the reco bins, empty and dropped groups, the energy axis.

The rules are in docs/energy_groups.rst. Requested edges finer than the reco bins used to
crash after the whole run (Gammapy 2.1 crashes there too), and a group next to a collapsed
one was labelled with the collapsed group's requested edge (Gammapy's flux 43 % low on
[10, 12, 13, 500] GeV). Every group's e_min/e_max must be the range it fits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxPoints,
    FluxProfileEstimator,
    FluxProfileWarning,
    PowerLawSpectralModel,
    make_concentric_annulus_sky_regions,
    read_dataset,
)
from fluxprofile.pipeline.energy_groups import plan_energy_groups, snap_energy_groups

# The Fermi-LAT GC file's reco axis: 11 log bins from 10 to 500 GeV.
FERMI_EDGES = np.geomspace(10, 500, 12) * u.GeV
INDEX = 2.3


def brute_force_snap(axis_edges: np.ndarray, requested: np.ndarray) -> np.ndarray:
    """Index of the nearest axis edge in log energy; values beyond the axis go to its ends."""
    log_axis = np.log(axis_edges)
    clipped = np.clip(np.log(requested), log_axis[0], log_axis[-1])
    return np.array([int(np.argmin(np.abs(log_axis - x))) for x in clipped])


def test_snapping_is_nearest_edge_in_log_energy():
    rng = np.random.default_rng(5)
    axis = FERMI_EDGES.value
    for _ in range(50):
        requested = np.sort(rng.uniform(np.log(3), np.log(2000), 8))
        requested = np.exp(requested)
        nearest = brute_force_snap(axis, requested)
        groups = snap_energy_groups(FERMI_EDGES, requested * u.GeV)
        for g, bins in enumerate(groups):
            if nearest[g] == nearest[g + 1]:
                assert bins is None
            else:
                assert bins == (nearest[g], nearest[g + 1])


@pytest.mark.parametrize(
    ("requested", "edges", "kept", "empty", "dropped"),
    [
        # finer than the reco bins: the middle group spans no bin
        ([10, 14.5, 15, 500], [10, FERMI_EDGES[1].value, 500], (0, 2), (), (1,)),
        ([10, 12, 13, 500], [10, FERMI_EDGES[1].value, 500], (0, 2), (), (1,)),
        ([10, 11, 12, 500], [10, FERMI_EDGES[1].value, 500], (1, 2), (), (0,)),
        # beyond the data: NaN rows, the edge next to the data on the data's end
        ([5, 10, 500], [5, 10, 500], (0, 1), (0,), ()),
        ([1, 5, 11, 500], [1, 5, 10, 500], (0, 1, 2), (0, 1), ()),
        ([10, 500, 2000], [10, 500, 2000], (0, 1), (1,), ()),
        ([300, 600, 2000], [FERMI_EDGES[10].value, 500, 2000], (0, 1), (1,), ()),
        # a group across the data's end: its part beyond the data is a NaN row
        (
            [300, 499, 501, 2000],
            [FERMI_EDGES[10].value, 500, 501, 2000],
            (0, 1, 2),
            (1, 2),
            (),
        ),
        (
            [300, 499, 500.0001, 2000],
            [FERMI_EDGES[10].value, 500, 2000],
            (0, 2),
            (2,),
            (1,),
        ),
        # nothing overlaps the data: the requested edges
        ([1000, 10000], [1000, 10000], (0,), (0,), ()),
        ([1, 5], [1, 5], (0,), (0,), ()),
        ([600, 1000, 2000], [600, 1000, 2000], (0, 1), (0, 1), ()),
    ],
)
def test_plan_energy_groups(requested, edges, kept, empty, dropped):
    plan = plan_energy_groups([FERMI_EDGES], requested * u.GeV)
    np.testing.assert_allclose(plan.edges.to_value(u.GeV), edges, rtol=1e-12)
    assert np.all(np.diff(plan.edges.value) > 0)
    assert (plan.kept, plan.empty, plan.dropped) == (kept, empty, dropped)
    # every kept group that is not empty fits exactly the bins between its edges
    for k, g in enumerate(plan.kept):
        bins = plan.ranges[0][k]
        if g in plan.empty:
            assert bins is None
        else:
            np.testing.assert_allclose(
                FERMI_EDGES[list(bins)].value, plan.edges[k : k + 2].value, rtol=1e-12
            )


def test_plan_fine_edges_give_the_reco_bins():
    plan = plan_energy_groups([FERMI_EDGES], np.geomspace(10, 500, 200) * u.GeV)
    np.testing.assert_allclose(
        plan.edges.to_value(u.GeV), FERMI_EDGES.value, rtol=1e-12
    )
    assert len(plan.kept) == 11
    assert not plan.empty
    assert len(plan.dropped) == 199 - 11
    assert plan.ranges[0] == [(k, k + 1) for k in range(11)]


def test_plan_units_follow_the_dataset():
    axis = FERMI_EDGES.to(u.keV)
    plan = plan_energy_groups([axis], [0.001, 0.005, 0.1, 2] * u.TeV)
    assert plan.edges.unit == u.keV
    # 1-5 GeV: a NaN row closed by the data's start; 5 GeV -> 10 GeV; 100 GeV -> 84.47 GeV;
    # 2 TeV -> 500 GeV
    np.testing.assert_allclose(
        plan.edges.to_value(u.GeV), [1, 10, FERMI_EDGES[6].value, 500], rtol=1e-12
    )
    assert plan.empty == (0,)
    assert plan.dropped == ()


def test_plan_joint_datasets_take_the_union():
    """For several datasets a group's range is (lowest first edge, highest last edge) over
    the datasets it overlaps; a dataset it does not overlap has no bins there."""
    low = FERMI_EDGES[:7]  # 10 - 84.47 GeV
    plan = plan_energy_groups([FERMI_EDGES, low], [10, 100, 2000] * u.GeV)
    assert plan.ranges == [[(0, 6), (6, 11)], [(0, 6), None]]
    np.testing.assert_allclose(
        plan.edges.to_value(u.GeV), FERMI_EDGES[[0, 6, 11]].value, rtol=1e-12
    )
    # axes equal to 1e-7 (what the estimator accepts): the union of the two ranges
    shifted = FERMI_EDGES * (1 + 1e-7)
    plan = plan_energy_groups([shifted, FERMI_EDGES], [10, 100, 2000] * u.GeV)
    assert plan.edges[0] == FERMI_EDGES[0]
    assert plan.edges[-1] == shifted[-1]
    assert plan.edges[1] == FERMI_EDGES[6]  # e_min of group 1: the lower of the two


# ---------------------------------------------------------------------------------------
# real Fermi-LAT data
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fermi(fermi_gc_path):
    return read_dataset(fermi_gc_path)


@pytest.fixture(scope="module")
def annuli():
    return make_concentric_annulus_sky_regions(
        center=SkyCoord(0, 0, unit="deg", frame="galactic"),
        radius_max=1.5 * u.deg,
        nbin=11,
    )


# Fine groups at high energies of the Galactic-centre data hold no counts in some
# annuli: that warning (docs/numeric_limits.rst) is not what these tests are about.
NO_COUNTS = ": no counts: the likelihood has no minimum"


def run(datasets, annuli, edges, selection=("ul",)):
    estimator = FluxProfileEstimator(
        annuli,
        spectral_model=PowerLawSpectralModel(index=INDEX),
        energy_edges=edges,
        selection_optional=list(selection),
    )
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=f".*{NO_COUNTS}", category=FluxProfileWarning
        )
        return estimator.run(datasets)


def run_warned(datasets, annuli, edges, match):
    """A run that warns exactly once (besides `NO_COUNTS`), with a FluxProfileWarning
    matching ``match``."""
    with pytest.warns(FluxProfileWarning) as record:
        profile = run(datasets, annuli, edges)
    record = [w for w in record if NO_COUNTS not in str(w.message)]
    assert len(record) == 1, [str(w.message) for w in record]
    assert record[0].category is FluxProfileWarning
    assert re.search(match, str(record[0].message)), str(record[0].message)
    return profile, str(record[0].message)


def reco(fermi, k):
    return fermi.counts.geom.axes["energy"].edges[k]


def assert_same_groups(profile, expected, k_profile, k_expected=None):
    """Group k_profile of ``profile`` is group k_expected of ``expected`` (same fit)."""
    k_expected = k_profile if k_expected is None else k_expected
    a = profile.slice_by_idx({"energy": k_profile})
    b = expected.slice_by_idx({"energy": k_expected})
    np.testing.assert_allclose(a.energy_axis.edges, b.energy_axis.edges, rtol=1e-12)
    for name in ("norm", "norm_err", "norm_ul", "ts", "counts", "stat", "success"):
        np.testing.assert_array_equal(
            getattr(a, name).values, getattr(b, name).values, err_msg=name
        )
    np.testing.assert_allclose(a.flux.quantity, b.flux.quantity, rtol=1e-12)


def test_edges_finer_than_the_reco_bins(fermi, annuli):
    profile, message = run_warned(
        fermi,
        annuli,
        [10, 14.5, 15, 500] * u.GeV,
        r"14\.5 GeV-15\.0 GeV \(energy group 1\)",
    )
    assert "left out, the profile has 2 of the 3 requested energy groups" in message
    edges = profile.energy_axis.edges
    np.testing.assert_allclose(
        edges.to_value(u.GeV), [10, reco(fermi, 1).to_value(u.GeV), 500], rtol=1e-12
    )
    table = profile.to_table(sed_type="flux")
    np.testing.assert_array_equal(np.asarray(table["e_min"][0]), edges.value[:-1])
    np.testing.assert_array_equal(np.asarray(table["e_max"][0]), edges.value[1:])
    low = run(fermi, annuli, u.Quantity([10 * u.GeV, reco(fermi, 1)]))
    high = run(fermi, annuli, u.Quantity([reco(fermi, 1), 500 * u.GeV]))
    assert_same_groups(profile, low, 0)
    assert_same_groups(profile, high, 1, 0)
    assert np.all(profile.success.values)
    assert np.all(np.isfinite(profile.norm.values))


def test_edges_much_finer_than_the_reco_bins(fermi, annuli):
    profile, message = run_warned(
        fermi, annuli, np.geomspace(10, 500, 200) * u.GeV, r"energy groups 0-8, 10-26"
    )
    assert "the profile has 11 of the 199 requested energy groups" in message
    per_bin = run(fermi, annuli, fermi.counts.geom.axes["energy"].edges)
    np.testing.assert_allclose(
        profile.energy_axis.edges, per_bin.energy_axis.edges, rtol=1e-12
    )
    for k in range(11):
        assert_same_groups(profile, per_bin, k)


def test_group_next_to_a_collapsed_one_shows_its_fitted_range(fermi, annuli):
    """[10, 12, 13, 500] GeV: group 0 fits 10-14.27 GeV and says so; Gammapy 2.1 labels it
    10-12 GeV and reports a flux 43 % low."""
    profile, _ = run_warned(
        fermi,
        annuli,
        [10, 12, 13, 500] * u.GeV,
        r"12\.0 GeV-13\.0 GeV \(energy group 1\)",
    )
    e1 = reco(fermi, 1)
    np.testing.assert_allclose(
        profile.energy_min.to_value(u.GeV), [10, e1.to_value(u.GeV)], rtol=1e-12
    )
    np.testing.assert_allclose(
        profile.energy_max.to_value(u.GeV), [e1.to_value(u.GeV), 500], rtol=1e-12
    )
    assert_same_groups(profile, run(fermi, annuli, u.Quantity([10 * u.GeV, e1])), 0)
    assert_same_groups(profile, run(fermi, annuli, u.Quantity([e1, 500 * u.GeV])), 1, 0)
    # flux = norm x the reference power law integrated over the fitted range (closed form)
    amplitude, e_ref = 1e-12 * u.Unit("cm-2 s-1 TeV-1"), 1 * u.TeV
    integral = (
        amplitude
        * e_ref
        / (1 - INDEX)
        * ((e1 / e_ref) ** (1 - INDEX) - (10 * u.GeV / e_ref) ** (1 - INDEX))
    )
    np.testing.assert_allclose(
        profile.flux.values[:, 0],
        profile.norm.values[:, 0] * integral.to_value("cm-2 s-1"),
        rtol=1e-9,
    )
    # the edges asked for are as good as the reco edges: 14.27 GeV (rounded) gives the same group
    assert_same_groups(profile, run(fermi, annuli, [10, 14.27] * u.GeV), 0)


@pytest.mark.parametrize(
    "edges", [[1, 10] * u.TeV, [1, 5] * u.GeV, [600, 2000] * u.GeV]
)
def test_edges_entirely_outside_the_data(fermi, annuli, edges):
    profile, message = run_warned(
        fermi, annuli, edges, "No dataset contribute in range"
    )
    assert message.endswith("(energy group 0): its row is NaN")
    np.testing.assert_allclose(
        profile.energy_axis.edges.to_value(edges.unit), edges.value, rtol=1e-12
    )
    for name in ("norm", "norm_err", "norm_ul", "ts", "flux"):
        assert np.all(np.isnan(getattr(profile, name).values)), name
    assert not np.any(profile.success.values)
    np.testing.assert_array_equal(profile.counts.values, 0)


def test_empty_groups_beyond_the_data_keep_rows(fermi, annuli):
    # above: [300, 600, 2000] GeV -> the NaN row starts where the data end (500 GeV), and
    # group 0 shows 350.36-500 GeV (Gammapy: 350.36-600 GeV)
    profile, _ = run_warned(
        fermi,
        annuli,
        [300, 600, 2000] * u.GeV,
        r"600\.0 GeV-2000\.0 GeV \(energy group 1\)",
    )
    np.testing.assert_allclose(
        profile.energy_axis.edges.to_value(u.GeV),
        [reco(fermi, 10).to_value(u.GeV), 500, 2000],
        rtol=1e-12,
    )
    assert_same_groups(profile, run(fermi, annuli, [300, 500] * u.GeV), 0)
    assert np.all(np.isnan(profile.norm.values[:, 1]))
    # below: [5, 10, 500] GeV (as Gammapy)
    profile, _ = run_warned(
        fermi, annuli, [5, 10, 500] * u.GeV, r"5\.0 GeV-10\.0 GeV \(energy group 0\)"
    )
    np.testing.assert_allclose(
        profile.energy_axis.edges.to_value(u.GeV), [5, 10, 500], rtol=1e-12
    )
    assert np.all(np.isnan(profile.norm.values[:, 0]))
    assert_same_groups(profile, run(fermi, annuli, [10, 500] * u.GeV), 1, 0)


def test_empty_and_dropped_groups_warn_once_each(fermi, annuli):
    with pytest.warns(FluxProfileWarning) as record:
        profile = run(fermi, annuli, [1, 5, 12, 13, 500, 2000] * u.GeV)
    messages = sorted(str(w.message) for w in record)
    assert len(messages) == 2, messages
    assert messages[0].startswith(
        "No dataset contribute in range 1.0 GeV-5.0 GeV, 500.0 GeV-2000.0 GeV (energy groups 0, 4)"
    )
    assert messages[1].startswith(
        "Requested 12.0 GeV-13.0 GeV (energy group 2) spans no reco-energy bin"
    )
    e1 = reco(fermi, 1).to_value(u.GeV)
    np.testing.assert_allclose(
        profile.energy_axis.edges.to_value(u.GeV), [1, 10, e1, 500, 2000], rtol=1e-12
    )
    assert np.isnan(profile.norm.values[:, [0, 3]]).all()
    assert np.isfinite(profile.norm.values[:, [1, 2]]).all()


def test_joint_datasets_share_the_groups(fermi_gc_path, annuli):
    first, second = read_dataset(fermi_gc_path), read_dataset(fermi_gc_path)
    second.name = "fermi-copy"
    profile, _ = run_warned(
        [first, second], annuli, [10, 12, 13, 500] * u.GeV, r"energy group 1\)"
    )
    single = run(first, annuli, u.Quantity([10 * u.GeV, reco(first, 1), 500 * u.GeV]))
    np.testing.assert_array_equal(profile.energy_axis.edges, single.energy_axis.edges)
    np.testing.assert_array_equal(
        profile.counts.values, np.repeat(single.counts.values, 2, axis=2)
    )


def test_result_with_empty_rows_round_trips(fermi, annuli, tmp_path):
    profile, _ = run_warned(
        fermi, annuli, [300, 600, 2000] * u.GeV, "No dataset contribute"
    )
    profile.write(tmp_path / "p.fits")
    back = FluxPoints.read(tmp_path / "p.fits")
    np.testing.assert_array_equal(back.energy_axis.edges, profile.energy_axis.edges)
    np.testing.assert_array_equal(back.norm.values, profile.norm.values)


# ---------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------
def cli(tmp_path, *args):
    return subprocess.run(  # the exit status is checked by the caller
        [sys.executable, "-m", "fluxprofile", *map(str, args)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
        env={
            k: v
            for k, v in os.environ.items()
            if k not in ("FLUXPROFILE_DEBUG", "PYTHONWARNINGS")
        },
    )


@pytest.mark.parametrize(
    ("edges", "warning", "n_groups"),
    [
        (
            "10,14.5,15,500 GeV",
            "Requested 14.5 GeV-15.0 GeV (energy group 1) spans no reco-energy bin",
            2,
        ),
        (
            ",".join(repr(float(e)) for e in np.geomspace(10, 500, 200)) + " GeV",
            "the profile has 11 of the 199",
            11,
        ),
        ("10,12,13,500 GeV", "Requested 12.0 GeV-13.0 GeV (energy group 1) spans", 2),
        # Edges wholly outside the data give an all-NaN profile, which the command line
        # refuses (tests/cli/test_run.py::test_all_nan_profile_is_an_error_and_writes_nothing).
    ],
    ids=["finer", "200-groups", "collapsed-middle"],
)
def test_command_line_energy_edges(fermi_gc_path, tmp_path, edges, warning, n_groups):
    result = cli(
        tmp_path,
        "run",
        fermi_gc_path,
        "--center",
        "0,0",
        "--radius-max",
        "1.5",
        "--nbin",
        "10",
        "--energy-edges",
        edges,
        "--index",
        str(INDEX),
        "--selection",
        "ul",
        "--output",
        "p.fits",
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if NO_COUNTS not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fluxprofile: warning: "), result.stderr
    assert warning in lines[0]
    profile = FluxPoints.read(tmp_path / "p.fits")
    assert profile.energy_axis.nbin == n_groups
    regions = make_concentric_annulus_sky_regions(
        center=SkyCoord(0, 0, unit="deg", frame="galactic"),
        radius_max=1.5 * u.deg,
        nbin=11,
    )
    requested = np.array([float(v) for v in edges.split()[0].split(",")]) * u.Unit(
        edges.split()[1]
    )
    with pytest.warns(FluxProfileWarning):
        expected = run(read_dataset(fermi_gc_path), regions, requested)
    np.testing.assert_array_equal(profile.energy_axis.edges, expected.energy_axis.edges)
    np.testing.assert_array_equal(profile.norm.values, expected.norm.values)
