"""`RegionGeom`: a list of sky regions with non-spatial axes (Gammapy's ``RegionGeom``).

Two uses, as in Gammapy: the geometry of a flux-points quantity (no region, the axes of
the quantity: ``[dataset | norm,] energy, projected-distance``), and
``RegionGeom.create(region=regions)`` to draw the regions of a profile with
`RegionGeom.plot_region`. The regions are kept as the list they were given (Gammapy joins
them into one compound region; `RegionGeom.region` builds that union on demand).
"""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np
from astropy.coordinates import SkyCoord
from regions import Region, Regions

from .axes import MapAxes, MapAxis
from .label_axis import LabelMapAxis

__all__ = ["RegionGeom"]


def _region_list(region: Any) -> list[Any]:
    """The regions of ``region``: a region, a list, a `~regions.Regions`, an array, or a
    compound region (split into its parts, as Gammapy plots it)."""
    if region is None:
        return []
    if isinstance(region, str):
        return list(Regions.parse(region, format="ds9"))
    if isinstance(region, Region):
        parts = []
        stack = [region]
        while stack:
            item = stack.pop(0)
            if hasattr(item, "region1") and hasattr(item, "region2"):
                stack[:0] = [item.region1, item.region2]
            else:
                parts.append(item)
        return parts
    if isinstance(region, Regions):
        return list(region.regions)
    try:
        items = list(np.asarray(region, dtype=object).ravel())
    except TypeError as err:
        msg = f"region must be a sky region or a list of them, got {type(region).__name__}"
        raise TypeError(msg) from err
    for i, item in enumerate(items):
        if not isinstance(item, Region):
            msg = f"region[{i}] must be a region, got {type(item).__name__}"
            raise TypeError(msg)
    return items


