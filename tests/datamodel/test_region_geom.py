"""Tests of fluxprofile.datamodel.region_geom: RegionGeom as the tutorial and the
quantities use it (regions from lists, Regions, arrays and compounds; axes; plots)."""

from __future__ import annotations

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from regions import CircleSkyRegion, Regions

from fluxprofile import (
    MapAxis,
    RegionGeom,
    make_concentric_annulus_sky_regions,
)
from fluxprofile.datamodel import LabelMapAxis


def _annuli():
    return make_concentric_annulus_sky_regions(
        center=SkyCoord("0d", "0d", frame="galactic"), radius_max="1 deg", nbin=5
    )


def test_create_from_every_kind_of_collection():
    regions = _annuli()
    for given in (regions, Regions(regions), np.array(regions, dtype=object)):
        geom = RegionGeom.create(region=given)
        assert geom.regions == regions
        assert geom.frame == "galactic"
    # a compound region is split back into its parts, as Gammapy plots it
    compound = RegionGeom.create(region=regions).region
    assert RegionGeom.create(region=compound).regions == regions
    single = RegionGeom.create(region=regions[0])
    assert single.regions == [regions[0]]
    # centre of concentric annuli: their common centre
    center = RegionGeom.create(region=regions).center_skydir
    assert center.separation(SkyCoord("0d", "0d", frame="galactic")).deg < 1e-9
    ds9 = RegionGeom.create("galactic;circle(0, 0, 0.5)")
    assert isinstance(ds9.regions[0], CircleSkyRegion)
    with pytest.raises(TypeError, match="must be a region"):
        RegionGeom.create(region=[1, 2])


def test_axes_shape_and_equality():
    energy = MapAxis.from_energy_edges([1, 10, 100] * u.GeV)
    distance = MapAxis.from_nodes([0, 1, 2] * u.deg, name="projected-distance")
    names = LabelMapAxis(["a", "b", "c", "d"], name="dataset")
    geom = RegionGeom(region=None, axes=[names, energy, distance])
    assert geom.axes["dataset"].center.tolist() == ["a", "b", "c", "d"]
    assert geom.data_shape == (3, 2, 4, 1, 1)
    assert geom.axes_names == ["lon", "lat", "dataset", "energy", "projected-distance"]
    assert geom.ndim == 5
    assert not geom.is_image
    assert geom.to_image().is_image
    assert geom.region is None
    assert np.isnan(geom.center_skydir.ra.deg)
    assert geom == RegionGeom(region=None, axes=[names, energy, distance])
    assert geom != RegionGeom(region=None, axes=[energy, distance])
    assert geom.squash("energy").data_shape == (3, 1, 4, 1, 1)


def test_plot_region_draws_each_region_with_the_colour():
    regions = _annuli()
    geom = RegionGeom.create(region=regions)
    ax = geom.plot_region(color="w")
    assert len(ax.patches) == len(regions)
    assert all(p.get_edgecolor()[:3] == (1.0, 1.0, 1.0) for p in ax.patches)
    assert all(p.get_facecolor()[3] == 0 for p in ax.patches)
    # on existing WCS axes (the tutorial's image)
    again = geom.plot_region(ax=ax, color="r")
    assert again is ax
    assert len(ax.patches) == 2 * len(regions)
    plt.close("all")
    with pytest.raises(ValueError, match="no region"):
        RegionGeom(region=None).plot_region()
