"""Figures of HEALPix maps: an all-sky Mollweide or a cartesian (plate carree) view of a
`~fluxprofile.datamodel.hpx_map.HpxNDMap`, and the outlines of sky regions drawn on it
along their true edges on the sphere (docs/healpix.rst)."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord
from regions import (
    CircleAnnulusSkyRegion,
    CircleSkyRegion,
    PolygonSkyRegion,
    RectangleSkyRegion,
)

from ..regions.coords import polygon_center
from ..regions.healpix import frame_rotation, local_frame

__all__ = ["plot_healpix", "plot_sphere_regions", "region_outlines"]

#: Attribute set on the axes made by `plot_healpix`: the view and the display frame.
VIEW_ATTRIBUTE = "fluxprofile_sky_view"


def _lonlat(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.rad2deg(np.arctan2(vectors[1], vectors[0]))
    lat = np.rad2deg(np.arctan2(vectors[2], np.hypot(vectors[0], vectors[1])))
    return lon, lat


def _local_points(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _circle(radius: float, n: int) -> np.ndarray:
    phi = np.linspace(0, 2 * np.pi, n)
    return np.stack(
        [
            np.full(n, np.cos(radius)),
            np.sin(radius) * np.cos(phi),
            np.sin(radius) * np.sin(phi),
        ]
    )


def region_outlines(
    regions: Any, frame: str = "galactic", n: int = 96
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The edges of sky regions as (lon, lat) polylines in deg of ``frame``.

    Boxes follow their sides in the local frame (docs/healpix.rst), circles and annuli
    their small circles, polygons their great-circle edges; an annulus gives two lines.

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        Rectangle, circle, annulus or polygon sky regions.
    frame : str, optional
        Frame of the coordinates. Default is "galactic".
    n : int, optional
        Points per side or circle. Default is 96.

    Returns
    -------
    outlines : list of (lon, lat)
        Arrays in deg, lon in (-180, 180].

    Raises
    ------
    TypeError
        For other region types.
    """
    out = []
    for region in regions:
        if isinstance(region, PolygonSkyRegion):
            vertices = region.vertices
            xyz = vertices.cartesian.xyz.value.reshape(3, -1)
            ring = np.concatenate([xyz, xyz[:, :1]], axis=1)
            t = np.linspace(0, 1, n)[None, :]
            pieces = []
            for a, b in zip(ring.T[:-1], ring.T[1:], strict=True):
                p = (1 - t) * a[:, None] + t * b[:, None]
                pieces.append(p / np.linalg.norm(p, axis=0))
            lines = [np.concatenate(pieces, axis=1)]
            turn = frame_rotation(
                polygon_center(vertices).frame.replicate_without_data(), frame
            )
        else:
            if isinstance(region, RectangleSkyRegion):
                local = local_frame(region.center, u.Quantity(region.angle))
                hw, hh = (
                    region.width.to_value(u.rad) / 2,
                    region.height.to_value(u.rad) / 2,
                )
                s = np.linspace(-1, 1, n)
                lon = np.concatenate([s * hw, np.full(n, hw), -s * hw, np.full(n, -hw)])
                lat = np.concatenate([np.full(n, -hh), s * hh, np.full(n, hh), -s * hh])
                lines = [local.T @ _local_points(lon, lat)]
            elif isinstance(region, CircleSkyRegion):
                local = local_frame(region.center)
                lines = [local.T @ _circle(region.radius.to_value(u.rad), n)]
            elif isinstance(region, CircleAnnulusSkyRegion):
                local = local_frame(region.center)
                lines = [
                    local.T @ _circle(r.to_value(u.rad), n)
                    for r in (region.inner_radius, region.outer_radius)
                ]
            else:
                msg = f"cannot outline {type(region).__name__} on the sphere"
                raise TypeError(msg)
            turn = frame_rotation(region.center.frame.replicate_without_data(), frame)
        out.extend(_lonlat(turn @ line) for line in lines)
    return out