class RegionGeom:
    """Sky regions with non-spatial axes: the geometry of flux-points quantities.

    Parameters
    ----------
    region : `~regions.SkyRegion`, list of them, `~regions.Regions` or None
        The regions (a compound region is split into its parts; a DS9 string is
        parsed). None for the geometry of flux-points quantities.
    axes : sequence of `~fluxprofile.MapAxis` or `~fluxprofile.LabelMapAxis`, optional
        Non-spatial axes, first axis first (Gammapy's order). Default is None (none).
    wcs : `~astropy.wcs.WCS`, optional
        WCS used to draw the regions when no axes are given to `plot_region`. Default
        is None (a TAN projection around the regions).

    Raises
    ------
    TypeError
        If ``region`` is not a region or a collection of regions.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.coordinates import SkyCoord
    >>> from fluxprofile import RegionGeom, make_concentric_annulus_sky_regions
    >>> regions = make_concentric_annulus_sky_regions(
    ...     center=SkyCoord("0d", "0d", frame="galactic"), radius_max="1 deg", nbin=4)
    >>> geom = RegionGeom.create(region=regions)  # 4 radii edges: 3 annuli, as Gammapy
    >>> len(geom.regions), geom.frame
    (3, 'galactic')
    """

    is_region = True
    is_hpx = False
    is_allsky = False

    def __init__(self, region: Any = None, axes: Any = None, wcs: Any = None) -> None:
        self._regions = _region_list(region)
        self._axes = MapAxes(axes or [])
        self._wcs = wcs

    @classmethod
    def create(
        cls, region: Any, axes: Any = None, wcs: Any = None, **kwargs: Any
    ) -> RegionGeom:
        """Create the geometry of a region or a list of regions (Gammapy's
        ``RegionGeom.create``).

        Parameters
        ----------
        region : `~regions.SkyRegion`, list of them, `~regions.Regions`, str or None
            The regions (a DS9 string is parsed).
        axes : sequence of `~fluxprofile.MapAxis`, optional
            Non-spatial axes. Default is None.
        wcs : `~astropy.wcs.WCS`, optional
            WCS to draw on when `plot_region` gets no axes. Default is None.
        **kwargs : dict
            Gammapy's other keywords (``binsz_wcs``, ``width``, ...) are accepted and
            ignored: they only shape Gammapy's internal WCS.

        Returns
        -------
        geom : `RegionGeom`
            The geometry.
        """
        return cls(region=region, axes=axes, wcs=wcs)

    # ---- regions ---------------------------------------------------------------------
    @property
    def regions(self) -> list[Any]:
        """The regions, as a list."""
        return list(self._regions)

    @property
    def region(self) -> Any:
        """The regions as one region (their union, a compound region), or None."""
        if not self._regions:
            return None
        return functools.reduce(operator.or_, self._regions)

    @property
    def frame(self) -> str | None:
        """Sky frame name of the first region (None without regions)."""
        for region in self._regions:
            center = getattr(region, "center", None)
            if isinstance(center, SkyCoord):
                return center.frame.name
        return None

    @property
    def center_skydir(self) -> SkyCoord:
        """Mean centre of the regions (NaN without regions, as Gammapy's)."""
        if not self._regions:
            return SkyCoord(np.nan, np.nan, unit="deg", frame="icrs")
        from ..regions.coords import polygon_center
        from ..regions.distances import region_centers

        centers = region_centers(self._regions)
        return centers[0] if len(centers) == 1 else polygon_center(centers)

    @property
    def wcs(self) -> Any:
        """The WCS `plot_region` draws on without axes (a TAN projection of about 200
        pixels around the regions unless one was given; None without regions)."""
        if self._wcs is None and self._regions:
            from ..plotting.regions import _auto_wcs

            self._wcs = _auto_wcs(self._regions)
        return self._wcs

    # ---- axes ------------------------------------------------------------------------
    @property
    def axes(self) -> MapAxes:
        """Non-spatial axes (``axes["energy"]`` by name)."""
        return self._axes

    @property
    def axes_names(self) -> list[str]:
        """Names of all axes, spatial ones first: ``["lon", "lat", ...]``."""
        return ["lon", "lat", *self._axes.names]

    @property
    def data_shape(self) -> tuple[int, ...]:
        """Shape of a map's data on this geometry: axes reversed, then ``(1, 1)``."""
        return (*self._axes.shape[::-1], 1, 1)

    @property
    def ndim(self) -> int:
        """Number of dimensions (two spatial plus the axes)."""
        return 2 + len(self._axes)

    @property
    def is_image(self) -> bool:
        """Whether there are no non-spatial axes."""
        return len(self._axes) == 0

    def to_image(self) -> RegionGeom:
        """The same regions without non-spatial axes."""
        return type(self)(self._regions, wcs=self._wcs)

    def copy(self, **kwargs: Any) -> RegionGeom:
        """Copy, with ``region``, ``axes`` or ``wcs`` replaced by ``kwargs``."""
        args = {"region": self._regions, "axes": list(self._axes), "wcs": self._wcs}
        args.update(kwargs)
        return type(self)(**args)

    def squash(self, axis_name: str) -> RegionGeom:
        """The geometry with axis ``axis_name`` reduced to one bin.

        Parameters
        ----------
        axis_name : str
            Axis to squash.

        Returns
        -------
        geom : `RegionGeom`
            The squashed geometry.
        """
        axes = list(self._axes)
        i = self._axes.index(axis_name)
        axes[i] = axes[i].squash() if hasattr(axes[i], "squash") else axes[i].slice(0)
        return self.copy(axes=axes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RegionGeom):
            return NotImplemented
        if len(self._regions) != len(other._regions) or any(
            a is not b and a != b
            for a, b in zip(self._regions, other._regions, strict=True)
        ):
            return False
        if self._axes.names != other._axes.names:
            return False
        for a, b in zip(self._axes, other._axes, strict=True):
            if isinstance(a, LabelMapAxis) != isinstance(b, LabelMapAxis):
                return False
            if isinstance(a, MapAxis) and a.nbin != b.nbin:
                return False
            if a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"RegionGeom(n_regions={len(self._regions)}, axes={self._axes.names}, "
            f"data_shape={self.data_shape})"
        )

    def __str__(self) -> str:
        region = type(self.region).__name__ if self._regions else None
        return (
            f"{type(self).__name__}\n\n"
            f"\tregion     : {region}\n"
            f"\taxes       : {self.axes_names}\n"
            f"\tshape      : {self.data_shape[::-1]}\n"
            f"\tndim       : {self.ndim}\n"
            f"\tframe      : {self.frame}\n"
        ).expandtabs(tabsize=2)

    # ---- plots -----------------------------------------------------------------------
    def plot_region(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the regions (Gammapy's ``RegionGeom.plot_region``).

        Parameters
        ----------
        ax : `~astropy.visualization.wcsaxes.WCSAxes`, optional
            Axes to draw on. Default is None: the current axes if they have a WCS, else
            new axes on `wcs`.
        **kwargs : dict
            Passed to ``as_artist`` of each pixel region (``facecolor`` defaults to
            "none", ``edgecolor`` to "C0"; ``color`` sets the edge colour), see
            `~fluxprofile.plot_regions`. Gammapy's ``kwargs_point`` and
            ``path_effect`` are accepted too.

        Returns
        -------
        ax : `~astropy.visualization.wcsaxes.WCSAxes`
            The axes drawn on.

        Raises
        ------
        ValueError
            If the geometry has no region (Gammapy only logs there and draws nothing).
        """
        from ..plotting.regions import plot_regions

        if not self._regions:
            msg = "RegionGeom.plot_region: the geometry has no region to draw"
            raise ValueError(msg)
        kwargs.pop("kwargs_point", None)
        path_effect = kwargs.pop("path_effect", None)
        if ax is None:
            import matplotlib.pyplot as plt

            current = plt.gcf().axes
            if current and getattr(current[-1], "wcs", None) is not None:
                ax = current[-1]
        n_patches = 0 if ax is None else len(ax.patches)
        ax = plot_regions(self._regions, ax=ax, wcs=self.wcs, **kwargs)
        if path_effect is not None:
            for patch in ax.patches[n_patches:]:
                patch.set_path_effects([path_effect])
        return ax
