"""Tests of fluxprofile.io.atomic: a write replaces its target only when complete."""

from __future__ import annotations

import pytest

from fluxprofile.io.atomic import StagedFiles, check_writable, staged_file


def test_staged_file_replaces_only_on_success(tmp_path):
    target = tmp_path / "sub" / "out.ecsv"
    with staged_file(target, overwrite=False, who="test") as temporary:
        assert temporary.parent == target.parent
        assert temporary.name.endswith(".ecsv")
        assert not target.exists()  # nothing is visible before the end
        temporary.write_text("new")
    assert target.read_text() == "new"

    def write_half(temporary):
        temporary.write_text("half")
        msg = "boom"
        raise RuntimeError(msg)

    with (
        pytest.raises(RuntimeError, match="boom"),
        staged_file(target, overwrite=True, who="test") as temporary,
    ):
        write_half(temporary)
    assert target.read_text() == "new"  # the old file is intact
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "out.ecsv"
    ]  # no leftovers


def test_refusals(tmp_path):
    existing = tmp_path / "a.fits"
    existing.write_text("old")
    with pytest.raises(FileExistsError, match=r"test: file .*a\.fits.* exists"):
        check_writable([existing], overwrite=False, who="test")
    check_writable([existing], overwrite=True, who="test")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        check_writable([tmp_path], overwrite=True, who="test")
    with (
        pytest.raises(OSError, match="nothing was written"),
        StagedFiles("test") as staged,
    ):
        staged.stage(tmp_path / "b.fits")  # never written
    assert existing.read_text() == "old"
    assert not (tmp_path / "b.fits").exists()


def test_several_files_commit_together(tmp_path):
    targets = [tmp_path / "x.fits", tmp_path / "x.yaml"]
    for t in targets:
        t.write_text("old")

    def write_first_then_fail(staged):
        staged.stage(targets[0]).write_text("new")
        msg = "second file failed"
        raise ValueError(msg)

    with pytest.raises(ValueError, match="second"), StagedFiles("test") as staged:
        write_first_then_fail(staged)
    assert [t.read_text() for t in targets] == ["old", "old"]
    with StagedFiles("test") as staged:
        for t in targets:
            staged.stage(t).write_text("new")
    assert [t.read_text() for t in targets] == ["new", "new"]


def test_a_failed_write_names_its_target(tmp_path):
    """An OSError that names no file (astropy's "62592 requested and 8960 written", a
    full disk) is told with the target's name; nothing is left behind."""
    target = tmp_path / "out.fits"
    target.write_text("old")

    def fail(temporary, err):
        temporary.write_text("part")
        raise err

    err = OSError("62592 requested and 8960 written")
    with (
        pytest.raises(
            OSError, match=r"test: could not write .*out\.fits.* \(62592 requested"
        ),
        staged_file(target, overwrite=True, who="test") as temporary,
    ):
        fail(temporary, err)
    full = OSError(28, "No space left on device")
    with (
        pytest.raises(OSError, match=r"out\.fits.*No space left on device") as info,
        staged_file(target, overwrite=True, who="test") as temporary,
    ):
        fail(temporary, full)
    assert info.value.errno == 28
    assert info.value.__cause__ is full
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.fits"]


def test_a_nested_staged_write_names_the_real_target(tmp_path):
    """A writer that stages its own temporary file (FluxPoints.write) onto one of ours:
    its error names our target, not our temporary file."""
    target = tmp_path / "profile.ecsv"

    def inner_write(path):
        with staged_file(path, overwrite=True, who="inner") as temporary:
            temporary.write_text("part")
            raise OSError(27, "File too large")

    with (
        pytest.raises(
            OSError, match=r"inner: could not write .*'[^']*/profile\.ecsv'"
        ) as info,
        StagedFiles("outer") as staged,
    ):
        inner_write(staged.stage(target))
    assert ".tmp-" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_nothing(tmp_path):
    target = tmp_path / "a.fits"

    def interrupted(staged):
        staged.stage(target).write_text("new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), StagedFiles("test") as staged:
        interrupted(staged)
    assert list(tmp_path.iterdir()) == []
