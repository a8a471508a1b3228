#pragma once
// Pixel-space region shapes and the pixel-centre containment rule.
//
// Pixel (x, y) has its centre at integer coordinates (0-based), as in the `regions`
// package. Rectangles, parallelograms, circles and ellipses exclude their edge, annuli
// (circular or elliptical) include their inner edge and exclude their outer one,
// polygons use the even-odd crossing rule. This file is the one statement of the
// shape-table layout: Python builds tables through ShapeTableBuilder (bound as
// _core.ShapeTableBuilder) and reads the kinds from ShapeKind (_core.ShapeKind), never
// from column numbers.
#include <cstdint>
#include <vector>

#include "fluxprofile/types.hpp"

namespace fluxprofile {

enum class ShapeKind : int {
  rectangle = 0,
  circle = 1,
  annulus = 2,
  polygon = 3,
  parallelogram = 4,
  ellipse = 5,
  pixel_runs = 6,
};
constexpr int kShapeKindCount = 7;

// Number of columns of a shape table row: kind, x, y, c3, c4, c5, c6, with (x, y) the
// centre and dx = px - x, dy = py - y the offset of a pixel centre (px, py) from it:
//  rectangle (0):     c3 = width, c4 = height, c5 = cos(angle), c6 = sin(angle);
//                     inside iff |c5 dx + c6 dy| < c3 / 2 and |c6 dx - c5 dy| < c4 / 2.
//  circle (1):        c3 = radius, c4 = 0, c5 = 1, c6 = 0; inside iff hypot(dx, dy) <
//  c3. annulus (2):       c3 = inner radius, c4 = outer radius, c5 = 1, c6 = 0;
//                     inside iff c3 <= hypot(dx, dy) < c4.
//  polygon (3):       c3 ... c6 = 0; vertices in the vertex arrays (x, y = their mean).
//  parallelogram (4): c3 ... c6 = m00, m01, m10, m11, the matrix taking (dx, dy) to
//                     coordinates (u, v) in which the shape is the unit square:
//                     u = m00 dx + m01 dy, v = m10 dx + m11 dy; inside iff |u| < 1/2
//                     and |v| < 1/2. (A rectangle is the case m = [[c5, c6], [c6, -c5]]
//                     / size.)
//  ellipse (5):       c3, c4, c5 = q00, q01, q11 of a symmetric positive-definite form,
//                     rho^2 = q00 dx^2 + 2 q01 dx dy + q11 dy^2, c6 = inner^2 in [0,
//                     1); inside iff c6 <= rho^2 < 1 (c6 = 0: a full ellipse, else an
//                     elliptical annulus whose inner edge is the outer one scaled by
//                     sqrt(c6)).
//  pixel_runs (6):    c3 ... c6 = 0; an explicit set of pixels given as runs in the
//  vertex
//                     arrays: run k is vertices 2k (x = first column, y = row) and 2k +
//                     1 (x = last column, y = the same row), integers, sorted by row
//                     and column without overlap; no runs is the empty set.
// Polygon and pixel-run rows own vertices_x/y[offsets[i] : offsets[i + 1]]; others
// none.
constexpr Index kShapeColumns = 7;

struct PixelShape {
  ShapeKind kind;
  double x, y, p1, p2, cos_angle,
      sin_angle;               // columns 1 ... 6 (names of the rectangle)
  const double* vx = nullptr;  // polygon / pixel-run vertices (x), vertex_count of them
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

// rho^2 = q00 dx^2 + 2 q01 dx dy + q11 dy^2 of an ellipse row (one operation order for
// the containment test and the rasterisation).
double ellipse_rho2(double q00, double q01, double q11, double dx, double dy);

// The pixel vectors (a0, a1) and (b0, b1) of the u and v axes of a parallelogram (the
// columns of the inverse of its matrix); false if the matrix is not invertible.
bool parallelogram_axes(const PixelShape& shape, double& a0, double& a1, double& b0,
                        double& b1);

// A read-only view of a table of shapes as passed from Python.
class ShapeTable {
 public:
  // rows: (n, kShapeColumns) row-major; vertices_x/y: all polygon vertices;
  // vertex_offsets: n + 1 offsets into the vertex arrays (shape i owns
  // [offsets[i], offsets[i+1])). Validates everything and throws InvalidInput.
  ShapeTable(const double* rows, Index n, const double* vertices_x,
             const double* vertices_y, Index n_vertices,
             const std::int64_t* vertex_offsets);
  Index size() const { return n_; }
  PixelShape operator[](Index i) const;

