"""`LabelMapAxis`: an axis of named bins (e.g. the datasets of a profile run)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import astropy.units as u
import numpy as np

__all__ = ["LabelMapAxis"]


class LabelMapAxis:
    """An axis of named bins, e.g. the "dataset" axis of a profile run (Gammapy's LabelMapAxis).

    Parameters
    ----------
    labels : sequence of str
        Bin labels (unique).
    name : str, optional
        Axis name. Default is "".

    Raises
    ------
    ValueError
        For no label or duplicated labels.
    """

    node_type = "label"
    interp = "lin"

    def __init__(self, labels: Iterable[str], name: str = "") -> None:
        labels = [str(label) for label in labels]
        if not labels:
            msg = "labels must contain at least one label, got []"
            raise ValueError(msg)
        if len(set(labels)) != len(labels):
            msg = f"labels must be unique, got {labels}"
            raise ValueError(msg)
        self._labels = tuple(labels)
        self._name = str(name)

    @property
    def name(self) -> str:
        """Axis name."""
        return self._name

    @property
    def nbin(self) -> int:
        """Number of bins."""
        return len(self._labels)

    @property
    def unit(self) -> u.UnitBase:
        """Unit (dimensionless)."""
        return u.dimensionless_unscaled

    @property
    def labels(self) -> list[str]:
        """Bin labels."""
        return list(self._labels)

    @property
    def center(self) -> np.ndarray:
        """Bin labels as an array of str (Gammapy's ``center``)."""
        return np.array(self._labels)

    def copy(self, **kwargs: Any) -> LabelMapAxis:
        """Copy, optionally replacing ``labels`` or ``name``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace.

        Returns
        -------
        axis : `LabelMapAxis`
            New axis.
        """
        args = {"labels": self._labels, "name": self._name, **kwargs}
        return type(self)(**args)

    def slice(self, idx: slice | int) -> LabelMapAxis:
        """Sub-axis of the bins selected by ``idx``.

        Parameters
        ----------
        idx : slice or int
            Bins to keep.

        Returns
        -------
        axis : `LabelMapAxis`
            Sliced axis.
        """
        if isinstance(idx, (int, np.integer)):
            idx = slice(int(idx), int(idx) + 1 if idx != -1 else None)
        return self.copy(labels=self._labels[idx])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelMapAxis):
            return NotImplemented
        return self._name == other._name and self._labels == other._labels

    def __hash__(self) -> int:
        return hash((self._name, self._labels))

    def __repr__(self) -> str:
        return f"LabelMapAxis(labels={list(self._labels)}, name={self._name!r})"
