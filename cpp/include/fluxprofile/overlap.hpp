#pragma once
// Exact pixel-overlap weights: the fraction of each pixel's area inside a shape.
//
// Pixel (x, y) is the unit square [x - 0.5, x + 0.5] x [y - 0.5, y + 0.5] (centres on
// integer 0-based coordinates, as in shapes.hpp). Rectangles and polygons are swept row
// by row: inside a horizontal slab where no polygon edge starts, ends or crosses
// another, the edges sorted by x bound trapezoids (even-odd rule, as the centre rule of
// shapes.hpp), and the area of a trapezoid in each pixel column follows in closed form.
// Circles use the closed-form area of a disk and an axis-aligned rectangle (trapezoid
// under the chord plus circular segment, no large cancelling terms); an annulus is
// outer disk minus inner disk.
#include <cstdint>
#include <vector>

#include "fluxprofile/shapes.hpp"
#include "fluxprofile/types.hpp"

namespace fluxprofile {

// The weighted pixels of one shape: flat in-map indices (y * nx + x, increasing), each
// with the fraction of that pixel's area inside the shape, in (0, 1]; and the area of
// the whole shape in pixel units (in-map or not: the sum of all weights on an unbounded
// grid).
struct ShapeWeights {
  std::vector<std::int64_t> flat_index;
  std::vector<double> weight;
  double area = 0.0;
};

ShapeWeights pixel_overlap(const PixelShape& shape, Index nx, Index ny);

// The area of a shape in pixel units (polygons by the even-odd rule, so a
// self-intersecting polygon counts each region of odd crossing parity once).
double shape_area(const PixelShape& shape);

// Area of the disk of radius r centred on (cx, cy) inside [x0, x1] x [y0, y1] (x0 <=
// x1, y0 <= y1). Exposed for tests.
double disk_rect_area(double cx, double cy, double r, double x0, double x1, double y0,
                      double y1);

// Weighted pixels of every shape of a table, concatenated: shape i owns
// [offsets[i], offsets[i + 1]) of flat_index and weight; area[i] is its full area.
struct RegionWeights {
  std::vector<std::int64_t> flat_index;
  std::vector<double> weight;
  std::vector<std::int64_t> offsets;
  std::vector<double> area;
};

RegionWeights pixel_overlap_table(const ShapeTable& shapes, Index nx, Index ny,
                                  int n_threads);

}  // namespace fluxprofile