def _break_at_seam(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NaN between consecutive points that jump across lon = +-180 deg."""
    jump = np.flatnonzero(np.abs(np.diff(lon)) > 180) + 1
    return np.insert(lon, jump, np.nan), np.insert(lat, jump, np.nan)


def plot_sphere_regions(regions: Any, ax: Any, **kwargs: Any) -> Any:
    """Draw region outlines on axes made by `plot_healpix`.

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        The regions.
    ax : `~matplotlib.axes.Axes`
        Axes of `plot_healpix`.
    **kwargs : dict
        Passed to `~matplotlib.axes.Axes.plot` (default colour white, line width 1).

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
    """
    view, frame = getattr(ax, VIEW_ATTRIBUTE)
    kwargs.setdefault("color", "w")
    kwargs.setdefault("lw", 1)
    for lon, lat in region_outlines(regions, frame):
        lon, lat = _break_at_seam(-lon, lat)  # longitude increases to the left
        if view == "mollweide":
            ax.plot(np.deg2rad(lon), np.deg2rad(lat), **kwargs)
        else:
            ax.plot(-lon, lat, **kwargs)
    return ax


def plot_healpix(
    m: Any,
    ax: Any = None,
    stretch: str = "linear",
    add_cbar: bool = False,
    projection: str = "mollweide",
    frame: str = "galactic",
    resolution: float = 0.5,
    regions: Any = None,
    **kwargs: Any,
) -> Any:
    """Show a HEALPix image in a Mollweide or a cartesian view (longitude to the left).

    The map is sampled on a longitude-latitude grid of ``resolution`` deg in ``frame``
    (the pixel holding each grid point; pixels the map does not store are blank).

    Parameters
    ----------
    m : `~fluxprofile.datamodel.hpx_map.HpxNDMap`
        An image (non-spatial axes of one bin).
    ax : `~matplotlib.axes.Axes`, optional
        Axes (projection "mollweide" for that view). Default is None (new figure).
    stretch : str, optional
        Colour stretch of `~astropy.visualization.simple_norm`. Default "linear".
    add_cbar : bool, optional
        Add a colour bar with the unit. Default False.
    projection : {"mollweide", "cartesian"}, optional
        The view. Default "mollweide".
    frame : str, optional
        Display frame. Default "galactic".
    resolution : float, optional
        Grid step in deg. Default 0.5.
    regions : list of `~regions.SkyRegion`, optional
        Regions to outline. Default None.
    **kwargs : dict
        ``cmap`` (default "afmhot"), ``vmin``, ``vmax``.

    Returns
    -------
    ax : `~matplotlib.axes.Axes`
    """
    import matplotlib.pyplot as plt
    from astropy.visualization import simple_norm

    if projection not in ("mollweide", "cartesian"):
        msg = f"projection must be 'mollweide' or 'cartesian', got {projection!r}"
        raise ValueError(msg)
    geom = m.geom
    lon = np.arange(-180 + resolution / 2, 180, resolution)
    lat = np.arange(-90 + resolution / 2, 90, resolution)
    glon, glat = np.meshgrid(lon, lat)
    columns = geom.skycoord_to_pix(SkyCoord(glon * u.deg, glat * u.deg, frame=frame))
    values = np.asarray(m.data, dtype=float).reshape(-1)[np.clip(columns, 0, None)]
    image = np.where(columns >= 0, values, np.nan).reshape(glon.shape)
    if ax is None:
        fig = plt.figure(figsize=(10, 5) if projection == "mollweide" else (10, 5.5))
        ax = fig.add_subplot(
            111, projection="mollweide" if projection == "mollweide" else None
        )
    finite = image[np.isfinite(image)]
    norm = simple_norm(
        finite if finite.size else np.zeros(1), stretch=stretch,
        vmin=kwargs.pop("vmin", None), vmax=kwargs.pop("vmax", None),
    )  # fmt: skip
    cmap = kwargs.pop("cmap", "afmhot")
    if projection == "mollweide":
        mesh = ax.pcolormesh(
            np.deg2rad(-lon[::-1]), np.deg2rad(lat), image[:, ::-1], norm=norm, cmap=cmap,
            shading="nearest", **kwargs,
        )  # fmt: skip
        ticks = np.array([150, 120, 90, 60, 30, 0, -30, -60, -90, -120, -150])
        ax.set_xticks(np.deg2rad(-ticks))
        ax.set_xticklabels([f"{t % 360:d}°" for t in ticks])
    else:
        mesh = ax.imshow(
            image, origin="lower", extent=(180, -180, -90, 90), norm=norm, cmap=cmap,
            interpolation="nearest", aspect="auto", **kwargs,
        )  # fmt: skip
        ax.set_xlabel(f"{'l' if frame == 'galactic' else 'lon'} (deg)")
        ax.set_ylabel(f"{'b' if frame == 'galactic' else 'lat'} (deg)")
    ax.grid(True, alpha=0.3)
    setattr(ax, VIEW_ATTRIBUTE, (projection, frame))
    if add_cbar:
        label = str(m.unit) if m.unit != u.dimensionless_unscaled else ""
        ax.figure.colorbar(
            mesh, ax=ax, orientation="horizontal", shrink=0.6, label=label
        )
    if regions is not None:
        plot_sphere_regions(regions, ax)
    return ax
