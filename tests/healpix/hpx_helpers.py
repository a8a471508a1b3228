"""Helpers of the HEALPix tests (imported as ``hpx_helpers``): brute-force region
membership with astropy, simulated skies."""

from __future__ import annotations

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord, SkyOffsetFrame
from regions import (
    CircleAnnulusSkyRegion,
    CircleSkyRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)


def brute_force_inside(region, coords: SkyCoord) -> np.ndarray:
    """Which directions are inside ``region``, computed with astropy's frames only.

    Boxes: offsets in the SkyOffsetFrame centred on the box and turned by its angle
    (the height axis at position angle ``angle``, so +lon' is the width direction),
    half-open as the core's rule; circles
    and annuli: SkyCoord.separation; polygons: the winding of the great-circle edges
    (sum of the signed angles between consecutive vertices seen from the point).
    """
    if isinstance(region, RectangleSkyRegion):
        frame = SkyOffsetFrame(origin=region.center, rotation=region.angle)
        off = coords.transform_to(frame)
        lon = off.lon.wrap_at(180 * u.deg).to_value(u.rad)
        lat = off.lat.to_value(u.rad)
        hw = region.width.to_value(u.rad) / 2
        hh = region.height.to_value(u.rad) / 2
        # half-open, edges shifted by 1e-12 rad (docs/healpix.rst): a centre on an edge
        # shared by two boxes belongs to the one on the +lon' (+lat') side of it
        edge = 1e-12
        return (
            (lon >= -hw - edge)
            & (lon < hw - edge)
            & (lat >= -hh - edge)
            & (lat < hh - edge)
        )
    if isinstance(region, CircleSkyRegion):
        return region.center.separation(coords).to_value(
            u.rad
        ) < region.radius.to_value(u.rad)
    if isinstance(region, CircleAnnulusSkyRegion):
        d = region.center.separation(coords).to_value(u.rad)
        return (d >= region.inner_radius.to_value(u.rad)) & (
            d < region.outer_radius.to_value(u.rad)
        )
    if isinstance(region, PolygonSkyRegion):
        frame = coords.frame.replicate_without_data()
        p = coords.cartesian.xyz.value.T  # (m, 3)
        v = region.vertices.transform_to(frame).cartesian.xyz.value.T  # (k, 3)
        total = np.zeros(len(p))
        for a, b in zip(v, np.roll(v, -1, axis=0), strict=True):
            # signed angle at p between the great circles towards a and towards b
            na, nb = np.cross(p, a), np.cross(p, b)
            total += np.arctan2(
                np.einsum("ij,ij->i", np.cross(na, nb), p),
                np.einsum("ij,ij->i", na, nb),
            )
        near = p @ v.mean(axis=0) > 0
        return (np.abs(total) > np.pi) & near
    raise TypeError(type(region))


# -- simulated skies -------------------------------------------------------------------
INDEX = 2.4
AMPLITUDE = 1e-9  # cm-2 s-1 TeV-1 sr-1 at 1 TeV, times the template below
EXPOSURE = 3e11  # cm2 s


def template(lon_deg, lat_deg):
    """Dimensionless sky template: a ridge along the Galactic plane whose brightness
    changes with longitude, plus a small isotropic floor."""
    lon = np.deg2rad(lon_deg)
    ridge = np.exp(-0.5 * (lat_deg / 2.0) ** 2) * (
        1.5 + np.cos(lon) + 0.3 * np.sin(3 * lon)
    )
    return ridge + 0.05


def energy_axes(edges_gev=(10, 40, 2000)):
    from fluxprofile import MapAxis

    e = MapAxis.from_edges(np.asarray(edges_gev) * u.GeV, name="energy", interp="log")
    et = MapAxis.from_edges(
        np.asarray(edges_gev) * u.GeV, name="energy_true", interp="log"
    )
    return e, et


def bin_integrals(axis):
    """Power-law integral of the spectrum (index INDEX, 1 at 1 TeV) over each bin, TeV."""
    lo, hi = axis.edges[:-1].to_value(u.TeV), axis.edges[1:].to_value(u.TeV)
    g = 1 - INDEX
    return (hi**g - lo**g) / g


