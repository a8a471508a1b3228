#include "fluxprofile/shapes.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace fluxprofile {

namespace {

bool point_in_polygon(const double* vx, const double* vy, Index n, double px,
                      double py) {
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

double ellipse_rho2(double q00, double q01, double q11, double dx, double dy) {
  return dx * (q00 * dx + 2.0 * q01 * dy) + q11 * (dy * dy);
}

bool parallelogram_axes(const PixelShape& s, double& a0, double& a1, double& b0,
                        double& b1) {
  // The inverse of m = [[p1, p2], [cos, sin]]: its columns are the pixel vectors of the
  // unit square's u and v axes.
  const double det = s.p1 * s.sin_angle - s.p2 * s.cos_angle;
  if (!(std::abs(det) > 0.0) || !std::isfinite(1.0 / det)) return false;
  a0 = s.sin_angle / det;
  a1 = -s.cos_angle / det;
  b0 = -s.p2 / det;
  b1 = s.p1 / det;
  return std::isfinite(a0) && std::isfinite(a1) && std::isfinite(b0) &&
         std::isfinite(b1);
}

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
    case ShapeKind::parallelogram: {
      const double u = p1 * dx + p2 * dy;
      const double v = cos_angle * dx + sin_angle * dy;
      return std::abs(u) < 0.5 && std::abs(v) < 0.5;
    }
    case ShapeKind::ellipse: {
      const double rho2 = ellipse_rho2(p1, p2, cos_angle, dx, dy);
      return rho2 < 1.0 && rho2 >= sin_angle;
    }
    case ShapeKind::pixel_runs:
      for (Index k = 0; k + 1 < vertex_count; k += 2) {
        if (vy[k] == py && vx[k] <= px && px <= vx[k + 1]) return true;
      }
      return false;
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
    case ShapeKind::parallelogram: {
      double a0 = 0, a1 = 0, b0 = 0, b1 = 0;
      parallelogram_axes(s, a0, a1, b0, b1);
      hx = 0.5 * (std::abs(a0) + std::abs(b0));
      hy = 0.5 * (std::abs(a1) + std::abs(b1));
      break;
    }
    case ShapeKind::ellipse: {
      // Extent of q^T Q q < 1: the diagonal of the inverse form, q11 / det and q00 /
      // det.
      const double det = s.p1 * s.cos_angle - s.p2 * s.p2;
      hx = std::sqrt(s.cos_angle / det);
      hy = std::sqrt(s.p1 / det);
      break;
    }
    case ShapeKind::polygon:
    case ShapeKind::pixel_runs: {
      if (s.vertex_count == 0) return PixelBox{0, -1, 0, -1};  // no runs: the empty set
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
  if (offsets_ != nullptr && offsets_[0] != 0)
    throw InvalidInput("vertex_offsets[0] must be 0");
  for (Index i = 0; i < n_; ++i) {
    const double* row = rows_ + i * kShapeColumns;
    for (Index c = 0; c < kShapeColumns; ++c) {
      if (!std::isfinite(row[c])) {
        throw InvalidInput(shape_name(i) + ": parameter " + std::to_string(c) +
                           " is not finite");
      }
    }
    const int kind = static_cast<int>(row[0]);
    if (kind < 0 || kind >= kShapeKindCount || static_cast<double>(kind) != row[0]) {
      throw InvalidInput(shape_name(i) + ": unknown shape kind " +
                         std::to_string(row[0]));
    }
    if (kind == 0 && (row[3] <= 0.0 || row[4] <= 0.0)) {
      throw InvalidInput(shape_name(i) +
                         ": rectangle width and height must be > 0, got " +
                         std::to_string(row[3]) + " and " + std::to_string(row[4]));
    }
    if (kind == 1 && row[3] <= 0.0) {
      throw InvalidInput(shape_name(i) + ": circle radius must be > 0, got " +
                         std::to_string(row[3]));
    }
    if (kind == 2 && !(row[3] >= 0.0 && row[4] > row[3])) {
      throw InvalidInput(shape_name(i) +
                         ": annulus needs 0 <= inner < outer radius, got " +
                         std::to_string(row[3]) + " and " + std::to_string(row[4]));
    }
    if (kind == 4) {
      PixelShape probe{
          ShapeKind::parallelogram, row[1], row[2], row[3], row[4], row[5], row[6]};
      double a0, a1, b0, b1;
      if (!parallelogram_axes(probe, a0, a1, b0, b1)) {
        throw InvalidInput(
            shape_name(i) + ": parallelogram matrix must be invertible, got [[" +
            std::to_string(row[3]) + ", " + std::to_string(row[4]) + "], [" +
            std::to_string(row[5]) + ", " + std::to_string(row[6]) + "]]");
      }
    }
    if (kind == 5 &&
        !(row[3] > 0.0 && row[5] > 0.0 && row[3] * row[5] - row[4] * row[4] > 0.0 &&
          row[6] >= 0.0 && row[6] < 1.0)) {
      throw InvalidInput(
          shape_name(i) +
          ": ellipse needs a positive-definite form and 0 <= inner^2 < 1, got q = (" +
          std::to_string(row[3]) + ", " + std::to_string(row[4]) + ", " +
          std::to_string(row[5]) + "), inner^2 = " + std::to_string(row[6]));
    }
    if (kind == 3 || kind == 6) {
      const char* what = kind == 3 ? "polygon" : "pixel-run shape";
      if (offsets_ == nullptr)
        throw InvalidInput(shape_name(i) + ": " + what + " without vertices");
      const std::int64_t b = offsets_[i], e = offsets_[i + 1];
      if (b < 0 || e > n_vertices || (kind == 3 && e - b < 3) ||
          (kind == 6 && (e - b) % 2 != 0)) {
        throw InvalidInput(
            shape_name(i) +
            (kind == 3 ? ": polygon needs >= 3 vertices within the vertex arrays"
                       : ": pixel runs need an even number of vertices within the "
                         "vertex arrays"));
      }
      for (std::int64_t k = b; k < e; ++k) {
        if (!std::isfinite(vx_[k]) || !std::isfinite(vy_[k])) {
          throw InvalidInput(shape_name(i) + ": " + what + " vertex " +
                             std::to_string(k - b) + " is not finite");
        }
      }
      if (kind == 6) {
        for (std::int64_t k = b; k < e; k += 2) {
          if (k > b &&
              (vy_[k] < vy_[k - 1] || (vy_[k] == vy_[k - 1] && vx_[k] <= vx_[k - 1]))) {
            throw InvalidInput(
                shape_name(i) +
                ": pixel runs must be sorted by row, then column, without overlap");
          }
          const bool integral = vx_[k] == std::floor(vx_[k]) &&
                                vx_[k + 1] == std::floor(vx_[k + 1]) &&
                                vy_[k] == std::floor(vy_[k]);
          if (!integral || vy_[k + 1] != vy_[k] || vx_[k + 1] < vx_[k]) {
            throw InvalidInput(
                shape_name(i) + ": pixel run " + std::to_string((k - b) / 2) +
                " must be integer (first, row), (last, row) with first <= last");
          }
        }
      }
    }
    const PixelBox box = bounding_box((*this)[i]);
    if (static_cast<double>(box.width()) * static_cast<double>(box.height()) >
        kMaxBoxPixels) {
      throw InvalidInput(shape_name(i) + ": region covers more than 4e9 pixels (" +
                         std::to_string(box.width()) + " x " +
                         std::to_string(box.height()) + ")");
    }
  }
  if (offsets_ != nullptr && n_ > 0) {
    for (Index i = 0; i < n_; ++i) {
      if (offsets_[i + 1] < offsets_[i])
        throw InvalidInput("vertex_offsets must be non-decreasing");
    }
  }
}

PixelShape ShapeTable::operator[](Index i) const {
  const double* row = rows_ + i * kShapeColumns;
  PixelShape s{static_cast<ShapeKind>(static_cast<int>(row[0])),
               row[1],
               row[2],
               row[3],
               row[4],
               row[5],
               row[6]};
  if (s.kind == ShapeKind::polygon || s.kind == ShapeKind::pixel_runs) {
    s.vx = vx_ + offsets_[i];
    s.vy = vy_ + offsets_[i];
    s.vertex_count = static_cast<Index>(offsets_[i + 1] - offsets_[i]);
  }
  return s;
}

namespace {

// Pixel x-indices inside a convex predicate on one row: the exact test decides, the
// geometric estimate [x_lo, x_hi] only tells where to look. Because the tests are
// monotone along a row, the inside set is one interval, found by moving the estimate's
// ends until the test changes. Returns an empty interval (first > last) when nothing is
// inside.
template <class Inside>
std::pair<Index, Index> row_interval(Inside&& inside, double x_lo, double x_hi,
                                     Index box_x0, Index box_x1) {
  if (!(x_hi >= x_lo)) return {1, 0};
  Index a = std::max(box_x0, static_cast<Index>(std::ceil(x_lo)));
  Index b = std::min(box_x1, static_cast<Index>(std::floor(x_hi)));
  if (a > b) {
    // The estimate holds no pixel centre; an exact test may still accept its
    // neighbours.
    a = std::max(box_x0, static_cast<Index>(std::floor(x_lo)));
    b = std::min(box_x1, a + 1);
    while (a <= b && !inside(a)) ++a;
    if (a > b) return {1, 0};
    b = a;
  }
  // Move the left end: outwards while still inside, inwards while outside.
  if (inside(a)) {
    while (a > box_x0 && inside(a - 1)) --a;
  } else {
    while (a <= b && !inside(a)) ++a;
    if (a > b) return {1, 0};
  }
  if (inside(b)) {
    while (b < box_x1 && inside(b + 1)) ++b;
  } else {
    while (b >= a && !inside(b)) --b;
  }
  return {a, b};
}

// Half-width of the chord of a circle of radius r at vertical offset dy (NaN if none).
double chord(double r, double dy) {
  const double h2 = r * r - dy * dy;
  return h2 >= 0.0 ? std::sqrt(h2) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

ShapePixels shape_pixels(const PixelShape& shape, Index nx, Index ny) {
  ShapePixels out;
  const PixelBox box = bounding_box(shape);
  // One pixel of slack on the geometric estimates: the exact tests decide membership.
  constexpr double slack = 1.0;
  auto emit = [&](Index iy, Index a, Index b) {
    if (a > b) return;
    out.n_total += b - a + 1;
    if (iy < 0 || iy >= ny) return;
    for (Index ix = std::max<Index>(a, 0); ix <= std::min<Index>(b, nx - 1); ++ix) {
      out.flat_index.push_back(iy * nx + ix);
    }
  };
  if (shape.kind == ShapeKind::pixel_runs) {
    for (Index k = 0; k + 1 < shape.vertex_count; k += 2) {
      emit(static_cast<Index>(shape.vy[k]), static_cast<Index>(shape.vx[k]),
           static_cast<Index>(shape.vx[k + 1]));
    }
    return out;
  }
  for (Index iy = box.y0; iy <= box.y1; ++iy) {
    const double py = static_cast<double>(iy);
    const double dy = py - shape.y;
    auto test = [&](Index ix) { return shape.contains(static_cast<double>(ix), py); };
    switch (shape.kind) {
      case ShapeKind::rectangle:
      case ShapeKind::parallelogram: {
        // |u| < w/2 and |v| < h/2 bound dx between two pairs of lines (a parallelogram
        // is the same with its own matrix and half-sizes 1/2).
        double lo = -std::numeric_limits<double>::infinity(), hi = -lo;
        const auto clip = [&](double k, double offset, double half) {
          // |k * dx + offset| < half
          if (std::abs(k) < 1e-12) {
            if (!(std::abs(offset) < half + slack)) hi = lo - 1.0;
            return;
          }
          const double r1 = (-half - offset) / k, r2 = (half - offset) / k;
          lo = std::max(lo, std::min(r1, r2));
          hi = std::min(hi, std::max(r1, r2));
        };
        if (shape.kind == ShapeKind::rectangle) {
          const double c = shape.cos_angle, sn = shape.sin_angle;
          clip(c, sn * dy, 0.5 * shape.p1);
          clip(sn, -c * dy, 0.5 * shape.p2);
        } else {
          clip(shape.p1, shape.p2 * dy, 0.5);
          clip(shape.cos_angle, shape.sin_angle * dy, 0.5);
        }
        const auto [a, b] = row_interval(test, shape.x + lo - slack,
                                         shape.x + hi + slack, box.x0, box.x1);
        emit(iy, a, b);
        break;
      }
      case ShapeKind::circle: {
        const double half = chord(shape.p1, dy);
        if (std::isnan(half)) break;
        const auto [a, b] = row_interval(test, shape.x - half - slack,
                                         shape.x + half + slack, box.x0, box.x1);
        emit(iy, a, b);
        break;
      }
      case ShapeKind::annulus: {
        // Outer disk minus inner disk, each an exact interval of its own test.
        const double half_out = chord(shape.p2, dy);
        if (std::isnan(half_out)) break;
        auto in_outer = [&](Index ix) {
          return std::hypot(static_cast<double>(ix) - shape.x, dy) < shape.p2;
        };
        auto in_inner = [&](Index ix) {
          return std::hypot(static_cast<double>(ix) - shape.x, dy) < shape.p1;
        };
        const auto [a, b] = row_interval(in_outer, shape.x - half_out - slack,
                                         shape.x + half_out + slack, box.x0, box.x1);
        if (a > b) break;
        const double half_in = chord(shape.p1, dy);
        std::pair<Index, Index> hole{1, 0};
        if (!std::isnan(half_in)) {
          hole = row_interval(in_inner, shape.x - half_in - slack,
                              shape.x + half_in + slack, a, b);
        }
        if (hole.first > hole.second) {
          emit(iy, a, b);
        } else {
          emit(iy, a, hole.first - 1);
          emit(iy, hole.second + 1, b);
        }
        break;
      }
      case ShapeKind::ellipse: {
        // Outer ellipse minus inner ellipse, each an exact interval of its own test.
        const double q00 = shape.p1, q01 = shape.p2, q11 = shape.cos_angle,
                     inner2 = shape.sin_angle;
        auto below = [&](double level) {
          return [&, level](Index ix) {
            return ellipse_rho2(q00, q01, q11, static_cast<double>(ix) - shape.x, dy) <
                   level;
          };
        };
        // rho^2 < level on this row: q00 dx^2 + 2 q01 dy dx + (q11 dy^2 - level) < 0.
        auto estimate = [&](double level, double& lo, double& hi) {
          const double mid = -q01 * dy / q00;
          const double disc = (q01 * dy) * (q01 * dy) - q00 * (q11 * dy * dy - level);
          const double half = disc > 0.0 ? std::sqrt(disc) / q00 : 0.0;
          lo = shape.x + mid - half - slack;
          hi = shape.x + mid + half + slack;
          return disc >= 0.0 || disc > -1e-9 * level * q00;
        };
        double lo, hi;
        if (!estimate(1.0, lo, hi)) break;
        const auto [a, b] = row_interval(below(1.0), lo, hi, box.x0, box.x1);
        if (a > b) break;
        std::pair<Index, Index> hole{1, 0};
        if (inner2 > 0.0 && estimate(inner2, lo, hi))
          hole = row_interval(below(inner2), lo, hi, a, b);
        if (hole.first > hole.second) {
          emit(iy, a, b);
        } else {
          emit(iy, a, hole.first - 1);
          emit(iy, hole.second + 1, b);
        }
        break;
      }
      case ShapeKind::pixel_runs:
        break;  // emitted below, run by run
      case ShapeKind::polygon:
        // Polygons may be concave: test every pixel of the row.
        for (Index ix = box.x0; ix <= box.x1; ++ix) {
          if (test(ix)) emit(iy, ix, ix);
        }
        break;
    }
  }
  return out;
}

}  // namespace fluxprofile
