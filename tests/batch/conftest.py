"""Fixtures of the batch tests: the Fermi-LAT dataset, a small estimator, Dask clusters."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import astropy.units as u
import pytest
from astropy.coordinates import SkyCoord

from fluxprofile import (
    FluxProfileEstimator,
    MapDataset,
    PowerLawSpectralModel,
    make_orthogonal_rectangle_sky_regions,
)


@pytest.fixture(scope="module")
def fermi_dataset(fermi_gc_path):
    return MapDataset.read(fermi_gc_path)


@pytest.fixture(scope="module")
def estimator(fermi_dataset):
    """A few 2-deg boxes along the Galactic plane, two energy groups, errors and ULs."""
    regions = make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("4d", "0d", frame="galactic"),
        end_pos=SkyCoord("356d", "0d", frame="galactic"),
        wcs=fermi_dataset.counts.geom.wcs,
        height=2 * u.deg,
        nbin=4,
    )
    return FluxProfileEstimator(
        regions,
        spectral_model=PowerLawSpectralModel(index=2.3),
        energy_edges=[10, 50, 2000] * u.GeV,
        selection_optional=["errn-errp", "ul"],
        n_jobs=1,
    )


@pytest.fixture(scope="session")
def distributed() -> ModuleType:
    """dask.distributed; a skip locally without it, a failure in CI (the test extra has it)."""
    if os.environ.get("CI"):
        import distributed

        return distributed
    return pytest.importorskip("distributed")


@pytest.fixture(scope="session")
def make_cluster(distributed) -> Callable[[int], tuple[Any, Any]]:
    """``make_cluster(n_workers)`` -> ``(cluster, client)``, one thread per worker process."""

    def make(n_workers: int) -> tuple[Any, Any]:
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",
        )
        client = distributed.Client(cluster, timeout="120s")
        return cluster, client

    return make


@pytest.fixture(scope="module")
def client2(make_cluster) -> Iterator[Any]:
    cluster, client = make_cluster(2)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(params=["local", "dask"])
def backend(request):
    """None (local threads) or the 2-worker client."""
    return None if request.param == "local" else request.getfixturevalue("client2")
