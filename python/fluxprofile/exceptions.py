"""The package's error and warning types: `FluxProfileWarning`, the warning about a set
of regions, and the core's `InvalidInput`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._core import InvalidInput

__all__ = ["FluxProfileWarning", "InvalidInput", "index_ranges", "warn_regions"]


class FluxProfileWarning(UserWarning):
    """A profile bin could not be measured (no usable pixel, no overlapping energy bin, no
    defined on-off alpha).

    Attributes
    ----------
    regions : tuple of int
        Indices of the regions the warning is about (empty for warnings on energy groups).
    """

    def __init__(
        self, message: str, regions: Sequence[int] | npt.ArrayLike = ()
    ) -> None:
        super().__init__(message)
        self.regions = tuple(np.asarray(regions, dtype=np.int64).tolist())

    def __reduce__(
        self,
    ) -> tuple[type[FluxProfileWarning], tuple[str, tuple[int, ...]]]:
        # keep the indices when pickled (e.g. sent back from a Dask worker)
        return type(self), (str(self), self.regions)


def index_ranges(indices: Sequence[int] | npt.ArrayLike) -> str:
    """Sorted indices as runs: ``[0, 1, 2, 5, 7, 8]`` -> ``"0-2, 5, 7-8"``.

    Parameters
    ----------
    indices : array_like of int
        Sorted, distinct indices.

    Returns
    -------
    text : str
        The runs, separated by commas.
    """
    indices = np.asarray(indices, dtype=np.int64)
    gaps = np.flatnonzero(np.diff(indices) != 1)
    starts = np.concatenate([indices[:1], indices[gaps + 1]]).tolist()
    stops = np.concatenate([indices[gaps], indices[-1:]]).tolist()
    return ", ".join(
        str(a) if a == b else f"{a}-{b}" for a, b in zip(starts, stops, strict=True)
    )


def warn_regions(
    indices: Sequence[int] | npt.NDArray[np.int64],
    singular: str,
    plural: str,
    stacklevel: int = 4,
) -> None:
    """One `FluxProfileWarning` naming all the regions ``indices`` (however many).

    Parameters
    ----------
    indices : array_like of int
        Sorted region indices; nothing is warned when empty.
    singular, plural : str
        What is wrong, after "Region 3 ..." or "Regions 0-2, 5 ...".
    stacklevel : int, optional
        Passed to `warnings.warn`; the default points at the user's call of
        `FluxProfileEstimator.run`. Default is 4.
    """
    if len(indices) == 0:
        return
    text = (
        f"Region {indices[0]} {singular}"
        if len(indices) == 1
        else f"Regions {index_ranges(indices)} {plural}"
    )
    warnings.warn(FluxProfileWarning(text, indices), stacklevel=stacklevel)
