"""Gammapy's datasets YAML index: one YAML file listing datasets stored one per FITS file.

The format (written by Gammapy's ``Datasets.write``, read by ``Datasets.read``)::

    datasets:
    -   name: nHit-5
        type: MapDataset
        filename: nHit-5.fits
    metadata:
        creator: ...
    checksum: <md5 of the text above>

`read_datasets_yaml` and `write_datasets_yaml` implement it for `MapDataset` and
`MapDatasetOnOff` entries; `Datasets.read` and `Datasets.write` call them. The rules
(path resolution, models, checksums, file names, what happens on failure) are in
docs/datasets_yaml.rst.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..datamodel.datasets import (
    MapDataset,
    MapDatasetOnOff,
    as_map_dataset,
    check_unique_names,
)
from .atomic import StagedFiles, check_writable
from .paths import expand_path

__all__ = ["DATASET_TYPES", "read_datasets_yaml", "write_datasets_yaml"]

#: Entry ``type`` -> fluxprofile class.
DATASET_TYPES: dict[str, type[MapDataset]] = {
    "MapDataset": MapDataset,
    "MapDatasetOnOff": MapDatasetOnOff,
}
# Gammapy dataset types fluxprofile cannot hold (named in the error message).
_GAMMAPY_ONLY_TYPES = ("SpectrumDataset", "SpectrumDatasetOnOff", "FluxPointsDataset")
# Gammapy's YAML layout: the checksum is the MD5 of exactly this dump of the content.
_YAML_FORMAT = {
    "sort_keys": False,
    "indent": 4,
    "width": 80,
    "default_flow_style": False,
}
_FITS_MAGIC = (b"SIMPLE  =", b"\x1f\x8b")


def _check_bool(value: Any, argname: str) -> None:
    if not isinstance(value, bool):
        msg = f"{argname} must be True or False, got {type(value).__name__} {value!r}"
        raise TypeError(msg)


def _refuse_models(filename_models: Any, who: str) -> None:
    if filename_models is None:
        return
    msg = (
        f"{who}: filename_models={filename_models!r} is not supported: fluxprofile "
        "datasets hold no sky models (their background is used as it is). To include "
        "models, read the datasets with Gammapy, gammapy.datasets.Datasets.read(filename, "
        "filename_models=...), and convert them with fluxprofile.Datasets.from_gammapy, "
        "whose background is Gammapy's npred() with the models"
    )
    raise ValueError(msg)


def _checksum(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # Gammapy's checksum


# --------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------
def _load_index(path: Path, checksum: bool, who: str) -> list[Any]:
    """The ``datasets`` list of a YAML index file."""
    if not path.is_file():
        msg = f"{who}: file {str(path)!r} does not exist"
        raise FileNotFoundError(msg)
    try:
        raw = path.read_bytes()
    except OSError as err:
        msg = f"{who}: cannot read {str(path)!r} ({err})"
        raise OSError(msg) from err
    if raw.startswith(_FITS_MAGIC):
        msg = (
            f"{who}: {str(path)!r} is a FITS (or gzip) file, not a datasets YAML index; read one "
            "dataset file with fluxprofile.read_dataset (or MapDataset.read)"
        )
        raise ValueError(msg)
    try:
        content = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        msg = f"{who}: {str(path)!r} is not a readable YAML file ({err})"
        raise OSError(msg) from err
    if not isinstance(content, dict) or "datasets" not in content:
        msg = (
            f"{who}: {str(path)!r} is not a datasets YAML index: it needs a top-level "
            f"'datasets' list, got {type(content).__name__}"
            + (f" with keys {list(content)}" if isinstance(content, dict) else "")
        )
        raise ValueError(msg)
    stored = content.pop("checksum", None)
    if (
        checksum
        and stored is not None
        and stored != _checksum(yaml.safe_dump(content, **_YAML_FORMAT))
    ):
        warnings.warn(
            f"{who}: the checksum stored in {str(path)!r} does not match its content "
            "(the file was changed after it was written)",
            UserWarning,
            stacklevel=3,
        )
    entries = content["datasets"]
    if not isinstance(entries, list):
        msg = f"{who}: 'datasets' in {str(path)!r} must be a list, got {type(entries).__name__}"
        raise ValueError(msg)  # noqa: TRY004 - malformed file content, not a wrong argument
    return entries


def _entry_fields(entry: Any, where: str) -> tuple[str, str, str]:
    """(name, type, filename) of one index entry."""
    if not isinstance(entry, dict):
        msg = f"{where} must be a mapping with name, type and filename, got {entry!r}"
        raise ValueError(msg)  # noqa: TRY004 - malformed file content
    missing = [key for key in ("name", "type", "filename") if key not in entry]
    if missing:
        msg = f"{where} (keys {list(entry)}) has no {', '.join(missing)}"
        raise ValueError(msg)
    for key in ("name", "type", "filename"):
        if not isinstance(entry[key], str):
            value = entry[key]
            msg = (
                f"{where}: {key} must be a string, got {type(value).__name__} {value!r}"
            )
            raise ValueError(msg)  # noqa: TRY004 - malformed file content
    return entry["name"], entry["type"], entry["filename"]


def _dataset_path(filename: str, folder: Path) -> tuple[Path | None, list[Path]]:
    """The file of an entry (None if not found) and the places looked at.

    After ``$VAR`` / ``~`` expansion an absolute name is used as it is; a relative one
    is looked up in the index's folder first, then (Gammapy's fallback) in the working
    folder.
    """
    given = expand_path(filename)
    candidates = (
        [given] if given.is_absolute() else [folder / given, Path.cwd() / given]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate, candidates
    return None, candidates


def read_datasets_yaml(
    filename: str | os.PathLike,
    filename_models: str | os.PathLike | None = None,
    lazy: bool = True,
    cache: bool = True,
    checksum: bool = True,
) -> list[MapDataset]:
    """Read the datasets listed in a Gammapy datasets YAML index.

    Each entry's ``filename`` is looked up relative to the folder of the YAML file; if
    no file is there, as given (relative to the working folder), as Gammapy does.
    ``$VARIABLES`` and ``~`` are expanded in both file names. The entry's ``name``
    becomes the dataset name; ``type`` picks `MapDataset.read` or
    `MapDatasetOnOff.read`.

    Parameters
    ----------
    filename : str or path
        The YAML index.
    filename_models : str or path, optional
        Gammapy's models file. fluxprofile datasets hold no models, so anything but
        None raises a ValueError that names the Gammapy route. Default is None.
    lazy : bool, optional
        Accepted for Gammapy scripts; the data are always read at once. Default is True.
    cache : bool, optional
        Accepted for Gammapy scripts; no effect. Default is True.
    checksum : bool, optional
        Compare the checksum stored in the YAML file (if any) with its content and warn
        (UserWarning) if they differ. Default is True.

    Returns
    -------
    datasets : list of `MapDataset`
        The datasets, in the order of the index.

    Raises
    ------
    FileNotFoundError
        If the YAML file or a dataset file does not exist (the message names the entry
        by index and name, and the places looked at).
    OSError
        If a file cannot be read or parsed (the entry is named).
    ValueError
        If the index is malformed, an entry has an unknown or unsupported ``type``, a
        dataset file does not hold a dataset of that type, two entries share a name,
        or ``filename_models`` is given.
    TypeError
        If ``lazy``, ``cache`` or ``checksum`` is not a bool.
    """
    who = "Datasets.read"
    for argname, value in (("lazy", lazy), ("cache", cache), ("checksum", checksum)):
        _check_bool(value, argname)
    _refuse_models(filename_models, who)
    path = expand_path(filename)
    entries = _load_index(path, checksum, who)
    datasets: list[MapDataset] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"{who}: {str(path)!r} datasets[{index}]"
        name, tag, file = _entry_fields(entry, where)
        where = f"{where} (name {name!r}, type {tag!r})"
        if name in seen:
            msg = f"{where}: the name is already used by datasets[{seen[name]}]; names must be unique"
            raise ValueError(msg)
        seen[name] = index
        cls = DATASET_TYPES.get(tag)
        if cls is None:
            kind = (
                "a Gammapy dataset type fluxprofile does not support"
                if tag in _GAMMAPY_ONLY_TYPES
                else "unknown"
            )
            msg = f"{where}: type {tag!r} is {kind}; supported types are {list(DATASET_TYPES)}"
            raise ValueError(msg)
        dataset_path, tried = _dataset_path(file, path.parent)
        if dataset_path is None:
            looked = " or ".join(repr(str(p)) for p in dict.fromkeys(tried))
            msg = f"{where}: dataset file {file!r} not found (looked at {looked})"
            raise FileNotFoundError(msg)
        try:
            datasets.append(cls.read(dataset_path, name=name))
        except (OSError, ValueError) as err:
            msg = f"{where}: {err}"
            kind = next(
                k
                for k in (FileNotFoundError, OSError, ValueError)
                if isinstance(err, k)
            )
            raise kind(msg) from err
    return datasets


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------
def _fits_name(dataset: MapDataset, index: int) -> str:
    """Gammapy's file name for a dataset: the name with spaces as "_", plus ".fits"."""
    name = dataset.name
    file = f"{name.replace(' ', '_')}.fits"
    bad = not name or name in (".", "..") or any(c in name for c in ("/", "\\", "\0"))
    if bad:
        msg = (
            f"Datasets.write: dataset {index} is named {name!r}, which cannot be used as a "
            "file name (Gammapy writes NAME.fits next to the YAML file); rename it"
        )
        raise ValueError(msg)
    return file


