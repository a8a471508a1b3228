// Regions on the sphere (healpix.hpp): pixel-centre containment in the region's local
// frame.
#include "fluxprofile/healpix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "fluxprofile/parallel.hpp"

namespace fluxprofile {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Edge tolerance of the boxes (rad, ~2e-7 arcsec): far above the round-off of the local
// coordinates, far below any pixel.
constexpr double kEdge = 1e-12;

std::string region_name(Index r) { return "sphere region " + std::to_string(r); }

// Even-odd rule on the gnomonic plane (same crossing test as the pixel polygons).
bool in_polygon(const double* vu, const double* vv, Index n, double pu, double pv) {
  bool inside = false;
  for (Index i = 0, j = n - 1; i < n; j = i++) {
    if ((vv[i] > pv) != (vv[j] > pv) &&
        pu < (vu[j] - vu[i]) * (pv - vv[i]) / (vv[j] - vv[i]) + vu[i]) {
      inside = !inside;
    }
  }
  return inside;
}

}  // namespace

void SphereShapes::validate() const {
  const Index n = size();
  if (static_cast<Index>(rotation.size()) != 9 * n ||
      static_cast<Index>(p0.size()) != n || static_cast<Index>(p1.size()) != n ||
      static_cast<Index>(vertex_offsets.size()) != n + 1 ||
      vertex_u.size() != vertex_v.size()) {
    throw InvalidInput("sphere shapes: arrays of inconsistent lengths");
  }
  if (vertex_offsets[0] != 0 ||
      vertex_offsets[n] != static_cast<std::int64_t>(vertex_u.size())) {
    throw InvalidInput("sphere shapes: vertex offsets do not match the vertices");
  }
  for (Index r = 0; r < n; ++r) {
    for (int k = 0; k < 9; ++k) {
      if (!std::isfinite(rotation[9 * r + k]))
        throw InvalidInput(region_name(r) + ": rotation must be finite");
    }
    if (vertex_offsets[r + 1] < vertex_offsets[r])
      throw InvalidInput("sphere shapes: vertex offsets must be non-decreasing");
    const double a = p0[r], b = p1[r];
    switch (kind[r]) {
      case SphereKind::cap:
        if (!(a > 0.0 && a <= kPi))
          throw InvalidInput(region_name(r) +
                             ": circle radius must be in (0, 180] deg");
        break;
      case SphereKind::ring:
        if (!(a >= 0.0 && a < b && b <= kPi))
          throw InvalidInput(region_name(r) +
                             ": annulus needs 0 <= inner < outer <= 180 deg");
        break;
      case SphereKind::box:
        if (!(a > 0.0 && a <= 0.5 * kPi && b > 0.0 && b <= 0.5 * kPi))
          throw InvalidInput(region_name(r) +
                             ": box half sizes must be in (0, 90] deg (a box larger "
                             "than a hemisphere is refused)");
        break;
      case SphereKind::polygon: {
        if (vertex_offsets[r + 1] - vertex_offsets[r] < 3)
          throw InvalidInput(region_name(r) + ": polygon needs at least 3 vertices");
        for (std::int64_t k = vertex_offsets[r]; k < vertex_offsets[r + 1]; ++k) {
          if (!std::isfinite(vertex_u[k]) || !std::isfinite(vertex_v[k]))
            throw InvalidInput(
                region_name(r) +
                ": polygon vertices must lie within 90 deg of its centre");
        }
        break;
      }
      default:
        throw InvalidInput(region_name(r) + ": unknown shape kind " +
                           std::to_string(static_cast<int>(kind[r])));
    }
  }
}

bool sphere_contains(const SphereShapes& s, Index r, const double* v) {
  const double* m = &s.rotation[static_cast<std::size_t>(9 * r)];
  const double x = m[0] * v[0] + m[1] * v[1] + m[2] * v[2];
  switch (s.kind[r]) {
    case SphereKind::cap:
    case SphereKind::ring: {
      // The angle from the centre, from both the cosine and the sine (x' alone loses
      // precision for small radii).
      const double y = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
      const double z = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
      const double d = std::atan2(std::hypot(y, z), x);
      if (s.kind[r] == SphereKind::cap) return d < s.p0[r];
      return d >= s.p0[r] && d < s.p1[r];
    }
    case SphereKind::box: {
      // Half-open in lon' and lat' ([-half - tol, half - tol)): a pixel centre on the
      // edge shared by two boxes along a great circle (HEALPix centres often are, e.g.
      // at l = 0, 90, ... deg) belongs to exactly one of them whatever the round-off.
      const double y = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
      const double z = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
      const double lat = std::atan2(z, std::hypot(x, y));
      if (!(lat >= -s.p1[r] - kEdge && lat < s.p1[r] - kEdge)) return false;
      const double lon = std::atan2(y, x);
      return lon >= -s.p0[r] - kEdge && lon < s.p0[r] - kEdge;
    }
    case SphereKind::polygon: {
      if (!(x > 0.0)) return false;
      const double y = m[3] * v[0] + m[4] * v[1] + m[5] * v[2];
      const double z = m[6] * v[0] + m[7] * v[1] + m[8] * v[2];
      const std::int64_t b = s.vertex_offsets[r], e = s.vertex_offsets[r + 1];
      return in_polygon(&s.vertex_u[b], &s.vertex_v[b], e - b, y / x, z / x);
    }
  }
  return false;
}

RegionPixels sphere_region_pixels(const SphereShapes& shapes, const double* vectors,
                                  const std::int64_t* column,
                                  const std::int64_t* candidate_offsets,
                                  int n_threads) {
  shapes.validate();
  const Index n = shapes.size();
  for (Index r = 0; r < n; ++r) {
    if (candidate_offsets[r + 1] < candidate_offsets[r])
      throw InvalidInput("candidate offsets must be non-decreasing");
  }
  if (n > 0 && candidate_offsets[0] != 0)
    throw InvalidInput("candidate offsets must start at 0");
  std::vector<std::vector<std::int64_t>> inside(static_cast<std::size_t>(n));
  std::vector<std::int64_t> n_total(static_cast<std::size_t>(n), 0);
  parallel_for_weighted(
      n, n_threads,
      [&](Index r) {
        return 16.0 +
               static_cast<double>(candidate_offsets[r + 1] - candidate_offsets[r]);
      },
      [&](Index r) {
        auto& out = inside[static_cast<std::size_t>(r)];
        std::int64_t total = 0;
        for (std::int64_t k = candidate_offsets[r]; k < candidate_offsets[r + 1]; ++k) {
          if (!sphere_contains(shapes, r, vectors + 3 * k)) continue;
          ++total;
          if (column[k] >= 0) out.push_back(column[k]);
        }
        n_total[static_cast<std::size_t>(r)] = total;
      });
  RegionPixels px;
  px.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (Index r = 0; r < n; ++r) {
    auto& own = inside[static_cast<std::size_t>(r)];
    // Sorted columns: the reduction sums in list order, as NumPy over the stored map.
    std::sort(own.begin(), own.end());
    px.offsets[static_cast<std::size_t>(r) + 1] =
        px.offsets[static_cast<std::size_t>(r)] + static_cast<std::int64_t>(own.size());
  }
  px.flat_index.reserve(static_cast<std::size_t>(px.offsets.back()));
  for (const auto& own : inside)
    px.flat_index.insert(px.flat_index.end(), own.begin(), own.end());
  px.n_total = std::move(n_total);
  return px;
}

}  // namespace fluxprofile
