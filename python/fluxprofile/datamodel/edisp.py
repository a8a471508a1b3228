"""`EDispKernelMap`: energy-dispersion kernels of a map dataset, constant on the sky or
on a coarse WCS grid, picked at sky positions by Gammapy's nearest-pixel rule."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord
from astropy.io import fits

from .axes import MapAxis
from .geom import WcsGeom
from .irf_positions import nearest_irf_pixels
from .map import Map

__all__ = ["EDispKernelMap"]


class EDispKernelMap:
    """Energy-dispersion kernels: probability that true-energy bin j is reconstructed in
    reco bin i, ``K[j, i]``, either one kernel for the whole sky (region map) or one per
    pixel of a coarse WCS grid.

    Parameters
    ----------
    data : `~numpy.ndarray`
        Kernel, shape (n_true, n_reco) for a spatially constant kernel, or
        (n_true, n_reco, ny, nx) on ``geom``.
    energy_axis_true : `~fluxprofile.MapAxis`
        True-energy axis (n_true bins), named "energy_true".
    energy_axis : `~fluxprofile.MapAxis`
        Reconstructed-energy axis (n_reco bins), named "energy".
    geom : `~fluxprofile.WcsGeom`, optional
        Sky grid of a spatially varying kernel (its axes are ignored). Default is None
        (spatially constant).
    exposure : `~numpy.ndarray`, optional
        IRF exposure map carried along for writing, shape (n_true, 1[, ny, nx]).
        Default is None.
    exposure_unit : str or `~astropy.units.Unit`, optional
        Unit of ``exposure``. Default is "m2 s".

    Raises
    ------
    TypeError
        If an axis is not a `~fluxprofile.MapAxis` or ``geom`` not a WcsGeom.
    ValueError
        If the data shape does not match the axes (and geometry).
    """

    def __init__(
        self,
        data: npt.ArrayLike,
        energy_axis_true: MapAxis,
        energy_axis: MapAxis,
        geom: WcsGeom | None = None,
        exposure: npt.ArrayLike | None = None,
        exposure_unit: str | u.UnitBase = "m2 s",
    ) -> None:
        for argname, axis in (
            ("energy_axis_true", energy_axis_true),
            ("energy_axis", energy_axis),
        ):
            if not isinstance(axis, MapAxis):
                msg = f"{argname} must be a MapAxis, got {type(axis).__name__}"
                raise TypeError(msg)
        if geom is not None and not isinstance(geom, WcsGeom):
            msg = f"geom must be a WcsGeom or None, got {type(geom).__name__}"
            raise TypeError(msg)
        data = np.asarray(data)
        shape = (energy_axis_true.nbin, energy_axis.nbin)
        if geom is not None:
            geom = geom.to_image().to_cube([energy_axis, energy_axis_true])
            shape = geom.data_shape
        if data.shape != shape:
            msg = (
                f"data shape {data.shape} does not match the kernel axes "
                f"(n_true={energy_axis_true.nbin}, n_reco={energy_axis.nbin}) and geometry: "
                f"expected {shape}"
            )
            raise ValueError(msg)
        self._data = data
        self._energy_axis_true = energy_axis_true
        self._energy_axis = energy_axis
        self._geom = geom
        self._exposure = None if exposure is None else np.asarray(exposure)
        self._exposure_unit = u.Unit(exposure_unit)

    # ---- constructors ----------------------------------------------------------------
    @classmethod
    def from_diagonal_response(
        cls,
        energy_axis: MapAxis,
        energy_axis_true: MapAxis,
        geom: WcsGeom | None = None,
    ) -> EDispKernelMap:
        """Kernel without dispersion: K[j, i] = overlap of true bin j with reco bin i,
        divided by the width of true bin j.

        The argument order is gammapy's ``(energy_axis, energy_axis_true)``; axes passed
        the other way round are recognised by their names and swapped.

        Parameters
        ----------
        energy_axis : `~fluxprofile.MapAxis`
            Reconstructed-energy axis.
        energy_axis_true : `~fluxprofile.MapAxis`
            True-energy axis.
        geom : `~fluxprofile.WcsGeom`, optional
            Sky grid to repeat the kernel on. Default is None (spatially constant).

        Returns
        -------
        edisp : `EDispKernelMap`
            The kernel map.
        """
        for argname, axis in (
            ("energy_axis", energy_axis),
            ("energy_axis_true", energy_axis_true),
        ):
            if not isinstance(axis, MapAxis):
                msg = f"{argname} must be a MapAxis, got {type(axis).__name__}"
                raise TypeError(msg)
        if energy_axis.name == "energy_true" and energy_axis_true.name != "energy_true":
            energy_axis, energy_axis_true = energy_axis_true, energy_axis
        if not energy_axis.unit.is_equivalent(energy_axis_true.unit):
            msg = (
                f"energy_axis unit {energy_axis.unit} and energy_axis_true unit "
                f"{energy_axis_true.unit} are not compatible"
            )
            raise ValueError(msg)
        unit = energy_axis_true.unit
        reco = energy_axis.edges.to_value(unit)
        true = energy_axis_true.edges.to_value(unit)
        lo = np.fmax(reco[:-1][None, :], true[:-1][:, None])
        hi = np.fmin(reco[1:][None, :], true[1:][:, None])
        kernel = np.clip(hi - lo, 0, np.inf) / np.diff(true)[:, None]
        if geom is not None:
            ny, nx = geom.data_shape[-2:]
            kernel = np.broadcast_to(
                kernel[:, :, None, None], (*kernel.shape, ny, nx)
            ).copy()
        return cls(kernel, energy_axis_true, energy_axis, geom=geom)

    @classmethod
    def from_hdulist(cls, hdulist: fits.HDUList, filename: str = "") -> EDispKernelMap:
        """Read the EDISP (and optional EDISP_EXPOSURE) HDUs of an open DL4 file.

        See `fluxprofile.io.edisp_hdus.read_edisp_hdus`.

        Parameters
        ----------
        hdulist : `~astropy.io.fits.HDUList`
            Open FITS file with an EDISP HDU.
        filename : str, optional
            File name used in error messages. Default is "".

        Returns
        -------
        edisp : `EDispKernelMap`
            The kernel map.

        Raises
        ------
        ValueError
            If EDISP is missing, malformed, or a migration-based EDispMap.
        """
        from ..io.edisp_hdus import read_edisp_hdus

        return cls(**read_edisp_hdus(hdulist, filename=filename))

    # ---- properties ------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """Kernel data, (n_true, n_reco) or (n_true, n_reco, ny, nx)."""
        return self._data

    @property
    def energy_axis_true(self) -> MapAxis:
        """True-energy axis."""
        return self._energy_axis_true

    @property
    def energy_axis(self) -> MapAxis:
        """Reconstructed-energy axis."""
        return self._energy_axis

    @property
    def geom(self) -> WcsGeom | None:
        """Sky grid of a spatially varying kernel (None if spatially constant)."""
        return self._geom

    @property
    def is_spatial(self) -> bool:
        """Whether the kernel varies over a WCS grid."""
        return self._geom is not None

    @property
    def edisp_map(self) -> Map | None:
        """The kernel as a `~fluxprofile.Map` (WCS kernels only, else None)."""
        return None if self._geom is None else Map(self._geom, self._data)

    @property
    def exposure(self) -> np.ndarray | None:
        """IRF exposure carried along for writing (or None)."""
        return self._exposure

    # ---- evaluation ------------------------------------------------------------------
    def get_kernels(
        self,
        skycoords: SkyCoord,
        pixels: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Kernels at sky positions, picked as Gammapy 2.1 picks the kernel of a region.

        A WCS kernel map gives the kernel of the grid pixel nearest to each position,
        with Gammapy's rule for ties on pixel edges (the lower pixel) and for positions
        outside the grid (the nearest edge pixel); non-finite kernel values count as 0
        unless the whole map is non-finite (docs/irf_positions.rst). A spatially
        constant kernel is returned for every position as stored.

        Parameters
        ----------
        skycoords : `~astropy.coordinates.SkyCoord`
            Positions, scalar or shape (n,).
        pixels : tuple of `~numpy.ndarray`, optional
            ``nearest_pixels(skycoords)`` computed beforehand (the pipeline caches it per
            kernel grid and positions, docs/performance.rst). Default is None (computed).

        Returns
        -------
        kernels : `~numpy.ndarray`
            float64 array (n, n_true, n_reco) (n = 1 for a scalar position).

        Raises
        ------
        TypeError
            If ``skycoords`` is not a SkyCoord.
        ValueError
            For positions that cannot be projected on the kernel grid.
        """
        if not isinstance(skycoords, SkyCoord):
            msg = f"skycoords must be a SkyCoord, got {type(skycoords).__name__}"
            raise TypeError(msg)
        coords = skycoords.reshape(-1) if skycoords.shape else skycoords.reshape(1)
        n = coords.shape[0]
        if self._geom is None:
            kernel = self._data.astype(np.float64)
            return np.broadcast_to(kernel, (n, *kernel.shape)).copy()
        ix, iy = self.nearest_pixels(coords) if pixels is None else pixels
        kernels = np.moveaxis(self._data[:, :, iy, ix], -1, 0).astype(np.float64)
        if not np.all(np.isfinite(kernels)) and np.any(np.isfinite(self._data)):
            kernels[~np.isfinite(kernels)] = 0.0
        return kernels

    def nearest_pixels(self, skycoords: SkyCoord) -> tuple[np.ndarray, np.ndarray]:
        """Indices (ix, iy) of the kernel-grid pixel used at each position.

        The pixel nearest to the position, ties to the lower pixel, clipped to the grid:
        Gammapy's rule (`fluxprofile.datamodel.irf_positions`, docs/irf_positions.rst).

        Parameters
        ----------
        skycoords : `~astropy.coordinates.SkyCoord`
            Positions, any shape.

        Returns
        -------
        ix, iy : `~numpy.ndarray`
            int64 pixel indices (one per position, flattened) within the grid.

        Raises
        ------
        ValueError
            For a spatially constant kernel or positions where the projection fails.
        """
        if self._geom is None:
            msg = (
                "nearest_pixels needs a spatial (WCS) kernel map; this one is constant"
            )
            raise ValueError(msg)
        return nearest_irf_pixels(
            self._geom.wcs, self._geom.npix, skycoords, what="EDISP"
        )

    # ---- output ----------------------------------------------------------------------
    def to_hdulist(self) -> list[Any]:
        """EDISP (+ EDISP_BANDS, EDISP_EXPOSURE, EDISP_EXPOSURE_BANDS) HDUs.

        Returns
        -------
        hdus : list
            FITS HDUs in gammapy's DL4 layout (`fluxprofile.io.edisp_hdus.edisp_hdus`).
        """
        from ..io.edisp_hdus import edisp_hdus

        return edisp_hdus(
            self._data, self._energy_axis_true, self._energy_axis, geom=self._geom,
            exposure=self._exposure, exposure_unit=self._exposure_unit,
        )  # fmt: skip

    def __repr__(self) -> str:
        kind = (
            f"WCS {self._geom.npix}" if self._geom is not None else "region (constant)"
        )
        return (
            f"{type(self).__name__}(n_true={self._energy_axis_true.nbin}, "
            f"n_reco={self._energy_axis.nbin}, {kind})"
        )
