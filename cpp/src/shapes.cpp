#include "fluxprofile/shapes.hpp"

#include <cmath>
#include <string>

namespace fluxprofile {

namespace {

bool point_in_polygon(const double* vx, const double* vy, Index n, double px, double py) {
  // Even-odd rule: count crossings of a ray towards +x.
  bool inside = false;
  for (Index i = 0, j = n - 1; i < n; j = i++) {
    if ((vy[i] > py) != (vy[j] > py) &&
        px < (vx[j] - vx[i]) * (py - vy[i]) / (vy[j] - vy[i]) + vx[i]) {
      inside = !inside;
    }
  }
  return inside;
}

std::string shape_name(Index i) { return "shape " + std::to_string(i); }

}  // namespace

bool PixelShape::contains(double px, double py) const {
  const double dx = px - x;
  const double dy = py - y;
  switch (kind) {
    case ShapeKind::rectangle: {
      // Same operation order as regions' RectanglePixelRegion, so that ties at the edge
      // fall on the same side.
      const double u = cos_angle * dx + sin_angle * dy;
      const double v = sin_angle * dx - cos_angle * dy;
      return std::abs(u) < p1 * 0.5 && std::abs(v) < p2 * 0.5;
    }
    case ShapeKind::circle:
      return std::hypot(dx, dy) < p1;
    case ShapeKind::annulus: {
      const double r = std::hypot(dx, dy);
      return (r < p2) != (r < p1);
    }
    case ShapeKind::polygon:
      return point_in_polygon(vx, vy, vertex_count, px, py);
  }
  return false;
}

PixelBox bounding_box(const PixelShape& s) {
  double hx = 0.0, hy = 0.0, cx = s.x, cy = s.y;
  switch (s.kind) {
    case ShapeKind::rectangle:
      hx = 0.5 * (std::abs(s.p1 * s.cos_angle) + std::abs(s.p2 * s.sin_angle));
      hy = 0.5 * (std::abs(s.p1 * s.sin_angle) + std::abs(s.p2 * s.cos_angle));
      break;
    case ShapeKind::circle:
      hx = hy = s.p1;
      break;
    case ShapeKind::annulus:
      hx = hy = s.p2;
      break;
    case ShapeKind::polygon: {
      double xmin = s.vx[0], xmax = s.vx[0], ymin = s.vy[0], ymax = s.vy[0];
      for (Index i = 1; i < s.vertex_count; ++i) {
        xmin = std::min(xmin, s.vx[i]);
        xmax = std::max(xmax, s.vx[i]);
        ymin = std::min(ymin, s.vy[i]);
        ymax = std::max(ymax, s.vy[i]);
      }
      cx = 0.5 * (xmin + xmax);
      cy = 0.5 * (ymin + ymax);
      hx = 0.5 * (xmax - xmin);
      hy = 0.5 * (ymax - ymin);
      break;
    }
  }
  // One pixel of margin: the box only limits the search, the containment test decides.
  return PixelBox{static_cast<Index>(std::floor(cx - hx)) - 1,
                  static_cast<Index>(std::ceil(cx + hx)) + 1,
                  static_cast<Index>(std::floor(cy - hy)) - 1,
                  static_cast<Index>(std::ceil(cy + hy)) + 1};
}

ShapeTable::ShapeTable(const double* rows, Index n, const double* vertices_x,
                       const double* vertices_y, Index n_vertices,
                       const std::int64_t* vertex_offsets)
    : rows_(rows), n_(n), vx_(vertices_x), vy_(vertices_y), offsets_(vertex_offsets) {
  if (offsets_ != nullptr && offsets_[0] != 0) throw InvalidInput("vertex_offsets[0] must be 0");
  for (Index i = 0; i < n_; ++i) {
    const double* row = rows_ + i * kShapeColumns;
    for (Index c = 0; c < kShapeColumns; ++c) {
      if (!std::isfinite(row[c])) {
        throw InvalidInput(shape_name(i) + ": parameter " + std::to_string(c) + " is not finite");
      }
    }
    const int kind = static_cast<int>(row[0]);
    if (kind < 0 || kind > 3 || static_cast<double>(kind) != row[0]) {
      throw InvalidInput(shape_name(i) + ": unknown shape kind " + std::to_string(row[0]));
    }
    if (kind == 0 && (row[3] <= 0.0 || row[4] <= 0.0)) {
      throw InvalidInput(shape_name(i) + ": rectangle width and height must be > 0, got " +
                         std::to_string(row[3]) + " and " + std::to_string(row[4]));
    }
    if (kind == 1 && row[3] <= 0.0) {
      throw InvalidInput(shape_name(i) + ": circle radius must be > 0, got " + std::to_string(row[3]));
    }
    if (kind == 2 && !(row[3] >= 0.0 && row[4] > row[3])) {
      throw InvalidInput(shape_name(i) + ": annulus needs 0 <= inner < outer radius, got " +
                         std::to_string(row[3]) + " and " + std::to_string(row[4]));
    }
    if (kind == 3) {
      if (offsets_ == nullptr) throw InvalidInput(shape_name(i) + ": polygon without vertices");
      const std::int64_t b = offsets_[i], e = offsets_[i + 1];
      if (b < 0 || e > n_vertices || e - b < 3) {
        throw InvalidInput(shape_name(i) + ": polygon needs >= 3 vertices within the vertex arrays");
      }
      for (std::int64_t k = b; k < e; ++k) {
        if (!std::isfinite(vx_[k]) || !std::isfinite(vy_[k])) {
          throw InvalidInput(shape_name(i) + ": polygon vertex " + std::to_string(k - b) + " is not finite");
        }
      }
    }
    const PixelBox box = bounding_box((*this)[i]);
    if (static_cast<double>(box.width()) * static_cast<double>(box.height()) > kMaxBoxPixels) {
      throw InvalidInput(shape_name(i) + ": region covers more than 4e9 pixels (" +
                         std::to_string(box.width()) + " x " + std::to_string(box.height()) + ")");
    }
  }
  if (offsets_ != nullptr && n_ > 0) {
    for (Index i = 0; i < n_; ++i) {
      if (offsets_[i + 1] < offsets_[i]) throw InvalidInput("vertex_offsets must be non-decreasing");
    }
  }
}

PixelShape ShapeTable::operator[](Index i) const {
  const double* row = rows_ + i * kShapeColumns;
  PixelShape s{static_cast<ShapeKind>(static_cast<int>(row[0])), row[1], row[2], row[3], row[4], row[5], row[6]};
  if (s.kind == ShapeKind::polygon) {
    s.vx = vx_ + offsets_[i];
    s.vy = vy_ + offsets_[i];
    s.vertex_count = static_cast<Index>(offsets_[i + 1] - offsets_[i]);
  }
  return s;
}

ShapePixels shape_pixels(const PixelShape& shape, Index nx, Index ny) {
  ShapePixels out;
  const PixelBox box = bounding_box(shape);
  for (Index iy = box.y0; iy <= box.y1; ++iy) {
    const bool row_in_map = iy >= 0 && iy < ny;
    for (Index ix = box.x0; ix <= box.x1; ++ix) {
      if (!shape.contains(static_cast<double>(ix), static_cast<double>(iy))) continue;
      ++out.n_total;
      if (row_in_map && ix >= 0 && ix < nx) out.flat_index.push_back(iy * nx + ix);
    }
  }
  return out;
}

}  // namespace fluxprofile
