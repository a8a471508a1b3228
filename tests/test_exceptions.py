"""The warning type and its region bookkeeping."""

import pickle
import warnings

import numpy as np
import pytest

from fluxprofile.exceptions import FluxProfileWarning, index_ranges, warn_regions


@pytest.mark.parametrize(
    ("indices", "text"),
    [
        ([0], "0"),
        ([0, 1, 2, 5, 7, 8], "0-2, 5, 7-8"),
        ([3, 5, 7], "3, 5, 7"),
        (np.arange(10, 20), "10-19"),
    ],
)
def test_index_ranges(indices, text):
    assert index_ranges(indices) == text


def test_index_ranges_round_trip_against_brute_force():
    rng = np.random.default_rng(5)
    indices = np.flatnonzero(rng.random(200) < 0.4)
    expanded = []
    for part in index_ranges(indices).split(", "):
        a, _, b = part.partition("-")
        expanded.extend(range(int(a), int(b or a) + 1))
    np.testing.assert_array_equal(expanded, indices)


def test_warning_keeps_its_regions_when_pickled():
    warning = FluxProfileWarning("Regions 1-2 have no pixel", [1, 2])
    copy = pickle.loads(pickle.dumps(warning))
    assert isinstance(copy, FluxProfileWarning)
    assert copy.regions == (1, 2)
    assert str(copy) == str(warning)


def test_warn_regions_singular_plural_and_nothing():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_regions([], "has no pixel", "have no pixel")
        warn_regions([4], "has no pixel", "have no pixel")
        warn_regions([0, 1, 3], "has no pixel", "have no pixel")
    assert [str(w.message) for w in caught] == [
        "Region 4 has no pixel",
        "Regions 0-1, 3 have no pixel",
    ]
    assert [w.message.regions for w in caught] == [(4,), (0, 1, 3)]
    assert all(w.category is FluxProfileWarning for w in caught)
