"""The estimator's cache of region geometry: a snapshot of the regions and, per WCS, their
pixel shapes, pixel lists, centres and distance axis, computed once while the regions are
unchanged."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from operator import is_
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from astropy import units as u

from .. import _core
from ..datamodel import MapAxis
from ..datamodel.hpx_geom import is_healpix
from ..regions import (
    projected_distance_edges,
    projected_distances,
    region_centers,
    sky_regions_to_pixel_shapes,
)
from .healpix import healpix_pixels, healpix_shapes

if TYPE_CHECKING:
    from astropy.coordinates import SkyCoord

    from ..regions import PixelShapes

__all__ = [
    "GeometryCache",
    "RegionGeometry",
    "distance_axis",
    "pixel_grid",
    "region_pixel_lists",
]

T = TypeVar("T")

# Entries kept per set of regions (shapes and pixel lists per WCS and map shape) before the
# cache starts over.
_MAX_ENTRIES = 16


def region_pixel_lists(
    shapes: PixelShapes, nx: int, ny: int, containment: str, n_threads: int
) -> _core.PixelLists:
    """Rasterise the regions once, for repeated reductions.

    Parameters
    ----------
    shapes : `~fluxprofile.PixelShapes`
        The regions on the map's WCS.
    nx, ny : int
        The map's image shape.
    containment : {"center", "exact"}
        Pixel membership rule.
    n_threads : int
        Threads for the compiled core (0 = all cores).

    Returns
    -------
    pixels : `fluxprofile._core.PixelLists`
        For `fluxprofile.pipeline.reduce.reduce_dataset` (repeated runs, Monte Carlo: only
        the reduction itself is repeated).
    """
    if containment == "exact":
        return _core.region_overlap(shapes, nx, ny, n_threads)
    return _core.region_pixels(shapes, nx, ny, n_threads)


def pixel_grid(geom: Any) -> tuple[Any, tuple[int, int]]:
    """What places a map's pixels (the WCS, or the HEALPix geometry itself) and its image
    shape (ny, nx) as the core reads it (HEALPix maps: one row of stored pixels)."""
    if is_healpix(geom):
        return geom, (1, geom.npix[0])
    return geom.wcs, tuple(geom.data_shape[-2:])


def distance_axis(regions: Sequence[Any], centers: SkyCoord) -> MapAxis:
    """The profile axis: distance of each region from the first (annuli: mean radius).

    Path boxes (`~fluxprofile.make_path_sky_regions`) know their extent along the path and
    give bin edges; other regions give nodes.

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        The profile regions.
    centers : `~astropy.coordinates.SkyCoord`
        Their centres (`~fluxprofile.region_centers`).

    Returns
    -------
    axis : `~fluxprofile.MapAxis`
        Named "projected-distance", in deg, linear interpolation.

    Raises
    ------
    ValueError
        If the distances are not unique or not increasing.
    """
    edges = projected_distance_edges(regions)
    if edges is not None:
        return MapAxis.from_edges(
            edges.to(u.deg), name="projected-distance", interp="lin"
        )
    distances = projected_distances(regions, centers=centers)
    values = distances.to_value(u.deg)
    if np.any(np.diff(values) == 0):
        msg = f"MapAxis: node values must be unique (projected distances {values} deg)"
        raise ValueError(msg)
    if np.any(np.diff(values) < 0):
        msg = f"MapAxis: node values must be sorted (projected distances {values} deg)"
        raise ValueError(msg)
    return MapAxis.from_nodes(
        distances.to(u.deg), name="projected-distance", interp="lin"
    )


def _same_objects(first: list[Any], second: list[Any]) -> bool:
    """Whether two lists hold the very same objects (identity, not equality)."""
    return len(first) == len(second) and all(map(is_, first, second))


def _equal_attributes(current: list[Any], snapshot: list[dict[str, Any]]) -> bool:
    """Whether every region's attributes equal the snapshot (identical objects are equal
    without being compared; values that cannot be compared count as changed)."""
    try:
        return current == snapshot
    except Exception:  # noqa: BLE001 - any __eq__ may fail, e.g. arrays compared element-wise
        return False


class RegionGeometry:
    """The derived geometry of one snapshot of the regions, computed on first use.

    Entries are keyed by name and WCS identity (the WCS is kept alive with its entry); one
    dict lookup per access, so runs sharing the estimator across threads are safe (at worst
    an entry is computed twice).

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        The regions of the snapshot.
    """

    def __init__(self, regions: list[Any]) -> None:
        self.regions = regions
        self.entries: dict[tuple[Hashable, int], tuple[Any, Any]] = {}

    def cached(
        self, name: Hashable, compute: Callable[[list[Any]], T], wcs: Any = None
    ) -> T:
        """``compute(regions)``, computed once per name and WCS."""
        key = (name, id(wcs))
        entry = self.entries.get(key)
        if entry is None:
            entry = (compute(self.regions), wcs)
            if len(self.entries) > _MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = entry
        return entry[0]

    def pixel_shapes(self, wcs: Any) -> PixelShapes:
        """The regions as pixel shapes on ``wcs`` (a HEALPix geometry: placeholders)."""
        if is_healpix(wcs):
            return self.cached("shapes", lambda regions: healpix_shapes(regions), wcs)
        return self.cached(
            "shapes", lambda regions: sky_regions_to_pixel_shapes(regions, wcs), wcs
        )

    def pixel_lists(
        self, wcs: Any, shape: tuple[int, int], containment: str, n_threads: int
    ) -> _core.PixelLists:
        """The regions' pixels on a map of image ``shape`` (ny, nx) and ``wcs``."""

        def compute(regions: list[Any]) -> _core.PixelLists:
            if is_healpix(wcs):
                return healpix_pixels(regions, wcs, containment, n_threads)
            ny, nx = shape
            return region_pixel_lists(
                self.pixel_shapes(wcs), nx, ny, containment, n_threads
            )

        return self.cached(("pixels", shape, containment), compute, wcs)

    def centers(self) -> SkyCoord:
        """The regions' centres."""
        return self.cached("centers", region_centers)

    def distance_axis(self) -> MapAxis:
        """The profile's distance axis."""
        return self.cached(
            "distance_axis", lambda regions: distance_axis(regions, self.centers())
        )