 private:
  const double* rows_;
  Index n_;
  const double* vx_;
  const double* vy_;
  const std::int64_t* offsets_;
};

// An owned shape table: the rows and vertex arrays of the layout above, and the
// validated view of them that the algorithms read. Not copyable (the view points into
// the storage); moving keeps the storage, so the view stays valid.
class OwnedShapeTable {
 public:
  // rows: n * kShapeColumns values; vertex_offsets: n + 1 entries. Validates as
  // ShapeTable does and throws InvalidInput.
  OwnedShapeTable(std::vector<double> rows, std::vector<double> vertices_x,
                  std::vector<double> vertices_y,
                  std::vector<std::int64_t> vertex_offsets);
  OwnedShapeTable(const OwnedShapeTable&) = delete;
  OwnedShapeTable& operator=(const OwnedShapeTable&) = delete;
  OwnedShapeTable(OwnedShapeTable&&) = default;
  OwnedShapeTable& operator=(OwnedShapeTable&&) = delete;

  const ShapeTable& view() const { return view_; }
  Index size() const { return view_.size(); }
  const std::vector<double>& rows() const { return rows_; }
  const std::vector<double>& vertices_x() const { return vx_; }
  const std::vector<double>& vertices_y() const { return vy_; }
  const std::vector<std::int64_t>& vertex_offsets() const { return offsets_; }

 private:
  std::vector<double> rows_, vx_, vy_;
  std::vector<std::int64_t> offsets_;
  ShapeTable view_;
};

// Fills a shape table row by row with named parameters (the meaning of each column is
// written here and in the layout comment above, nowhere else). Every row must be set
// before build(); setting a row again replaces it. Sizes are checked by build()
// (ShapeTable).
class ShapeTableBuilder {
 public:
  explicit ShapeTableBuilder(Index n);
  Index size() const { return n_; }
  void set_rectangle(Index i, double x, double y, double width, double height,
                     double cos_angle, double sin_angle);
  void set_circle(Index i, double x, double y, double radius);
  void set_annulus(Index i, double x, double y, double inner_radius,
                   double outer_radius);
  // m takes pixel offsets (dx, dy) to the unit square: u = m00 dx + m01 dy, v = m10 dx
  // + m11 dy.
  void set_parallelogram(Index i, double x, double y, double m00, double m01,
                         double m10, double m11);
  // rho^2 = q00 dx^2 + 2 q01 dx dy + q11 dy^2; inside iff inner2 <= rho^2 < 1.
  void set_ellipse(Index i, double x, double y, double q00, double q01, double q11,
                   double inner2);
  // Polygons and pixel runs are centred on the mean of their vertices.
  void set_polygon(Index i, std::vector<double> vertices_x,
                   std::vector<double> vertices_y);
  // Run k: vertices 2k (first column, row) and 2k + 1 (last column, the same row).
  void set_pixel_runs(Index i, std::vector<double> vertices_x,
                      std::vector<double> vertices_y);
  // The table (validated); throws InvalidInput naming the first row never set.
  OwnedShapeTable build() const;

 private:
  double* row(Index i, ShapeKind kind);
  void set_vertices(Index i, ShapeKind kind, std::vector<double> vx,
                    std::vector<double> vy);

  Index n_;
  std::vector<double> rows_;
  std::vector<std::vector<double>> vx_, vy_;
  std::vector<bool> is_set_;
};

// The pixels of one shape: flat in-map indices (y * nx + x, increasing) and the number
// of pixel centres inside the shape on the unbounded pixel grid (in-map or not).
struct ShapePixels {
  std::vector<std::int64_t> flat_index;
  std::int64_t n_total = 0;
};

// Largest bounding box (in pixels) a single shape may have; beyond this the shape is
// almost certainly a unit mistake and iterating it would hang the caller.
constexpr double kMaxBoxPixels = 4.0e9;

ShapePixels shape_pixels(const PixelShape& shape, Index nx, Index ny);

}  // namespace fluxprofile
