"""Tests of fluxprofile.check: the tutorial set-up finds the data as documented and saves
the figures of a non-interactive run; display prints outside IPython."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from fluxprofile import check


def _fake_data(folder: Path) -> Path:
    path = folder / check.TUTORIAL_FILES[0]
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    return folder


def test_data_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GAMMAPY_DATA first, then FLUXPROFILE_TEST_DATA, else the simulated example."""
    gammapy_data = _fake_data(tmp_path / "gp")
    test_data = _fake_data(tmp_path / "fp")
    monkeypatch.setenv("GAMMAPY_DATA", str(gammapy_data))
    monkeypatch.setenv("FLUXPROFILE_TEST_DATA", str(test_data))
    assert check._data_folder() == (str(gammapy_data), "GAMMAPY_DATA")
    monkeypatch.setenv("GAMMAPY_DATA", str(tmp_path / "empty"))
    assert check._data_folder() == (str(test_data), "FLUXPROFILE_TEST_DATA")
    import os

    assert os.environ["GAMMAPY_DATA"] == str(test_data)


@pytest.mark.slow
def test_simulated_example_is_written_where_no_data_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fluxprofile import MapDataset

    monkeypatch.delenv("GAMMAPY_DATA", raising=False)
    monkeypatch.delenv("FLUXPROFILE_TEST_DATA", raising=False)
    folder, source = check._data_folder()
    assert "simulated" in source
    dataset = MapDataset.read(Path(folder) / check.TUTORIAL_FILES[0])
    assert dataset.counts.data.shape == (11, 200, 400)


def test_figure_saver_saves_figures_with_axes(tmp_path: Path, capsys) -> None:
    show = check.figure_saver(tmp_path / "figs")
    plt.figure()
    plt.plot([0, 1], [1, 0])
    plt.figure()  # no axes: not saved
    show()
    assert not plt.get_fignums()
    plt.subplots()
    show()
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "figure_01.png",
        "figure_02.png",
    ]
    assert "saved" in capsys.readouterr().out


def test_check_tutorials_setup_prints_and_installs_the_saver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("GAMMAPY_DATA", str(_fake_data(tmp_path / "data")))
    monkeypatch.setenv("FLUXPROFILE_FIGURES", str(tmp_path / "figs"))
    monkeypatch.setattr(plt, "show", plt.show)  # restored after the test
    check.check_tutorials_setup()
    out = capsys.readouterr().out
    assert "fluxprofile package" in out
    assert f"GAMMAPY_DATA           : {tmp_path / 'data'} (from GAMMAPY_DATA)" in out
    plt.subplots()
    plt.show()
    assert (tmp_path / "figs" / "figure_01.png").is_file()


def test_display_prints_outside_ipython(capsys) -> None:
    check.display({"a": 1})
    assert capsys.readouterr().out == "{'a': 1}\n"
