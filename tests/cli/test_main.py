"""``fluxprofile`` as a whole: every error is one line of standard error with its exit status."""

from __future__ import annotations

import pytest

ERROR_CASES = {
    "missing file": (
        ["run", "nofile.fits", "--center", "0,0", "--radius-max", "1"],
        1,
        ["nofile.fits", "not found"],
    ),
    "not a dataset": (["info", "notes.txt"], 1, ["notes.txt"]),
    "bad energy edges (no unit)": (
        [
            "run",
            "{fermi}",
            "--center",
            "0,0",
            "--radius-max",
            "1",
            "--energy-edges",
            "10,100",
        ],
        2,
        ["--energy-edges", "unit"],
    ),
    "bad energy edges (order)": (
        [
            "run",
            "{fermi}",
            "--center",
            "0,0",
            "--radius-max",
            "1",
            "--energy-edges",
            "100,10 GeV",
        ],
        2,
        ["--energy-edges", "increasing"],
    ),
    "missing required option": (
        ["run", "{fermi}", "--start", "9,0", "--height", "3"],
        2,
        ["--end"],
    ),
    "no regions": (["run", "{fermi}"], 2, ["--start/--end", "--center", "--path"]),
    "two kinds of regions": (
        [
            "run",
            "{fermi}",
            "--center",
            "0,0",
            "--radius-max",
            "1",
            "--path",
            "p.csv",
            "--width",
            "1",
            "--nbin",
            "3",
        ],
        2,
        ["one kind"],
    ),
    "unknown command": (["frobnicate"], 2, ["frobnicate"]),
    "no command": ([], 2, ["COMMAND"]),
    "existing output": (
        ["run", "{fermi}", "--center", "0,0", "--radius-max", "1", "-o", "exists.fits"],
        1,
        ["exists.fits", "--overwrite"],
    ),
    "bad output format": (
        ["run", "{fermi}", "--center", "0,0", "--radius-max", "1", "-o", "x.txt"],
        2,
        ["x.txt", ".ecsv"],
    ),
    "same file twice": (
        ["run", "{fermi}", "{fermi}", "--center", "0,0", "--radius-max", "1"],
        2,
        ["twice"],
    ),
    "data error": (
        ["run", "{fermi}", "--start", "0,0", "--end", "0,0", "--height", "1"],
        1,
        ["differ"],
    ),
}


@pytest.fixture(scope="module")
def error_results(cli, fermi_gc_path, tmp_path_factory):
    """Run every error case at once (each subprocess mostly waits on its imports)."""
    cwd = tmp_path_factory.mktemp("cli-errors")
    (cwd / "notes.txt").write_text("not a FITS file\n")
    (cwd / "exists.fits").write_bytes(b"")
    procs = {
        name: cli.start(
            [str(fermi_gc_path) if a == "{fermi}" else a for a in args], cwd
        )
        for name, (args, _, _) in ERROR_CASES.items()
    }
    results = {name: cli.finish(proc) for name, proc in procs.items()}
    assert (cwd / "exists.fits").read_bytes() == b""  # not overwritten
    return results


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line(error_results, assert_one_line_error, case):
    _, status, fragments = ERROR_CASES[case]
    assert_one_line_error(error_results[case], status, *fragments)
