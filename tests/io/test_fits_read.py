"""Tests of fluxprofile.io.fits_read: the one-pass FITS reader against astropy's, its
truncation and corruption errors, its dtypes, the gzip inflaters and its peak memory."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from fluxprofile.io import fits_read
from fluxprofile.io.fits_read import gzip_backend, gzip_backends, read_hdulist

TIMEOUT = 300


def _fits_files(data_dir: Path) -> list[Path]:
    return sorted(
        p for p in data_dir.rglob("*") if p.name.endswith((".fits", ".fits.gz"))
    )


def _assert_same_hdus(ours: fits.HDUList, ref: fits.HDUList) -> None:
    assert [h.name for h in ours] == [h.name for h in ref]
    for a, b in zip(ours, ref, strict=True):
        assert a.header.tostring() == b.header.tostring(), a.name
        if b.data is None:
            assert a.data is None, a.name
        elif hasattr(b, "columns"):
            assert a.columns.names == b.columns.names
            for column in b.columns.names:
                np.testing.assert_array_equal(a.data[column], b.data[column])
        else:
            # same values and the stored dtype, in native byte order
            assert a.data.dtype == b.data.dtype.newbyteorder("="), a.name
            assert a.data.dtype.isnative
            np.testing.assert_array_equal(a.data, b.data, err_msg=a.name)


def test_every_shared_file_reads_as_astropy_reads_it(data_dir):
    """Headers, tables and image arrays equal astropy's for every FITS file of the data
    folder (DL4 datasets, IRFs, HEALPix maps, plain images; .fits and .fits.gz)."""
    files = _fits_files(data_dir)
    assert len(files) >= 5
    for path in files:
        ours, raw = read_hdulist(path, "test")
        assert raw == {}
        with fits.open(path, memmap=False) as ref:
            _assert_same_hdus(ours, ref)


@pytest.fixture(scope="module")
def gc_bytes(fermi_gc_path) -> bytes:
    return gzip.decompress(fermi_gc_path.read_bytes())


@pytest.fixture(scope="module")
def gc_offsets(fermi_gc_path) -> dict[str, tuple[int, int, int]]:
    """Header start, data start and data size of every HDU of the GC file."""
    with fits.open(fermi_gc_path) as hdulist:
        return {
            h.name: (h.fileinfo()["hdrLoc"], h.fileinfo()["datLoc"], h.fileinfo()["datSpan"])
            for h in hdulist
        }  # fmt: skip


def test_gzip_backends_give_the_same_arrays(fermi_gc_path):
    """Every available inflater (isal, zlib-ng, the standard library) gives the same
    HDUs, bit for bit."""
    backends = gzip_backends()
    assert backends[-1] == "gzip"
    if len(backends) == 1:
        pytest.skip("needs the optional isal or zlib-ng package (extra 'fast-read')")
    assert gzip_backend() == backends[0]
    ref, _ = read_hdulist(fermi_gc_path, "test", backend="gzip")
    for backend in backends[:-1]:
        ours, _ = read_hdulist(fermi_gc_path, "test", backend=backend)
        _assert_same_hdus(ours, ref)
        for a, b in zip(ours, ref, strict=True):
            if a.data is not None and not hasattr(a, "columns"):
                assert a.data.tobytes() == b.data.tobytes()


def test_backend_can_be_forced(monkeypatch):
    monkeypatch.setenv("FLUXPROFILE_GZIP", "gzip")
    assert gzip_backend() == "gzip"
    monkeypatch.setenv("FLUXPROFILE_GZIP", "no-such-library")
    assert gzip_backend() == gzip_backends()[0]


def test_images_keep_their_dtype_and_masks_become_bool_while_read(
    fermi_gc_path, monkeypatch
):
    # A small chunk: the int64 mask is converted over many chunks.
    monkeypatch.setattr(fits_read, "_CHUNK", 4096)
    ours, raw = read_hdulist(
        fermi_gc_path, "test", as_bool=["MASK_SAFE"], raw=["PSF", "PSF_BANDS"]
    )
    with fits.open(fermi_gc_path) as ref:
        assert ours["COUNTS"].data.dtype == np.int32
        assert ours["BACKGROUND"].data.dtype == np.float32  # never a float64 copy
        assert ours["EXPOSURE"].data.dtype == np.float32
        stored = ref["MASK_SAFE"].data
        assert stored.dtype == np.dtype(">i8")
        mask = ours["MASK_SAFE"].data
        assert mask.dtype == np.uint8
        assert set(np.unique(mask)) <= {0, 1}
        np.testing.assert_array_equal(mask.view(bool), stored != 0)
        # the raw bytes are those of the file, header and padded data
        info = ref["PSF"].fileinfo()
        gc = gzip.decompress(fermi_gc_path.read_bytes())
        end = info["datLoc"] + info["datSpan"]
        assert raw["PSF"] == gc[info["hdrLoc"] : end]
        assert set(raw) == {"PSF", "PSF_BANDS"}


def test_float_mask_is_read_as_nonzero(tmp_path):
    data = np.array([[0.0, 0.5], [np.nan, -1.0]], dtype=">f8")
    path = tmp_path / "m.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(data, name="MASK")]).writeto(path)
    (hdulist, _) = read_hdulist(path, "test", as_bool=["MASK"])
    np.testing.assert_array_equal(hdulist["MASK"].data, [[0, 1], [1, 1]])


def test_scaled_image_goes_through_astropy(tmp_path):
    """BZERO/BSCALE images (e.g. unsigned integers) are scaled as astropy does."""
    data = np.arange(12, dtype=np.uint16).reshape(3, 4) + 40000
    path = tmp_path / "u16.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(data, name="U")]).writeto(path)
    hdulist, _ = read_hdulist(path, "test")
    assert hdulist["U"].data.dtype == np.uint16
    np.testing.assert_array_equal(hdulist["U"].data, data)


@pytest.mark.parametrize("suffix", [".fits", ".fits.gz"])
@pytest.mark.parametrize(
    ("hdu", "where", "fragment"),
    [
        ("BACKGROUND", 80, "truncated in the header of HDU 5 (after HDU 4 (EXPOSURE_BANDS))"),
        ("BACKGROUND", 1, "truncated in the header of HDU 5"),
        ("EDISP_BANDS", 2879, "truncated in the header of HDU 8 (after HDU 7 (EDISP))"),
        ("COUNTS", "data+100", "truncated in the data of HDU 1 (COUNTS)"),
        ("MASK_SAFE_BANDS", "padding", "truncated after the data of HDU 16 (MASK_SAFE_BANDS)"),
    ],
)  # fmt: skip
def test_truncated_file_is_an_error_naming_file_and_hdu(
    tmp_path, gc_bytes, gc_offsets, suffix, hdu, where, fragment
):
    header, data, size = gc_offsets[hdu]
    cut = {"data+100": data + 100, "padding": data + size - 10}.get(where)
    cut = header + where if cut is None else cut
    path = tmp_path / f"cut{suffix}"
    blob = gc_bytes[:cut]
    path.write_bytes(
        gzip.compress(blob, compresslevel=1) if suffix == ".fits.gz" else blob
    )
    with pytest.raises(OSError, match="truncated") as info:
        read_hdulist(path, "reader")
    message = str(info.value)
    assert message.startswith(f"reader: {str(path)!r}")
    assert fragment in message


def test_a_cut_gzip_stream_is_an_error(tmp_path, fermi_gc_path):
    compressed = fermi_gc_path.read_bytes()
    path = tmp_path / "cut.fits.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(OSError, match=r"cut\.fits\.gz.*truncated or corrupt"):
        read_hdulist(path, "reader")


def test_padding_and_garbage_after_the_last_hdu(tmp_path, gc_bytes):
    path = tmp_path / "padded.fits"
    path.write_bytes(gc_bytes + b"\0" * 2880 * 2)
    hdulist, _ = read_hdulist(path, "reader")
    assert hdulist[-1].name == "MASK_SAFE_BANDS"
    path.write_bytes(gc_bytes + b"GARBAGE " * 360)
    with pytest.raises(
        OSError, match=r"after HDU 16 \(MASK_SAFE_BANDS\).*neither an XTENSION"
    ):
        read_hdulist(path, "reader")
    path.write_bytes(gc_bytes + b"\0" * 2880 * 3 + b"GARBAGE " * 360)
    with pytest.raises(
        OSError, match=r"after HDU 16 \(MASK_SAFE_BANDS\).*neither an XTENSION"
    ):
        read_hdulist(path, "reader")


@pytest.mark.parametrize(
    ("card", "replacement", "fragment"),
    [
        (b"NAXIS1  =", b"NAXIS1  = 'four'", "invalid NAXIS1"),
        (b"BITPIX  =", b"BITPIX  = 17", "invalid BITPIX"),
        (b"NAXIS   =", b"NAXJS   = 3", "no NAXIS"),
    ],
)
def test_corrupt_structural_keyword_names_hdu(
    tmp_path, gc_bytes, gc_offsets, card, replacement, fragment
):
    raw = bytearray(gc_bytes)
    start = gc_offsets["BACKGROUND"][0]
    at = raw.index(card, start)
    raw[at : at + 80] = replacement.ljust(80)
    path = tmp_path / "flipped.fits"
    path.write_bytes(bytes(raw))
    with pytest.raises(
        OSError, match=r"corrupt header in HDU 5 \(BACKGROUND\)"
    ) as info:
        read_hdulist(path, "reader")
    assert fragment in str(info.value)
    assert "flipped.fits" in str(info.value)


def test_corrupt_table_format_names_hdu(tmp_path, gc_bytes, gc_offsets):
    """A TFORMn that astropy cannot parse (its KeyError 'recformat') is a clear error."""
    raw = bytearray(gc_bytes)
    start = gc_offsets["EDISP_BANDS"][0]
    at = raw.index(b"TFORM2  = 'E", start)
    raw[at + 11 : at + 12] = b"\x05"  # a control character: no valid format
    path = tmp_path / "tform.fits"
    path.write_bytes(bytes(raw))
    with pytest.raises(
        OSError, match=r"tform\.fits.*corrupt header in HDU 8 \(EDISP_BANDS\)"
    ):
        read_hdulist(path, "reader")


def _peak_script(path: Path) -> str:
    return textwrap.dedent(
        f"""
        import gzip, json, os, tracemalloc
        import fluxprofile
        path = {str(path)!r}
        with gzip.open(path) as fh:
            size = sum(len(block) for block in iter(lambda: fh.read(1 << 22), b""))
        tracemalloc.start()
        dataset = fluxprofile.read_dataset(path)
        current, peak = tracemalloc.get_traced_memory()
        print(json.dumps({{"size": size, "peak": peak, "held": current}}))
        """
    )


def _peak(path: Path) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _peak_script(path)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def _big_dataset_file(tmp_path: Path) -> Path:
    """A DL4 file of ~110 MB uncompressed (float32 cubes, an int64 mask, as in the
    Galactic-centre file) made with astropy."""
    from fluxprofile import Map, MapAxis, MapDataset, WcsGeom

    energy = MapAxis.from_energy_bounds("10 GeV", "1 TeV", 11)
    true = MapAxis.from_energy_bounds("5 GeV", "2 TeV", 12, name="energy_true")
    geom = WcsGeom.create(
        skydir=(0, 0), binsz=0.05, width=(50, 25), frame="galactic", axes=[energy]
    )
    rng = np.random.default_rng(1)
    shape = geom.data_shape
    dataset = MapDataset(
        Map(geom, rng.poisson(2.0, shape).astype(np.int32)),
        Map(geom.to_image().to_cube([true]), np.full((12, *shape[1:]), 1e11, np.float32), unit="cm2 s"),
        background=Map(geom, rng.uniform(0, 3, shape).astype(np.float32)),
        name="big",
    )  # fmt: skip
    hdulist = dataset.to_hdulist()
    mask = (rng.uniform(size=shape) > 0.1).astype(">i8")
    hdulist.insert(
        7, fits.ImageHDU(mask, header=hdulist["COUNTS"].header.copy(), name="MASK_SAFE")
    )
    hdulist.insert(8, hdulist["COUNTS_BANDS"].copy())
    hdulist[8].name = "MASK_SAFE_BANDS"
    hdulist["MASK_SAFE"].header["BANDSHDU"] = "MASK_SAFE_BANDS"
    path = tmp_path / "big.fits.gz"
    with gzip.open(path, "wb", compresslevel=1) as fh:
        hdulist.writeto(fh)
    return path


@pytest.mark.slow
def test_peak_memory_of_a_gzip_read(fermi_gc_path, tmp_path):
    """Reading a .fits.gz peaks at <= 1.2x the uncompressed data + 50 MB (astropy's
    reader: 2.2x), on the GC file and on a ~110 MB file."""
    for path in (fermi_gc_path, _big_dataset_file(tmp_path)):
        result = _peak(path)
        assert result["peak"] <= 1.2 * result["size"] + 50e6, (path.name, result)
        assert result["held"] <= result["size"], (path.name, result)
    # the big file: the arrays kept are those of the dataset (the int64 mask as bool)
    assert result["size"] > 100e6
    assert result["peak"] <= 1.0 * result["size"], result


def test_tile_compressed_image_is_read_as_astropy_reads_it(tmp_path):
    data = np.random.default_rng(2).normal(size=(3, 10, 20)).astype(np.float32)
    path = tmp_path / "c.fits"
    fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(data, name="C")]).writeto(path)
    hdulist, _ = read_hdulist(path, "test")
    assert isinstance(hdulist["C"], fits.CompImageHDU)
    with fits.open(path) as ref:
        np.testing.assert_array_equal(hdulist["C"].data, ref["C"].data)
