"""The axis of named bins (the dataset axis of a profile)."""

import astropy.units as u
import numpy as np
import pytest

from fluxprofile.datamodel.label_axis import LabelMapAxis


def test_basic_attributes():
    axis = LabelMapAxis(["a", "b", "c"], name="dataset")
    assert axis.name == "dataset"
    assert axis.nbin == 3
    assert axis.labels == ["a", "b", "c"]
    assert axis.unit == u.dimensionless_unscaled
    np.testing.assert_array_equal(axis.center, np.array(["a", "b", "c"]))
    assert "dataset" in repr(axis)


@pytest.mark.parametrize(
    ("idx", "labels"), [(0, ["a"]), (-1, ["c"]), (slice(1, None), ["b", "c"])]
)
def test_slice(idx, labels):
    axis = LabelMapAxis(["a", "b", "c"], name="dataset")
    assert axis.slice(idx).labels == labels
    assert axis.slice(idx).name == "dataset"


def test_equality_hash_and_copy():
    axis = LabelMapAxis(["a", "b"], name="dataset")
    same = LabelMapAxis(("a", "b"), name="dataset")
    assert axis == same
    assert hash(axis) == hash(same)
    assert axis != axis.copy(name="other")
    assert axis.copy(labels=["x", "y"]).labels == ["x", "y"]
    assert axis.__eq__(object()) is NotImplemented


@pytest.mark.parametrize(
    ("labels", "match"), [([], "at least one"), (["a", "a"], "unique")]
)
def test_bad_labels(labels, match):
    with pytest.raises(ValueError, match=match):
        LabelMapAxis(labels)
