"""`WcsGeom`: the geometry of a WCS sky map (a celestial pixel grid plus non-spatial
axes), its pixel/sky transforms and exact pixel solid angles (docs/data_model.rst)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.wcs import WCS, FITSFixedWarning
from astropy.wcs.utils import celestial_frame_to_wcs, wcs_to_celestial_frame

from .axes import MapAxes, MapAxis

__all__ = ["WcsGeom", "celestial_wcs", "pair_deg"]

_CELESTIAL_KEYS = (
    "CTYPE", "CRPIX", "CRVAL", "CDELT", "CUNIT", "CROTA",
)  # fmt: skip
_CELESTIAL_GLOBAL_KEYS = (
    "LONPOLE",
    "LATPOLE",
    "RADESYS",
    "RADECSYS",
    "EQUINOX",
    "EPOCH",
)


def _is_celestial_key(key: str) -> bool:
    """Whether a header keyword belongs to the WCS of axes 1 and 2."""
    base = key.rstrip("0123456789")
    if (
        base in _CELESTIAL_KEYS and key[len(base) :] in ("1", "2")
    ) or key in _CELESTIAL_GLOBAL_KEYS:
        return True
    # PCi_j, CDi_j and PVi_m of the two celestial axes
    return (
        key[:2] in ("PC", "CD", "PV")
        and len(key) >= 5
        and key[2] in "12"
        and key[3] == "_"
        and key[4] in "12"
    )


_WCSAXES_2 = fits.Card("WCSAXES", 2).image


def celestial_wcs(header: fits.Header) -> WCS:
    """The 2-D celestial WCS of a FITS image header (other axes and keywords dropped).

    Parameters
    ----------
    header : `~astropy.io.fits.Header`
        Header with a celestial WCS in axes 1 and 2.

    Returns
    -------
    wcs : `~astropy.wcs.WCS`
        Celestial WCS (astropy's automatic "fixes" are not reported).
    """
    # The selected cards as text for wcslib to parse: a new Header object costs more
    # than the WCS itself (~0.3 ms per map). The first card of a repeated keyword wins,
    # as header[key] gives it.
    seen: set[str] = set()
    cards = [_WCSAXES_2]
    for card in header.cards:
        key = card.keyword
        if key not in seen and _is_celestial_key(key):
            seen.add(key)
            cards.append(card.image)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        return WCS("".join(cards), naxis=2)


class WcsGeom:
    """Geometry of a WCS sky map: a 2-D celestial grid plus non-spatial axes.

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        Celestial WCS (extra non-celestial axes are dropped).
    npix : tuple of int
        Image size ``(nx, ny)`` (longitude, latitude).
    axes : sequence of `MapAxis`, optional
        Non-spatial axes; the first one is FITS NAXIS3, i.e. the last numpy dimension
        before the image. Default is ().

    Raises
    ------
    TypeError
        If ``wcs`` is not a WCS or an axis is not a `MapAxis`.
    ValueError
        If ``npix`` is not two positive integers or the WCS is not celestial.
    """

    def __init__(
        self, wcs: WCS, npix: Sequence[int], axes: Iterable[MapAxis] | MapAxes = ()
    ) -> None:
        if not isinstance(wcs, WCS):
            msg = f"wcs must be an astropy.wcs.WCS, got {type(wcs).__name__}"
            raise TypeError(msg)
        if not wcs.has_celestial:
            msg = f"wcs must be celestial, got CTYPE {list(wcs.wcs.ctype)}"
            raise ValueError(msg)
        if wcs.naxis != 2:
            wcs = wcs.celestial
        npix_arr = np.asarray(npix).ravel()
        if npix_arr.size != 2 or not all(
            float(n).is_integer() and n > 0 for n in npix_arr
        ):
            msg = f"npix must be two positive integers (nx, ny), got {npix!r}"
            raise ValueError(msg)
        self._wcs = wcs
        self._npix = (int(npix_arr[0]), int(npix_arr[1]))
        self._axes = axes if isinstance(axes, MapAxes) else MapAxes(axes)

    # ---- constructors ----------------------------------------------------------------
    @classmethod
    def create(
        cls,
        skydir: SkyCoord | tuple[float, float] | None = None,
        binsz: float | u.Quantity | tuple = 0.5,
        width: float | u.Quantity | tuple | None = None,
        frame: str = "icrs",
        proj: str = "CAR",
        axes: Iterable[MapAxis] = (),
        npix: int | tuple[int, int] | None = None,
        refpix: tuple[float, float] | None = None,
    ) -> WcsGeom:
        """Make a geometry centred on ``skydir`` (gammapy pixel conventions).

        The reference pixel is the image centre (FITS ``CRPIX = (n + 1) / 2``),
        ``CDELT1 = -binsz`` (longitude increasing to the left) and ``CDELT2 = binsz``.

        Parameters
        ----------
        skydir : `~astropy.coordinates.SkyCoord` or tuple, optional
            Image centre; a tuple is (lon, lat) in deg in ``frame``. Default is None (0, 0).
        binsz : float, `~astropy.units.Quantity` or tuple, optional
            Pixel size in deg, or (lon, lat) sizes. Default is 0.5.
        width : float, `~astropy.units.Quantity` or tuple, optional
            Image width in deg, or (lon, lat) widths; npix = rint(width / binsz).
            Default is None (use ``npix``; all-sky when both are None).
        frame : {"icrs", "galactic"}, optional
            Celestial frame. Default is "icrs".
        proj : str, optional
            WCS projection code. Default is "CAR".
        axes : sequence of `MapAxis`, optional
            Non-spatial axes. Default is ().
        npix : int or tuple, optional
            Image size (nx, ny), used when ``width`` is None. Default is None.
        refpix : tuple, optional
            FITS (1-based) reference pixel. Default is None (image centre).

        Returns
        -------
        geom : `WcsGeom`
            The geometry.
        """
        if skydir is None:
            crval = (0.0, 0.0)
        elif isinstance(skydir, SkyCoord):
            coord = skydir.transform_to(frame)
            sph = coord.spherical
            crval = (float(sph.lon.deg), float(sph.lat.deg))
        elif isinstance(skydir, (tuple, list)) and len(skydir) == 2:
            crval = (float(u.Quantity(skydir[0], u.deg).value),
                     float(u.Quantity(skydir[1], u.deg).value))  # fmt: skip
        else:
            msg = f"skydir must be a SkyCoord or a (lon, lat) tuple, got {skydir!r}"
            raise TypeError(msg)
        bx, by = pair_deg(binsz, "binsz")
        if bx <= 0 or by <= 0:
            msg = f"binsz must be positive, got {binsz!r}"
            raise ValueError(msg)
        if width is not None:
            wx, wy = pair_deg(width, "width")
            nx, ny = int(np.rint(wx / bx)), int(np.rint(wy / by))
        elif npix is not None:
            nx, ny = (npix, npix) if np.isscalar(npix) else tuple(npix)
        else:
            nx, ny = int(np.rint(360.0 / bx)), int(np.rint(180.0 / by))
        if nx < 1 or ny < 1:
            msg = f"the geometry has no pixel: npix = ({nx}, {ny}) (width {width!r}, binsz {binsz!r})"
            raise ValueError(msg)
        try:
            frame_obj = SkyCoord(0.0, 0.0, unit="deg", frame=frame).frame
        except (ValueError, TypeError) as err:
            msg = f"frame must be a celestial frame name such as 'icrs' or 'galactic', got {frame!r}"
            raise ValueError(msg) from err
        wcs = celestial_frame_to_wcs(frame_obj, projection=proj)
        wcs.wcs.crpix = (
            refpix if refpix is not None else ((nx + 1) / 2.0, (ny + 1) / 2.0)
        )
        wcs.wcs.crval = crval
        wcs.wcs.cdelt = (-bx, by)
        wcs.array_shape = (ny, nx)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FITSFixedWarning)
            wcs.wcs.datfix()
        return cls(wcs, (nx, ny), axes=axes)

    @classmethod
    def from_header(
        cls,
        header: fits.Header,
        npix: Sequence[int] | None = None,
        axes: Iterable[MapAxis] = (),
    ) -> WcsGeom:
        """Geometry from a FITS image header.

        Parameters
        ----------
        header : `~astropy.io.fits.Header`
            Header with a celestial WCS in axes 1 and 2.
        npix : tuple of int, optional
            Image size (nx, ny). Default is None (NAXIS1, NAXIS2 of the header).
        axes : sequence of `MapAxis`, optional
            Non-spatial axes. Default is ().

        Returns
        -------
        geom : `WcsGeom`
            The geometry.
        """
        if npix is None:
            try:
                npix = (int(header["NAXIS1"]), int(header["NAXIS2"]))
            except KeyError as err:
                msg = "header has no NAXIS1/NAXIS2 and npix was not given"
                raise ValueError(msg) from err
        return cls(celestial_wcs(header), npix, axes=axes)

    # ---- properties ------------------------------------------------------------------
    @property
    def wcs(self) -> WCS:
        """The celestial `~astropy.wcs.WCS`."""
        return self._wcs

    @property
    def npix(self) -> tuple[int, int]:
        """Image size (nx, ny)."""
        return self._npix

    @property
    def axes(self) -> MapAxes:
        """Non-spatial axes."""
        return self._axes

    @property
    def data_shape(self) -> tuple[int, ...]:
        """Numpy shape of a map's data: reversed non-spatial axes, then (ny, nx)."""
        return (*reversed(self._axes.shape), self._npix[1], self._npix[0])

    @property
    def is_image(self) -> bool:
        """Whether the geometry has no non-spatial axis."""
        return len(self._axes) == 0

    @property
    def frame(self) -> str:
        """Name of the celestial frame ("galactic", "icrs", "fk5", ...)."""
        return wcs_to_celestial_frame(self._wcs).name

    @property
    def projection(self) -> str:
        """WCS projection code (e.g. "CAR")."""
        return self._wcs.wcs.ctype[0][5:].strip("-") or "CAR"

    @property
    def pixel_scales(self) -> u.Quantity:
        """Absolute pixel sizes (``|CDELT1|``, ``|CDELT2|``) at the reference pixel, in deg."""
        scales = np.abs(self._wcs.wcs.get_cdelt()) * np.abs(
            np.diag(self._wcs.wcs.get_pc())
        )
        return u.Quantity(scales, u.deg)

    @property
    def center_pix(self) -> tuple[float, float]:
        """0-based pixel coordinates (x, y) of the image centre."""
        return ((self._npix[0] - 1) / 2.0, (self._npix[1] - 1) / 2.0)

    @property
    def center_skydir(self) -> SkyCoord:
        """Sky position of the image centre."""
        x, y = self.center_pix
        return self.pix_to_skycoord(x, y)

    @property
    def width(self) -> u.Quantity:
        """Image width (lon, lat) = npix * pixel size, in deg."""
        return u.Quantity(np.asarray(self._npix) * self.pixel_scales.value, u.deg)

    # ---- derived geometries ----------------------------------------------------------
    def to_image(self) -> WcsGeom:
        """The same sky grid without non-spatial axes.

        Returns
        -------
        geom : `WcsGeom`
            Image geometry.
        """
        return type(self)(self._wcs, self._npix)

    def to_cube(self, axes: Iterable[MapAxis]) -> WcsGeom:
        """The same sky grid with the given non-spatial axes (appended to existing ones).

        Parameters
        ----------
        axes : sequence of `MapAxis`
            Axes to add.

        Returns
        -------
        geom : `WcsGeom`
            Cube geometry.
        """
        return type(self)(self._wcs, self._npix, axes=[*self._axes, *axes])

    def copy(self, **kwargs: Any) -> WcsGeom:
        """Copy, overriding ``wcs``, ``npix`` or ``axes``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace.

        Returns
        -------
        geom : `WcsGeom`
            New geometry.
        """
        args = {"wcs": self._wcs.deepcopy(), "npix": self._npix, "axes": self._axes}
        unknown = set(kwargs) - set(args)
        if unknown:
            msg = f"copy() got unknown arguments {sorted(unknown)}"
            raise TypeError(msg)
        args.update(kwargs)
        return type(self)(**args)

    # ---- coordinates -----------------------------------------------------------------
    def pix_to_skycoord(self, x: npt.ArrayLike, y: npt.ArrayLike) -> SkyCoord:
        """Sky coordinates of 0-based pixel coordinates.

        Parameters
        ----------
        x, y : array-like
            0-based pixel coordinates (pixel centres are integers).

        Returns
        -------
        coord : `~astropy.coordinates.SkyCoord`
            Positions in the geometry's frame.
        """
        lon, lat = self._wcs.wcs_pix2world(
            np.asarray(x, float), np.asarray(y, float), 0
        )
        return SkyCoord(lon, lat, unit="deg", frame=wcs_to_celestial_frame(self._wcs))

    def skycoord_to_pix(self, coord: SkyCoord) -> tuple[np.ndarray, np.ndarray]:
        """0-based pixel coordinates of sky positions.

        Parameters
        ----------
        coord : `~astropy.coordinates.SkyCoord`
            Positions (any frame).

        Returns
        -------
        x, y : `~numpy.ndarray`
            Pixel coordinates (NaN where the projection is undefined).
        """
        if not isinstance(coord, SkyCoord):
            msg = f"coord must be a SkyCoord, got {type(coord).__name__}"
            raise TypeError(msg)
        sph = coord.transform_to(wcs_to_celestial_frame(self._wcs)).spherical
        x, y = self._wcs.wcs_world2pix(
            np.atleast_1d(sph.lon.deg), np.atleast_1d(sph.lat.deg), 0
        )
        return x.reshape(coord.shape), y.reshape(coord.shape)

    def get_skycoord(self) -> SkyCoord:
        """Sky positions of all pixel centres, shape (ny, nx).

        Returns
        -------
        coord : `~astropy.coordinates.SkyCoord`
            Pixel centres.
        """
        y, x = np.indices((self._npix[1], self._npix[0]), dtype=float)
        return self.pix_to_skycoord(x, y)

    def solid_angle(self, rows_per_chunk: int = 128) -> u.Quantity:
        """Solid angle of every pixel, shape (ny, nx).

        Computed exactly on the sphere: each pixel is the spherical quadrilateral of its
        four corners (great-circle sides), split in two spherical triangles. The corners
        go through the raw ``wcs_pix2world`` transform, ``rows_per_chunk`` image rows at
        a time, so that the temporaries stay bounded on survey-size maps (a few MB per
        chunk instead of ~100 bytes per pixel).

        Parameters
        ----------
        rows_per_chunk : int, optional
            Number of image rows per chunk. Default is 128. The result does not depend
            on it.

        Returns
        -------
        omega : `~astropy.units.Quantity`
            Pixel solid angles in sr (float64, C-contiguous). Pixels with a corner
            outside the projection (e.g. beyond the edge of an all-sky map) are NaN.

        Raises
        ------
        ValueError
            If ``rows_per_chunk`` is not a positive integer.
        """
        if (
            isinstance(rows_per_chunk, bool)
            or not isinstance(rows_per_chunk, (int, np.integer))
            or rows_per_chunk < 1
        ):
            msg = f"rows_per_chunk must be a positive integer, got {rows_per_chunk!r}"
            raise ValueError(msg)
        nx, ny = self._npix
        out = np.empty((ny, nx), dtype=np.float64)
        x_corner = np.arange(nx + 1, dtype=np.float64) - 0.5
        for y0 in range(0, ny, int(rows_per_chunk)):
            y1 = min(ny, y0 + int(rows_per_chunk))
            xc, yc = np.meshgrid(
                x_corner, np.arange(y0, y1 + 1, dtype=np.float64) - 0.5
            )
            lon, lat = np.deg2rad(self._wcs.wcs_pix2world(xc, yc, 0))
            cos_lat = np.cos(lat)
            vec = np.stack(
                [cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1
            )
            a, b = vec[:-1, :-1], vec[:-1, 1:]
            c, d = vec[1:, 1:], vec[1:, :-1]
            out[y0:y1] = _triangle_area(a, b, c) + _triangle_area(a, c, d)
        return u.Quantity(out, u.sr, copy=False)

    # ---- comparisons -----------------------------------------------------------------
    def is_allclose(
        self, other: object, rtol: float = 1e-6, atol: float = 1e-6
    ) -> bool:
        """Whether two geometries have the same grid (WCS, size) and close axes.

        Parameters
        ----------
        other : `WcsGeom`
            Geometry to compare with.
        rtol, atol : float, optional
            Tolerances for the WCS parameters and axis edges. Default is 1e-6.

        Returns
        -------
        allclose : bool
            True if equivalent.
        """
        if not isinstance(other, WcsGeom) or self._npix != other._npix:
            return False
        if len(self._axes) != len(other._axes):
            return False
        w1, w2 = self._wcs.wcs, other._wcs.wcs
        if list(w1.ctype) != list(w2.ctype):
            return False
        for p1, p2 in ((w1.crpix, w2.crpix), (w1.crval, w2.crval),
                       (w1.get_cdelt(), w2.get_cdelt()), (w1.get_pc(), w2.get_pc())):  # fmt: skip
            if not np.allclose(p1, p2, rtol=rtol, atol=atol):
                return False
        return all(
            a.is_allclose(b, rtol=rtol, atol=atol)
            for a, b in zip(self._axes, other._axes, strict=True)
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WcsGeom):
            return NotImplemented
        return self.is_allclose(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        center = self.center_skydir.spherical
        width = self.width.value
        out = f"{type(self).__name__}\n\n"
        out += f"\taxes       : {['lon', 'lat', *self._axes.names]}\n"
        out += f"\tshape      : {(*self._npix, *self._axes.shape)}\n"
        out += f"\tndim       : {2 + len(self._axes)}\n"
        out += f"\tframe      : {self.frame}\n"
        out += f"\tprojection : {self.projection}\n"
        out += f"\tcenter     : {center.lon.deg:.1f} deg, {center.lat.deg:.1f} deg\n"
        out += f"\twidth      : {width[0]:.1f} deg x {width[1]:.1f} deg\n"
        return out


def _triangle_area(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Solid angle of spherical triangles with unit-vector corners (Van Oosterom-Strackee)."""
    triple = np.einsum("...i,...i->...", a, np.cross(b, c))
    denom = 1.0 + np.einsum("...i,...i->...", a, b) + np.einsum("...i,...i->...", b, c)
    denom = denom + np.einsum("...i,...i->...", c, a)
    return 2.0 * np.arctan2(np.abs(triple), denom)


def pair_deg(value: Any, argname: str) -> tuple[float, float]:
    """(lon, lat) pair in deg from a scalar, a Quantity/str, or a 2-tuple of them.

    Parameters
    ----------
    value : float, str, `~astropy.units.Quantity` or pair of them
        An angle (numbers are deg) or a (lon, lat) pair of angles.
    argname : str
        Argument name used in the error message.

    Returns
    -------
    lon, lat : float
        The two angles in deg (equal for a single value).

    Raises
    ------
    ValueError
        If ``value`` is not an angle or a pair of angles.
    """
    try:
        if isinstance(value, (tuple, list)) or (
            isinstance(value, (np.ndarray, u.Quantity)) and np.ndim(value) == 1
        ):
            if len(value) != 2:
                raise ValueError
            return (float(u.Quantity(value[0], u.deg).value),
                    float(u.Quantity(value[1], u.deg).value))  # fmt: skip
        v = float(u.Quantity(value, u.deg).value)
    except (TypeError, ValueError, u.UnitsError) as err:
        msg = f"{argname} must be an angle or a pair of angles (deg), got {value!r}"
        raise ValueError(msg) from err
    return v, v
