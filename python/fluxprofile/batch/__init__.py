"""Profiles of many datasets and Monte Carlo realisations, locally on threads or on Dask.

`run_many` profiles a list of datasets (objects or file paths) with one estimator;
`simulate` profiles Poisson realisations of one dataset's predicted counts. Both run on a
``dask.distributed.Client`` when one is given (file paths are then read on the workers, so
cubes are not shipped) and on a local thread pool otherwise, with identical results.

Dask is optional (``pip install fluxprofile[distributed]``): it is imported only inside
`fluxprofile.batch.execution.execute`, and only when a client is given.

Modules: `many` (`run_many`), `simulation` (`simulate`) and `execution` (the local and
Dask backends, progress, the shared argument checks).
"""

from __future__ import annotations

# Paths are read on the workers with the class the file needs (MapDataset or on-off).
from .. import read_dataset
from .many import BatchError, ItemError, run_many
from .simulation import SimulationResult, simulate

__all__ = [
    "BatchError",
    "ItemError",
    "SimulationResult",
    "read_dataset",
    "run_many",
    "simulate",
]
