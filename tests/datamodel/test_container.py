"""Tests of fluxprofile.datamodel.container: the Datasets collection and as_dataset_list."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_datasets import small_onoff

from fluxprofile import Datasets, MapDatasetOnOff
from fluxprofile.datamodel import as_dataset_list


@pytest.fixture(scope="module")
def onoff_path(reference_dir: Path) -> Path:
    return reference_dir / "onoff_simple_dataset.fits"


@pytest.fixture(scope="module")
def onoff(onoff_path: Path) -> MapDatasetOnOff:
    return MapDatasetOnOff.read(onoff_path)


# ---------------------------------------------------------------------------------------
# Datasets and as_dataset_list
# ---------------------------------------------------------------------------------------
def test_datasets_container(onoff):
    a, b = small_onoff("a", 1), small_onoff("b", 2)
    datasets = Datasets([a, b])
    assert len(datasets) == 2
    assert datasets.names == ["a", "b"]
    assert datasets[0] is a
    assert datasets["b"] is b
    assert datasets[-1] is b
    assert list(datasets) == [a, b]
    assert "a" in datasets
    assert b in datasets
    assert datasets.index("b") == 1
    assert datasets.stat_type == ["wstat", "wstat"]
    assert isinstance(datasets[:1], Datasets)
    assert datasets[:1].names == ["a"]
    datasets.append(onoff)
    assert datasets.names == ["a", "b", "test-on-off"]
    del datasets["a"]
    assert datasets.names == ["b", "test-on-off"]
    assert Datasets(a).names == ["a"]
    assert Datasets().names == []
    assert Datasets(datasets).names == datasets.names
    assert "Name       : b" in str(datasets)


def test_datasets_errors():
    a = small_onoff("a")
    with pytest.raises(ValueError, match=r"unique.*'a'"):
        Datasets([a, small_onoff("a", 3)])
    datasets = Datasets([a])
    with pytest.raises(ValueError, match="unique"):
        datasets.append(small_onoff("a", 4))
    with pytest.raises(KeyError, match="no dataset named 'zz'"):
        datasets["zz"]
    with pytest.raises(IndexError, match="out of range"):
        datasets[3]
    with pytest.raises(TypeError, match="expected a fluxprofile MapDataset"):
        Datasets([a, 42])
    with pytest.raises(TypeError, match="datasets must be a dataset or an iterable"):
        Datasets(3.5)
    datasets[0] = small_onoff("a", 5)  # replacing under the same name is fine
    assert datasets.names == ["a"]


def test_as_dataset_list():
    a, b = small_onoff("a", 1), small_onoff("b", 2)
    assert as_dataset_list(a) == [a]
    assert as_dataset_list([a, b]) == [a, b]
    assert as_dataset_list((b, a)) == [b, a]
    assert as_dataset_list(Datasets([a, b])) == [a, b]
    with pytest.raises(TypeError, match=r"builtins\.dict"):
        as_dataset_list({"a": a})
    with pytest.raises(TypeError, match=r"datasets\[1\] is a builtins\.str"):
        as_dataset_list([a, "b"])
    with pytest.raises(ValueError, match="empty"):
        as_dataset_list([])
    assert as_dataset_list([], allow_empty=True) == []
    with pytest.raises(ValueError, match="unique"):
        as_dataset_list([a, a])
