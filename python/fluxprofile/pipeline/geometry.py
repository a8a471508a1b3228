"""Caches of the work that does not depend on the data (docs/performance.rst).

* Region geometry: the regions' pixel shapes, pixel lists, centres and distance axis,
  keyed by the regions' content (`region_fingerprint`: every parameter's value, so an
  in-place edit such as ``region.width *= 2`` is a new key) and by the WCS (`wcs_key`:
  its header), shared by every estimator and dataset of the process.
* Pixel solid angles of a WCS image (`wcs_pixel_solid_angles`), keyed by the WCS header
  and the image shape.

Both live in one least-recently-used store bounded in bytes (`clear_caches` empties it).
The entries are computed by the functions they replace, so a cached value is the value
those functions would give now.
"""

from __future__ import annotations

import inspect
import threading
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
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
    "clear_caches",
    "distance_axis",
    "pixel_grid",
    "region_fingerprint",
    "region_pixel_lists",
    "wcs_key",
    "wcs_pixel_solid_angles",
]

T = TypeVar("T")

# Bound of the shared store: the entries of the most recent uses are kept up to this many
# bytes (pixel lists and solid-angle images dominate; a 1600 x 800 image is 10 MB) and
# this many entries.
_MAX_BYTES = 128 * 2**20
_MAX_ENTRIES = 512
# Image rows per chunk of corner positions for the solid angles (bounded temporaries).
_SOLID_ANGLE_ROWS = 256


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


def _nbytes(value: Any) -> int:
    """Approximate memory of a cached value (arrays and pixel lists; 1 kB otherwise)."""
    if isinstance(value, _Entry):
        return _nbytes(value.value)
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, _core.PixelLists):
        weight = value.weight
        return int(
            value.flat_index.nbytes
            + value.offsets.nbytes
            + value.total.nbytes
            + (0 if weight is None else weight.nbytes)
        )
    return 1024


