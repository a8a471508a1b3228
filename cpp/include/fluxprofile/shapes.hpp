#pragma once
// Pixel-space region shapes and the pixel-centre containment rule.
//
// Pixel (x, y) has its centre at integer coordinates (0-based), as in the `regions`
// package. Rectangles and circles exclude their edge, an annulus includes its inner edge
// and excludes its outer one, polygons use the even-odd crossing rule.
#include <cstdint>
#include <vector>

#include "fluxprofile/types.hpp"

namespace fluxprofile {

enum class ShapeKind : int { rectangle = 0, circle = 1, annulus = 2, polygon = 3 };

// Number of columns of a shape table row: kind, x, y, p1, p2, cos(angle), sin(angle).
// rectangle: p1 = width, p2 = height; circle: p1 = radius; annulus: p1 = inner radius,
// p2 = outer radius; polygon: vertices in the separate vertex arrays.
constexpr Index kShapeColumns = 7;

struct PixelShape {
  ShapeKind kind;
  double x, y, p1, p2, cos_angle, sin_angle;
  const double* vx = nullptr;  // polygon vertices (x), vertex_count of them
  const double* vy = nullptr;
  Index vertex_count = 0;

  bool contains(double px, double py) const;
};

// Inclusive pixel-index bounding box of a shape (may extend beyond the map).
struct PixelBox {
  Index x0, x1, y0, y1;
  Index width() const { return x1 >= x0 ? x1 - x0 + 1 : 0; }
  Index height() const { return y1 >= y0 ? y1 - y0 + 1 : 0; }
};

PixelBox bounding_box(const PixelShape& shape);

// A read-only view of a table of shapes as passed from Python.
class ShapeTable {
 public:
  // rows: (n, kShapeColumns) row-major; vertices_x/y: all polygon vertices;
  // vertex_offsets: n + 1 offsets into the vertex arrays (shape i owns
  // [offsets[i], offsets[i+1])). Validates everything and throws InvalidInput.
  ShapeTable(const double* rows, Index n, const double* vertices_x, const double* vertices_y,
             Index n_vertices, const std::int64_t* vertex_offsets);
  Index size() const { return n_; }
  PixelShape operator[](Index i) const;

 private:
  const double* rows_;
  Index n_;
  const double* vx_;
  const double* vy_;
  const std::int64_t* offsets_;
};

// The pixels of one shape: flat in-map indices (y * nx + x, increasing) and the number of
// pixel centres inside the shape on the unbounded pixel grid (in-map or not).
struct ShapePixels {
  std::vector<std::int64_t> flat_index;
  std::int64_t n_total = 0;
};

// Largest bounding box (in pixels) a single shape may have; beyond this the shape is
// almost certainly a unit mistake and iterating it would hang the caller.
constexpr double kMaxBoxPixels = 4.0e9;

ShapePixels shape_pixels(const PixelShape& shape, Index nx, Index ny);

}  // namespace fluxprofile