class GeometryCache:
    """The geometry of one set of regions, reused while they are unchanged.

    It is reused while the regions are the same objects and each one's attributes equal
    those the snapshot was taken from (a copy of every region's ``__dict__``), so assigning a
    new list, region or attribute value (``region.width = ...``) starts a new snapshot; only
    in-place changes of an attribute's array data would go unnoticed. This check is the only
    per-region Python work of a repeated run. Copies and pickles of the cache are empty (it
    is keyed by object identities, meaningless elsewhere).
    """

    def __init__(self) -> None:
        self._state: tuple[list[Any], list[dict[str, Any]], RegionGeometry] | None = (
            None
        )

    def __reduce__(self) -> tuple[type[GeometryCache], tuple[()]]:
        return type(self), ()

    def snapshot(self, regions: Sequence[Any]) -> RegionGeometry:
        """The geometry of ``regions`` as they are now (cached or new).

        Parameters
        ----------
        regions : list of `~regions.SkyRegion`
            The regions.

        Returns
        -------
        geometry : `RegionGeometry`
        """
        regions = list(regions)
        attributes: list[Any]
        try:
            attributes = list(map(vars, regions))
        except TypeError:
            # (objects without attributes are left to the region conversion to reject)
            attributes = [getattr(region, "__dict__", {}) for region in regions]
        state = self._state
        if (
            state is not None
            and _same_objects(state[0], regions)
            and _equal_attributes(attributes, state[1])
        ):
            return state[2]
        geometry = RegionGeometry(regions)
        # one assignment: runs sharing the estimator across threads see the old or the new cache
        self._state = (regions, [dict(a) for a in attributes], geometry)
        return geometry
