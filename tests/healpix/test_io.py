"""HEALPix DL4 files in Gammapy's HPX layout: round trips of all-sky and partial-sky
maps (RING and NESTED, galactic and icrs), the header and columns Gammapy writes, and
clear errors for malformed tables."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from hpx_helpers import hpx_dataset, onoff_dataset

from fluxprofile import HpxNDMap, Map, MapDataset, MapDatasetOnOff
from fluxprofile.datamodel.hpx_geom import HpxGeom
from fluxprofile.io.healpix import write_healpix_map


@pytest.mark.parametrize("frame", ["galactic", "icrs"])
@pytest.mark.parametrize("nest", [True, False])
@pytest.mark.parametrize("region", [None, "DISK(10.0,-5.0,12.0)"])
def test_dataset_round_trip(tmp_path, frame, nest, region):
    dataset = hpx_dataset(16, frame=frame, nest=nest, region=region, poisson_seed=3)
    mask = np.ones(dataset.counts.data.shape, dtype=bool)
    mask[1, ::3] = False
    dataset.mask_safe = Map(dataset.counts.geom, mask)
    path = tmp_path / "d.fits"
    dataset.write(path)
    back = MapDataset.read(path)
    assert back.counts.geom == dataset.counts.geom
    for attr in ("counts", "exposure", "background", "mask_safe"):
        np.testing.assert_array_equal(
            getattr(back, attr).data, getattr(dataset, attr).data
        )
    assert back.exposure.unit == dataset.exposure.unit
    with fits.open(path) as hdulist:
        header = hdulist["COUNTS"].header
        assert header["PIXTYPE"] == "HEALPIX"
        assert header["ORDERING"] == ("NESTED" if nest else "RING")
        assert header["COORDSYS"] == ("GAL" if frame == "galactic" else "CEL")
        assert header["NSIDE"] == 16
        assert header["INDXSCHM"] == ("IMPLICIT" if region is None else "EXPLICIT")
        names = hdulist["COUNTS"].columns.names
        assert names[: 1 + (region is not None)] == (
            ["PIX", "CHANNEL1"] if region else ["CHANNEL1"]
        )
        if region is not None:
            np.testing.assert_array_equal(
                hdulist["COUNTS"].data["PIX"], dataset.counts.geom.pixels
            )
            assert header["HPX_REG"] == region


def test_onoff_round_trip(tmp_path):
    dataset = onoff_dataset(16, 0.25, seed=1, region="DISK(0,0,20)")
    dataset.write(tmp_path / "onoff.fits")
    back = MapDatasetOnOff.read(tmp_path / "onoff.fits")
    for attr in ("counts", "counts_off", "acceptance", "acceptance_off"):
        np.testing.assert_array_equal(
            getattr(back, attr).data, getattr(dataset, attr).data
        )


def test_single_map_round_trip(tmp_path):
    m = hpx_dataset(8).counts
    write_healpix_map(m, tmp_path / "m.fits")
    back = HpxNDMap.read(tmp_path / "m.fits")
    assert back.geom == m.geom
    np.testing.assert_array_equal(back.data, m.data)
    with pytest.raises(FileExistsError):
        write_healpix_map(m, tmp_path / "m.fits")


def test_disk_region_selects_pixel_centres():
    geom = HpxGeom.create(8, nest=False, frame="icrs", region="DISK(83.6,22.0,10)")
    # the six pixels Gammapy 2.1 stores for this region
    np.testing.assert_array_equal(geom.pixels, [183, 215, 216, 247, 279, 280])


def test_malformed_tables_raise(tmp_path):
    m = hpx_dataset(8).counts
    hdus = m.to_hdulist("COUNTS")
    hdus[0].header["ORDERING"] = "SPIRAL"
    fits.HDUList([fits.PrimaryHDU(), *hdus]).writeto(tmp_path / "bad.fits")
    with pytest.raises(ValueError, match="ORDERING must be RING or NESTED"):
        HpxNDMap.read(tmp_path / "bad.fits")
    hdus = m.to_hdulist("COUNTS")
    table = fits.BinTableHDU.from_columns(
        hdus[0].columns[:1], header=hdus[0].header, name="COUNTS"
    )
    fits.HDUList([fits.PrimaryHDU(), table, hdus[1]]).writeto(tmp_path / "short.fits")
    with pytest.raises(ValueError, match="1 data columns for 2 planes"):
        HpxNDMap.read(tmp_path / "short.fits")
    with pytest.raises(ValueError, match="power of 2"):
        HpxGeom(12)
    with pytest.raises(ValueError, match="unique"):
        HpxGeom(4, pixels=[1, 1, 2])
