"""`Datasets`: an ordered collection of map datasets with unique names (Gammapy's
``Datasets``), and `as_dataset_list`, which accepts every way of giving datasets."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, MutableSequence
from typing import Any

import numpy as np

from .datasets import MapDataset, as_map_dataset, check_unique_names

__all__ = ["Datasets", "as_dataset_list"]


class Datasets(MutableSequence):
    """An ordered collection of datasets with unique names (Gammapy's ``Datasets``).

    Parameters
    ----------
    datasets : `MapDataset`, iterable of datasets, or `Datasets`, optional
        The datasets. Gammapy ``MapDataset``/``MapDatasetOnOff`` items are converted
        with `MapDataset.from_gammapy`. Default is None (empty).

    Raises
    ------
    TypeError
        For an item that is not a dataset.
    ValueError
        If two datasets share a name.

    Examples
    --------
    >>> from fluxprofile import Datasets, make_example_dataset
    >>> dataset_a, dataset_b = make_example_dataset(seed=1), make_example_dataset(seed=2)
    >>> dataset_a.name, dataset_b.name = "a", "b"
    >>> datasets = Datasets([dataset_a, dataset_b])
    >>> datasets["b"] is datasets[1]
    True
    """

    def __init__(self, datasets: Any = None) -> None:
        self._datasets: list[MapDataset] = []
        if datasets is None:
            return
        if isinstance(datasets, MapDataset):
            datasets = [datasets]
        elif _is_gammapy_datasets_container(datasets) or _is_single_gammapy_dataset(
            datasets
        ):
            datasets = as_dataset_list(datasets, allow_empty=True)
        elif isinstance(datasets, (str, bytes)) or not isinstance(datasets, Iterable):
            msg = (
                f"datasets must be a dataset or an iterable of datasets, got "
                f"{type(datasets).__name__}"
            )
            raise TypeError(msg)
        for item in datasets:
            self.append(item)

    @classmethod
    def from_gammapy(cls, datasets: Any) -> Datasets:
        """Convert Gammapy datasets (a ``Datasets``, a list or a single map dataset).

        Parameters
        ----------
        datasets : ``gammapy.datasets.Datasets``, list or Gammapy map dataset
            Gammapy ``MapDataset``/``MapDatasetOnOff`` objects (fluxprofile datasets are
            kept as they are).

        Returns
        -------
        datasets : `Datasets`
            The converted datasets, in the same order.

        Raises
        ------
        TypeError
            For items that are not map datasets.
        """
        return cls(as_dataset_list(datasets, allow_empty=True))

    # ---- files -----------------------------------------------------------------------
    @classmethod
    def read(
        cls,
        filename: str | os.PathLike,
        filename_models: str | os.PathLike | None = None,
        lazy: bool = True,
        cache: bool = True,
        checksum: bool = True,
    ) -> Datasets:
        """Read the datasets listed in a Gammapy datasets YAML index (Gammapy's
        ``Datasets.read``).

        Entry file names are relative to the YAML file's folder (else to the working
        folder, as in Gammapy), with ``$VARIABLES`` expanded; ``MapDataset`` and
        ``MapDatasetOnOff`` entries are supported. See
        `fluxprofile.io.datasets_yaml.read_datasets_yaml` and docs/datasets_yaml.rst.

        Parameters
        ----------
        filename : str or path
            The YAML index, e.g. ``"HAWC_pass4_public_Crab.yaml"``.
        filename_models : str or path, optional
            Gammapy's models file: not supported (fluxprofile datasets hold no models),
            anything but None raises a ValueError. Default is None.
        lazy : bool, optional
            Accepted for Gammapy scripts; data are always read at once. Default is True.
        cache : bool, optional
            Accepted for Gammapy scripts; no effect. Default is True.
        checksum : bool, optional
            Warn if the YAML file's stored checksum does not match its content.
            Default is True.

        Returns
        -------
        datasets : `Datasets`
            The datasets, in the order of the index.

        Raises
        ------
        FileNotFoundError
            If the YAML file or a dataset file is missing (the entry is named).
        OSError
            If a file cannot be read or parsed.
        ValueError
            For a malformed index, an unknown or unsupported entry type, a file that
            does not hold a dataset of its entry's type, or ``filename_models``.

        Examples
        --------
        >>> from fluxprofile import Datasets  # doctest: +SKIP
        >>> datasets = Datasets.read("HAWC_pass4_public_Crab.yaml")  # doctest: +SKIP
        >>> datasets.names  # doctest: +SKIP
        ['nHit-5', 'nHit-6', 'nHit-7', 'nHit-8', 'nHit-9']
        """
        from ..io.datasets_yaml import read_datasets_yaml

        return cls(read_datasets_yaml(filename, filename_models=filename_models, lazy=lazy,
                                      cache=cache, checksum=checksum))  # fmt: skip

    def write(
        self,
        filename: str | os.PathLike,
        filename_models: str | os.PathLike | None = None,
        overwrite: bool = False,
        write_covariance: bool = True,
        checksum: bool = True,
    ) -> None:
        """Write a Gammapy datasets YAML index plus ``NAME.fits`` per dataset next to
        it (Gammapy's ``Datasets.write``; Gammapy's ``Datasets.read`` reads it back).

        Nothing is replaced until every file is written, so a failure leaves existing
        files intact. See `fluxprofile.io.datasets_yaml.write_datasets_yaml`.

        Parameters
        ----------
        filename : str or path
            The YAML index to write.
        filename_models : str or path, optional
            Gammapy's models file: not supported (no models to write), anything but
            None raises a ValueError. Default is None.
        overwrite : bool, optional
            Replace existing files. Default is False.
        write_covariance : bool, optional
            Accepted for Gammapy scripts; no effect. Default is True.
        checksum : bool, optional
            Write FITS and YAML checksums, as Gammapy does. Default is True.

        Raises
        ------
        FileExistsError
            If a file to write exists and ``overwrite`` is False (nothing is written).
        OSError
            If a file cannot be written.
        ValueError
            If a dataset name cannot be a file name or ``filename_models`` is given.
        """
        from ..io.datasets_yaml import write_datasets_yaml

        write_datasets_yaml(self, filename, filename_models=filename_models, overwrite=overwrite,
                            write_covariance=write_covariance, checksum=checksum)  # fmt: skip

    # ---- sequence protocol -----------------------------------------------------------
    def _index(self, key: int | str) -> int:
        if isinstance(key, str):
            for index, dataset in enumerate(self._datasets):
                if dataset.name == key:
                    return index
            msg = f"no dataset named {key!r}; names are {self.names}"
            raise KeyError(msg)
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            n = len(self._datasets)
            if not -n <= key < n:
                msg = f"dataset index {key} out of range for {n} datasets"
                raise IndexError(msg)
            return int(key) % n
        msg = f"datasets index must be an int, a name or a slice, got {type(key).__name__} {key!r}"
        raise TypeError(msg)

    def index(self, key: Any, *args: Any) -> int:  # type: ignore[override]
        """Position of a dataset given by name, by identity or by index.

        Parameters
        ----------
        key : str, int or `MapDataset`
            Dataset name, position or the dataset itself.

        Returns
        -------
        index : int
            Position in the collection.
        """
        if isinstance(key, MapDataset):
            for index, dataset in enumerate(self._datasets):
                if dataset is key:
                    return index
            msg = f"dataset {key.name!r} is not in these datasets"
            raise ValueError(msg)
        return self._index(key)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return type(self)(self._datasets[key])
        return self._datasets[self._index(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            msg = "slice assignment is not supported; use insert/append"
            raise TypeError(msg)
        index = self._index(key)
        dataset = as_map_dataset(value, f"datasets[{key!r}]")
        others = [d.name for i, d in enumerate(self._datasets) if i != index]
        self._check_name(dataset, others)
        self._datasets[index] = dataset

    def __delitem__(self, key: Any) -> None:
        if isinstance(key, slice):
            del self._datasets[key]
            return
        del self._datasets[self._index(key)]

    def __len__(self) -> int:
        return len(self._datasets)

    def __iter__(self) -> Iterator[MapDataset]:
        return iter(self._datasets)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self.names
        return any(d is item for d in self._datasets)

    def insert(self, index: int, value: Any) -> None:
        """Insert a dataset before ``index`` (its name must be new).

        Parameters
        ----------
        index : int
            Position.
        value : `MapDataset`
            The dataset (a Gammapy map dataset is converted).
        """
        dataset = as_map_dataset(value, f"datasets[{index}]")
        self._check_name(dataset, self.names)
        self._datasets.insert(index, dataset)

    @staticmethod
    def _check_name(dataset: MapDataset, names: list[str]) -> None:
        if dataset.name in names:
            msg = (
                f"dataset names must be unique: {dataset.name!r} is already used "
                f"(names {names})"
            )
            raise ValueError(msg)

    # ---- properties ------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Dataset names, in order."""
        return [d.name for d in self._datasets]

    @property
    def is_all_same_type(self) -> bool:
        """Whether all datasets have the same class."""
        return len({type(d) for d in self._datasets}) <= 1

    @property
    def stat_type(self) -> list[str]:
        """Statistic type of each dataset ("cash" or "wstat")."""
        return [d.stat_type for d in self._datasets]

    def copy(self) -> Datasets:
        """A new collection holding the same dataset objects.

        Returns
        -------
        datasets : `Datasets`
            Shallow copy.
        """
        return type(self)(self._datasets)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Datasets):
            return len(self) == len(other) and all(
                a is b for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        out = "Datasets\n--------\n\n"
        for index, dataset in enumerate(self._datasets):
            out += f"Dataset {index}: \n\n  Type       : {dataset.tag}\n"
            out += f"  Name       : {dataset.name}\n"
            out += f"  Instrument : {_instrument(dataset)}\n\n"
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}(names={self.names})"


