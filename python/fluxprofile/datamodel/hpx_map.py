"""`HpxEDispKernelMap`: the energy-dispersion kernels of a HEALPix dataset (one kernel per
HEALPix pixel). `HpxNDMap`, the HEALPix map, lives beside `Map` in ``map.py``."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord

from .axes import MapAxis
from .edisp import EDispKernelMap
from .hpx_geom import HpxGeom
from .map import HpxNDMap, Map

__all__ = ["HpxEDispKernelMap", "HpxNDMap"]


class HpxEDispKernelMap(EDispKernelMap):
    """Energy-dispersion kernels on a HEALPix grid: ``data[j, i, column]`` is the
    probability that true bin j is reconstructed in reco bin i in that pixel.

    Parameters
    ----------
    data : `~numpy.ndarray`
        Kernels, shape (n_true, n_reco, n_columns).
    energy_axis_true, energy_axis : `~fluxprofile.MapAxis`
        The axes.
    geom : `HpxGeom`
        The kernel grid (its axes are ignored).
    exposure : `~numpy.ndarray`, optional
        EDISP_EXPOSURE data carried along for writing, (n_true, n_columns). Default None.
    exposure_unit : str or `~astropy.units.Unit`, optional
        Its unit. Default "m2 s".
    kept_hdus : list of FITS HDUs, optional
        EDISP_EXPOSURE HDUs of the file read, written back unchanged. Default None.
    """

    def __init__(
        self,
        data: npt.ArrayLike,
        energy_axis_true: MapAxis,
        energy_axis: MapAxis,
        geom: HpxGeom,
        exposure: npt.ArrayLike | None = None,
        exposure_unit: str | u.UnitBase = "m2 s",
        kept_hdus: list[Any] | None = None,
    ) -> None:
        if not isinstance(geom, HpxGeom):
            msg = f"geom must be a HpxGeom, got {type(geom).__name__}"
            raise TypeError(msg)
        # The spatially constant parent checks the axes and the kernel shape per pixel.
        data = np.asarray(data)
        shape = (energy_axis_true.nbin, energy_axis.nbin, geom.npix[0])
        if data.shape != shape:
            msg = f"data shape {data.shape} does not match (n_true, n_reco, n_columns) = {shape}"
            raise ValueError(msg)
        super().__init__(
            data[:, :, 0],
            energy_axis_true,
            energy_axis,
            exposure=None,
            exposure_unit=exposure_unit,
        )
        self._data = data
        self._geom = geom.to_image().to_cube([energy_axis, energy_axis_true])
        self._exposure = None if exposure is None else np.asarray(exposure)
        self.kept_hdus = list(kept_hdus or [])

    @property
    def edisp_map(self) -> Map:
        """The kernels as a `HpxNDMap`."""
        return Map(self._geom, self._data)

    def nearest_columns(self, skycoords: SkyCoord) -> np.ndarray:
        """Column of the pixel containing each position; for a position whose pixel is
        not stored (partial sky), the stored pixel with the nearest centre."""
        geom = self._geom
        coords = skycoords.reshape(-1) if skycoords.shape else skycoords.reshape(1)
        columns = geom.skycoord_to_pix(coords)
        missing = np.flatnonzero(columns < 0)
        if missing.size:
            c = coords[missing].transform_to(geom.frame).spherical
            lon, lat = c.lon.to_value(u.rad), c.lat.to_value(u.rad)
            v = np.stack(
                [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1
            )
            columns[missing] = np.argmax(v @ geom.pixel_vectors().T, axis=1)
        return columns

    def get_kernels(self, skycoords: SkyCoord) -> np.ndarray:
        """Kernels at sky positions: those of the pixel holding each position (Gammapy's
        nearest-pixel pick); non-finite values count as 0.

        Parameters
        ----------
        skycoords : `~astropy.coordinates.SkyCoord`
            Positions.

        Returns
        -------
        kernels : `~numpy.ndarray`
            (n, n_true, n_reco) float64.
        """
        if not isinstance(skycoords, SkyCoord):
            msg = f"skycoords must be a SkyCoord, got {type(skycoords).__name__}"
            raise TypeError(msg)
        columns = self.nearest_columns(skycoords)
        kernels = np.moveaxis(self._data[:, :, columns], -1, 0).astype(np.float64)
        kernels[~np.isfinite(kernels)] = 0.0
        return kernels

    def to_hdulist(self) -> list[Any]:
        """EDISP, EDISP_BANDS (and EDISP_EXPOSURE, EDISP_EXPOSURE_BANDS) in the HPX layout."""
        from ..io.healpix import hpx_edisp_hdus

        return hpx_edisp_hdus(self)

    def __repr__(self) -> str:
        return (
            f"HpxEDispKernelMap(n_true={self.energy_axis_true.nbin}, "
            f"n_reco={self.energy_axis.nbin}, nside={self._geom.nside}, "
            f"columns={self._geom.npix[0]})"
        )