def _index_text(entries: list[dict[str, str]], checksum: bool) -> str:
    from .. import __version__

    created = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f"
    )
    content = {
        "datasets": entries,
        "metadata": {
            "creator": f"fluxprofile {__version__}",
            "date": created,
            "origin": None,
        },
    }
    text = yaml.safe_dump(content, **_YAML_FORMAT)
    if checksum:
        text += yaml.safe_dump({"checksum": _checksum(text)}, **_YAML_FORMAT)
    return text


def write_datasets_yaml(
    datasets: Iterable[MapDataset],
    filename: str | os.PathLike,
    filename_models: str | os.PathLike | None = None,
    overwrite: bool = False,
    write_covariance: bool = True,
    checksum: bool = True,
) -> None:
    """Write datasets as Gammapy does: a YAML index plus one FITS file per dataset.

    Dataset ``NAME`` goes to ``NAME.fits`` (spaces replaced by "_") in the folder of
    the YAML file; Gammapy's ``Datasets.read`` reads the result. All files are first
    written to temporary files in that folder and moved into place only when all are
    complete (the FITS files first, the index last), so a failure leaves every existing
    file as it was.

    Parameters
    ----------
    datasets : iterable of `MapDataset`
        The datasets (a `Datasets` or a list; names must be unique).
    filename : str or path
        The YAML index (``$VARIABLES`` and ``~`` expanded; folders are created).
    filename_models : str or path, optional
        Gammapy's models file. fluxprofile datasets hold no models, so anything but
        None raises a ValueError (nothing is written). Default is None.
    overwrite : bool, optional
        Replace existing files. Default is False.
    write_covariance : bool, optional
        Accepted for Gammapy scripts (it concerns the models file); no effect.
        Default is True.
    checksum : bool, optional
        Add DATASUM/CHECKSUM cards to the FITS headers and a ``checksum`` to the YAML
        file, as Gammapy does. Default is True.

    Raises
    ------
    FileExistsError
        If a file to write exists and ``overwrite`` is False (nothing is written).
    OSError
        If a file cannot be written (existing files are left intact).
    ValueError
        If a dataset name cannot be a file name, two datasets would share a file, or
        ``filename_models`` is given.
    TypeError
        If ``datasets`` holds something else than datasets, or a flag is not a bool.
    """
    who = "Datasets.write"
    for argname, value in (("overwrite", overwrite), ("write_covariance", write_covariance),
                           ("checksum", checksum)):  # fmt: skip
        _check_bool(value, argname)
    _refuse_models(filename_models, who)
    items = [as_map_dataset(item, f"datasets[{i}]") for i, item in enumerate(datasets)]
    check_unique_names(items)
    path = expand_path(filename)
    files = [_fits_name(dataset, index) for index, dataset in enumerate(items)]
    targets = [path.parent / file for file in files]
    for index, target in enumerate(targets):
        if target in targets[:index] or target == path:
            other = (
                "the YAML file"
                if target == path
                else f"dataset {targets.index(target)}"
            )
            msg = (
                f"{who}: dataset {index} ({items[index].name!r}) would be written to "
                f"{str(target)!r}, the same file as {other}; rename it"
            )
            raise ValueError(msg)
    check_writable([path, *targets], overwrite, who)
    entries = [
        {"name": d.name, "type": d.tag, "filename": f}
        for d, f in zip(items, files, strict=True)
    ]
    with StagedFiles(who) as staged:
        for dataset, target in zip(items, targets, strict=True):
            dataset.to_hdulist().writeto(staged.stage(target), checksum=checksum)
        staged.stage(path).write_text(_index_text(entries, checksum), encoding="utf-8")
