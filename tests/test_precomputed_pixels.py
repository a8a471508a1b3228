"""Reductions from precomputed pixel lists equal reductions that rasterise on the spot."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord

import fluxprofile as fp
from fluxprofile import _core
from fluxprofile._profile import region_pixel_lists


@pytest.fixture(scope="module")
def fermi(fermi_gc_path):
    return fp.MapDataset.read(fermi_gc_path)


@pytest.mark.parametrize("containment", ["center", "exact"])
def test_precomputed_lists_give_identical_sums(fermi, containment):
    regions = fp.make_concentric_annulus_sky_regions(SkyCoord(0, 0, unit="deg", frame="galactic"), 2 * u.deg, nbin=21)
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    args = (shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, 400, 200, 11,
            [fermi.counts.data, fermi.background.data], ["counts", "background"], [True, False])
    kwargs = dict(mask=fermi.mask.view(np.uint8), exposure=fermi.exposure.data, containment=containment)
    direct = _core.reduce_regions(*args, **kwargs)
    lists = region_pixel_lists(shapes, 400, 200, containment, 1)
    cached = _core.reduce_regions(*args, pixels=lists, **kwargs)
    for key in ("exposure_sums", "n_safe", "npix_total", "npix_inmap"):
        assert np.array_equal(direct[key], cached[key]), key
    for a, b in zip(direct["reco_sums"], cached["reco_sums"]):
        assert np.array_equal(a, b)


def test_malformed_pixel_lists_are_rejected(fermi):
    regions = fp.make_concentric_annulus_sky_regions(SkyCoord(0, 0, unit="deg", frame="galactic"), 1 * u.deg, nbin=3)
    shapes = fp.sky_regions_to_pixel_shapes(regions, fermi.counts.geom.wcs)
    args = (shapes.table, shapes.vertices_x, shapes.vertices_y, shapes.vertex_offsets, 400, 200, 11,
            [fermi.counts.data], ["counts"], [True])
    index, weights, offsets, totals = region_pixel_lists(shapes, 400, 200, "center", 1)
    bad_index = index.copy()
    bad_index[0] = 400 * 200
    with pytest.raises(ValueError, match="flat index out of the map"):
        _core.reduce_regions(*args, pixels=(bad_index, weights, offsets, totals))
    with pytest.raises(ValueError, match="offsets must have n \\+ 1 entries"):
        _core.reduce_regions(*args, pixels=(index, weights, offsets[:-1], totals))
