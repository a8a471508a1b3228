"""A small simulated Fermi-LAT-like Galactic-centre dataset for examples and tests.

`make_example_dataset` builds, in well under a second and without any data file, a
`~fluxprofile.MapDataset` with the layout of the Fermi-LAT 3FHL Galactic-centre
file used in Gammapy's flux profile tutorial: a 400 x 200 CAR map in Galactic coordinates
(0.05 deg pixels), 11 logarithmic reconstructed-energy bins from 10 to 500 GeV, an
exposure on 12 true-energy nodes, a diffuse background model, a spatially constant energy
dispersion kernel and a safe mask excluding a 1 deg border. The counts are a Poisson
realisation of background plus a handful of point-like and extended Gaussian sources
along the Galactic plane, folded with exposure, energy dispersion and a simple PSF.
"""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
from scipy.special import erf

from .datamodel import EDispKernelMap, Map, MapAxis, MapDataset, WcsGeom
from .datamodel.spectral import PowerLawSpectralModel

__all__ = ["make_example_dataset"]

_NX, _NY, _BINSZ = 400, 200, 0.05  # pixels, pixels, deg
_E_MIN, _E_MAX = 10.0, 500.0  # GeV
_N_RECO, _N_TRUE = 11, 12
_BORDER = 1.0  # deg, unsafe border width
_EDISP_SIGMA = 0.15  # lognormal energy resolution (in ln E)
_EDISP_SUBSAMPLES = 16  # true-energy samples per true bin for the kernel

# Diffuse background: dN/dE per steradian at 1 TeV (cm-2 s-1 sr-1 TeV-1) and index.
_DIFFUSE_AMPLITUDE = 5.5e-9
_DIFFUSE_INDEX = 2.55

# Sources: (lon deg, lat deg, intrinsic Gaussian sigma deg (0 = point-like),
#           flux 10-500 GeV in cm-2 s-1, power-law index)
_SOURCES = (
    (-0.06, -0.04, 0.0, 2.5e-9, 2.3),  # Galactic centre
    (0.0, 0.0, 0.7, 3.0e-9, 2.4),  # extended central excess
    (0.87, 0.08, 0.0, 5.0e-10, 2.2),
    (6.6, -0.27, 0.4, 1.8e-9, 2.6),  # W28-like
    (-1.4, -0.6, 0.0, 5.0e-10, 2.3),
    (-3.2, -0.5, 0.5, 9.0e-10, 2.4),
    (-5.6, 0.2, 0.0, 6.0e-10, 2.5),
    (-8.2, 0.5, 0.0, 6.0e-10, 2.7),
    (3.4, 0.3, 0.25, 7.0e-10, 2.3),
    (8.5, -0.2, 0.0, 4.0e-10, 2.1),
)


def _true_edges(nodes: np.ndarray) -> np.ndarray:
    """Edges of a log centre-node axis: log midpoints, ends extrapolated by half a step."""
    ln = np.log(nodes)
    inner = 0.5 * (ln[1:] + ln[:-1])
    return np.exp(
        np.concatenate(
            [[ln[0] - (ln[1] - ln[0]) / 2], inner, [ln[-1] + (ln[-1] - ln[-2]) / 2]]
        )
    )


def _edisp_kernel(true_edges: np.ndarray, reco_edges: np.ndarray) -> np.ndarray:
    """Kernel (n_true, n_reco): lognormal migration averaged over each true bin."""
    n_true = true_edges.size - 1
    frac = (np.arange(_EDISP_SUBSAMPLES) + 0.5) / _EDISP_SUBSAMPLES
    ln_lo, ln_hi = np.log(true_edges[:-1]), np.log(true_edges[1:])
    ln_true = ln_lo[:, None] + (ln_hi - ln_lo)[:, None] * frac  # (n_true, n_sub)
    z = (np.log(reco_edges)[None, None, :] - ln_true[..., None]) / (
        _EDISP_SIGMA * math.sqrt(2)
    )
    cdf = 0.5 * (1 + erf(z))  # (n_true, n_sub, n_reco + 1)
    return np.diff(cdf, axis=-1).mean(axis=1).reshape(n_true, reco_edges.size - 1)


def _pixel_gaussian(centres: np.ndarray, mean: float, sigma: np.ndarray) -> np.ndarray:
    """Fraction of a 1-D Gaussian in each pixel (shape (n_sigma, n_pix))."""
    lo = (centres - _BINSZ / 2 - mean)[None, :]
    hi = (centres + _BINSZ / 2 - mean)[None, :]
    scale = (np.sqrt(2) * sigma)[:, None]
    return 0.5 * (erf(hi / scale) - erf(lo / scale))


