// Owned shape tables and the builder that fills their rows with named parameters.
#include <string>
#include <utility>

#include "fluxprofile/numpy_sum.hpp"
#include "fluxprofile/shapes.hpp"

namespace fluxprofile {

namespace {

// np.mean of the values, to the bit (0 for none).
double mean(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  const double* data = v.data();
  return numpy_pairwise_sum<double>([data](std::size_t k) { return data[k]; }, 0,
                                    v.size()) /
         static_cast<double>(v.size());
}

}  // namespace

OwnedShapeTable::OwnedShapeTable(std::vector<double> rows,
                                 std::vector<double> vertices_x,
                                 std::vector<double> vertices_y,
                                 std::vector<std::int64_t> vertex_offsets)
    : rows_(std::move(rows)),
      vx_(std::move(vertices_x)),
      vy_(std::move(vertices_y)),
      offsets_(std::move(vertex_offsets)),
      view_(nullptr, 0, nullptr, nullptr, 0, nullptr) {
  if (rows_.size() % kShapeColumns != 0) {
    throw InvalidInput("shape rows must hold a multiple of " +
                       std::to_string(kShapeColumns) + " values, got " +
                       std::to_string(rows_.size()));
  }
  const auto n = static_cast<Index>(rows_.size()) / kShapeColumns;
  if (vx_.size() != vy_.size()) {
    throw InvalidInput("vertices_x and vertices_y must have equal length, got " +
                       std::to_string(vx_.size()) + " and " +
                       std::to_string(vy_.size()));
  }
  if (static_cast<Index>(offsets_.size()) != n + 1) {
    throw InvalidInput(
        "vertex_offsets must have n_shapes + 1 = " + std::to_string(n + 1) +
        " entries, got " + std::to_string(offsets_.size()));
  }
  if (offsets_.back() != static_cast<std::int64_t>(vx_.size())) {
    throw InvalidInput("vertex_offsets[-1] must equal the number of vertices (" +
                       std::to_string(vx_.size()) + "), got " +
                       std::to_string(offsets_.back()));
  }
  view_ = ShapeTable(rows_.data(), n, vx_.data(), vy_.data(),
                     static_cast<Index>(vx_.size()), offsets_.data());
}

ShapeTableBuilder::ShapeTableBuilder(Index n)
    : n_(n),
      rows_(n >= 0 ? static_cast<std::size_t>(n) * kShapeColumns : 0, 0.0),
      vx_(n >= 0 ? static_cast<std::size_t>(n) : 0),
      vy_(n >= 0 ? static_cast<std::size_t>(n) : 0),
      is_set_(n >= 0 ? static_cast<std::size_t>(n) : 0, false) {
  if (n < 0)
    throw InvalidInput("a shape table needs n >= 0 rows, got " + std::to_string(n));
}

double* ShapeTableBuilder::row(Index i, ShapeKind kind) {
  if (i < 0 || i >= n_) {
    throw InvalidInput("shape row " + std::to_string(i) + " is out of the table of " +
                       std::to_string(n_) + " rows");
  }
  double* r = rows_.data() + i * kShapeColumns;
  for (Index c = 0; c < kShapeColumns; ++c) r[c] = 0.0;
  r[0] = static_cast<double>(static_cast<int>(kind));
  vx_[i].clear();
  vy_[i].clear();
  is_set_[i] = true;
  return r;
}

void ShapeTableBuilder::set_rectangle(Index i, double x, double y, double width,
                                      double height, double cos_angle,
                                      double sin_angle) {
  double* r = row(i, ShapeKind::rectangle);
  r[1] = x, r[2] = y, r[3] = width, r[4] = height, r[5] = cos_angle, r[6] = sin_angle;
}

void ShapeTableBuilder::set_circle(Index i, double x, double y, double radius) {
  double* r = row(i, ShapeKind::circle);
  r[1] = x, r[2] = y, r[3] = radius, r[5] = 1.0;
}

void ShapeTableBuilder::set_annulus(Index i, double x, double y, double inner_radius,
                                    double outer_radius) {
  double* r = row(i, ShapeKind::annulus);
  r[1] = x, r[2] = y, r[3] = inner_radius, r[4] = outer_radius, r[5] = 1.0;
}

void ShapeTableBuilder::set_parallelogram(Index i, double x, double y, double m00,
                                          double m01, double m10, double m11) {
  double* r = row(i, ShapeKind::parallelogram);
  r[1] = x, r[2] = y, r[3] = m00, r[4] = m01, r[5] = m10, r[6] = m11;
}

void ShapeTableBuilder::set_ellipse(Index i, double x, double y, double q00, double q01,
                                    double q11, double inner2) {
  double* r = row(i, ShapeKind::ellipse);
  r[1] = x, r[2] = y, r[3] = q00, r[4] = q01, r[5] = q11, r[6] = inner2;
}

void ShapeTableBuilder::set_vertices(Index i, ShapeKind kind, std::vector<double> vx,
                                     std::vector<double> vy) {
  if (vx.size() != vy.size()) {
    throw InvalidInput("shape " + std::to_string(i) +
                       ": vertices_x and vertices_y must have equal length, got " +
                       std::to_string(vx.size()) + " and " + std::to_string(vy.size()));
  }
  double* r = row(i, kind);
  r[1] = mean(vx);
  r[2] = mean(vy);
  vx_[i] = std::move(vx);
  vy_[i] = std::move(vy);
}

void ShapeTableBuilder::set_polygon(Index i, std::vector<double> vertices_x,
                                    std::vector<double> vertices_y) {
  set_vertices(i, ShapeKind::polygon, std::move(vertices_x), std::move(vertices_y));
}

void ShapeTableBuilder::set_pixel_runs(Index i, std::vector<double> vertices_x,
                                       std::vector<double> vertices_y) {
  set_vertices(i, ShapeKind::pixel_runs, std::move(vertices_x), std::move(vertices_y));
}

OwnedShapeTable ShapeTableBuilder::build() const {
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(n_) + 1, 0);
  for (Index i = 0; i < n_; ++i) {
    if (!is_set_[i])
      throw InvalidInput("shape table row " + std::to_string(i) + " was never set");
    offsets[i + 1] = offsets[i] + static_cast<std::int64_t>(vx_[i].size());
  }
  std::vector<double> vx, vy;
  vx.reserve(static_cast<std::size_t>(offsets.back()));
  vy.reserve(static_cast<std::size_t>(offsets.back()));
  for (Index i = 0; i < n_; ++i) {
    vx.insert(vx.end(), vx_[i].begin(), vx_[i].end());
    vy.insert(vy.end(), vy_[i].begin(), vy_[i].end());
  }
  return OwnedShapeTable(rows_, std::move(vx), std::move(vy), std::move(offsets));
}

}  // namespace fluxprofile
