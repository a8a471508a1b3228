"""Reading a FITS file in one pass: every HDU read once, image data straight into its
final array, truncation and corrupt headers reported with the file and HDU.

astropy's reader, given a ``.fits.gz`` file, inflates the whole stream into memory and
then copies each HDU's data out of it (2.2x the data at peak), and a file cut inside a
header simply ends the HDU list early (the lost HDUs are not reported). `read_hdulist`
reads the stream sequentially instead: it parses each header itself (so that an
incomplete header block, a header without END or a short data part is an error), reads
image data with ``readinto`` into an array of the stored dtype (byte-swapped in place to
native order, never a float64 copy), and hands the small table HDUs to astropy.

gzip streams are inflated with the fastest zlib-compatible library installed
(``isal``, then ``zlib-ng``, the ``fast-read`` extra), else the standard library: the
bytes, and so the arrays, are the same whichever is used. See
docs/files_and_processes.rst.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib
import math
import os
from collections.abc import Callable, Collection, Iterator
from typing import IO, Any

import numpy as np
from astropy.io import fits

__all__ = [
    "FitsReadError",
    "corrupt_card",
    "gzip_backend",
    "gzip_backends",
    "read_hdulist",
]

_BLOCK = 2880
_CARD = 80
_END_CARD = b"END" + b" " * 77
# Data read per readinto call: small temporaries (the standard-library gzip reader
# allocates one chunk per call) and few Python-level calls.
_CHUNK = 1 << 22
_BITPIX_DTYPES = {8: "u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
# (name, module, opener attribute) in order of preference.
# isal's threaded reader (one thread, its default) inflates without the GIL while this
# thread parses the headers and tables already read: the same bytes, ~10 % less wall time.
_BACKENDS = (
    ("isal", "isal.igzip_threaded", "open"),
    ("zlib-ng", "zlib_ng.gzip_ng", "open"),
)


class FitsReadError(OSError):
    """A FITS file that is truncated, corrupt or not FITS at all (an OSError)."""


def gzip_backends() -> list[str]:
    """Names of the gzip inflaters available here, fastest first.

    Returns
    -------
    names : list of str
        Among "isal" (python-isal), "zlib-ng" (zlib-ng) and "gzip" (standard library,
        always last).
    """
    names = []
    for name, module, _ in _BACKENDS:
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        names.append(name)
    return [*names, "gzip"]


def gzip_backend() -> str:
    """The inflater `read_hdulist` uses for ``.gz`` files (the first of `gzip_backends`).

    The environment variable ``FLUXPROFILE_GZIP`` (one of the names) forces another
    available one, e.g. "gzip" to compare with the standard library.

    Returns
    -------
    name : str
        "isal", "zlib-ng" or "gzip".
    """
    available = gzip_backends()
    forced = os.environ.get("FLUXPROFILE_GZIP", "").strip().lower()
    return forced if forced in available else available[0]


def _gzip_opener(backend: str) -> Callable[..., IO[bytes]]:
    for name, module, attr in _BACKENDS:
        if name == backend:
            return getattr(importlib.import_module(module), attr)
    return gzip.open


@contextlib.contextmanager
def _open_stream(path: str, backend: str | None) -> Iterator[IO[bytes]]:
    """The decompressed bytes of ``path`` (gzip recognised by its magic bytes)."""
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if not compressed:
            yield raw
            return
        with _gzip_opener(backend or gzip_backend())(raw, "rb") as stream:
            yield stream


class _Reader:
    """Sequential reads of a stream that turn every stream error into a FitsReadError."""

    def __init__(self, stream: IO[bytes], where: str) -> None:
        self._stream = stream
        self._where = where
        self.offset = 0

    def error(self, text: str) -> FitsReadError:
        return FitsReadError(f"{self._where} {text}")

    def into(self, buffer: memoryview) -> int:
        """Fill ``buffer`` (bytes) as far as the stream goes; the number filled."""
        done, total = 0, len(buffer)
        try:
            while done < total:
                n = self._stream.readinto(buffer[done : done + _CHUNK])
                if not n:
                    break
                done += n
        except (EOFError, OSError, ValueError) as err:  # gzip: cut stream, bad CRC
            msg = f"is truncated or corrupt (at byte {self.offset + done}: {err})"
            raise self.error(msg) from err
        self.offset += done
        return done

    def read(self, size: int) -> bytes:
        buffer = bytearray(size)
        n = self.into(memoryview(buffer))
        return bytes(buffer[:n])


def _hdu_label(index: int, name: str | None) -> str:
    return f"HDU {index}" + (f" ({name})" if name else "")


def _read_header(reader: _Reader, index: int, after: str) -> tuple[bytes, bool]:
    """The header blocks of HDU ``index`` (b"" at the end of the file) and whether the
    file ended there."""
    blocks = []
    while True:
        block = reader.read(_BLOCK)
        if not block and not blocks:
            return b"", True
        if index == 0 and not block.startswith(b"SIMPLE  =") and not blocks:
            msg = "is not a readable FITS file (it does not start with a SIMPLE card)"
            raise reader.error(msg)
        if len(block) < _BLOCK:
            where = f"in the header of HDU {index} (after {after})"
            msg = (
                f"is truncated {where}: the file ends {len(block)} bytes into a "
                f"{_BLOCK}-byte header block"
            )
            raise reader.error(msg)
        if index > 0 and not blocks and not block.startswith(b"XTENSION"):
            start = reader.offset - len(block)
            while block and not block.strip(b"\0 "):  # zero or blank padding at the end
                block = reader.read(_BLOCK)
            if not block:
                return b"", True
            msg = (
                f"is corrupt: the bytes at {start}, after {after}, are neither an "
                "XTENSION header nor padding"
            )
            raise reader.error(msg)
        blocks.append(block)
        for start in range(0, _BLOCK, _CARD):
            if block[start : start + _CARD] == _END_CARD:
                return b"".join(blocks), False


_STRUCTURAL = frozenset(
    {"SIMPLE", "XTENSION", "EXTNAME", "BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "GROUPS",
     "BSCALE", "BZERO", "ZIMAGE"}
)  # fmt: skip


def _card_value(text: str) -> str | int | float | bool:
    """The value of a fixed-format card (the text after "= "), comment removed."""
    text = text.strip()
    if text.startswith("'"):  # a string: '' is a quote inside it
        end = 1
        while True:
            end = text.find("'", end)
            if end < 0:
                msg = f"unterminated string {text!r}"
                raise ValueError(msg)
            if text[end + 1 : end + 2] != "'":
                return text[1:end].replace("''", "'").rstrip()
            end += 2
    value = text.split("/", 1)[0].strip()
    if value in ("T", "F"):
        return value == "T"
    try:
        return int(value)
    except ValueError:
        return float(value.replace("D", "E"))


def _structural_cards(header_bytes: bytes, label: str) -> dict[str, Any]:
    """The keywords that give an HDU's type and data size, parsed from the raw cards
    (astropy's full header parser is used only where the whole header is needed)."""
    cards: dict[str, Any] = {}
    for start in range(0, len(header_bytes), _CARD):
        card = header_bytes[start : start + _CARD]
        if card == _END_CARD:
            break
        key = card[:8].rstrip().decode("ascii", "replace")
        if card[8:10] != b"= " or not (key in _STRUCTURAL or key.startswith("NAXIS")):
            continue
        if key in cards:
            msg = f"{label} has the structural keyword {key} twice"
            raise ValueError(msg)
        try:
            cards[key] = _card_value(card[10:].decode("ascii"))
        except (ValueError, UnicodeDecodeError) as err:
            msg = (
                f"{label} has an invalid {key} card {card.decode('ascii', 'replace')!r}"
            )
            raise ValueError(msg) from err
    return cards


def _integer(cards: dict[str, Any], key: str, default: int | None, label: str) -> int:
    """A structural keyword: a non-negative integer (BITPIX: one of the FITS codes)."""
    value = cards.get(key, default)
    valid = isinstance(value, int) and not isinstance(value, bool)
    if valid and key == "BITPIX":
        valid = value in _BITPIX_DTYPES
    elif valid:
        valid = value >= 0
    if not valid:
        msg = f"{label} has {'no' if value is None else 'an invalid'} {key}" + (
            "" if value is None else f" ({value!r})"
        )
        raise ValueError(msg)
    return int(value)


def _structure(cards: dict[str, Any], label: str) -> tuple[int, tuple[int, ...], int]:
    """BITPIX, the data shape (NumPy order) and the data size in bytes (no padding)."""
    bitpix = _integer(cards, "BITPIX", None, label)
    naxis = _integer(cards, "NAXIS", None, label)
    if naxis > 999:
        msg = f"{label} has an invalid NAXIS ({naxis})"
        raise ValueError(msg)
    dims = [_integer(cards, f"NAXIS{k}", None, label) for k in range(1, naxis + 1)]
    pcount = _integer(cards, "PCOUNT", 0, label)
    gcount = _integer(cards, "GCOUNT", 1, label)
    groups = cards.get("GROUPS") is True and naxis > 0 and dims[0] == 0
    n = math.prod(dims[1:] if groups else dims) if naxis else 0
    size = abs(bitpix) // 8 * gcount * (pcount + n)
    return bitpix, tuple(reversed(dims)), size


def _is_plain_image(cards: dict[str, Any], index: int) -> bool:
    """An image HDU whose stored values are its values (no scaling, no groups)."""
    kind = "IMAGE" if index == 0 else str(cards.get("XTENSION", "")).strip()
    if kind != "IMAGE" or cards.get("GROUPS") is True:
        return False
    return cards.get("BSCALE", 1) == 1 and cards.get("BZERO", 0) == 0


def _read_image(
    reader: _Reader, bitpix: int, shape: tuple[int, ...], as_bool: bool, label: str
) -> np.ndarray:
    """Image data read straight into its array (native order; 0/1 uint8 if as_bool)."""
    stored = np.dtype(_BITPIX_DTYPES[bitpix])
    if not as_bool or stored.itemsize == 1:
        data = np.empty(shape, dtype=stored)
        _fill(reader, memoryview(data.reshape(-1).view(np.uint8)), label)
        if not stored.isnative:
            data.byteswap(inplace=True)
            data = data.view(stored.newbyteorder("="))
        return (data != 0).view(np.uint8) if as_bool else data
    # A mask stored as wide integers or floats: converted chunk by chunk, so that the
    # wide array never exists as a whole.
    out = np.empty(shape, dtype=np.uint8)
    flat = out.reshape(-1)
    per_chunk = max(1, _CHUNK // stored.itemsize)
    chunk = np.empty(per_chunk, dtype=stored)
    for start in range(0, flat.size, per_chunk):
        part = chunk[: min(per_chunk, flat.size - start)]
        _fill(reader, memoryview(part.view(np.uint8)), label)
        np.not_equal(part, 0, out=flat[start : start + part.size].view(bool))
    return out


def _fill(reader: _Reader, buffer: memoryview, label: str) -> None:
    n = reader.into(buffer)
    if n < len(buffer):
        msg = (
            f"is truncated in the data of {label}: {n} of {len(buffer)} bytes "
            "are in the file"
        )
        raise reader.error(msg)


def _skip_padding(reader: _Reader, size: int, label: str) -> None:
    """Read the padding after ``size`` data bytes (it must be complete)."""
    pad = -size % _BLOCK
    got = len(reader.read(pad)) if pad else 0
    if got < pad:
        msg = f"is truncated after the data of {label} (padding {got} of {pad} bytes)"
        raise reader.error(msg)


def _table_hdu(
    header_bytes: bytes,
    data: bytes,
    index: int,
    kind: str,
    eager: bool,
    compressed: bool = False,
) -> Any:
    """An HDU astropy builds from its bytes, its columns checked now (not at first
    use) and, if ``eager``, its data parsed."""
    blob = header_bytes + data
    if index == 0:
        hdu = fits.PrimaryHDU.fromstring(blob)
    elif kind == "BINTABLE" and compressed:  # a tile-compressed image (.fits.fz)
        minimal = fits.PrimaryHDU().header.tostring().encode("ascii")
        hdu = fits.HDUList.fromstring(minimal + blob)[1]
        _ = hdu.data
        return hdu
    elif kind == "BINTABLE":
        hdu = fits.BinTableHDU.fromstring(blob)
    elif kind == "TABLE":
        hdu = fits.TableHDU.fromstring(blob)
    elif kind == "IMAGE":
        hdu = fits.ImageHDU.fromstring(blob)
    else:
        # Only the standard extensions: a bit flip in "BINTABLE" must not turn a table
        # into an opaque "non-standard" extension that later code trips over.
        msg = f"unknown extension type XTENSION = {kind!r} (IMAGE, BINTABLE or TABLE)"
        raise ValueError(msg)
    if hasattr(hdu, "columns"):
        columns = hdu.columns
        _ = [column.dtype for column in columns]  # a corrupt TFORMn fails here
        if eager and hdu.data is not None:
            _ = [hdu.data.field(i) for i in range(len(columns))]
    return hdu


def read_hdulist(
    filename: str | os.PathLike,
    who: str,
    as_bool: Collection[str] = (),
    raw: Collection[str] = (),
    backend: str | None = None,
) -> tuple[fits.HDUList, dict[str, bytes]]:
    """Every HDU of a FITS file (``.fits`` or gzip-compressed), read in one pass.

    Image HDUs without scaling get their data read straight into an array of the
    stored dtype in native byte order (no copy, no float64); other HDUs (tables,
    scaled images) are parsed by astropy from their bytes, eagerly, so that a corrupt
    table header fails here. The file must end at an HDU boundary (zero or blank
    padding after the last HDU is allowed).

    Parameters
    ----------
    filename : str or path
        The file.
    who : str
        Caller named in error messages.
    as_bool : collection of str, optional
        Names (EXTNAME) of image HDUs read as masks: uint8 arrays holding 0 and 1 (view
        them as bool), converted while reading. Default is ().
    raw : collection of str, optional
        Names of HDUs whose bytes (header and padded data, as in the file) are returned
        too, e.g. to write them back unchanged; their table data is not parsed (their
        header and columns are checked). Default is ().
    backend : {"isal", "zlib-ng", "gzip"}, optional
        gzip inflater. Default is None (`gzip_backend`).

    Returns
    -------
    hdulist : `~astropy.io.fits.HDUList`
        The HDUs, in memory (no file stays open).
    raw_bytes : dict of str to bytes
        The bytes of the HDUs named in ``raw`` that are in the file.

    Raises
    ------
    FitsReadError
        An OSError naming the file (and the HDU, with the name of the HDU before it) if
        the file is not FITS, is truncated (inside a header, the data or the gzip
        stream) or a header is corrupt (astropy's ``VerifyError``, a missing or invalid
        structural keyword, a table header astropy cannot parse).
    """
    path = os.fspath(filename)
    where = f"{who}: {path!r}"
    hdus: list[Any] = []
    raw_bytes: dict[str, bytes] = {}
    with _open_stream(path, backend) as stream:
        reader = _Reader(stream, where)
        after = "the start of the file"
        while True:
            index = len(hdus)
            header_bytes, at_end = _read_header(reader, index, after)
            if at_end:
                break
            label = _hdu_label(index, None)
            try:
                cards = _structural_cards(header_bytes, label)
                name = str(cards.get("EXTNAME", "PRIMARY" if index == 0 else ""))
                label = _hdu_label(index, name.strip())
                bitpix, shape, size = _structure(cards, label)
            except ValueError as err:
                msg = f"has a corrupt header in {label} (after {after}): {err}"
                raise reader.error(msg) from err
            name = name.strip().upper()
            if _is_plain_image(cards, index) and shape and name not in raw:
                data = _read_image(reader, bitpix, shape, name in as_bool, label)
                _skip_padding(reader, size, label)
                hdus.append(_image_hdu(header_bytes, data, index, label, where))
            else:
                blob = reader.read(size + (-size % _BLOCK))
                if len(blob) < size:
                    msg = (
                        f"is truncated in the data of {label}: {len(blob)} of {size} "
                        "bytes are in the file"
                    )
                    raise reader.error(msg)
                if len(blob) < size + (-size % _BLOCK):
                    msg = f"is truncated after the data of {label} (padding missing)"
                    raise reader.error(msg)
                kind = str(cards.get("XTENSION", "")).strip()
                eager = name not in raw
                hdus.append(
                    _astropy_hdu(
                        header_bytes,
                        blob,
                        index,
                        kind,
                        eager,
                        label,
                        where,
                        compressed=cards.get("ZIMAGE") is True,
                    )
                )
                if name in raw:
                    raw_bytes[name] = header_bytes + blob
                # masks stored as images (scaled ones land here); a HEALPix mask is a
                # table (one column per energy bin) that its own reader converts
                if name in as_bool and hdus[-1].is_image and hdus[-1].data is not None:
                    hdus[-1].data = (np.asarray(hdus[-1].data) != 0).view(np.uint8)
            after = label
    if not hdus:
        msg = f"{where} is not a readable FITS file (it is empty)"
        raise FitsReadError(msg)
    return fits.HDUList(hdus), raw_bytes


def _image_hdu(
    header_bytes: bytes, data: np.ndarray, index: int, label: str, where: str
) -> Any:
    try:
        header = fits.Header.fromstring(header_bytes.decode("ascii"))
        cls = fits.PrimaryHDU if index == 0 else fits.ImageHDU
        hdu = cls(data=data, header=header)
        _ = hdu.name  # an unparsable EXTNAME card fails here, not in the caller
        return hdu
    except (ValueError, KeyError, TypeError, fits.VerifyError) as err:
        # (UnicodeDecodeError is a ValueError; VerifyError is not.)
        msg = f"{where} has a corrupt header in {label}: {err}"
        raise FitsReadError(msg) from err


def _astropy_hdu(
    header_bytes: bytes,
    blob: bytes,
    index: int,
    kind: str,
    eager: bool,
    label: str,
    where: str,
    compressed: bool = False,
) -> Any:
    try:
        hdu = _table_hdu(header_bytes, blob, index, kind, eager, compressed)
        _ = hdu.name  # an unparsable EXTNAME card fails here, not in the caller
        return hdu
    except (
        Exception
    ) as err:  # VerifyError, KeyError('recformat'), ...: any parser failure
        reason = str(err)
        if isinstance(err, KeyError):  # astropy's KeyError('recformat'): a bad TFORMn
            reason = (
                "a column format (TFORMn) astropy cannot parse"
                if err.args == ("recformat",)
                else f"missing {err}"
            )
        msg = f"{where} has a corrupt header in {label}: {type(err).__name__}: {reason}"
        raise FitsReadError(msg) from err


def corrupt_card(hdulist: fits.HDUList) -> str | None:
    """Where the first card that astropy cannot parse is, if any.

    Header values are parsed when first used (parsing all of them on reading would cost
    a quarter of the read time): when astropy then raises its ``VerifyError``, this
    finds the HDU and card to name in the error.

    Parameters
    ----------
    hdulist : `~astropy.io.fits.HDUList`
        HDUs read by `read_hdulist`.

    Returns
    -------
    where : str or None
        E.g. ``"HDU 3 (EXPOSURE), card BANDSHDU"``; None if every card parses.
    """
    for index, hdu in enumerate(hdulist):
        for card in hdu.header.cards:
            try:
                _ = card.value
            except (fits.VerifyError, ValueError):
                return f"{_hdu_label(index, hdu.name)}, card {card.keyword}"
    return None
