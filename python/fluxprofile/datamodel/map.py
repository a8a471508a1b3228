"""`Map` (alias `WcsNDMap`): data with a unit on a `WcsGeom`, with Gammapy's sums,
smoothing, cutouts, plot and FITS facades."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
import numpy.typing as npt
from astropy.coordinates import SkyCoord
from astropy.io import fits

from ._arrays import as_unit as _as_unit
from .geom import WcsGeom, pair_deg
from .hpx_geom import HpxGeom, is_healpix
from .reprs import html_repr

__all__ = ["HpxNDMap", "Map", "WcsNDMap"]


class Map:
    """Data on a `WcsGeom`: a numpy array of shape ``geom.data_shape`` with a unit.

    The array is used in place (never copied); integer, float32 and bool data stay as
    they are.

    Parameters
    ----------
    geom : `WcsGeom`
        Geometry.
    data : `~numpy.ndarray`
        Data, shape ``geom.data_shape``.
    unit : str or `~astropy.units.Unit`, optional
        Data unit. Default is "" (dimensionless).

    Raises
    ------
    TypeError
        If ``geom`` is not a `WcsGeom`.
    ValueError
        If the data shape does not match the geometry.
    """

    #: Geometry types this class holds (HpxNDMap: HpxGeom).
    _geom_types: tuple[type, ...] = (WcsGeom,)

    def __new__(cls, geom: Any = None, *args: Any, **kwargs: Any) -> Map:  # noqa: PYI034
        # Map(HpxGeom, ...) makes a HEALPix map, as Gammapy's Map factory does.
        if cls is Map and is_healpix(geom):
            return super().__new__(HpxNDMap)
        return super().__new__(cls)

    def __init__(
        self, geom: WcsGeom, data: npt.ArrayLike, unit: str | u.UnitBase = ""
    ) -> None:
        if not isinstance(geom, self._geom_types):
            names = " or ".join(t.__name__ for t in self._geom_types)
            msg = f"geom must be a {names}, got {type(geom).__name__}"
            raise TypeError(msg)
        self._geom = geom
        self._unit = _as_unit(unit)
        self.data = data  # validated by the setter

    @classmethod
    def from_geom(
        cls,
        geom: WcsGeom,
        data: npt.ArrayLike | None = None,
        unit: str | u.UnitBase = "",
        dtype: npt.DTypeLike = float,
    ) -> Map:
        """Map on ``geom`` filled with zeros (or with ``data``).

        Parameters
        ----------
        geom : `WcsGeom`
            Geometry.
        data : `~numpy.ndarray`, optional
            Data of shape ``geom.data_shape``. Default is None (zeros of ``dtype``).
        unit : str or `~astropy.units.Unit`, optional
            Unit. Default is "".
        dtype : data-type, optional
            dtype of the zeros. Default is float.

        Returns
        -------
        map : `Map`
            The map.
        """
        if not isinstance(geom, WcsGeom) and not is_healpix(geom):
            msg = f"geom must be a WcsGeom or HpxGeom, got {type(geom).__name__}"
            raise TypeError(msg)
        if data is None:
            data = np.zeros(geom.data_shape, dtype=dtype)
        return cls(geom, data, unit=unit)

    # ---- properties ------------------------------------------------------------------
    @property
    def geom(self) -> WcsGeom:
        """Geometry."""
        return self._geom

    @property
    def data(self) -> np.ndarray:
        """Data array (shared, not a copy)."""
        return self._data

    @data.setter
    def data(self, value: npt.ArrayLike) -> None:
        if isinstance(value, u.Quantity):
            msg = "data must be a plain array; pass the unit separately (unit=...)"
            raise TypeError(msg)
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        if array.shape != self._geom.data_shape:
            msg = f"data shape {array.shape} does not match the geometry's data_shape {self._geom.data_shape}"
            raise ValueError(msg)
        self._data = array

    @property
    def unit(self) -> u.UnitBase:
        """Data unit."""
        return self._unit

    @property
    def quantity(self) -> u.Quantity:
        """Data as a `~astropy.units.Quantity` (a view for float data)."""
        return u.Quantity(self._data, self._unit, copy=False)

    # ---- operations ------------------------------------------------------------------
    def sum_over_axes(self, keepdims: bool = False) -> Map:
        """Sum over all non-spatial axes (NaNs ignored).

        Parameters
        ----------
        keepdims : bool, optional
            Keep each axis as a single squashed bin. Default is False (a 2-D image).

        Returns
        -------
        map : `Map`
            Summed map.
        """
        n_axes = len(self._geom.axes)
        axis = tuple(range(n_axes))
        if np.issubdtype(self._data.dtype, np.floating):
            data = np.nansum(self._data, axis=axis, keepdims=keepdims)
        else:
            data = np.sum(self._data, axis=axis, keepdims=keepdims)
        if keepdims:
            geom = self._geom.copy(axes=[ax.squash() for ax in self._geom.axes])
        else:
            geom = self._geom.to_image()
        return type(self)(geom, data, unit=self._unit)

    def smooth(self, width: Any, kernel: str = "gauss") -> Map:
        """Smooth every image plane (Gammapy's ``WcsNDMap.smooth``).

        The planes are filtered with `scipy.ndimage`, borders reflected
        (``d c b a | a b c d``, its "reflect" mode): "gauss" is ``gaussian_filter``
        (``truncate=4``), "disk" is ``convolve`` with astropy's normalised
        ``Tophat2DKernel`` of radius ``width`` (docs/data_model.rst).

        Parameters
        ----------
        width : `~astropy.units.Quantity`, str or float
            Gaussian standard deviation or disk radius: an angle (converted with the mean
            pixel size) or a number of pixels.
        kernel : {"gauss", "disk"}, optional
            Kernel shape. Default is "gauss".

        Returns
        -------
        map : `Map`
            Smoothed float64 copy (same geometry and unit).

        Raises
        ------
        ValueError
            For an unknown kernel or a width that is not a positive angle or number.
        """
        from scipy import ndimage

        if isinstance(width, (u.Quantity, str)):
            try:
                width = (u.Quantity(width) / self._geom.pixel_scales.mean()).to_value(
                    ""
                )
            except (TypeError, ValueError, u.UnitsError) as err:
                msg = f"width must be an angle or a number of pixels, got {width!r}"
                raise ValueError(msg) from err
        try:
            width = float(width)
        except (TypeError, ValueError) as err:
            msg = f"width must be an angle or a number of pixels, got {width!r}"
            raise ValueError(msg) from err
        if not np.isfinite(width) or width <= 0:
            msg = f"width must be positive, got {width!r} pixels"
            raise ValueError(msg)
        data = np.asarray(self._data, dtype=np.float64)
        # the kernels act on the two image dimensions only: one plane at a time
        n_planes = data.ndim - 2
        if kernel == "gauss":
            sigma = (0.0,) * n_planes + (width, width)
            out = ndimage.gaussian_filter(data, sigma, mode="reflect")
        elif kernel == "disk":
            from astropy.convolution import Tophat2DKernel

            disk = Tophat2DKernel(width)
            disk.normalize("integral")
            weights = disk.array.reshape((1,) * n_planes + disk.array.shape)
            out = ndimage.convolve(data, weights, mode="reflect")
        else:
            msg = f"kernel must be 'gauss' or 'disk', got {kernel!r}"
            raise ValueError(msg)
        return type(self)(self._geom, out, unit=self._unit)

    def cutout(self, position: SkyCoord, width: Any, mode: str = "trim") -> Map:
        """Cut out the pixels around a sky position (Gammapy's ``WcsNDMap.cutout``).

        Parameters
        ----------
        position : `~astropy.coordinates.SkyCoord`
            Centre of the cutout.
        width : `~astropy.units.Quantity`, str or pair of them
            Angular size (lon, lat); one value gives a square. Converted to a number of
            pixels with the pixel sizes (at least 1).
        mode : {"trim", "partial", "strict"}, optional
            Behaviour at the map border, as `~astropy.nddata.Cutout2D`; pixels outside
            the map are 0 in "partial" mode. Default is "trim".

        Returns
        -------
        map : `Map`
            Cutout (copy of the data; non-spatial axes kept).

        Raises
        ------
        TypeError
            If ``position`` is not a `~astropy.coordinates.SkyCoord`.
        ValueError
            For an invalid width, or a position outside the map.
        """
        from astropy.nddata import Cutout2D
        from astropy.nddata.utils import NoOverlapError, PartialOverlapError

        if not isinstance(position, SkyCoord):
            msg = f"position must be a SkyCoord, got {type(position).__name__}"
            raise TypeError(msg)
        width_deg = np.array(pair_deg(width, "width"))
        if np.any(width_deg <= 0):
            msg = f"width must be positive, got {width!r}"
            raise ValueError(msg)
        npix = np.clip(width_deg / self._geom.pixel_scales.value, 1, None)
        image_shape = (self._geom.npix[1], self._geom.npix[0])
        try:
            c2d = Cutout2D(
                np.empty(image_shape, dtype=bool),
                position=position,
                size=tuple(npix[::-1]),
                wcs=self._geom.wcs,
                mode=mode,
            )
        except (NoOverlapError, PartialOverlapError) as err:
            msg = f"cutout at {position} with width {width!r} does not fit the map ({err})"
            raise ValueError(msg) from err
        geom = WcsGeom(
            c2d.wcs, (c2d.shape[1], c2d.shape[0]), axes=list(self._geom.axes)
        )
        data = np.zeros(geom.data_shape, dtype=self._data.dtype)
        data[(Ellipsis, *c2d.slices_cutout)] = self._data[
            (Ellipsis, *c2d.slices_original)
        ]
        return type(self)(geom, data, unit=self._unit)

    def plot(
        self,
        ax: Any = None,
        stretch: str = "linear",
        add_cbar: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Show the image on a `~astropy.visualization.wcsaxes.WCSAxes` (Gammapy's ``plot``).

        Parameters
        ----------
        ax : `~astropy.visualization.wcsaxes.WCSAxes`, optional
            Axes. Default is None (a new WCSAxes on the current figure).
        stretch : str, optional
            Colour stretch of `~astropy.visualization.simple_norm` ("linear", "sqrt",
            "log", ...). Default is "linear".
        add_cbar : bool, optional
            Add a colour bar labelled with the unit. Default is False.
        **kwargs : dict
            Passed to `~matplotlib.axes.Axes.imshow` (defaults interpolation "nearest",
            origin "lower", cmap "afmhot"; ``vmin``/``vmax`` set the stretch limits).

        Returns
        -------
        ax : `~astropy.visualization.wcsaxes.WCSAxes`
            The axes.

        Raises
        ------
        TypeError
            If a non-spatial axis has more than one bin (sum or slice it first).
        """
        from ..plotting.images import plot_image

        if any(axis.nbin > 1 for axis in self._geom.axes):
            msg = (
                f"plot() needs an image: axes {self._geom.axes.names} have shape "
                f"{self._geom.axes.shape}; use sum_over_axes() first"
            )
            raise TypeError(msg)
        image = self._data.reshape(self._data.shape[-2:])
        return plot_image(
            image, self._geom.wcs, ax=ax, stretch=stretch, add_cbar=add_cbar,
            unit=self._unit, **kwargs,
        )  # fmt: skip

    def copy(self, **kwargs: Any) -> Map:
        """Deep copy, optionally replacing ``geom``, ``data`` or ``unit``.

        Parameters
        ----------
        **kwargs : dict
            Constructor arguments to replace (a given ``data`` is used as is).

        Returns
        -------
        map : `Map`
            New map.
        """
        args = {"geom": self._geom, "data": None, "unit": self._unit}
        unknown = set(kwargs) - set(args)
        if unknown:
            msg = f"copy() got unknown arguments {sorted(unknown)}"
            raise TypeError(msg)
        args.update(kwargs)
        if args["data"] is None:
            args["data"] = self._data.copy()
        return type(self)(**args)

    def __array__(
        self, dtype: npt.DTypeLike = None, copy: bool | None = None
    ) -> np.ndarray:
        if dtype is None or np.dtype(dtype) == self._data.dtype:
            return self._data.copy() if copy else self._data
        return self._data.astype(dtype)

    def _shown_dtype(self) -> np.dtype:
        """The dtype Gammapy shows: that of the FITS file (big-endian, e.g. ``>i4``) for
        the array read from one (used here in native order), else the array's."""
        stored = getattr(self, "_file_dtype", None)
        if stored is not None and stored[0] is self._data:
            return stored[1]
        return self._data.dtype

    def __repr__(self) -> str:
        geom = self._geom
        # Gammapy's class of a map on a WCS geometry (this class, also named WcsNDMap).
        name = "WcsNDMap" if type(self) is Map else type(self).__name__
        out = f"{name}\n\n"
        out += f"\tgeom  : {type(geom).__name__} \n "
        out += f"\taxes  : {['lon', 'lat', *geom.axes.names]}\n"
        out += f"\tshape : {(*geom.npix, *geom.axes.shape)}\n"
        out += f"\tndim  : {2 + len(geom.axes)}\n"
        out += f"\tunit  : {self._unit}\n"
        out += f"\tdtype : {self._shown_dtype()}\n"
        return out

    _repr_html_ = html_repr

    # ---- FITS ------------------------------------------------------------------------
    @classmethod
    def from_hdulist(
        cls,
        hdulist: fits.HDUList,
        hdu: str,
        hdu_bands: str | None = None,
        filename: str = "",
    ) -> Map:
        """Read a WCS image map (gammapy "gadf" layout) from an open HDU list.

        The image data is used as stored (big-endian FITS arrays are byte-swapped in
        place to native order; the dtype is kept). See `fluxprofile.io.fits_maps`.

        Parameters
        ----------
        hdulist : `~astropy.io.fits.HDUList`
            Open FITS file.
        hdu : str
            Name of the image HDU.
        hdu_bands : str, optional
            Name of the BANDS table. Default is None (header BANDSHDU, else
            ``<hdu>_BANDS``).
        filename : str, optional
            File name used in error messages. Default is "".

        Returns
        -------
        map : `Map`
            The map.

        Raises
        ------
        ValueError
            If the HDU is missing, not a WCS image, has an invalid (or non-celestial)
            WCS, or its shape does not match its axes.
        """
        from ..io.fits_maps import read_image_hdu
        from ..io.healpix import is_hpx_hdu, read_hpx_hdu

        if hdu in hdulist and is_hpx_hdu(hdulist[hdu]):
            geom, data, unit = read_hpx_hdu(
                hdulist, hdu, hdu_bands=hdu_bands, filename=filename
            )
            return Map(geom, data, unit=unit)
        try:
            stored = _stored_dtype(hdulist[hdu])
        except (KeyError, IndexError):
            stored = None  # read_image_hdu names the missing HDU
        geom, data, unit = read_image_hdu(
            hdulist, hdu, hdu_bands=hdu_bands, filename=filename
        )
        m = cls(geom, data, unit=unit)
        if stored is not None and not stored.isnative:
            m._file_dtype = (m.data, stored)  # shown by repr, as Gammapy shows it
        return m

    def to_hdulist(
        self, hdu: str = "SKYMAP", hdu_bands: str | None = None
    ) -> list[Any]:
        """HDUs storing the map: the image and (if the map has axes) its BANDS table.

        Parameters
        ----------
        hdu : str, optional
            Image HDU name. Default is "SKYMAP".
        hdu_bands : str, optional
            BANDS table name. Default is None (``<hdu>_BANDS``).

        Returns
        -------
        hdus : list
            `~astropy.io.fits.ImageHDU` followed by the BANDS `~astropy.io.fits.BinTableHDU`.
        """
        from ..io.fits_maps import image_hdus

        return image_hdus(
            self._geom, self._data, self._unit, hdu=hdu, hdu_bands=hdu_bands
        )


WcsNDMap = Map


# FITS stores images big-endian; BITPIX names the type (the FITS standard, table 8).
_BITPIX_DTYPES = {8: "u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}


def _stored_dtype(hdu: Any) -> np.dtype | None:
    """The dtype astropy gives the data of an image HDU, from its header alone (the
    one-pass reader hands the data over in native order); None if unknown."""
    header = getattr(hdu, "header", None)
    if header is None:
        return None
    if "BSCALE" in header or "BZERO" in header:
        # scaled (or unsigned) images: astropy's dtype depends on the scaling
        data = getattr(hdu, "data", None)
        return getattr(data, "dtype", None)
    code = _BITPIX_DTYPES.get(header.get("BITPIX"))
    return None if code is None else np.dtype(code)


class HpxNDMap(Map):
    """Data on a `HpxGeom`: shape ``geom.data_shape`` = ``(*reversed(axes), n_columns)``.

    ``Map(geom, data)`` with a `HpxGeom` makes one. Reductions (``sum_over_axes``,
    ``quantity``, ``copy``) work as on WCS maps; smoothing and cutouts are WCS-only.

    Parameters
    ----------
    geom : `HpxGeom`
        Geometry.
    data : `~numpy.ndarray`
        Data, shape ``geom.data_shape`` (used in place).
    unit : str or `~astropy.units.Unit`, optional
        Data unit. Default is "".
    """

    _geom_types = (HpxGeom,)

    @classmethod
    def read(cls, filename: Any, hdu: str | None = None) -> HpxNDMap:
        """Read a HEALPix map (Gammapy HPX layout, or a Fermi-LAT exposure cube).

        See `fluxprofile.io.healpix.read_healpix_map`.

        Parameters
        ----------
        filename : str or path
            FITS file.
        hdu : str, optional
            Table name. Default is None (the first HEALPix table).

        Returns
        -------
        map : `HpxNDMap`
        """
        from ..io.healpix import read_healpix_map

        geom, data, unit = read_healpix_map(filename, hdu=hdu)
        return cls(geom, data, unit=unit)

    def write(
        self, filename: Any, hdu: str = "SKYMAP", overwrite: bool = False
    ) -> None:
        """Write the map (atomically) in Gammapy's HPX layout.

        Parameters
        ----------
        filename : str or path
            Output file.
        hdu : str, optional
            Table name. Default "SKYMAP".
        overwrite : bool, optional
            Replace an existing file. Default False.
        """
        from ..io.healpix import write_healpix_map

        write_healpix_map(self, filename, hdu=hdu, overwrite=overwrite)

    def smooth(self, width: Any, kernel: str = "gauss") -> Map:
        """Not available on HEALPix maps.

        Raises
        ------
        NotImplementedError
            Always.
        """
        msg = (
            "smooth() works on WCS maps only; smooth HEALPix maps with healpy.smoothing"
        )
        raise NotImplementedError(msg)

    def cutout(self, position: SkyCoord, width: Any, mode: str = "trim") -> Map:
        """Not available on HEALPix maps.

        Raises
        ------
        NotImplementedError
            Always.
        """
        msg = "cutout() works on WCS maps only; regions select HEALPix pixels directly"
        raise NotImplementedError(msg)

    def plot(
        self,
        ax: Any = None,
        stretch: str = "linear",
        add_cbar: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Show the map in a Mollweide (default) or cartesian view.

        See `fluxprofile.plotting.healpix.plot_healpix`.

        Parameters
        ----------
        ax : `~matplotlib.axes.Axes`, optional
            Axes with projection "mollweide" or a plain one (cartesian). Default is None.
        stretch : str, optional
            Colour stretch. Default is "linear".
        add_cbar : bool, optional
            Add a colour bar. Default is False.
        **kwargs : dict
            Passed on (``projection="cartesian"``, ``resolution``, ``cmap``, ...).

        Returns
        -------
        ax : `~matplotlib.axes.Axes`
        """
        from ..plotting.healpix import plot_healpix

        if any(axis.nbin > 1 for axis in self.geom.axes):
            msg = (
                f"plot() needs an image: axes {self.geom.axes.names} have shape "
                f"{self.geom.axes.shape}; use sum_over_axes() first"
            )
            raise TypeError(msg)
        return plot_healpix(self, ax=ax, stretch=stretch, add_cbar=add_cbar, **kwargs)

    def __repr__(self) -> str:
        geom = self.geom
        return (
            f"{type(self).__name__}\n\n\tgeom  : HpxGeom \n"
            f"\taxes  : {['skycoord', *geom.axes.names]}\n"
            f"\tshape : {(geom.npix[0], *geom.axes.shape)}\n"
            f"\tnside : {geom.nside} ({geom.ordering}, {geom.frame})\n"
            f"\tunit  : {self.unit}\n\tdtype : {self.data.dtype}\n"
        )

    def to_hdulist(
        self, hdu: str = "SKYMAP", hdu_bands: str | None = None
    ) -> list[Any]:
        """The HDUs of the map in Gammapy's HPX layout (`fluxprofile.io.healpix`).

        Parameters
        ----------
        hdu : str, optional
            Table HDU name. Default is "SKYMAP".
        hdu_bands : str, optional
            BANDS table name. Default is None (``<hdu>_BANDS``).

        Returns
        -------
        hdus : list
            The pixel table and, if the map has axes, its BANDS table.
        """
        from ..io.healpix import hpx_map_hdus

        return hpx_map_hdus(
            self.geom, self.data, self.unit, hdu=hdu, hdu_bands=hdu_bands
        )
