"""`HpxGeom`: the geometry of a HEALPix sky map (all-sky or a stored subset of pixels, RING
or NESTED, any celestial frame) with non-spatial axes, as Gammapy's ``HpxGeom`` lays out
its data: ``(*reversed(axes), n_columns)``, one column per stored pixel (docs/healpix.rst).

HEALPix indexing (pixel centres, the pixel of a direction, cone searches) is done with
astropy-healpix; this module only holds the layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeGuard

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import Galactic, SkyCoord, frame_transform_graph

from .axes import MapAxes, MapAxis

__all__ = ["HpxGeom", "is_healpix"]

_FRAME_ALIASES = {
    "gal": "galactic",
    "cel": "icrs",
    "icrs": "icrs",
    "galactic": "galactic",
}
_DISK = re.compile(r"^\s*DISK\s*\(([^,]+),([^,]+),([^)]+)\)\s*$", re.IGNORECASE)


def is_healpix(geom: Any) -> TypeGuard[HpxGeom]:
    """Whether ``geom`` is a HEALPix geometry (`HpxGeom`).

    Parameters
    ----------
    geom : object
        A geometry (or anything).

    Returns
    -------
    healpix : bool
    """
    return isinstance(geom, HpxGeom)


def _frame_name(frame: Any) -> str:
    """The astropy frame name of ``frame`` ("galactic", "icrs", "fk5", ...)."""
    if not isinstance(frame, str):
        msg = f"frame must be a frame name such as 'galactic' or 'icrs', got {frame!r}"
        raise TypeError(msg)
    name = _FRAME_ALIASES.get(frame.strip().lower(), frame.strip().lower())
    if frame_transform_graph.lookup_name(name) is None:
        msg = f"frame must be a celestial frame name such as 'galactic' or 'icrs', got {frame!r}"
        raise ValueError(msg)
    return name


def _check_nside(nside: Any) -> int:
    try:
        value = int(nside)
    except (TypeError, ValueError):
        value = -1
    if value != nside or value < 1 or value & (value - 1) or value > 2**29:
        msg = f"nside must be a power of 2 between 1 and 2**29, got {nside!r}"
        raise ValueError(msg)
    return value


class HpxGeom:
    """Geometry of a HEALPix map: NSIDE, ordering, frame, the stored pixels and the axes.

    Parameters
    ----------
    nside : int
        HEALPix NSIDE (a power of 2).
    nest : bool, optional
        NESTED (True) or RING (False) ordering. Default is True (Gammapy's default).
    frame : str, optional
        Celestial frame of the pixelisation ("galactic", "icrs", ...). Default "icrs".
    pixels : array_like of int, optional
        HEALPix indices (in the map's ordering) of the stored columns, unique; the
        partial-sky layout with its pixel index column. Default is None (all sky, the
        columns are the pixels 0 ... 12 nside**2 - 1).
    axes : sequence of `~fluxprofile.MapAxis`, optional
        Non-spatial axes. Default is ().
    region : str, optional
        Gammapy's region string (``"DISK(lon,lat,radius)"``), kept for writing (HPX_REG).
        Default is None.

    Raises
    ------
    ValueError
        For an invalid NSIDE, frame or pixel list.
    """

    def __init__(
        self,
        nside: int,
        nest: bool = True,
        frame: str = "icrs",
        pixels: npt.ArrayLike | None = None,
        axes: Iterable[MapAxis] | MapAxes = (),
        region: str | None = None,
    ) -> None:
        self._nside = _check_nside(nside)
        self._nest = bool(nest)
        self._frame = _frame_name(frame)
        npix_sky = 12 * self._nside**2
        if pixels is not None:
            pix = np.asarray(pixels)
            if (
                pix.ndim != 1
                or pix.size == 0
                or not np.issubdtype(pix.dtype, np.integer)
            ):
                msg = f"pixels must be a non-empty 1-D array of integer HEALPix indices, got {pix!r}"
                raise ValueError(msg)
            pix = pix.astype(np.int64)
            if pix.min() < 0 or pix.max() >= npix_sky:
                msg = f"pixels must be in [0, {npix_sky}) for nside {self._nside}"
                raise ValueError(msg)
            if np.unique(pix).size != pix.size:
                msg = "pixels must be unique"
                raise ValueError(msg)
            pix.setflags(write=False)
            if pix.size == npix_sky and np.all(pix == np.arange(npix_sky)):
                pix = None
        else:
            pix = None
        self._pixels = pix
        self._axes = axes if isinstance(axes, MapAxes) else MapAxes(axes)
        self._region = region

    # ---- constructors ----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        nside: int,
        nest: bool = True,
        frame: str = "icrs",
        region: str | None = None,
        axes: Iterable[MapAxis] = (),
        skydir: SkyCoord | None = None,
        width: u.Quantity | str | None = None,
    ) -> HpxGeom:
        """An all-sky or disk geometry, as Gammapy's ``HpxGeom.create``.

        A disk (``region="DISK(lon,lat,radius)"`` in degrees of ``frame``, or ``skydir``
        and ``width`` = the diameter) holds the pixels whose centre is inside it.

        Parameters
        ----------
        nside : int
            NSIDE.
        nest : bool, optional
            NESTED ordering. Default is True.
        frame : str, optional
            Frame. Default is "icrs".
        region : str, optional
            ``"DISK(lon,lat,radius)"``. Default is None (all sky).
        axes : sequence of `~fluxprofile.MapAxis`, optional
            Non-spatial axes. Default is ().
        skydir : `~astropy.coordinates.SkyCoord`, optional
            Disk centre (with ``width``). Default is None.
        width : `~astropy.units.Quantity` or str, optional
            Disk diameter. Default is None.

        Returns
        -------
        geom : `HpxGeom`

        Raises
        ------
        ValueError
            For a region string that is not a DISK, or a disk with no pixel centre.
        """
        frame = _frame_name(frame)
        if skydir is not None:
            if width is None:
                msg = "create: skydir needs width (the disk diameter)"
                raise ValueError(msg)
            c = skydir.transform_to(frame).spherical
            radius = u.Quantity(width).to_value(u.deg) / 2
            region = f"DISK({c.lon.deg},{c.lat.deg},{radius})"
        if region is None:
            return cls(nside, nest, frame, axes=axes)
        match = _DISK.match(region)
        if match is None:
            msg = f"region must be 'DISK(lon,lat,radius)' in degrees, got {region!r}"
            raise ValueError(msg)
        lon, lat, radius = (float(v) for v in match.groups())
        pixels = disk_pixels(nside, nest, lon, lat, radius)
        if pixels.size == 0:
            msg = f"region {region!r} holds no pixel centre at nside {nside}"
            raise ValueError(msg)
        return cls(nside, nest, frame, pixels=pixels, axes=axes, region=region)

    # ---- properties ------------------------------------------------------------------
    @property
    def nside(self) -> int:
        """HEALPix NSIDE."""
        return self._nside

    @property
    def order(self) -> int:
        """log2(NSIDE)."""
        return int(self._nside).bit_length() - 1

    @property
    def nest(self) -> bool:
        """Whether the ordering is NESTED."""
        return self._nest

    @property
    def ordering(self) -> str:
        """ "NESTED" or "RING"."""
        return "NESTED" if self._nest else "RING"

    @property
    def frame(self) -> str:
        """Frame of the pixelisation."""
        return self._frame

    @property
    def projection(self) -> str:
        """ "HPX"."""
        return "HPX"

    @property
    def region(self) -> str | None:
        """Gammapy's region string of a partial-sky map (or None)."""
        return self._region

    @property
    def npix_sky(self) -> int:
        """Pixels of the whole sphere, 12 NSIDE**2."""
        return 12 * self._nside**2

    @property
    def is_allsky(self) -> bool:
        """Whether every pixel of the sphere is stored."""
        return self._pixels is None

    @property
    def pixels(self) -> np.ndarray:
        """HEALPix indices of the stored columns (read-only int64)."""
        if self._pixels is None:
            pix = np.arange(self.npix_sky, dtype=np.int64)
            pix.setflags(write=False)
            return pix
        return self._pixels

    @property
    def npix(self) -> tuple[int]:
        """Stored columns, as a 1-tuple (the image size, cf. ``WcsGeom.npix``)."""
        return (self.npix_sky if self._pixels is None else int(self._pixels.size),)

    @property
    def axes(self) -> MapAxes:
        """Non-spatial axes."""
        return self._axes

    @property
    def data_shape(self) -> tuple[int, ...]:
        """Numpy shape of a map's data: reversed non-spatial axes, then the columns."""
        return (*reversed(self._axes.shape), self.npix[0])

    @property
    def is_image(self) -> bool:
        """Whether the geometry has no non-spatial axis."""
        return len(self._axes) == 0

    @property
    def pixel_area(self) -> u.Quantity:
        """Solid angle of every pixel, 4 pi / (12 NSIDE**2) sr (HEALPix is equal-area)."""
        return u.Quantity(4 * np.pi / self.npix_sky, u.sr)

    @property
    def pixel_scales(self) -> u.Quantity:
        """Pixel size, sqrt(pixel area), for both directions, in deg."""
        size = np.sqrt(self.pixel_area.to_value(u.deg**2))
        return u.Quantity([size, size], u.deg)

    @property
    def center_skydir(self) -> SkyCoord:
        """Direction of the mean of the stored pixels' centres ((0, 0) for all-sky)."""
        if self._pixels is None:
            return SkyCoord(0 * u.deg, 0 * u.deg, frame=self._frame)
        v = self.pixel_vectors().mean(axis=0)
        lon = np.arctan2(v[1], v[0])
        lat = np.arctan2(v[2], np.hypot(v[0], v[1]))
        return SkyCoord(lon * u.rad, lat * u.rad, frame=self._frame)

    # ---- derived geometries ----------------------------------------------------------
    def copy(self, **kwargs: Any) -> HpxGeom:
        """Copy, overriding ``nside``, ``nest``, ``frame``, ``pixels``, ``axes`` or ``region``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace.

        Returns
        -------
        geom : `HpxGeom`
        """
        args = {
            "nside": self._nside, "nest": self._nest, "frame": self._frame,
            "pixels": self._pixels, "axes": self._axes, "region": self._region,
        }  # fmt: skip
        unknown = set(kwargs) - set(args)
        if unknown:
            msg = f"copy() got unknown arguments {sorted(unknown)}"
            raise TypeError(msg)
        args.update(kwargs)
        return type(self)(**args)

    def to_image(self) -> HpxGeom:
        """The same pixels without non-spatial axes."""
        return self.copy(axes=())

    def to_cube(self, axes: Iterable[MapAxis]) -> HpxGeom:
        """The same pixels with ``axes`` appended to the existing ones."""
        return self.copy(axes=[*self._axes, *axes])

    # ---- pixels and directions -------------------------------------------------------
    def _healpix(self) -> Any:
        from astropy_healpix import HEALPix

        return HEALPix(nside=self._nside, order=self.ordering.lower())

    def pixel_lonlat(
        self, pixels: npt.ArrayLike | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude (rad) of pixel centres (default: the stored columns)."""
        pix = self.pixels if pixels is None else np.asarray(pixels, dtype=np.int64)
        lon, lat = self._healpix().healpix_to_lonlat(pix)
        return np.asarray(lon.to_value(u.rad)), np.asarray(lat.to_value(u.rad))

    def pixel_vectors(self, pixels: npt.ArrayLike | None = None) -> np.ndarray:
        """Unit vectors (m, 3) of pixel centres in the map's frame (default: the columns)."""
        lon, lat = self.pixel_lonlat(pixels)
        cos_lat = np.cos(lat)
        return np.ascontiguousarray(
            np.stack(
                [cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1
            )
        )

    def get_skycoord(self) -> SkyCoord:
        """Centres of the stored pixels (one per column)."""
        lon, lat = self.pixel_lonlat()
        return SkyCoord(lon * u.rad, lat * u.rad, frame=self._frame)

    def skycoord_to_healpix(self, coord: SkyCoord) -> np.ndarray:
        """HEALPix index (map ordering) of the pixel containing each direction."""
        if not isinstance(coord, SkyCoord):
            msg = f"coord must be a SkyCoord, got {type(coord).__name__}"
            raise TypeError(msg)
        c = coord.transform_to(self._frame).spherical
        return np.asarray(
            self._healpix().lonlat_to_healpix(c.lon, c.lat), dtype=np.int64
        )

    def healpix_to_column(self, pixels: npt.ArrayLike) -> np.ndarray:
        """Stored column of every HEALPix index, -1 where the map does not hold it."""
        pix = np.asarray(pixels, dtype=np.int64)
        if self._pixels is None:
            return pix.copy()
        order = np.argsort(self._pixels, kind="stable")
        ordered = self._pixels[order]
        pos = np.clip(np.searchsorted(ordered, pix), 0, ordered.size - 1)
        return np.where(ordered[pos] == pix, order[pos], -1).astype(np.int64)

    def skycoord_to_pix(self, coord: SkyCoord) -> np.ndarray:
        """Stored column of the pixel containing each direction (-1: not stored)."""
        return self.healpix_to_column(self.skycoord_to_healpix(coord))

    def solid_angle(self) -> u.Quantity:
        """Solid angle of every stored pixel, shape ``(n_columns,)`` (all equal)."""
        return u.Quantity(np.full(self.npix[0], self.pixel_area.value), u.sr)

    # ---- comparison and display ------------------------------------------------------
    def is_allclose(
        self, other: Any, rtol_axes: float = 1e-6, atol_axes: float = 1e-6
    ) -> bool:
        """Same pixelisation, pixels and (within tolerance) axes."""
        if not isinstance(other, HpxGeom):
            return False
        if (self._nside, self._nest, self._frame) != (
            other._nside,
            other._nest,
            other._frame,
        ):
            return False
        if not np.array_equal(self.pixels, other.pixels):
            return False
        if len(self._axes) != len(other._axes):
            return False
        return all(
            a.is_allclose(b, rtol=rtol_axes, atol=atol_axes)
            if hasattr(a, "is_allclose") else a == b
            for a, b in zip(self._axes, other._axes, strict=True)
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        return self.is_allclose(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"HpxGeom\n\n\taxes       : {['skycoord', *self._axes.names]}\n"
            f"\tshape      : {(self.npix[0], *self._axes.shape)}\n"
            f"\tnside      : {self._nside}\n\tnested     : {self._nest}\n"
            f"\tframe      : {self._frame}\n\tprojection : HPX\n"
            f"\tregion     : {self._region or ('all sky' if self.is_allsky else 'explicit pixels')}\n"
        )


def disk_pixels(
    nside: int, nest: bool, lon: float, lat: float, radius: float
) -> np.ndarray:
    """Sorted HEALPix indices of the pixels whose centre is within ``radius`` deg of
    (``lon``, ``lat``) deg (Gammapy's DISK region of partial-sky maps)."""
    from astropy_healpix import HEALPix

    hp = HEALPix(nside=_check_nside(nside), order="nested" if nest else "ring")
    candidates = np.asarray(
        hp.cone_search_lonlat(lon * u.deg, lat * u.deg, radius * u.deg), dtype=np.int64
    )
    plon, plat = hp.healpix_to_lonlat(candidates)
    centre = SkyCoord(lon * u.deg, lat * u.deg, frame=Galactic)
    sep = centre.separation(SkyCoord(plon, plat, frame=Galactic)).to_value(u.deg)
    return np.sort(candidates[sep <= radius])
