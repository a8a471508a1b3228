"""`PixelShapes`: the regions as pixel shapes in the layout of the compiled core."""

from __future__ import annotations

from dataclasses import dataclass

import astropy.units as u
import numpy as np
import numpy.typing as npt

__all__ = [
    "KINDS",
    "SHAPE_ANNULUS",
    "SHAPE_CIRCLE",
    "SHAPE_ELLIPSE",
    "SHAPE_PARALLELOGRAM",
    "SHAPE_PIXEL_RUNS",
    "SHAPE_POLYGON",
    "SHAPE_RECTANGLE",
    "PixelShapes",
]

#: Shape kinds, column 0 of `PixelShapes.table` (the layout is stated once, in
#: ``cpp/include/fluxprofile/shapes.hpp``; `PixelShapes` summarises it).
SHAPE_RECTANGLE = 0
SHAPE_CIRCLE = 1
SHAPE_ANNULUS = 2
SHAPE_POLYGON = 3
SHAPE_PARALLELOGRAM = 4
SHAPE_ELLIPSE = 5
SHAPE_PIXEL_RUNS = 6
KINDS = {
    "rectangle": SHAPE_RECTANGLE,
    "circle": SHAPE_CIRCLE,
    "annulus": SHAPE_ANNULUS,
    "polygon": SHAPE_POLYGON,
    "parallelogram": SHAPE_PARALLELOGRAM,
    "ellipse": SHAPE_ELLIPSE,
}


@dataclass(frozen=True)
class PixelShapes:
    """Pixel-space parameters of a list of regions, in the layout of the C++ core.

    Attributes
    ----------
    table : `~numpy.ndarray`
        ``(n, 7)`` float64 rows ``[kind, x, y, c3, c4, c5, c6]`` in 0-based pixel
        coordinates, as stated in ``cpp/include/fluxprofile/shapes.hpp``. ``kind`` 0:
        rectangle (c3, c4 = full width and height, c5, c6 = cos and sin of the angle);
        1: circle (c3 = radius, c5 = 1); 2: annulus (c3, c4 = inner and outer radius,
        c5 = 1); 3: polygon (x, y = mean of the vertices, c3 ... c6 = 0);
        4: parallelogram (c3 ... c6 = the matrix taking pixel offsets to the unit square);
        5: ellipse (c3, c4, c5 = q00, q01, q11 of the form that is 1 on the outer edge,
        c6 = squared inner/outer ratio, 0 for a full ellipse); 6: pixel runs (an explicit
        pixel set in the vertex arrays). Unused entries are 0.
    vertices_x, vertices_y : `~numpy.ndarray`
        ``(m,)`` float64 vertices of all polygons and pixel runs, concatenated.
    vertex_offsets : `~numpy.ndarray`
        ``(n + 1,)`` int64: region ``i`` owns vertices ``vertex_offsets[i]`` to
        ``vertex_offsets[i + 1]`` (empty for other kinds).
    """

    table: npt.NDArray[np.float64]
    vertices_x: npt.NDArray[np.float64]
    vertices_y: npt.NDArray[np.float64]
    vertex_offsets: npt.NDArray[np.int64]

    def __len__(self) -> int:
        """Return the number of regions."""
        return int(self.table.shape[0])

    @property
    def kind(self) -> npt.NDArray[np.int64]:
        """Shape kind of every region (0 rectangle ... 6 pixel runs, see `table`)."""
        return self.table[:, 0].astype(np.int64)

    @property
    def angle(self) -> u.Quantity:
        """Pixel angle of every region (counter-clockwise from +x), in deg.

        NaN for parallelograms, ellipses and pixel runs, which have no single angle.
        """
        angle = np.rad2deg(np.arctan2(self.table[:, 6], self.table[:, 5]))
        angle[self.table[:, 0] >= SHAPE_PARALLELOGRAM] = np.nan
        return u.Quantity(angle, u.deg)


