"""Sky regions: the profile generators, their conversion to pixel shapes on any WCS, and
the distance axis."""

from __future__ import annotations

from .distances import projected_distance_edges, projected_distances, region_centers
from .generators import (
    make_concentric_annulus_sky_regions,
    make_orthogonal_rectangle_sky_regions,
)
from .paths import PathRegionMeta, make_path_sky_regions
from .pixel_shapes import PixelShapes
from .to_pixel import sky_regions_to_pixel_shapes

__all__ = [
    "PathRegionMeta",
    "PixelShapes",
    "make_concentric_annulus_sky_regions",
    "make_orthogonal_rectangle_sky_regions",
    "make_path_sky_regions",
    "projected_distance_edges",
    "projected_distances",
    "region_centers",
    "sky_regions_to_pixel_shapes",
]
