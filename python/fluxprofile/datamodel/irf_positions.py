"""Which pixel of a WCS IRF map (the energy-dispersion kernel map) serves a sky position.

Gammapy 2.1 takes the kernel of a region at the region centre by nearest-pixel
interpolation on the IRF grid. The rule, ties on pixel edges and positions outside the
grid included, is written down in ``docs/irf_positions.rst``; this module is its only
implementation, and every position-based IRF lookup goes through `nearest_irf_pixels`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord
from astropy.wcs import WCS
from astropy.wcs.utils import wcs_to_celestial_frame

__all__ = ["irf_pixel_coordinates", "nearest_grid_index", "nearest_irf_pixels"]


def nearest_grid_index(pix: npt.ArrayLike, n: int) -> np.ndarray:
    """Index of the grid node nearest to each pixel coordinate on the grid ``0 .. n - 1``.

    A pixel coordinate exactly half-way between two nodes takes the *lower* one, and
    coordinates outside the grid take the first or last node (docs/irf_positions.rst).

    Parameters
    ----------
    pix : array-like
        Finite pixel coordinates (node k at k).
    n : int
        Number of nodes (>= 1).

    Returns
    -------
    index : `~numpy.ndarray`
        int64 indices in ``[0, n - 1]``, shape of ``pix``.

    Raises
    ------
    ValueError
        If ``n`` < 1 or a pixel coordinate is not finite.
    """
    pix = np.asarray(pix, dtype=np.float64)
    n = int(n)
    if n < 1:
        msg = f"a grid needs at least one node, got n={n}"
        raise ValueError(msg)
    if not np.all(np.isfinite(pix)):
        msg = f"pixel coordinates must be finite, got {pix[~np.isfinite(pix)][:5]}"
        raise ValueError(msg)
    if n == 1:
        return np.zeros(pix.shape, dtype=np.int64)
    # The grid interval [lower, lower + 1] holding the coordinate (the first or last
    # interval outside the grid); x - lower is exact in floating point there, so the
    # comparison with 0.5 decides ties without rounding.
    lower = np.clip(np.floor(pix), 0, n - 2)
    index = np.where(pix - lower <= 0.5, lower, lower + 1.0)
    return index.astype(np.int64)


def irf_pixel_coordinates(
    wcs: WCS, skycoords: SkyCoord
) -> tuple[np.ndarray, np.ndarray]:
    """0-based pixel coordinates of sky positions on an IRF grid, computed as Gammapy does.

    Each position is first converted to the frame *named* like its own (default frame
    attributes), then, if that name differs from the name of the WCS frame, to the frame
    of that name; its longitude and latitude in degrees go through the core WCS
    transform ``wcs_world2pix(lon, lat, 0)`` (no distortion terms).

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        Celestial WCS of the IRF grid.
    skycoords : `~astropy.coordinates.SkyCoord`
        Positions, any shape.

    Returns
    -------
    x, y : `~numpy.ndarray`
        Pixel coordinates, shape of ``skycoords`` (NaN where the projection is undefined).
    """
    target = wcs_to_celestial_frame(wcs).name
    own = skycoords.transform_to(skycoords.frame.name)
    if own.frame.name != target:
        sph = own.spherical
        own = SkyCoord(sph.lon.deg, sph.lat.deg, unit="deg", frame=own.frame.name)
        own = own.transform_to(target)
    sph = own.spherical
    lon = np.atleast_1d(sph.lon.deg)
    lat = np.atleast_1d(sph.lat.deg)
    x, y = wcs.wcs_world2pix(lon, lat, 0)
    return np.reshape(x, skycoords.shape), np.reshape(y, skycoords.shape)


def nearest_irf_pixels(
    wcs: WCS, npix: tuple[int, int], skycoords: SkyCoord, what: str = "IRF"
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (ix, iy) of the IRF-grid pixel that Gammapy uses at each position.

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        Celestial WCS of the IRF grid.
    npix : tuple of int
        Grid size (nx, ny).
    skycoords : `~astropy.coordinates.SkyCoord`
        Positions, any shape.
    what : str, optional
        Name of the IRF in error messages. Default is "IRF".

    Returns
    -------
    ix, iy : `~numpy.ndarray`
        int64 indices, flattened (one per position), within the grid.

    Raises
    ------
    TypeError
        If ``skycoords`` is not a SkyCoord.
    ValueError
        For positions that cannot be projected on the grid.
    """
    if not isinstance(skycoords, SkyCoord):
        msg = f"positions must be a SkyCoord, got {type(skycoords).__name__}"
        raise TypeError(msg)
    x, y = irf_pixel_coordinates(wcs, skycoords)
    x, y = np.ravel(x), np.ravel(y)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if np.any(bad):
        flat = skycoords.reshape(-1) if skycoords.shape else skycoords.reshape(1)
        msg = (
            f"{int(bad.sum())} position(s) cannot be projected on the {what} grid "
            f"(first: {flat[np.flatnonzero(bad)[0]]})"
        )
        raise ValueError(msg)
    nx, ny = npix
    return nearest_grid_index(x, nx), nearest_grid_index(y, ny)
