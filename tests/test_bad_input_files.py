"""Bad files and failing writes (issue 13, items 1, 2, 8, 9 and the interrupt):
nothing lost, nothing silent.

Each case ends in a clear error naming the file (and the HDU), never in a silent read,
a raw astropy error or a partial output. Disk-full is a file-size limit
(``RLIMIT_FSIZE``) and Ctrl-C a real SIGINT, both in a subprocess.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from small_datasets import small_dataset

from fluxprofile import MapDataset, read_dataset

pytestmark = pytest.mark.timeout(600)

TIMEOUT = 300
TESTS = Path(__file__).resolve().parent


def _run_script(code: str, *args: object) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("FLUXPROFILE_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False, env=env,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _cli(*args: object) -> subprocess.CompletedProcess:
    return _run_script(
        "import sys; from fluxprofile.cli import main; sys.exit(main(sys.argv[1:]))",
        *args,
    )


def _assert_one_line_error(
    result: subprocess.CompletedProcess, *fragments: str
) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fluxprofile: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# ---------------------------------------------------------------------------------------
# item 2: a file cut inside a header
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gc_raw(fermi_gc_path) -> bytes:
    return gzip.decompress(fermi_gc_path.read_bytes())


@pytest.mark.parametrize("suffix", [".fits", ".fits.gz"])
def test_gc_file_cut_inside_background_header(tmp_path, gc_raw, fermi_gc_path, suffix):
    """The tester's case: 80 bytes into the BACKGROUND header. It used to read without
    BACKGROUND, EDISP and MASK_SAFE (norms 25.5 instead of 4.76)."""
    with fits.open(fermi_gc_path) as hdulist:
        start = hdulist["BACKGROUND"].fileinfo()["hdrLoc"]
    blob = gc_raw[: start + 80]
    path = tmp_path / f"gc-cut{suffix}"
    path.write_bytes(
        gzip.compress(blob, compresslevel=1) if suffix.endswith(".gz") else blob
    )
    with pytest.raises(OSError, match="truncated in the header of HDU 5") as info:
        read_dataset(path)
    assert str(path) in str(info.value)
    assert "EXPOSURE_BANDS" in str(info.value)  # the last complete HDU


def test_cli_names_the_cut_file(tmp_path, gc_raw, fermi_gc_path):
    with fits.open(fermi_gc_path) as hdulist:
        start = hdulist["BACKGROUND"].fileinfo()["hdrLoc"]
    path = tmp_path / "gc-cut.fits"
    path.write_bytes(gc_raw[: start + 80])
    _assert_one_line_error(_cli("info", path), "gc-cut.fits", "truncated")


# ---------------------------------------------------------------------------------------
# item 8: energy rows out of order, gaps between bins
# ---------------------------------------------------------------------------------------
def _with_bands(tmp_path: Path, edit) -> Path:
    path = tmp_path / "bands.fits"
    small_dataset().write(path)
    with fits.open(path, mode="update") as hdulist:
        edit(hdulist["COUNTS_BANDS"].data)
    return path


def _swap(data):
    for column in ("ENERGY", "E_MIN", "E_MAX"):
        values = np.array(data[column])
        data[column][0], data[column][1] = values[1], values[0]


def _reverse(data):
    for column in ("ENERGY", "E_MIN", "E_MAX"):
        data[column][:] = np.array(data[column])[::-1]


def _gap(data):
    data["E_MIN"][1] = data["E_MIN"][1] * 1.1  # bin 1 starts above the end of bin 0


def _overlap(data):
    data["E_MAX"][0] = data["E_MAX"][0] * 1.1


def _inconsistent(data):
    data["E_MIN"][2] = data["E_MIN"][0]


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (_swap, "E_MIN rows of COUNTS_BANDS are not in ascending order"),
        (_reverse, "E_MIN rows of COUNTS_BANDS are not in ascending order"),
        (_gap, "COUNTS_BANDS has a gap or overlap between bins 0 and 1"),
        (_overlap, "COUNTS_BANDS has a gap or overlap between bins 0 and 1"),
        (_inconsistent, "rows of COUNTS_BANDS do not form the grid"),
    ],
)
def test_energy_rows_reordered_or_with_gaps_are_rejected(tmp_path, edit, fragment):
    path = _with_bands(tmp_path, edit)
    with pytest.raises(ValueError, match="bands.fits") as info:
        MapDataset.read(path)
    assert fragment in str(info.value)


def test_energy_rows_in_order_still_read(tmp_path):
    path = _with_bands(tmp_path, lambda data: None)
    dataset = MapDataset.read(path)
    np.testing.assert_array_equal(
        dataset.energy_axis.edges.value, small_dataset().energy_axis.edges.value
    )


# ---------------------------------------------------------------------------------------
# item 9: header bit flips, non-ASCII file names
# ---------------------------------------------------------------------------------------
_STRUCTURAL = (b"SIMPLE", b"XTENSION", b"BITPIX", b"NAXIS", b"PCOUNT", b"GCOUNT", b"TFIELDS",
               b"TTYPE", b"TFORM", b"EXTNAME", b"END     ", b"BANDSHDU", b"AXCOLS")  # fmt: skip


def _flip_positions(
    raw: bytes, path: Path, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """(byte, bit) positions in the structural cards of every header, plus random ones
    anywhere in the headers."""
    positions = []
    header_bytes = []
    with fits.open(path) as hdulist:
        for hdu in hdulist:
            info = hdu.fileinfo()
            header_bytes.extend(range(info["hdrLoc"], info["datLoc"]))
            for card_start in range(info["hdrLoc"], info["datLoc"], 80):
                card = raw[card_start : card_start + 80]
                if card.startswith(_STRUCTURAL):
                    for offset in rng.choice(30, 3, replace=False):
                        positions.append(
                            (card_start + int(offset), int(rng.integers(8)))
                        )
    for byte in rng.choice(header_bytes, 60, replace=False):
        positions.append((int(byte), int(rng.integers(8))))
    return positions


def test_header_bit_flips_give_clear_errors(tmp_path):
    """Every single-bit flip in a header either reads or fails with an OSError or
    ValueError naming the file: never astropy's VerifyError, KeyError('recformat'), ..."""
    good = tmp_path / "good.fits"
    small_dataset().write(good)
    raw = good.read_bytes()
    positions = _flip_positions(raw, good, np.random.default_rng(13))
    assert len(positions) > 150
    path = tmp_path / "flipped.fits"
    outcomes = {"read": 0, "error": 0}
    unclear = []
    for byte, bit in positions:
        flipped = bytearray(raw)
        flipped[byte] ^= 1 << bit
        path.write_bytes(bytes(flipped))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # astropy's warnings on odd cards may stay
            try:
                read_dataset(path)
            except (OSError, ValueError, TypeError) as err:
                outcomes["error"] += 1
                message = str(err)
                if "flipped.fits" not in message or "recformat" in message:
                    unclear.append((byte, bit, type(err).__name__, message))
                continue
        outcomes["read"] += 1
    assert unclear == []
    assert outcomes["error"] > 30, outcomes  # the structural flips are caught


