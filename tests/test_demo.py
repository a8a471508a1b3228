"""Tests of the simulated example dataset."""

from __future__ import annotations

import time
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

from fluxprofile.demo import make_example_dataset

# Counts per energy bin of the real Fermi-LAT GC file (fermi-3fhl-gc.fits.gz).
REAL_TOTALS = np.array([13744, 7716, 4415, 2706, 1662, 1019, 609, 380, 219, 137, 77])


@pytest.fixture(scope="module")
def dataset():
    return make_example_dataset(seed=0)


def test_deterministic() -> None:
    a, b = make_example_dataset(seed=3), make_example_dataset(seed=3)
    for name in ("counts", "background", "exposure", "mask_safe"):
        np.testing.assert_array_equal(getattr(a, name).data, getattr(b, name).data)
    other = make_example_dataset(seed=4)
    assert not np.array_equal(a.counts.data, other.counts.data)
    # only the Poisson draw depends on the seed
    np.testing.assert_array_equal(a.background.data, other.background.data)


def test_fast() -> None:
    start = time.perf_counter()
    make_example_dataset(seed=1)
    assert time.perf_counter() - start < 1.0


def test_shapes_axes_and_dtypes(dataset) -> None:
    assert dataset.counts.data.shape == (11, 200, 400)
    assert dataset.background.data.shape == (11, 200, 400)
    assert dataset.exposure.data.shape == (12, 200, 400)
    assert dataset.counts.data.dtype == np.int32
    assert dataset.background.data.dtype == np.float32
    assert dataset.exposure.data.dtype == np.float32
    assert dataset.exposure.unit.is_equivalent(u.Unit("cm2 s"))

    energy = dataset.counts.geom.axes["energy"]
    assert energy.nbin == 11
    np.testing.assert_allclose(
        energy.edges.to_value(u.GeV), np.geomspace(10, 500, 12), rtol=1e-12
    )
    true = dataset.exposure.geom.axes["energy_true"]
    assert true.node_type == "center"
    np.testing.assert_allclose(
        true.center.to_value(u.GeV), np.geomspace(10, 500, 12), rtol=1e-12
    )
    # the edges of the real file's centre-node true-energy axis (8.3709 GeV ... 597.30 GeV)
    assert true.edges[0].to_value(u.GeV) == pytest.approx(8.3709, rel=1e-4)
    assert true.edges[-1].to_value(u.GeV) == pytest.approx(597.30, rel=1e-4)

    geom = dataset.counts.geom
    assert geom.npix == (400, 200)
    assert geom.frame == "galactic"
    center = geom.center_skydir.galactic
    assert abs(center.l.wrap_at(180 * u.deg).deg) < 1e-9
    assert abs(center.b.deg) < 1e-9
    header = geom.wcs.to_header()
    assert header["CTYPE1"].startswith("GLON-CAR")
    assert header["CDELT1"] == pytest.approx(-0.05)
    assert header["CDELT2"] == pytest.approx(0.05)
    assert (header["CRPIX1"], header["CRPIX2"]) == (200.5, 100.5)

    kernels = dataset.edisp.get_kernels(geom.center_skydir.reshape(1))
    assert kernels.shape == (1, 12, 11)
    assert np.all(kernels >= 0)
    assert np.all(kernels.sum(axis=-1) <= 1 + 1e-12)
    # migration: true energies leak beyond the two reco bins they overlap
    assert np.count_nonzero(kernels[0, 5] > 1e-3) > 2


def test_mask_border(dataset) -> None:
    mask = dataset.mask_safe.data
    assert mask.dtype == bool
    assert mask.shape == (11, 200, 400)
    # same layout as the real file: True for x 20-379, y 20-179 in every energy bin
    yy, xx = np.mgrid[0:200, 0:400]
    expected = (xx >= 20) & (xx <= 379) & (yy >= 20) & (yy <= 179)
    for plane in mask:
        np.testing.assert_array_equal(plane, expected)
    assert mask[0].sum() == 57600


def test_counts_plausible(dataset) -> None:
    counts = dataset.counts.data
    assert counts.min() >= 0
    totals = counts.sum(axis=(1, 2))
    assert 15_000 < totals.sum() < 60_000
    assert np.all(np.diff(totals) < 0)  # decreasing with energy
    # within a factor 2 of the real file bin by bin
    ratio = totals / REAL_TOTALS
    assert np.all((ratio > 0.5) & (ratio < 2)), ratio
    # background is smooth and positive, the sources give an excess of a few thousand
    background = dataset.background.data.astype(float)
    assert background.min() > 0
    excess = counts.sum() - background.sum()
    assert 1000 < excess < 10_000
    # the Galactic plane is brighter than high latitudes
    image = counts.sum(axis=0)
    assert image[95:105].mean() > 3 * image[:10].mean()
    # exposure is Fermi-like: a few 1e11 cm2 s
    exposure = dataset.exposure.quantity.to_value("cm2 s")
    assert exposure.min() > 1e11
    assert exposure.max() < 1e12


def test_write_read_round_trip(dataset, tmp_path: Path) -> None:
    from fluxprofile import MapDataset

    filename = tmp_path / "example.fits.gz"
    dataset.write(filename)
    back = MapDataset.read(filename)
    for name in ("counts", "background", "exposure", "mask_safe"):
        np.testing.assert_array_equal(
            getattr(back, name).data, getattr(dataset, name).data
        )
    assert back.exposure.unit == dataset.exposure.unit
    assert back.name == dataset.name
    coords = dataset.counts.geom.center_skydir.reshape(1)
    np.testing.assert_allclose(
        back.edisp.get_kernels(coords), dataset.edisp.get_kernels(coords), rtol=1e-6
    )


def test_bad_seed() -> None:
    with pytest.raises(TypeError, match="seed"):
        make_example_dataset(seed="zero")  # type: ignore[arg-type]
