"""pytest-benchmark timings of reading the Fermi-LAT GC dataset (.fits.gz, 3.2 MB
compressed, 18 MB of HDUs): the fastest gzip inflater installed and the standard
library's, so that the gain of the ``fast-read`` extra is visible.

Each benchmark also checks the arrays it read against astropy's reader.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from cases import shared_dir

from fluxprofile import MapDataset
from fluxprofile.io.fits_read import gzip_backends

PATH = shared_dir() / "data" / "fermi-3fhl-gc" / "fermi-3fhl-gc.fits.gz"


@pytest.mark.benchmark(group="read-fermi-3fhl-gc")
@pytest.mark.parametrize("backend", sorted({gzip_backends()[0], "gzip"}))
def test_read_fermi_gc(benchmark, monkeypatch, backend):
    if not PATH.exists():
        pytest.fail(f"benchmark data not found at {PATH}")
    monkeypatch.setenv("FLUXPROFILE_GZIP", backend)
    dataset = benchmark(MapDataset.read, PATH)
    with fits.open(PATH) as hdulist:
        np.testing.assert_array_equal(dataset.counts.data, hdulist["COUNTS"].data)
        np.testing.assert_array_equal(
            dataset.background.data, hdulist["BACKGROUND"].data
        )
        assert dataset.background.data.dtype == np.float32
        np.testing.assert_array_equal(
            dataset.mask_safe.data, hdulist["MASK_SAFE"].data != 0
        )