def test_cli_reports_a_corrupt_table_format(tmp_path):
    good = tmp_path / "good.fits"
    small_dataset().write(good)
    raw = bytearray(good.read_bytes())
    with fits.open(good) as hdulist:
        start = hdulist["COUNTS_BANDS"].fileinfo()["hdrLoc"]
    at = raw.index(b"TFORM2  = '", start)
    raw[at + 11] ^= 0x40  # "D" becomes a control character
    bad = tmp_path / "bad.fits"
    bad.write_bytes(bytes(raw))
    result = _cli("info", bad)
    _assert_one_line_error(result, "bad.fits", "COUNTS_BANDS")
    assert "missing entry" not in result.stderr


def test_non_ascii_file_name_gives_an_ascii_dataset_name(tmp_path):
    source = tmp_path / "plain.fits"
    small_dataset().write(source)
    with fits.open(source) as hdulist:
        del hdulist[0].header["NAME"]  # the name comes from the file stem
        path = tmp_path / "données-数据.fits.gz"
        hdulist.writeto(path)
    dataset = read_dataset(path)
    assert dataset.name == "donnees-__"
    out = tmp_path / "données-数据-copy.fits"
    dataset.write(out)  # it can be written back
    assert read_dataset(out).name == "donnees-__"


def test_non_ascii_dataset_name_is_a_clear_write_error(tmp_path):
    dataset = small_dataset()
    dataset.name = "Galactic centre ☉"
    path = tmp_path / "gc.fits"
    with pytest.raises(
        ValueError, match=r"dataset name 'Galactic centre ☉' cannot be written.*ASCII"
    ):
        dataset.write(path)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------