def _exposure(lon: np.ndarray, lat: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Smooth Fermi-like exposure (n_true, ny, nx) in cm2 s, a few 1e11."""
    x = np.log(nodes / _E_MIN) / np.log(_E_MAX / _E_MIN)
    spectral = 3.22e11 * (1 + 0.03 * np.sin(2.5 * x))
    spatial = (1 + 0.025 * np.cos(np.radians(lon) * 9.0))[None, :] * (
        1 - 0.015 * (lat / 5.0) ** 2
    )[:, None]
    return spectral[:, None, None] * spatial[None]


def _diffuse_template(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Relative diffuse intensity (ny, nx): bright thin disk, broad component, bulge."""
    lat_profile = (
        0.55 * np.exp(-0.5 * (lat / 0.35) ** 2)
        + 0.3 * np.exp(-0.5 * (lat / 2.0) ** 2)
        + 0.15
    )
    lon_profile = 0.75 + 0.25 * np.exp(-0.5 * (lon / 6.0) ** 2)
    return lat_profile[:, None] * lon_profile[None, :]


def make_example_dataset(seed: int = 0) -> MapDataset:
    """Simulate a Fermi-LAT-like Galactic-centre `~fluxprofile.MapDataset`.

    Parameters
    ----------
    seed : int, optional
        Seed of `numpy.random.default_rng` used for the Poisson counts; the same seed
        always gives identical arrays. Default is 0.

    Returns
    -------
    dataset : `~fluxprofile.MapDataset`
        Counts (int32, (11, 200, 400)), background (float32), exposure (float32, cm2 s,
        12 true-energy nodes 10-500 GeV), a spatially constant `EDispKernelMap` and a
        boolean safe mask that is False within 1 deg of the map border.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.

    Examples
    --------
    >>> from fluxprofile.demo import make_example_dataset
    >>> dataset = make_example_dataset(seed=1)
    >>> dataset.counts.data.shape
    (11, 200, 400)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        msg = f"seed must be an integer, got {seed!r} of type {type(seed).__name__}"
        raise TypeError(msg)
    rng = np.random.default_rng(int(seed))

    energy_axis = MapAxis.from_energy_bounds(
        _E_MIN * u.GeV, _E_MAX * u.GeV, nbin=_N_RECO, name="energy"
    )
    true_nodes = np.geomspace(_E_MIN, _E_MAX, _N_TRUE)
    true_axis = MapAxis.from_nodes(true_nodes * u.GeV, name="energy_true", interp="log")
    reco_edges = energy_axis.edges.to_value(u.GeV)
    true_edges = _true_edges(true_nodes)

    geom = WcsGeom.create(
        skydir=(0, 0),
        binsz=_BINSZ,
        width=(_NX * _BINSZ, _NY * _BINSZ),
        frame="galactic",
        proj="CAR",
        axes=[energy_axis],
    )
    geom_true = WcsGeom.create(
        skydir=(0, 0),
        binsz=_BINSZ,
        width=(_NX * _BINSZ, _NY * _BINSZ),
        frame="galactic",
        proj="CAR",
        axes=[true_axis],
    )
    # pixel-centre coordinates; CAR centred on the equator is separable in (lon, lat)
    xs, ys = np.arange(_NX, dtype=float), np.arange(_NY, dtype=float)
    lon = geom.wcs.wcs_pix2world(xs, np.full(_NX, (_NY - 1) / 2), 0)[0]
    lat = geom.wcs.wcs_pix2world(np.full(_NY, (_NX - 1) / 2), ys, 0)[1]
    lon = (lon + 180.0) % 360.0 - 180.0
    d = np.radians(_BINSZ)
    solid_angle = d * (
        np.sin(np.radians(lat) + d / 2) - np.sin(np.radians(lat) - d / 2)
    )

    exposure = _exposure(lon, lat, true_nodes)  # (n_true, ny, nx)
    kernel = _edisp_kernel(true_edges, reco_edges)  # (n_true, n_reco)
    e_lo, e_hi = true_edges[:-1] * u.GeV, true_edges[1:] * u.GeV

    # diffuse background: intensity x solid angle x exposure, folded with the kernel
    diffuse = PowerLawSpectralModel(
        index=_DIFFUSE_INDEX, amplitude=_DIFFUSE_AMPLITUDE * u.Unit("cm-2 s-1 TeV-1")
    )
    flux_true = diffuse.integral(e_lo, e_hi).to_value("cm-2 s-1")  # per sr
    template = _diffuse_template(lon, lat) * solid_angle[:, None]  # (ny, nx) sr
    mu_true = flux_true[:, None, None] * exposure * template[None]
    background = np.tensordot(kernel, mu_true, axes=(0, 0))  # (n_reco, ny, nx)

    # sources: PL spectrum through exposure at the source and the kernel; Gaussian
    # morphology convolved with a Gaussian PSF narrowing with energy
    centres = np.sqrt(reco_edges[:-1] * reco_edges[1:])
    psf_sigma = np.maximum(0.12 * (centres / _E_MIN) ** -0.25, 0.05)  # deg
    signal = np.zeros_like(background)
    ix = np.arange(_NX)
    for l0, b0, sigma, flux, index in _SOURCES:
        spectrum = PowerLawSpectralModel(index=index)
        norm = flux / spectrum.integral(_E_MIN * u.GeV, _E_MAX * u.GeV).to_value(
            "cm-2 s-1"
        )
        f_true = norm * spectrum.integral(e_lo, e_hi).to_value("cm-2 s-1")
        px = int(np.argmin(np.abs(lon[ix] - l0)))
        py = int(np.argmin(np.abs(lat - b0)))
        npred_reco = (f_true * exposure[:, py, px]) @ kernel  # (n_reco,)
        width = np.hypot(sigma, psf_sigma)
        profile_lat = _pixel_gaussian(lat, b0, width)  # (n_reco, ny)
        profile_lon = _pixel_gaussian(lon, l0, width)  # (n_reco, nx)
        signal += (
            npred_reco[:, None, None]
            * profile_lat[:, :, None]
            * profile_lon[:, None, :]
        )

    counts = rng.poisson(background + signal).astype(np.int32)

    border = round(_BORDER / _BINSZ)
    mask = np.zeros(geom.data_shape, dtype=bool)
    mask[:, border : _NY - border, border : _NX - border] = True

    edisp = EDispKernelMap(kernel, true_axis, energy_axis)
    return MapDataset(
        counts=Map(geom, counts),
        exposure=Map(geom_true, exposure.astype(np.float32), unit="cm2 s"),
        background=Map(geom, background.astype(np.float32)),
        mask_safe=Map(geom, mask),
        edisp=edisp,
        name="fluxprofile-example",
    )
