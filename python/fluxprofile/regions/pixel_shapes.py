"""`PixelShapes`: the regions as pixel shapes, the table the compiled core reads."""

from __future__ import annotations

import astropy.units as u
import numpy as np

from .._core import ShapeTable

__all__ = ["PixelShapes"]


class PixelShapes(ShapeTable):
    """Pixel-space shapes of a list of regions, validated, as the compiled core reads them.

    A `fluxprofile._core.ShapeTable`: made from a filled `fluxprofile._core.ShapeTableBuilder`
    (what `sky_regions_to_pixel_shapes` does) or from the arrays of the layout
    ``PixelShapes(table, vertices_x, vertices_y, vertex_offsets)``. The layout is stated
    once, in ``cpp/include/fluxprofile/shapes.hpp``; the shape kinds are
    `fluxprofile._core.ShapeKind`. Coordinates are 0-based pixels.

    Attributes
    ----------
    kind : `~numpy.ndarray`
        Shape kind of every region (`fluxprofile._core.ShapeKind` values).
    x, y : `~numpy.ndarray`
        Centre of every region in pixels (polygons and pixel runs: their mean vertex).
    table : `~numpy.ndarray`
        ``(n, ShapeTable.n_columns)`` float64 rows of the layout (read-only view).
    vertices_x, vertices_y : `~numpy.ndarray`
        ``(m,)`` float64 vertices of all polygons and pixel runs, concatenated (read-only).
    vertex_offsets : `~numpy.ndarray`
        ``(n + 1,)`` int64: region ``i`` owns vertices ``vertex_offsets[i]`` to
        ``vertex_offsets[i + 1]`` (read-only).
    """

    @property
    def angle(self) -> u.Quantity:
        """Pixel angle of every region (counter-clockwise from +x), in deg.

        0 for circles, annuli and polygons; NaN for parallelograms, ellipses and pixel runs,
        which have no single angle.
        """
        return u.Quantity(np.rad2deg(self.angle_rad), u.deg)
