"""Small synthetic datasets and templates of the comparison tests."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS

from fluxprofile import (
    EDispKernelMap,
    Map,
    MapAxis,
    MapDataset,
    WcsGeom,
    make_orthogonal_rectangle_sky_regions,
)

TEMPLATE_UNIT = u.Unit("cm-2 s-1 MeV-1 sr-1")


def template_wcs(nx: int = 40, ny: int = 20, binsz: float = 0.125) -> WCS:
    """A Galactic CAR grid with longitude increasing to the right (CDELT1 > 0)."""
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["GLON-CAR", "GLAT-CAR"]
    wcs.wcs.crval = [0.0, 0.0]
    wcs.wcs.crpix = [(nx + 1) / 2, (ny + 1) / 2]
    wcs.wcs.cdelt = [binsz, binsz]
    wcs.wcs.cunit = ["deg", "deg"]
    wcs.wcs.set()
    return wcs


def ridge_template(nx: int = 40, ny: int = 20, binsz: float = 0.125) -> Map:
    """Intensity exp(-b^2 / 2 (0.6 deg)^2) (1.5 + sin(l / 1 deg)) 1e-9 (E / 10 GeV)^-2.4
    per cm2 s MeV sr, at 6 energy nodes 5 GeV - 300 GeV, on `template_wcs`."""
    wcs = template_wcs(nx, ny, binsz)
    nodes = np.geomspace(5, 300, 6) * u.GeV
    axis = MapAxis.from_nodes(nodes, name="energy", interp="log")
    geom = WcsGeom(wcs, (nx, ny), axes=[axis])
    coords = geom.to_image().get_skycoord()
    lon = coords.l.wrap_at(180 * u.deg).deg
    lat = coords.b.deg
    spatial = np.exp(-(lat**2) / (2 * 0.6**2)) * (1.5 + np.sin(lon / 1.0))
    spectrum = 1e-9 * (nodes / (10 * u.GeV)).to_value("") ** -2.4
    data = spectrum[:, None, None] * spatial[None]
    return Map(geom, data, unit=TEMPLATE_UNIT)


def small_dataset(binsz: float = 0.1, nx: int = 40, ny: int = 16) -> MapDataset:
    """A Galactic CAR dataset (CDELT1 < 0) of 3 reco bins 10 - 100 GeV, 4 true bins,
    exposure varying across the field, constant background, a diagonal edisp, part of the
    first reco bin masked."""
    energy = MapAxis.from_energy_bounds("10 GeV", "100 GeV", 3)
    true = MapAxis.from_energy_bounds("8 GeV", "120 GeV", 4, name="energy_true")
    geom = WcsGeom.create(
        skydir=(0, 0), binsz=binsz, width=(nx * binsz, ny * binsz), frame="galactic",
        axes=[energy],
    )  # fmt: skip
    image = geom.to_image()
    x = np.arange(nx)[None, :]
    expo = 1e11 * (1 + 0.3 * x / nx) * np.ones((ny, 1))
    exposure = Map(
        image.to_cube([true]),
        np.repeat(expo[None], 4, axis=0)
        * np.array([0.6, 1.0, 1.2, 1.1])[:, None, None],
        unit="cm2 s",
    )
    background = Map(geom, np.full(geom.data_shape, 0.5))
    counts = Map(geom, np.zeros(geom.data_shape))
    mask = np.ones(geom.data_shape, bool)
    mask[0, :, :3] = False
    edisp = EDispKernelMap.from_diagonal_response(energy, true)
    return MapDataset(
        counts, exposure, background=background, mask_safe=mask, edisp=edisp,
        name="small",
    )  # fmt: skip


def line_regions(wcs: WCS, nbin: int = 12, height: float = 1.0) -> list:
    """Rectangles along the plane from l = 1.8 deg to l = -1.8 deg."""
    return make_orthogonal_rectangle_sky_regions(
        start_pos=SkyCoord("1.8d", "0.02d", frame="galactic"),
        end_pos=SkyCoord("358.2d", "0.02d", frame="galactic"),
        wcs=wcs,
        height=height * u.deg,
        nbin=nbin,
    )