def _instrument(dataset: MapDataset) -> str:
    table = dataset.meta_table
    if (
        table is not None
        and "TELESCOP" in getattr(table, "colnames", [])
        and len(table)
    ):
        return str(table["TELESCOP"][0])
    return ""


def _is_gammapy_datasets_container(obj: Any) -> bool:
    from ..interop import is_gammapy_object

    return is_gammapy_object(obj, "Datasets")


def _is_single_gammapy_dataset(obj: Any) -> bool:
    from ..interop import is_gammapy_dataset

    return is_gammapy_dataset(obj)


def as_dataset_list(obj: Any, allow_empty: bool = False) -> list[MapDataset]:
    """The datasets in ``obj`` as a list of fluxprofile datasets with unique names.

    Parameters
    ----------
    obj : dataset, `Datasets`, list/tuple of datasets, Gammapy dataset(s)
        A fluxprofile `MapDataset`/`MapDatasetOnOff`, a `Datasets`, a list or tuple of
        them, or Gammapy ``MapDataset``/``MapDatasetOnOff``/``Datasets`` objects (and
        lists of them), which are converted with `MapDataset.from_gammapy` (gammapy is
        only imported if such an object is given).
    allow_empty : bool, optional
        Accept an empty collection. Default is False.

    Returns
    -------
    datasets : list of `MapDataset`
        The datasets, in order (fluxprofile datasets are not copied).

    Raises
    ------
    TypeError
        If ``obj`` or one of its items is anything else (the message names the type).
    ValueError
        If the collection is empty (unless ``allow_empty``) or two datasets share a name.
    """
    if isinstance(obj, MapDataset):
        return [obj]
    if _is_single_gammapy_dataset(obj):
        return [as_map_dataset(obj, "datasets")]
    if isinstance(obj, Datasets):
        items = list(obj)
    elif isinstance(obj, (list, tuple)) or _is_gammapy_datasets_container(obj):
        items = [as_map_dataset(item, f"datasets[{i}]") for i, item in enumerate(obj)]
    else:
        msg = (
            f"datasets must be a fluxprofile MapDataset/MapDatasetOnOff/Datasets, a list of "
            f"them, or a Gammapy MapDataset/MapDatasetOnOff/Datasets; got "
            f"{type(obj).__module__}.{type(obj).__name__}"
        )
        raise TypeError(msg)
    if not items and not allow_empty:
        msg = "datasets is empty: give at least one dataset"
        raise ValueError(msg)
    check_unique_names(items)
    return items