def expected_counts(coords: SkyCoord, pixel_sr, exposure, axis):
    """Counts cube (n_energy, *coords.shape): template x spectrum x pixel solid angle x
    exposure (exposure: (n_energy, *coords.shape), true and reco bins alike)."""
    g = coords.galactic
    t = template(g.l.deg, g.b.deg)
    per_bin = AMPLITUDE * bin_integrals(axis)
    return per_bin.reshape((-1,) + (1,) * t.ndim) * t * pixel_sr * exposure


def hpx_dataset(
    nside,
    frame="galactic",
    nest=True,
    region=None,
    poisson_seed=None,
    name="hpx",
    edges_gev=(10, 40, 2000),
    exposure_value=EXPOSURE,
):
    from fluxprofile import Map, MapDataset
    from fluxprofile.datamodel.hpx_geom import HpxGeom

    e, et = energy_axes(edges_gev)
    geom = HpxGeom.create(nside, nest=nest, frame=frame, region=region)
    exposure = np.full((et.nbin, geom.npix[0]), exposure_value)
    mu = expected_counts(
        geom.get_skycoord(), geom.pixel_area.to_value(u.sr), exposure, e
    )
    counts = (
        mu
        if poisson_seed is None
        else np.random.default_rng(poisson_seed).poisson(mu).astype(float)
    )
    return MapDataset(
        counts=Map(geom.to_cube([e]), counts),
        exposure=Map(geom.to_cube([et]), exposure, unit="cm2 s"),
        background=Map(geom.to_cube([e]), np.zeros_like(mu)),
        name=name,
    )


def wcs_dataset(binsz, width=(24, 12), name="wcs"):
    from fluxprofile import Map, MapDataset, WcsGeom

    e, et = energy_axes()
    geom = WcsGeom.create(
        skydir=SkyCoord(0, 0, unit="deg", frame="galactic"),
        binsz=binsz,
        width=width,
        frame="galactic",
        proj="CAR",
    )
    sr = geom.solid_angle().to_value(u.sr)
    exposure = np.full((et.nbin, *sr.shape[-2:]), EXPOSURE)
    mu = expected_counts(geom.get_skycoord(), sr, exposure, e)
    return MapDataset(
        counts=Map(geom.to_cube([e]), mu),
        exposure=Map(geom.to_cube([et]), exposure, unit="cm2 s"),
        background=Map(geom.to_cube([e]), np.zeros_like(mu)),
        name=name,
    )


def onoff_dataset(nside, alpha, seed, region=None, edges_gev=(10, 2000), name="onoff"):
    """An on-off HEALPix dataset: ON = signal + background b, OFF ~ Poisson(b / alpha),
    acceptance 1 and acceptance_off 1 / alpha in every pixel."""
    from fluxprofile import Map, MapDatasetOnOff
    from fluxprofile.datamodel.hpx_geom import HpxGeom

    e, et = energy_axes(edges_gev)
    geom = HpxGeom.create(nside, nest=False, frame="galactic", region=region)
    exposure = np.full((et.nbin, geom.npix[0]), EXPOSURE)
    mu = expected_counts(
        geom.get_skycoord(), geom.pixel_area.to_value(u.sr), exposure, e
    )
    rng = np.random.default_rng(seed)
    b = np.full_like(mu, 2.0)
    cube = geom.to_cube([e])
    return MapDatasetOnOff(
        counts=Map(cube, rng.poisson(mu + b).astype(float)),
        counts_off=Map(cube, rng.poisson(b / alpha).astype(float)),
        acceptance=Map(cube, np.ones_like(mu)),
        acceptance_off=Map(cube, np.full_like(mu, 1 / alpha)),
        exposure=Map(geom.to_cube([et]), exposure, unit="cm2 s"),
        name=name,
    )


def region_columns(region, geom) -> np.ndarray:
    """Stored columns of the pixels inside ``region`` (brute force), and the count of all
    pixels of the sphere inside it."""
    from fluxprofile.datamodel.hpx_geom import HpxGeom

    full = HpxGeom(geom.nside, nest=geom.nest, frame=geom.frame)
    inside = np.flatnonzero(brute_force_inside(region, full.get_skycoord()))
    columns = geom.healpix_to_column(inside)
    return columns[columns >= 0], inside.size
