"""fluxprofile.batch.run_many: many profiles, locally and on Dask.

The reference is always the serial path: ``estimator.run(MapDataset.read(path))`` one item
at a time.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from astropy.table import vstack

from fluxprofile import Map, MapDataset, MapDatasetOnOff
from fluxprofile.batch import BatchError, ItemError, read_dataset, run_many

TIMEOUT = 300  # seconds; generous for a loaded 2-core machine


@pytest.fixture(scope="module")
def items(fermi_gc_path, fermi_dataset, tmp_path_factory):
    """8 items: the shared file, byte copies of it under other names, dataset objects."""
    folder = tmp_path_factory.mktemp("batch_copies")
    copies = []
    for i in range(3):
        path = folder / f"copy{i}.fits.gz"
        shutil.copyfile(fermi_gc_path, path)
        copies.append(path)
    return [fermi_gc_path, str(copies[0]), copies[1], fermi_dataset, str(fermi_gc_path),
            copies[2], MapDataset.read(copies[0]), str(copies[1])]  # fmt: skip


@pytest.fixture(scope="module")
def serial(estimator, items):
    """The serial results, one ``estimator.run`` per item."""
    return [
        estimator.run(it if isinstance(it, MapDataset) else MapDataset.read(it))
        for it in items
    ]


@pytest.fixture(scope="module")
def corrupt_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch_corrupt") / "corrupt.fits.gz"
    path.write_bytes(b"this is not a FITS file" * 100)
    return path


def assert_same_profile(a, b):
    """Exact equality of two profiles: every stored quantity and the profile table."""
    assert a.available_quantities == b.available_quantities
    for name in a.available_quantities:
        np.testing.assert_array_equal(
            getattr(a, name).values, getattr(b, name).values, err_msg=name
        )
    ta, tb = a.to_table(format="profile"), b.to_table(format="profile")
    assert ta.colnames == tb.colnames
    for name in ta.colnames:
        np.testing.assert_array_equal(
            np.asarray(ta[name]), np.asarray(tb[name]), err_msg=name
        )
    assert a.dataset_names == b.dataset_names


# -- run_many ---------------------------------------------------------------------------------
def test_run_many_equals_serial(backend, estimator, items, serial):
    calls = []
    results = run_many(
        estimator, items, client=backend, progress=lambda done, total: calls.append((done, total)),
        timeout=TIMEOUT,
    )  # fmt: skip
    assert len(results) == len(items) == 8
    for ours, ref in zip(results, serial, strict=True):
        assert_same_profile(ours, ref)
    assert calls == [(k, 8) for k in range(1, 9)]
    assert estimator.n_jobs == 1  # the caller's estimator is not modified


def test_run_many_stacked_table(backend, estimator, items, serial):
    table = run_many(
        estimator,
        items,
        client=backend,
        stack=True,
        n_threads=2,
        progress=False,
        timeout=TIMEOUT,
    )
    n_x = len(estimator.regions)
    assert len(table) == 8 * n_x
    assert table.colnames[0] == "item"
    np.testing.assert_array_equal(table["item"], np.repeat(np.arange(8), n_x))
    expected = vstack([r.to_table(format="profile") for r in serial])
    assert table.colnames[1:] == expected.colnames
    for name in expected.colnames:
        np.testing.assert_array_equal(
            np.asarray(table[name]), np.asarray(expected[name]), err_msg=name
        )
    assert table.meta["BATCH_ITEMS"][0] == str(items[0])


def test_run_many_failure_names_item_and_keeps_others(
    backend, estimator, items, serial, corrupt_path, tmp_path
):
    missing = tmp_path / "missing.fits"
    batch = [items[0], corrupt_path, items[3], str(missing), items[5]]
    with pytest.raises(BatchError) as info:
        run_many(estimator, batch, client=backend, stack=True, timeout=TIMEOUT)
    err = info.value
    assert err.failed == [1, 3]
    assert f"item 1 ({corrupt_path})" in str(err)
    assert f"item 3 ({missing})" in str(err)
    assert "2 of 5 items failed" in str(err)
    e1, e3 = err.errors
    assert isinstance(e1, ItemError)
    assert (e1.error_type, e3.error_type) == ("OSError", "FileNotFoundError")
    assert "not a readable FITS file" in e1.message
    assert "does not exist" in e3.message
    assert "Traceback" in e1.traceback
    assert err.results[1] is None
    assert err.results[3] is None
    for index, ref in ((0, serial[0]), (2, serial[3]), (4, serial[5])):
        assert_same_profile(err.results[index], ref)
    # The stacked table of the surviving items.
    assert sorted(set(err.table["item"])) == [0, 2, 4]


def test_run_many_estimator_error_is_reported(estimator, fermi_dataset):
    """An error raised by the estimator itself (not by reading) names the dataset."""
    bad = MapDataset(
        Map(fermi_dataset.counts.geom, -np.ones(fermi_dataset.counts.data.shape)),
        fermi_dataset.exposure,
        background=fermi_dataset.background,
        name="negative",
    )
    with pytest.raises(
        BatchError,
        match=r"item 1 \(dataset 'negative'\): ValueError: .*counts must be finite and >= 0",
    ):
        run_many(estimator, [fermi_dataset, bad], timeout=TIMEOUT)


def test_run_many_single_item_and_validation(estimator, fermi_dataset, fermi_gc_path):
    (profile,) = run_many(estimator, fermi_gc_path, timeout=TIMEOUT)
    assert_same_profile(profile, estimator.run(fermi_dataset))
    with pytest.raises(ValueError, match="datasets is empty"):
        run_many(estimator, [])
    with pytest.raises(TypeError, match=r"datasets\[1\] is a int"):
        run_many(estimator, [fermi_gc_path, 3])
    with pytest.raises(ValueError, match="n_threads must be a positive integer"):
        run_many(estimator, [fermi_gc_path], n_threads=0)
    with pytest.raises(TypeError, match=r"client must be a dask\.distributed\.Client"):
        run_many(estimator, [fermi_gc_path], client="tcp://localhost:8786")
    with pytest.raises(TypeError, match="progress must be None, a bool or a callable"):
        run_many(estimator, [fermi_gc_path], progress="yes")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        run_many(estimator, [fermi_gc_path], timeout=-1)


def test_run_many_timeout_reports_unfinished_items(estimator, fermi_gc_path):
    with pytest.raises(BatchError) as info:
        run_many(estimator, [fermi_gc_path, fermi_gc_path], n_threads=2, timeout=1e-3)
    assert info.value.failed == [0, 1]
    assert {e.error_type for e in info.value.errors} == {"TimeoutError"}
    assert "not finished after 0.001 s" in str(info.value)


def test_run_many_progress_true_shows_a_bar(estimator, fermi_dataset, capsys):
    run_many(estimator, [fermi_dataset], progress=True)
    err = capsys.readouterr().err
    assert "run_many" in err
    assert "1/1" in err
    run_many(estimator, [fermi_dataset])  # None: stderr is not a terminal under pytest
    assert capsys.readouterr().err == ""


# -- read_dataset and on-off files ------------------------------------------------------------
def test_run_many_onoff_file_equals_serial(backend, load_reference_case):
    """An on-off file in the list is read as an on-off dataset (WStat) where it runs."""
    case = load_reference_case("onoff_horizontal_boxes")
    estimator = case.estimator()
    path = case.dataset_path
    expected = estimator.run(MapDatasetOnOff.read(path))
    assert type(read_dataset(path)).__name__ == "MapDatasetOnOff"
    results = run_many(estimator, [path, str(path)], client=backend, timeout=TIMEOUT)
    for profile in results:
        assert_same_profile(profile, expected)
