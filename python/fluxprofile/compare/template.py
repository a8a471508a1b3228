"""The profile of any sky image or cube (a gas map, a diffuse-emission model, a model
cube) in the profile regions, with the pipeline's pixel rules (docs/comparison.rst).

The regions go through the same conversion as the estimator's
(`~fluxprofile.sky_regions_to_pixel_shapes`, any WCS, including longitude increasing to the
right) and the same compiled reduction (centre or exact containment, pixel solid angles on
the sphere), so a template profile and a flux profile cover the same sky in every bin.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS

from .. import _core
from ..datamodel import Map, MapAxis, WcsGeom
from ..exceptions import FluxProfileWarning, warn_regions
from ..pipeline.energy_groups import validate_energy_edges
from ..pipeline.geometry import distance_axis, region_pixel_lists
from ..pipeline.reduce import core_array
from ..regions import region_centers, sky_regions_to_pixel_shapes

__all__ = [
    "TemplateProfile",
    "as_template_map",
    "evaluate_template",
    "integrate_template",
    "make_template_profile",
    "standard_orientation",
]


# --------------------------------------------------------------------------------------
# Inputs: anything with a WCS becomes a fluxprofile Map
# --------------------------------------------------------------------------------------
def _energy_axis_from(energy_axis: Any, n_planes: int) -> MapAxis:
    """An energy axis given as a `MapAxis` or as node energies (a Quantity)."""
    if isinstance(energy_axis, MapAxis):
        axis = energy_axis
    elif isinstance(energy_axis, u.Quantity):
        axis = MapAxis.from_nodes(energy_axis, name="energy", interp="log")
    else:
        msg = (
            "energy_axis must be a MapAxis or a Quantity of node energies, got "
            f"{type(energy_axis).__name__}"
        )
        raise TypeError(msg)
    if axis.nbin != n_planes:
        msg = f"energy_axis has {axis.nbin} bins but the template has {n_planes} planes"
        raise ValueError(msg)
    if not axis.unit.is_equivalent(u.TeV):
        msg = f"energy_axis must be in energy units, got {axis.unit}"
        raise ValueError(msg)
    return axis.rename("energy") if axis.name != "energy" else axis


def _from_array(data: Any, wcs: Any, energy_axis: Any, what: str) -> Map:
    if not isinstance(wcs, WCS):
        msg = (
            f"{what}: the second item must be an astropy WCS, got {type(wcs).__name__}"
        )
        raise TypeError(msg)
    unit = u.dimensionless_unscaled
    if isinstance(data, u.Quantity):
        data, unit = data.value, data.unit
    array = np.asarray(data)
    if array.ndim not in (2, 3):
        msg = f"{what}: data must be an image (ny, nx) or a cube (n, ny, nx), got shape {array.shape}"
        raise ValueError(msg)
    axes: list[MapAxis] = []
    if array.ndim == 3:
        if energy_axis is None:
            msg = f"{what}: a cube of {array.shape[0]} planes needs energy_axis="
            raise ValueError(msg)
        axes = [_energy_axis_from(energy_axis, array.shape[0])]
    geom = WcsGeom(wcs.celestial, (array.shape[-1], array.shape[-2]), axes=axes)
    return Map(geom, array, unit=unit)


def _from_hdulist(
    hdulist: fits.HDUList, hdu: str | None, filename: str, copy: bool = False
) -> Map:
    names = [h.name for h in hdulist]
    if hdu is None:
        hdu = next(
            (
                h.name
                for h in hdulist
                if getattr(h, "is_image", False)
                and h.data is not None
                and "CTYPE1" in h.header
            ),
            None,
        )
        if hdu is None:
            msg = f"{filename or 'HDU list'}: no WCS image HDU among {names}"
            raise ValueError(msg)
    if copy:
        # The reader byte-swaps FITS data in place: a caller's HDU list is left as it was
        # by reading a native copy of its image.
        image = hdulist[hdu]
        data = np.asarray(image.data)
        data = data.astype(data.dtype.newbyteorder("="))
        others = [
            h for h in hdulist if h is not image and isinstance(h, fits.BinTableHDU)
        ]
        header = image.header.copy()
        if "BANDSHDU" not in header and f"{hdu}_BANDS" in hdulist:
            header["BANDSHDU"] = f"{hdu}_BANDS"
        hdu = "TEMPLATE"
        hdulist = fits.HDUList(
            [fits.PrimaryHDU(), fits.ImageHDU(data, header, name=hdu), *others]
        )
    return Map.from_hdulist(hdulist, hdu, filename=filename)


def as_template_map(
    template: Any,
    unit: str | u.UnitBase | None = None,
    energy_axis: MapAxis | u.Quantity | None = None,
    hdu: str | None = None,
) -> Map:
    """A template given in any of the usual forms, as a `~fluxprofile.Map`.

    Parameters
    ----------
    template : `~fluxprofile.Map`, Gammapy ``Map``, HDU, HDU list, ``(data, wcs)`` or path
        The sky image or cube: a fluxprofile or Gammapy WCS map; an astropy image HDU (its
        header's celestial WCS; a cube needs ``energy_axis``); an HDU list or the name of a
        FITS file (the first WCS image HDU, or ``hdu``, with its BANDS table as energy axis,
        Gammapy's layout, e.g. the Fermi-LAT diffuse model); or a pair ``(data, wcs)`` of an
        array (or Quantity) of shape (ny, nx) or (n, ny, nx) and an astropy WCS.
    unit : str or `~astropy.units.Unit`, optional
        Unit of the values, replacing the stored one (files often leave BUNIT empty; the
        Fermi-LAT diffuse model is in ``"cm-2 s-1 MeV-1 sr-1"``). Default is None (keep).
    energy_axis : `~fluxprofile.MapAxis` or `~astropy.units.Quantity`, optional
        Energy of each plane of a cube given as an array or HDU (a Quantity: node energies).
        Default is None.
    hdu : str, optional
        Image HDU of a file or HDU list. Default is None (the first WCS image).

    Returns
    -------
    map : `~fluxprofile.Map`
        The template (sharing its data with the input where possible). Its energy axis, if
        any, is named "energy".

    Raises
    ------
    TypeError
        For an object that is none of the above.
    ValueError
        For a file without a WCS image, a cube without an energy axis, an invalid unit.
    """
    if isinstance(template, (str, os.PathLike)):
        path = Path(os.path.expandvars(str(template))).expanduser()
        if not path.is_file():
            msg = f"template file not found: {str(path)!r}"
            raise ValueError(msg)
        with fits.open(path, memmap=False) as hdulist:
            result = _from_hdulist(hdulist, hdu, str(path))
            result = Map(result.geom, np.array(result.data), unit=result.unit)
    elif isinstance(template, fits.HDUList):
        result = _from_hdulist(template, hdu, "", copy=True)
    elif isinstance(template, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)):
        if template.data is None:
            msg = f"template HDU {template.name!r} has no data"
            raise ValueError(msg)
        data = template.data
        if data.dtype.byteorder not in ("=", "|"):
            data = data.astype(data.dtype.newbyteorder("="))
        result = _from_array(data, WCS(template.header).celestial, energy_axis, "HDU")
        bunit = str(template.header.get("BUNIT", "")).strip()
        result = Map(result.geom, result.data, unit=bunit)
    elif isinstance(template, tuple) and len(template) == 2:
        result = _from_array(template[0], template[1], energy_axis, "(data, wcs)")
    elif isinstance(template, Map):
        result = template
    elif all(hasattr(template, a) for a in ("geom", "data", "unit")):
        from ..interop import map_from_gammapy

        result = map_from_gammapy(template, "template")
    else:
        msg = (
            "template must be a Map, a Gammapy Map, an astropy image HDU or HDU list, a FITS "
            f"file name or a (data, wcs) pair, got {type(template).__name__}"
        )
        raise TypeError(msg)
    axes = list(result.geom.axes)
    if len(axes) > 1:
        msg = f"template must have at most one non-spatial axis, got {[a.name for a in axes]}"
        raise ValueError(msg)
    if axes and not axes[0].unit.is_equivalent(u.TeV):
        msg = f"the template's axis {axes[0].name!r} is not an energy axis (unit {axes[0].unit})"
        raise ValueError(msg)
    if axes and axes[0].name != "energy":
        geom = result.geom.to_image().to_cube([axes[0].rename("energy")])
        result = Map(geom, result.data, unit=result.unit)
    if unit is not None:
        try:
            new_unit = u.Unit(unit)
        except ValueError as err:
            msg = f"invalid template unit {unit!r}"
            raise ValueError(msg) from err
        result = Map(result.geom, result.data, unit=new_unit)
    return result


# --------------------------------------------------------------------------------------
# Energy: integrals of a differential template between its energy nodes
# --------------------------------------------------------------------------------------
def _segment_integral(
    e0: float, e1: float, i0: np.ndarray, i1: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    """Integral over [lo, hi] of the interpolation between (e0, i0) and (e1, i1): a power
    law where both values are positive (log-log, as Gammapy interpolates templates in
    energy), else a straight line."""
    i0 = np.asarray(i0, dtype=np.float64)
    i1 = np.asarray(i1, dtype=np.float64)
    out = np.empty(np.broadcast(i0, i1).shape)
    positive = (i0 > 0) & (i1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(positive, np.log(i1 / i0) / np.log(e1 / e0), 0.0)
        gp1 = g + 1.0
        near = np.abs(gp1) < 1e-10
        power = np.where(
            near,
            i0 * e0 * np.log(hi / lo),
            i0 * e0 / np.where(near, 1.0, gp1) * ((hi / e0) ** gp1 - (lo / e0) ** gp1),
        )
    slope = (i1 - i0) / (e1 - e0)
    linear = (hi - lo) * (i0 + slope * (0.5 * (lo + hi) - e0))
    np.copyto(out, np.where(positive, power, linear))
    return out


def _node_energies(axis: MapAxis) -> np.ndarray:
    """Node energies of an energy axis: its centres (log centres of edge axes)."""
    return np.asarray(axis.center.value, dtype=np.float64)


def integrate_template(
    template: Map, energy_edges: u.Quantity, energy_power: int = 0
) -> Map:
    """Integrate a differential template over energy bins, pixel by pixel.

    Between the energy nodes of the template (the centres of its energy axis) the
    intensity is a power law in energy (log-log interpolation, Gammapy's rule for map
    templates; linear where a value is zero or negative), integrated in closed form.
    Beyond the first or last node the end segments are extended, with a
    `~fluxprofile.FluxProfileWarning`.

    Parameters
    ----------
    template : `~fluxprofile.Map`
        A cube with an energy axis whose unit includes an inverse energy (per MeV, ...).
    energy_edges : `~astropy.units.Quantity`
        Edges of the energy bins.
    energy_power : int, optional
        Integrate E^energy_power times the intensity (1: the energy flux). The nodes are
        weighted by E^energy_power first; between them that is exactly E^energy_power
        times the interpolated power law. Default is 0.

    Returns
    -------
    integrated : `~fluxprofile.Map`
        One plane per energy bin (an "energy" edges axis), unit ``template.unit * energy``
        (times energy^energy_power).

    Raises
    ------
    ValueError
        If the template has no energy axis, fewer than two planes, or a unit that is not
        per energy.
    """
    edges = validate_energy_edges(energy_edges)
    axes = template.geom.axes
    if not len(axes):
        msg = "the template has no energy axis to integrate over"
        raise ValueError(msg)
    axis = axes[0]
    if not _has_inverse(template.unit, ("energy",)):
        msg = (
            f"the template's unit {template.unit!r} is not per energy: give its unit "
            "(e.g. unit='cm-2 s-1 MeV-1 sr-1')"
        )
        raise ValueError(msg)
    nodes = _node_energies(axis)
    if nodes.size < 2:
        msg = f"the template needs at least two energy planes to integrate, got {nodes.size}"
        raise ValueError(msg)
    values = edges.to_value(axis.unit)
    if values[0] < nodes[0] * (1 - 1e-9) or values[-1] > nodes[-1] * (1 + 1e-9):
        warnings.warn(
            FluxProfileWarning(
                f"energy range {edges[0]:.4g} - {edges[-1]:.4g} extends beyond the template's "
                f"energy nodes ({nodes[0]:.4g} - {nodes[-1]:.4g} {axis.unit}): its end "
                "segments are extrapolated as power laws"
            ),
            stacklevel=2,
        )
    data = np.asarray(template.data, dtype=np.float64)
    if energy_power:
        data = data * (nodes**energy_power)[:, None, None]
    n_out = values.size - 1
    out = np.zeros((n_out, *data.shape[1:]))
    # segment k spans nodes k..k+1; the first and last extend to +-infinity
    bounds = np.concatenate([[-np.inf], nodes[1:-1], [np.inf]])
    for b in range(n_out):
        lo_b, hi_b = values[b], values[b + 1]
        for k in range(nodes.size - 1):
            lo, hi = max(lo_b, bounds[k]), min(hi_b, bounds[k + 1])
            if hi > lo:
                out[b] += _segment_integral(
                    nodes[k], nodes[k + 1], data[k], data[k + 1], lo, hi
                )
    # In the template's unit times its own energy unit (cm-2 s-1 sr-1 for per-MeV values).
    energy_unit = next(
        b
        for b, p in zip(template.unit.bases, template.unit.powers, strict=True)
        if p < 0 and b.physical_type == "energy"
    )
    out *= axis.unit.to(energy_unit)
    unit = (template.unit * energy_unit).decompose(bases=_bases(template.unit))
    unit = unit * axis.unit**energy_power
    edge_axis = MapAxis.from_edges(edges.to(axis.unit), name="energy", interp="log")
    geom = template.geom.to_image().to_cube([edge_axis])
    return Map(geom, out, unit=unit)


def _bases(unit: u.UnitBase) -> list[u.UnitBase]:
    """The base units of a unit, to simplify a product in those bases."""
    return list(getattr(u.Unit(unit), "bases", [])) or [u.Unit(unit)]


def evaluate_template(template: Map, energy: u.Quantity) -> Map:
    """The differential template at given energies (log-log interpolation between nodes).

    Parameters
    ----------
    template : `~fluxprofile.Map`
        A cube with an energy axis.
    energy : `~astropy.units.Quantity`
        Energies (1-D).

    Returns
    -------
    values : `~fluxprofile.Map`
        One plane per energy, in the template's unit.
    """
    axis = template.geom.axes[0]
    nodes = _node_energies(axis)
    e = np.atleast_1d(energy.to_value(axis.unit)).astype(np.float64)
    data = np.asarray(template.data, dtype=np.float64)
    out = np.empty((e.size, *data.shape[1:]))
    for n, value in enumerate(e):
        k = int(np.clip(np.searchsorted(nodes, value) - 1, 0, nodes.size - 2))
        i0, i1 = data[k], data[k + 1]
        t = np.log(value / nodes[k]) / np.log(nodes[k + 1] / nodes[k])
        positive = (i0 > 0) & (i1 > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            loglog = i0 * (i1 / i0) ** t
        lin = i0 + (i1 - i0) * (value - nodes[k]) / (nodes[k + 1] - nodes[k])
        out[n] = np.where(positive, loglog, lin)
    edge_axis = MapAxis.from_nodes(energy.to(axis.unit), name="energy", interp="log")
    geom = template.geom.to_image().to_cube([edge_axis])
    return Map(geom, out, unit=template.unit)


def standard_orientation(template: Map) -> Map:
    """The template with longitude increasing to the left, if it increases to the right.

    A map whose WCS has no rotation or skew and CDELT1 > 0 (e.g. the Fermi-LAT diffuse
    model) is mirrored along x, with CDELT1 and CRPIX1 changed so that every pixel keeps
    its sky position to the bit. On the mirrored grid the regions are converted with the
    same rule as on a dataset's standard grid, so the profile is that of the same map
    stored the usual way (CDELT1 < 0), pixel for pixel; other maps are returned as they are.

    Parameters
    ----------
    template : `~fluxprofile.Map`
        The template.

    Returns
    -------
    template : `~fluxprofile.Map`
        The same map, mirrored (a view of its data) or unchanged.
    """
    wcs = template.geom.wcs
    inner = wcs.wcs
    if inner.has_cd() or inner.cdelt[0] <= 0 or inner.cdelt[1] <= 0:
        return template
    if not np.array_equal(inner.get_pc(), np.eye(2)):
        return template
    nx, _ = template.geom.npix
    flipped = wcs.deepcopy()
    flipped.wcs.cdelt = [-inner.cdelt[0], inner.cdelt[1]]
    flipped.wcs.crpix = [nx + 1 - inner.crpix[0], inner.crpix[1]]
    flipped.wcs.set()
    geom = WcsGeom(flipped, template.geom.npix, axes=template.geom.axes)
    return Map(geom, np.asarray(template.data)[..., ::-1], unit=template.unit)


# --------------------------------------------------------------------------------------
# The profile
# --------------------------------------------------------------------------------------
def _has_inverse(unit: u.UnitBase, physical_types: tuple[str, ...]) -> bool:
    """Whether a unit has a base of one of the physical types to a negative power."""
    unit = u.Unit(unit)
    bases = getattr(unit, "bases", [unit])
    powers = getattr(unit, "powers", [1])
    return any(
        power < 0 and any(base.physical_type == t for t in physical_types)
        for base, power in zip(bases, powers, strict=True)
    )


def _per_pixel(unit: u.UnitBase) -> bool:
    """Whether a map holds counts per pixel (dimensionless or ct), not a surface quantity."""
    unit = u.Unit(unit)
    return unit == u.dimensionless_unscaled or unit.is_equivalent(u.ct)


@dataclass
class TemplateProfile:
    """The profile of a sky image or cube in a list of regions.

    All arrays have the regions first: ``(n_regions,)`` for an image, ``(n_regions,
    n_energy)`` for a cube (one column per plane, or per energy bin when integrated).

    Attributes
    ----------
    sum : `~astropy.units.Quantity`
        Sum of the values over each region's pixels (weighted by the fraction inside with
        exact containment), unit of the map.
    mean : `~astropy.units.Quantity`
        ``sum / npix``: the mean value per pixel.
    integral : `~astropy.units.Quantity`
        Sum of value x pixel solid angle: for an intensity map (per sr) the flux in the
        region; unit of the map times sr.
    surface_brightness : `~astropy.units.Quantity`
        The region's value per solid angle. For maps of a surface quantity (per sr,
        K km s-1, cm-2, ...: any unit but counts) the solid-angle weighted mean
        ``integral / solid_angle``, in the map's unit; for maps of counts per pixel
        (dimensionless or ct) ``sum / solid_angle``, per sr.
    npix : `~numpy.ndarray`
        Pixels (or pixel area with exact containment) of each region on the map.
    npix_total : `~numpy.ndarray`
        The same on the unbounded pixel grid (larger where a region leaves the map).
    solid_angle : `~astropy.units.Quantity`
        Solid angle of each region's pixels on the map (sr).
    distance_axis : `~fluxprofile.MapAxis`
        The profile axis ("projected-distance"), as the estimator's.
    energy_axis : `~fluxprofile.MapAxis` or None
        The template's energy axis (nodes), the integration bins (edges), or None.
    containment : str
        "center" or "exact".
    name : str
        Label of the template.
    """

    sum: u.Quantity
    mean: u.Quantity
    integral: u.Quantity
    surface_brightness: u.Quantity
    npix: np.ndarray
    npix_total: np.ndarray
    solid_angle: u.Quantity
    distance_axis: MapAxis
    energy_axis: MapAxis | None
    containment: str
    name: str = "template"

    @property
    def n_regions(self) -> int:
        """Number of profile bins."""
        return int(self.npix.size)

    def values(self, quantity: str = "integral", energy_index: int | None = 0) -> Any:
        """One quantity along the profile.

        Parameters
        ----------
        quantity : {"integral", "sum", "mean", "surface_brightness"}, optional
            Which quantity. Default is "integral".
        energy_index : int or None, optional
            Plane (or energy bin) of a cube; ignored for images; None sums the planes of an
            integrated cube. Default is 0.

        Returns
        -------
        values : `~astropy.units.Quantity`
            Shape (n_regions,).
        """
        if quantity not in ("integral", "sum", "mean", "surface_brightness"):
            msg = f"quantity must be integral, sum, mean or surface_brightness, got {quantity!r}"
            raise ValueError(msg)
        value = getattr(self, quantity)
        if value.ndim == 1:
            return value
        if energy_index is None:
            if quantity in ("integral", "sum"):
                return value.sum(axis=1)
            msg = f"energy_index=None only sums integral or sum, not {quantity!r}"
            raise ValueError(msg)
        return value[:, energy_index]

    def energy_label(self, energy_index: int | None = 0) -> str:
        """The energy (range) of a column, for labels ("" for images)."""
        axis = self.energy_axis
        if axis is None:
            return ""
        unit = axis.unit
        if axis.node_type == "edges":
            lo = axis.edges[0 if energy_index is None else energy_index]
            hi = axis.edges[-1 if energy_index is None else energy_index + 1]
            return f"{lo.to_value(unit):.3g}-{hi.to_value(unit):.3g} {unit}"
        return f"{axis.center[energy_index or 0].to_value(unit):.4g} {unit}"

    def to_table(self) -> Table:
        """The profile as a table, one row per region.

        Returns
        -------
        table : `~astropy.table.Table`
            Columns x_min, x_ref, x_max (the distance axis), npix, solid_angle, sum, mean,
            integral, surface_brightness (2-D columns for cubes); the energy axis in the
            meta data.
        """
        axis = self.distance_axis
        table = Table()
        table["x_min"] = axis.edges_min
        table["x_ref"] = axis.center
        table["x_max"] = axis.edges_max
        table["npix"] = self.npix
        table["solid_angle"] = self.solid_angle
        for name in ("sum", "mean", "integral", "surface_brightness"):
            table[name] = getattr(self, name)
        table.meta["template"] = self.name
        table.meta["containment"] = self.containment
        if self.energy_axis is not None:
            table.meta["energy_axis"] = self.energy_axis.node_type
            table.meta["energy"] = [float(v) for v in self.energy_axis.center.value]
            table.meta["energy_unit"] = str(self.energy_axis.unit)
        return table


def make_template_profile(
    template: Any,
    regions: Sequence[Any],
    energy_edges: u.Quantity | None = None,
    containment: str = "center",
    unit: str | u.UnitBase | None = None,
    energy_axis: MapAxis | u.Quantity | None = None,
    name: str | None = None,
    n_jobs: int | None = None,
) -> TemplateProfile:
    """Profile of a sky image or cube in the profile regions.

    The regions are converted to pixels on the template's own WCS with the estimator's
    rules and reduced by the compiled core, so that the bins are those of a flux profile
    in the same regions.

    Parameters
    ----------
    template : any template accepted by `as_template_map`
        The sky image or cube.
    regions : list of `~regions.SkyRegion`
        The profile regions (those of `~fluxprofile.FluxProfileEstimator`).
    energy_edges : `~astropy.units.Quantity`, optional
        Integrate a differential cube over these energy bins (`integrate_template`) before
        the profile; e.g. the estimator's ``energy_edges`` or a flux profile's
        ``energy_axis.edges``. Default is None (one column per plane; images as they are).
    containment : {"center", "exact"}, optional
        Pixel membership (as the estimator's). Default is "center".
    unit, energy_axis : optional
        See `as_template_map`.
    name : str, optional
        Label. Default is None ("template", or the file name).
    n_jobs : int, optional
        Threads of the compiled core. Default is None (all cores).

    Returns
    -------
    profile : `TemplateProfile`

    Raises
    ------
    ValueError
        For an unknown containment, an image given ``energy_edges``, an invalid template.

    Warns
    -----
    FluxProfileWarning
        For regions partly or entirely off the template (their sums cover the part on the
        map; NaN without any pixel), and regions with non-finite template values.
    """
    try:
        rule = _core.Containment[containment]
    except KeyError:
        msg = f"containment must be 'center' or 'exact', got {containment!r}"
        raise ValueError(msg) from None
    if name is None:
        name = (
            Path(str(template)).name
            if isinstance(template, (str, os.PathLike))
            else "template"
        )
    tmap = as_template_map(template, unit=unit, energy_axis=energy_axis)
    if energy_edges is not None:
        if not len(tmap.geom.axes):
            msg = "energy_edges needs a template with an energy axis; this one is an image"
            raise ValueError(msg)
        tmap = integrate_template(tmap, energy_edges)
    tmap = standard_orientation(tmap)
    regions = list(regions)
    n_threads = 0 if n_jobs is None else int(n_jobs)
    geom = tmap.geom
    nx, ny = geom.npix
    shapes = sky_regions_to_pixel_shapes(regions, geom.wcs)
    pixels = region_pixel_lists(shapes, nx, ny, containment, n_threads)
    omega = np.nan_to_num(geom.to_image().solid_angle().to_value(u.sr), nan=0.0)
    data = np.asarray(tmap.data)
    cube = data if data.ndim == 3 else data[None]
    cube = np.asarray(cube, dtype=np.float64)
    finite = np.isfinite(cube)
    # Non-finite values are summed as zero, and the regions that touch one are NaN.
    values = np.where(finite, cube, 0.0)
    cubes = [
        _core.Cube("template", core_array(values)),
        _core.Cube("template x solid angle", core_array(values * omega)),
        _core.Cube("non-finite", core_array((~finite).astype(np.float64))),
    ]
    inputs = _core.ReduceInputs(
        shapes, cubes, image=np.ascontiguousarray(omega), pixels=pixels
    )
    sums = _core.reduce_regions(inputs, _core.ReduceOptions(rule), n_threads)
    total = sums.reco_sums["template"]
    integral = sums.reco_sums["template x solid angle"]
    bad = sums.reco_sums["non-finite"] > 0
    npix = np.asarray(sums.npix_inmap, dtype=np.float64)
    npix_total = np.asarray(sums.npix_total, dtype=np.float64)
    solid = np.asarray(sums.image_sum, dtype=np.float64)
    empty = npix == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / npix[:, None]
        per_pixel = _per_pixel(tmap.unit)
        sb = (total if per_pixel else integral) / solid[:, None]
    for array in (total, integral, mean, sb):
        array[bad | empty[:, None]] = np.nan
    warn_regions(
        np.flatnonzero(empty),
        f"has no pixel on the template {name!r}: its template values are NaN",
        f"have no pixel on the template {name!r}: their template values are NaN",
    )
    partial = np.flatnonzero(~empty & (npix < npix_total * (1 - 1e-9)))
    warn_regions(
        partial,
        f"extends beyond the template {name!r}: its sums cover the part on the map",
        f"extend beyond the template {name!r}: their sums cover the part on the map",
    )
    warn_regions(
        np.flatnonzero(bad.any(axis=1) & ~empty),
        f"contains non-finite values of the template {name!r}: those values are NaN",
        f"contain non-finite values of the template {name!r}: those values are NaN",
    )
    squeeze = data.ndim == 2
    munit = tmap.unit

    def out(array: np.ndarray, unit_: u.UnitBase) -> u.Quantity:
        return u.Quantity(array[:, 0] if squeeze else array, unit_)

    return TemplateProfile(
        sum=out(total, munit),
        mean=out(mean, munit),
        integral=out(integral, munit * u.sr),
        surface_brightness=out(sb, munit / u.sr if per_pixel else munit),
        npix=npix,
        npix_total=npix_total,
        solid_angle=u.Quantity(solid, u.sr),
        distance_axis=distance_axis(regions, region_centers(regions)),
        energy_axis=None if squeeze else geom.axes[0],
        containment=containment,
        name=name,
    )