# item 1: a full disk (a file-size limit) destroys nothing and names the file
# ---------------------------------------------------------------------------------------
_DISK_FULL = """
import contextlib, io, json, resource, sys
from pathlib import Path
import astropy.units as u
from astropy.coordinates import SkyCoord
import fluxprofile
from fluxprofile.cli import main

root = Path(sys.argv[1])
dataset = fluxprofile.make_example_dataset()
regions = fluxprofile.make_orthogonal_rectangle_sky_regions(
    SkyCoord("2d", "0d", frame="galactic"), SkyCoord("358d", "0d", frame="galactic"),
    dataset.counts.geom.wcs, 2 * u.deg, nbin=40)
profile = fluxprofile.FluxProfileEstimator(regions, energy_edges=[10, 500] * u.GeV).run(dataset)
source = root / "input.fits"
dataset.write(source)
cli = ["run", str(source), "--center", "0,0", "--radius-max", "2", "--nbin", "30",
       "--energy-edges", "10,500 GeV", "--quiet", "--overwrite"]

def cli_write(path):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main([*cli, "-o", str(path)])
    if status:
        raise OSError(err.getvalue().strip())

writers = {
    "flux_points_fits": ("profile.fits", lambda p: profile.write(p, overwrite=True)),
    "flux_points_ecsv": ("profile.ecsv", lambda p: profile.write(p, overwrite=True)),
    "map_dataset": ("dataset.fits", lambda p: dataset.write(p, overwrite=True)),
    "datasets_yaml": ("datasets.yaml",
                      lambda p: fluxprofile.Datasets([dataset]).write(p, overwrite=True)),
    "cli_run": ("cli.fits", cli_write),
}
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
results = {}
for key, (name, write) in writers.items():
    folder = root / key
    folder.mkdir()
    target = folder / name
    write(target)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    limit = max(len(b) for b in before.values()) // 2
    outcome = {"limit": limit, "sizes": {k: len(v) for k, v in before.items()}}
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        for label, path in (("overwrite", target), ("new", folder / ("new-" + name))):
            try:
                write(path)
                outcome[label] = None
            except OSError as err:
                outcome[label] = " ".join(str(err).split())
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    outcome["unchanged"] = after == before
    outcome["files"] = sorted(after)
    results[key] = outcome
print(json.dumps(results))
"""


@pytest.mark.slow
def test_writes_on_a_full_disk_keep_the_old_file_and_name_the_new(tmp_path):
    result = _run_script(_DISK_FULL, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = json.loads(result.stdout.splitlines()[-1])
    assert set(outcomes) == {"flux_points_fits", "flux_points_ecsv", "map_dataset",
                             "datasets_yaml", "cli_run"}  # fmt: skip
    for key, outcome in outcomes.items():
        # the old files are byte for byte intact, nothing else is left in the folder
        assert outcome["unchanged"], (key, outcome)
        for label in ("overwrite", "new"):
            message = outcome[label]
            assert message is not None, (key, label, outcome)  # the limit was hit
            target = {"datasets_yaml": ".fits"}.get(key, "")
            assert str(tmp_path / key) in message, (key, label, message)
            assert target in message
            assert "no file was replaced" in message, message
            assert ".tmp-" not in message, message  # the target, not a temporary file


# ---------------------------------------------------------------------------------------
# Ctrl-C on the command line: exit status 130, no output written
# ---------------------------------------------------------------------------------------
_INTERRUPTIBLE_CLI = """
import sys, time
from pathlib import Path
import fluxprofile.cli.run as run
from fluxprofile.cli import main

marker = Path(sys.argv[1])
stage = sys.argv[2]

def wait_here():
    marker.write_text("ready")
    time.sleep(120)  # interrupted by the test's SIGINT

if stage == "read":
    real_read = run.read_dataset
    def read_dataset(path):
        wait_here()
        return real_read(path)
    run.read_dataset = read_dataset
else:  # "plot": the tables are written (staged) when the plot is being made
    real_plot = run._write_plot
    def write_plot(*args):
        real_plot(*args)
        wait_here()
    run._write_plot = write_plot
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("stage", ["read", "plot"])
def test_ctrl_c_exits_130_without_outputs(tmp_path, fermi_gc_path, stage):
    old = tmp_path / "a.fits"
    old.write_bytes(b"the previous result")
    marker = tmp_path / "ready"
    outputs = [
        "-o",
        tmp_path / "a.fits",
        "-o",
        tmp_path / "b.ecsv",
        "--plot",
        tmp_path / "c.png",
    ]
    args = ["run", fermi_gc_path, "--center", "0,0", "--radius-max", "1", "--nbin", "3",
            "--energy-edges", "10,2000 GeV", "--overwrite", *outputs]  # fmt: skip
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_INTERRUPTIBLE_CLI), marker, stage,
         *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + TIMEOUT
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate(timeout=10)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130, err
    assert "fluxprofile: interrupted" in err
    assert "Traceback" not in err
    # no new file, no temporary file, the old a.fits untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.fits", "ready"]
    assert old.read_bytes() == b"the previous result"
