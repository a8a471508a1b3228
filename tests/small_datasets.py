"""Small synthetic datasets shared by the data-model and file-format tests (registered
as ``small_datasets`` by tests/conftest.py)."""

from __future__ import annotations

import numpy as np

from fluxprofile import (
    EDispKernelMap,
    Map,
    MapAxis,
    MapDataset,
    MapDatasetOnOff,
    WcsGeom,
)


def small_dataset(rng_seed: int = 0, with_edisp: bool = True) -> MapDataset:
    energy = MapAxis.from_energy_bounds("10 GeV", "100 GeV", 3)
    true = MapAxis.from_energy_bounds("5 GeV", "200 GeV", 4, name="energy_true")
    geom = WcsGeom.create(
        skydir=(1, 2), binsz=0.5, width=(3, 2), frame="galactic", axes=[energy]
    )
    rng = np.random.default_rng(rng_seed)
    counts = Map(geom, rng.poisson(3.0, geom.data_shape).astype(np.int32))
    exposure = Map(
        geom.to_image().to_cube([true]),
        np.full((4, 4, 6), 1e11, np.float32),
        unit="cm2 s",
    )
    background = Map(geom, rng.uniform(-0.5, 3.0, geom.data_shape).astype(np.float32))
    mask = np.ones(geom.data_shape, bool)
    mask[:, 0, :] = False
    edisp = EDispKernelMap.from_diagonal_response(energy, true) if with_edisp else None
    return MapDataset(
        counts,
        exposure,
        background=background,
        mask_safe=mask,
        edisp=edisp,
        name="small",
    )


def small_onoff(name: str = "small-onoff", seed: int = 1) -> MapDatasetOnOff:
    energy = MapAxis.from_energy_bounds("0.1 TeV", "10 TeV", 3)
    true = MapAxis.from_energy_bounds("0.05 TeV", "20 TeV", 4, name="energy_true")
    geom = WcsGeom.create(
        skydir=(10, 20), binsz=0.1, width=(0.6, 0.4), frame="icrs", axes=[energy]
    )
    rng = np.random.default_rng(seed)
    shape = geom.data_shape
    counts = Map(geom, rng.poisson(4.0, shape).astype(np.float64))
    counts_off = Map(geom, rng.poisson(8.0, shape).astype(np.float64))
    acceptance = Map(geom, rng.uniform(0.5, 1.5, shape).astype(np.float32))
    acceptance_off = Map(geom, rng.uniform(2.0, 6.0, shape).astype(np.float32))
    acceptance_off.data[0, 0, 0] = 0.0  # alpha undefined there
    acceptance.data[0, 0, 0] = 0.0
    exposure = Map(
        geom.to_image().to_cube([true]), np.full((4, *shape[1:]), 3e9), unit="cm2 s"
    )
    mask = np.ones(shape, bool)
    mask[:, :, 0] = False
    return MapDatasetOnOff(counts, counts_off, acceptance, acceptance_off, exposure,
                           mask_safe=mask, name=name)  # fmt: skip
