"""The pipeline's view of HEALPix maps: the placeholder shape table and the pixel lists
of the regions on the sphere (`fluxprofile.regions.healpix`, docs/healpix.rst)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from astropy import units as u

from ..regions.healpix import healpix_pixel_lists, placeholder_shapes

if TYPE_CHECKING:
    from .. import _core
    from ..datamodel.hpx_geom import HpxGeom
    from ..regions import PixelShapes

__all__ = ["healpix_pixels", "healpix_shapes", "hpx_pixel_solid_angles"]


def healpix_shapes(regions: list[Any]) -> PixelShapes:
    """The shape table the reduction takes with the pixel lists of a HEALPix map (one
    placeholder per region: membership is in the pixel lists)."""
    return placeholder_shapes(len(regions))


def healpix_pixels(
    regions: list[Any], geom: HpxGeom, containment: str, n_threads: int
) -> _core.PixelLists:
    """The regions' stored pixels on a HEALPix map (pixel centres inside, on the sphere).

    Parameters
    ----------
    regions : list of `~regions.SkyRegion`
        The regions.
    geom : `~fluxprofile.HpxGeom`
        The map's geometry.
    containment : {"center"}
        Only the centre rule is defined on HEALPix maps.
    n_threads : int
        Threads for the core (0 = all cores).

    Returns
    -------
    pixels : `fluxprofile._core.PixelLists`

    Raises
    ------
    ValueError
        For ``containment="exact"``.
    """
    if containment != "center":
        msg = (
            f"containment={containment!r} is defined on WCS maps only; on HEALPix maps "
            "pixels belong to a region by their centre (containment='center')"
        )
        raise ValueError(msg)
    return healpix_pixel_lists(regions, geom, n_threads)


def hpx_pixel_solid_angles(geom: HpxGeom) -> np.ndarray:
    """The (1, n_columns) image of pixel solid angles in sr (all 4 pi / 12 NSIDE**2), the
    ``image`` the reduction sums for the regions' solid angles."""
    return np.full((1, geom.npix[0]), geom.pixel_area.to_value(u.sr))