class _Store:
    """A thread-safe least-recently-used mapping bounded in bytes and entries."""

    def __init__(self, max_bytes: int, max_entries: int) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any) -> None:
        size = _nbytes(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            # the newest entry stays even when it alone exceeds the bound
            while len(self._items) > 1 and (
                self._bytes > self.max_bytes or len(self._items) > self.max_entries
            ):
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


_STORE = _Store(_MAX_BYTES, _MAX_ENTRIES)


def clear_caches() -> None:
    """Empty the shared geometry and solid-angle caches (docs/performance.rst).

    Nothing needs this for correctness (the keys are the full content of the regions and
    WCS); it frees the memory and makes the next run a cold one, as benchmarks of the
    first run want.
    """
    _STORE.clear()


# -- keys -------------------------------------------------------------------------------
def pixel_grid(geom: Any) -> tuple[Any, tuple[int, int]]:
    """What places a map's pixels (the WCS, or the HEALPix geometry itself) and its image
    shape (ny, nx) as the core reads it (HEALPix maps: one row of stored pixels)."""
    if is_healpix(geom):
        return geom, (1, geom.npix[0])
    return geom.wcs, tuple(geom.data_shape[-2:])


def wcs_key(wcs: Any) -> Hashable | None:
    """A key equal for WCS objects that map pixels to the sky alike, or None.

    The header wcslib writes for the WCS (every keyword of the transformation: types,
    reference values and pixels, the pixel matrix, LONPOLE, LATPOLE, PV, ...) plus its
    ``pixel_shape``. A WCS with distortions (SIP, lookup tables), which the header does
    not describe, or one that cannot write a header has no key (None): its values are
    then cached per object only.

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        The WCS.

    Returns
    -------
    key : hashable or None
    """
    try:
        if wcs.has_distortion:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header = wcs.wcs.to_header()
        return (header, wcs.pixel_shape)
    except Exception:  # noqa: BLE001 - not an astropy WCS: no shared key
        return None


_TOBYTES = np.ndarray.tobytes  # Quantity refuses tobytes; this reads the same buffer


def _array_key(value: np.ndarray) -> tuple[Any, ...]:
    unit = (
        value._unit if isinstance(value, u.Quantity) else getattr(value, "unit", None)
    )
    return (type(value), value.dtype, value.shape, _TOBYTES(value), unit)


def _frame_key(frame: Any) -> Hashable:
    data = frame.data
    names = frame.frame_attributes
    attributes = (
        tuple((name, repr(getattr(frame, name))) for name in names) if names else ()
    )
    # representation components are Quantity/Angle arrays: their _array_key, inline
    components = tuple(
        [
            (type(q), q.dtype, q.shape, _TOBYTES(q), q.unit)
            for q in [getattr(data, c) for c in data.attr_classes]
        ]
    )
    differentials = getattr(data, "differentials", None)
    moving = (
        tuple((name, repr(d)) for name, d in differentials.items())
        if differentials
        else ()
    )
    return ("coord", type(frame), type(data), components, attributes, moving)


def _value_key(value: Any) -> Hashable:
    """The content of one region parameter as a hashable value."""
    if isinstance(value, np.ndarray):  # Quantity, Angle, arrays
        return _array_key(value)
    if isinstance(value, (float, int, str, bool)) or value is None:
        return value
    frame = getattr(value, "_sky_coord_frame", None)  # a SkyCoord's frame
    if frame is None and hasattr(value, "frame_attributes") and hasattr(value, "data"):
        frame = value  # a frame with data
    if frame is not None:
        return _frame_key(frame)
    if (
        hasattr(value, "x")
        and hasattr(value, "y")
        and type(value).__name__ == "PixCoord"
    ):
        return (
            "pixcoord",
            _value_key(np.asarray(value.x)),
            _value_key(np.asarray(value.y)),
        )
    return ("repr", type(value), repr(value))


try:
    from regions.core.attributes import RegionAttribute as _RegionAttribute
except ImportError:  # another layout of the regions package: always getattr
    _RegionAttribute = None

# class -> whether every parameter is a plain regions attribute stored in __dict__
_STORED_PARAMS: dict[type, bool] = {}


def _stored_params(cls: type, names: Sequence[str]) -> bool:
    found = _STORED_PARAMS.get(cls)
    if found is None:
        found = _RegionAttribute is not None and all(
            type(inspect.getattr_static(cls, name, None)).__get__
            is _RegionAttribute.__get__
            for name in names
        )
        _STORED_PARAMS[cls] = found
    return found


def region_fingerprint(regions: Sequence[Any]) -> Hashable:
    """A key of the regions' full content: equal keys mean the same geometry.

    Every geometric parameter of every region (``region._params``: centres, sizes, angles,
    vertices) enters with its values (the bytes of its arrays and its unit), not its
    identity, so in-place changes (``region.width *= 2``, ``polygon.vertices[0] = ...``,
    a new centre or angle) give a new key. Objects shared by several regions (a common
    centre) are read once. A region of another type enters with every attribute.

    Parameters
    ----------
    regions : list of `~regions.Region`
        The regions.

    Returns
    -------
    key : hashable
    """
    memo: dict[int, Hashable] = {}
    key: list[Hashable] = []
    for region in regions:
        names = getattr(type(region), "_params", None)
        if names is None:
            items = getattr(region, "__dict__", None)
            if items is None:
                key.append(("object", type(region), repr(region)))
                continue
            names = tuple(sorted(items))
        parts: list[Any] = [type(region)]
        direct = _stored_params(type(region), names)
        stored = region.__dict__ if direct else None
        for name in names:
            # the value a regions attribute returns is its __dict__ entry (read
            # directly: the descriptor call was a third of the fingerprint's time)
            value = stored[name] if stored is not None else getattr(region, name, None)
            # ids are stable: the objects are alive during this loop
            vkey = memo.get(id(value))
            if vkey is None:
                vkey = _value_key(value)
                memo[id(value)] = vkey
            parts.append(vkey)
        key.append(tuple(parts))
    return tuple(key)


class _Fingerprint:
    """A fingerprint with its hash computed once.

    The store's keys hold it, so a lookup hashes a short tuple instead of the nested
    content of every region, and keys made from the same interned object
    (`_interned_fingerprint`) compare by identity.
    """

    __slots__ = ("__weakref__", "_hash", "key")

    def __init__(self, key: Hashable) -> None:
        self.key = key
        self._hash = hash(key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, _Fingerprint):
            return NotImplemented
        return self._hash == other._hash and self.key == other.key

    def __repr__(self) -> str:
        return f"<region fingerprint {self._hash:#x}>"


# content -> the one live _Fingerprint object of that content
_INTERNED: weakref.WeakValueDictionary[Hashable, _Fingerprint] = (
    weakref.WeakValueDictionary()
)
_INTERN_LOCK = threading.Lock()


def _interned_fingerprint(key: Hashable) -> _Fingerprint:
    """The live `_Fingerprint` of ``key``'s content (one deep comparison per run)."""
    with _INTERN_LOCK:
        found = _INTERNED.get(key)
        if found is None:
            found = _Fingerprint(key)
            _INTERNED[key] = found
        return found


# -- IRF grid pixels --------------------------------------------------------------------
def kernel_grid_pixels(edisp: Any, centers: SkyCoord) -> tuple[np.ndarray, np.ndarray]:
    """``edisp.nearest_pixels(centers)``, computed once per kernel grid and positions.

    The IRF pixel of each region centre (docs/irf_positions.rst) depends only on the
    kernel map's WCS and size and on the centres, so the datasets of a joint fit (and every
    run on the same grid) share it. Keyed by `wcs_key` of the grid, its size and the
    centres' content; without a WCS key it is computed every time.

    Parameters
    ----------
    edisp : `~fluxprofile.EDispKernelMap`
        A spatial kernel map.
    centers : `~astropy.coordinates.SkyCoord`
        Region centres, shape (n,).

    Returns
    -------
    ix, iy : `~numpy.ndarray`
        Read-only int64 pixel indices, one per centre.
    """
    geom = edisp.geom
    wkey = wcs_key(geom.wcs)
    if wkey is None:
        return edisp.nearest_pixels(centers)
    key = ("irf_pixels", wkey, tuple(geom.data_shape[-2:]), _value_key(centers))
    cached = _STORE.get(key)
    if cached is None:
        ix, iy = (np.asarray(v) for v in edisp.nearest_pixels(centers))
        ix.flags.writeable = False
        iy.flags.writeable = False
        cached = (ix, iy)
        _STORE.put(key, cached)
    return cached


# -- solid angles -----------------------------------------------------------------------
def _solid_angle_image(wcs: Any, nx: int, ny: int, n_threads: int) -> np.ndarray:
    """Pixel solid angles (sr, NaN outside the projection) of an (ny, nx) image: the
    corner positions through one ``wcs_pix2world`` call per chunk of rows, their unit
    vectors in NumPy and the two spherical triangles of every pixel in the core (the
    formula and operation order of `fluxprofile.WcsGeom.solid_angle`)."""
    out = np.empty((ny, nx), dtype=np.float64)
    x_corner = np.arange(nx + 1, dtype=np.float64) - 0.5
    raw = getattr(wcs, "wcs", None)
    ilon, ilat = (raw.lng, raw.lat) if raw is not None and raw.lng >= 0 else (0, 1)
    for y0 in range(0, ny, _SOLID_ANGLE_ROWS):
        y1 = min(ny, y0 + _SOLID_ANGLE_ROWS)
        xc, yc = np.meshgrid(x_corner, np.arange(y0, y1 + 1, dtype=np.float64) - 0.5)
        world = wcs.wcs_pix2world(xc, yc, 0)
        lon, lat = np.deg2rad(world[ilon]), np.deg2rad(world[ilat])
        cos_lat = np.cos(lat)
        xyz = np.stack(
            [cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=-1
        )
        out[y0:y1] = _core.pixel_solid_angles(xyz, n_threads)
    return out


def wcs_pixel_solid_angles(
    wcs: Any, nx: int, ny: int, n_threads: int = 0
) -> np.ndarray:
    """Solid angle of every pixel of a WCS image in sr (0 outside the projection).

    Computed once per WCS header and image shape (`wcs_key`) and then shared by every
    dataset on that grid: each pixel is the spherical quadrilateral of its four corners
    with great-circle sides, as `fluxprofile.WcsGeom.solid_angle` computes it (the same
    formula and operation order, in the core; docs/performance.rst).

    Parameters
    ----------
    wcs : `~astropy.wcs.WCS`
        Two-dimensional celestial WCS.
    nx, ny : int
        The image shape.
    n_threads : int, optional
        Threads for the compiled core (0 = all cores). Default is 0. The result does not
        depend on it.

    Returns
    -------
    omega : `~numpy.ndarray`
        Read-only float64 (ny, nx), C-contiguous.
    """
    key = wcs_key(wcs)
    full = None if key is None else ("solid_angle", key, int(nx), int(ny))
    if full is not None:
        cached = _STORE.get(full)
        if cached is not None:
            return cached
    omega = np.nan_to_num(_solid_angle_image(wcs, nx, ny, n_threads), nan=0.0)
    omega.flags.writeable = False
    if full is not None:
        _STORE.put(full, omega)
    return omega


# -- region geometry --------------------------------------------------------------------
class RegionGeometry:
    """The derived geometry of the regions as they are now, computed on first use.

    Entries live in the shared store under the regions' fingerprint, a name and the WCS
    key (a WCS without a key, `wcs_key`, is keyed by identity and kept alive with its
    entry), so every estimator with the same regions and every dataset on the same grid
    share them. Each access is one lookup, so runs sharing the estimator across threads
    are safe (at worst an entry is computed twice).

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        The regions (their values now are what the entries are computed from).
    fingerprint : hashable, optional
        `region_fingerprint` of ``regions`` (computed if not given).
    """

    def __init__(self, regions: list[Any], fingerprint: Hashable | None = None) -> None:
        self.regions = regions
        self.fingerprint = _interned_fingerprint(
            region_fingerprint(regions) if fingerprint is None else fingerprint
        )
        # wcs_key of each WCS used with this snapshot (a run): the header is written
        # once, not once per lookup; the WCS objects are kept so that ids stay unique
        self._wcs_keys: dict[int, tuple[Any, Hashable]] = {}

    def wcs_key(self, wcs: Any) -> Hashable:
        """`wcs_key` of ``wcs`` (an identity key for a WCS without one), computed once
        per WCS object and snapshot."""
        found = self._wcs_keys.get(id(wcs))
        if found is not None and found[0] is wcs:
            return found[1]
        wkey = wcs_key(wcs)
        if wkey is None:
            wkey = ("id", id(wcs))
        self._wcs_keys[id(wcs)] = (wcs, wkey)
        return wkey

    def cached(
        self, name: Hashable, compute: Callable[[list[Any]], T], wcs: Any = None
    ) -> T:
        """``compute(regions)``, computed once per name, regions content and WCS."""
        wkey = None if wcs is None else self.wcs_key(wcs)
        key = ("geometry", self.fingerprint, name, wkey)
        entry = _STORE.get(key)
        if entry is None:
            value = compute(self.regions)
            # with an identity key the WCS is kept with the entry (so the id stays unique)
            identity = isinstance(wkey, tuple) and len(wkey) == 2 and wkey[0] == "id"
            _STORE.put(key, _Entry(value, wcs) if identity else value)
            return value
        return entry.value if isinstance(entry, _Entry) else entry

    def pixel_shapes(self, wcs: Any) -> PixelShapes:
        """The regions as pixel shapes on ``wcs`` (a HEALPix geometry: placeholders)."""
        if is_healpix(wcs):
            return self.cached("shapes", healpix_shapes, wcs)
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

        return self.cached(("pixels", tuple(shape), containment), compute, wcs)

    def centers(self) -> SkyCoord:
        """The regions' centres."""
        return self.cached("centers", region_centers)

    def distance_axis(self) -> MapAxis:
        """The profile's distance axis."""
        return self.cached(
            "distance_axis", lambda regions: distance_axis(regions, self.centers())
        )


class _Entry:
    """A cached value with the WCS it was computed for (kept alive with it)."""

    __slots__ = ("value", "wcs")

    def __init__(self, value: Any, wcs: Any) -> None:
        self.value = value
        self.wcs = wcs


class GeometryCache:
    """The estimator's access to the shared region geometry.

    Every run takes the regions' `region_fingerprint` (their full content, so any change,
    in place or by assignment, is seen) and finds the geometry of that content in the
    shared store, whichever estimator computed it. Copies and pickles of the cache are
    empty (it holds nothing of its own).
    """

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
        return RegionGeometry(list(regions))
