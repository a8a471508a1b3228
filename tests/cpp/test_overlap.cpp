// Tests of the exact pixel-overlap weights against independent references: closed
// forms, per-pixel Sutherland-Hodgman clipping of the polygon and a long-double column
// integral of the disk (run by ctest).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "check.hpp"
#include "fluxprofile/overlap.hpp"
#include "fluxprofile/reduce.hpp"

namespace fp = fluxprofile;
using fp::Index;

static const double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------------------------------
// Reference 1: clip the polygon to one pixel square (Sutherland-Hodgman) and take the
// shoelace area. Valid for simple polygons.

using Poly = std::vector<std::pair<double, double>>;

static Poly clip_half_plane(const Poly& in, int axis, double bound, bool keep_below) {
  Poly out;
  const auto inside = [&](const std::pair<double, double>& p) {
    const double v = axis == 0 ? p.first : p.second;
    return keep_below ? v <= bound : v >= bound;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& a = in[i];
    const auto& b = in[(i + 1) % in.size()];
    const bool ia = inside(a), ib = inside(b);
    if (ia) out.push_back(a);
    if (ia != ib) {
      const double va = axis == 0 ? a.first : a.second,
                   vb = axis == 0 ? b.first : b.second;
      const double t = (bound - va) / (vb - va);
      out.emplace_back(a.first + t * (b.first - a.first),
                       a.second + t * (b.second - a.second));
    }
  }
  return out;
}

static double shoelace(const Poly& p) {
  double a = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& u = p[i];
    const auto& v = p[(i + 1) % p.size()];
    a += u.first * v.second - v.first * u.second;
  }
  return 0.5 * a;
}

static double clipped_area(const Poly& poly, double x0, double x1, double y0,
                           double y1) {
  Poly p = clip_half_plane(poly, 0, x0, false);
  if (!p.empty()) p = clip_half_plane(p, 0, x1, true);
  if (!p.empty()) p = clip_half_plane(p, 1, y0, false);
  if (!p.empty()) p = clip_half_plane(p, 1, y1, true);
  return p.size() < 3 ? 0.0 : std::abs(shoelace(p));
}

// ---------------------------------------------------------------------------------------
// Reference 2: disk inside a box as a column integral of the chord length, with the
// primitive of sqrt(r^2 - x^2) in long double, split where the chord meets the box
// edges.

static long double prim(long double r, long double x) {
  x = std::max(-r, std::min(r, x));
  return 0.5L * (x * std::sqrt(r * r - x * x) + r * r * std::asin(x / r));
}

static double disk_box_reference(double cx, double cy, double r, double x0, double x1,
                                 double y0, double y1) {
  const long double R = r, X0 = (long double)x0 - cx, X1 = (long double)x1 - cx;
  const long double Y0 = (long double)y0 - cy, Y1 = (long double)y1 - cy;
  std::vector<long double> br{std::max(X0, -R), std::min(X1, R)};
  if (!(br[0] < br[1])) return 0.0;
  for (long double c : {Y0, Y1}) {
    if (std::abs(c) < R) {
      const long double x = std::sqrt(R * R - c * c);
      for (long double b : {-x, x}) {
        if (b > br[0] && b < br[1]) br.push_back(b);
      }
    }
  }
  std::sort(br.begin(), br.end());
  long double area = 0.0L;
  for (std::size_t k = 0; k + 1 < br.size(); ++k) {
    const long double a = br[k], b = br[k + 1];
    const long double m = 0.5L * (a + b), s = std::sqrt(R * R - m * m);
    const bool top_arc = s<Y1, bottom_arc = -s> Y0;  // which bound limits the chord
    if ((top_arc ? s : Y1) <= (bottom_arc ? -s : Y0)) continue;  // chord misses the box
    // integral of (top - bottom) over [a, b]
    const long double sint = prim(R, b) - prim(R, a);
    const long double top = top_arc ? sint : Y1 * (b - a);
    const long double bottom = bottom_arc ? -sint : Y0 * (b - a);
    area += top - bottom;
  }
  return static_cast<double>(area);
}

// ---------------------------------------------------------------------------------------
// Helpers

static fp::PixelShape rectangle(double x, double y, double w, double h, double angle) {
  return fp::PixelShape{fp::ShapeKind::rectangle, x, y, w, h, std::cos(angle),
                        std::sin(angle)};
}

static fp::PixelShape polygon(const std::vector<double>& vx,
                              const std::vector<double>& vy) {
  fp::PixelShape s{fp::ShapeKind::polygon, 0, 0, 0, 0, 0, 0};
  s.vx = vx.data();
  s.vy = vy.data();
  s.vertex_count = static_cast<Index>(vx.size());
  return s;
}

static std::vector<double> dense(const fp::ShapeWeights& w, Index nx, Index ny) {
  std::vector<double> img(static_cast<std::size_t>(nx * ny), 0.0);
  for (std::size_t k = 0; k < w.flat_index.size(); ++k)
    img[static_cast<std::size_t>(w.flat_index[k])] = w.weight[k];
  return img;
}

static double sum(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s;
}

static bool well_formed(const fp::ShapeWeights& w, Index nx, Index ny) {
  if (w.flat_index.size() != w.weight.size()) return false;
  for (std::size_t k = 0; k < w.weight.size(); ++k) {
    if (!(w.weight[k] > 0.0 && w.weight[k] <= 1.0)) return false;
    if (w.flat_index[k] < 0 || w.flat_index[k] >= nx * ny) return false;
    if (k > 0 && w.flat_index[k] <= w.flat_index[k - 1]) return false;
  }
  return true;
}

static Poly corners(const std::vector<double>& vx, const std::vector<double>& vy) {
  Poly p;
  for (std::size_t i = 0; i < vx.size(); ++i) p.emplace_back(vx[i], vy[i]);
  return p;
}

static double max_diff_to_clipping(const fp::ShapeWeights& w, const Poly& poly,
                                   Index nx, Index ny) {
  const std::vector<double> img = dense(w, nx, ny);
  double worst = 0.0;
  for (Index y = 0; y < ny; ++y) {
    for (Index x = 0; x < nx; ++x) {
      const double ref = clipped_area(poly, x - 0.5, x + 0.5, y - 0.5, y + 0.5);
      worst =
          std::max(worst, std::abs(ref - img[static_cast<std::size_t>(y * nx + x)]));
    }
  }
  return worst;
}

static Poly rectangle_corners(const fp::PixelShape& s) {
  Poly p;
  const double us[4] = {-0.5 * s.p1, 0.5 * s.p1, 0.5 * s.p1, -0.5 * s.p1};
  const double vs[4] = {-0.5 * s.p2, -0.5 * s.p2, 0.5 * s.p2, 0.5 * s.p2};
  for (int k = 0; k < 4; ++k) {
    p.emplace_back(s.x + us[k] * s.cos_angle + vs[k] * s.sin_angle,
                   s.y + us[k] * s.sin_angle - vs[k] * s.cos_angle);
  }
  return p;
}

// ---------------------------------------------------------------------------------------
// Tests

static void test_axis_aligned_rectangle_closed_form() {
  // [1.2, 4.7] x [2.1, 3.3]: each weight is the product of the 1-D overlaps.
  const auto s = rectangle(2.95, 2.7, 3.5, 1.2, 0.0);
  const Index nx = 7, ny = 6;
  const auto w = pixel_overlap(s, nx, ny);
  CHECK(well_formed(w, nx, ny));
  const auto img = dense(w, nx, ny);
  const auto overlap = [](double a0, double a1, double c) {
    return std::max(0.0, std::min(a1, c + 0.5) - std::max(a0, c - 0.5));
  };
  double worst = 0.0;
  for (Index y = 0; y < ny; ++y) {
    for (Index x = 0; x < nx; ++x) {
      const double ref = overlap(1.2, 4.7, x) * overlap(2.1, 3.3, y);
      worst =
          std::max(worst, std::abs(img[static_cast<std::size_t>(y * nx + x)] - ref));
    }
  }
  CHECK(worst < 1e-14);
  CHECK(std::abs(w.area - 3.5 * 1.2) < 1e-15);
}

static void test_random_rectangles_match_clipping() {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> pos(-3.0, 23.0), size(0.05, 12.0),
      ang(-kPi, kPi);
  const Index nx = 20, ny = 17;
  double worst = 0.0, worst_sum = 0.0;
  for (int t = 0; t < 200; ++t) {
    const auto s = rectangle(pos(rng), pos(rng), size(rng), size(rng), ang(rng));
    const auto w = pixel_overlap(s, nx, ny);
    CHECK(well_formed(w, nx, ny));
    worst = std::max(worst, max_diff_to_clipping(w, rectangle_corners(s), nx, ny));
    // The same rectangle on a map that holds it entirely: weights sum to w * h.
    const auto big = rectangle(s.x + 20.0, s.y + 20.0, s.p1, s.p2,
                               std::atan2(s.sin_angle, s.cos_angle));
    const auto wb = pixel_overlap(big, 70, 70);
    worst_sum =
        std::max(worst_sum, std::abs(sum(wb.weight) - s.p1 * s.p2) / (s.p1 * s.p2));
  }
  std::printf("rectangles: max |w - clip| = %.3g, max rel sum error = %.3g\n", worst,
              worst_sum);
  CHECK(worst < 1e-12);
  CHECK(worst_sum < 1e-12);
}

static void test_random_polygons_match_clipping() {
  // Star-shaped (hence simple) polygons with random radii, either orientation.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const Index nx = 16, ny = 16;
  double worst = 0.0, worst_area = 0.0;
  for (int t = 0; t < 100; ++t) {
    const int n = 3 + static_cast<int>(u(rng) * 30);
    const double cx = 2.0 + 12.0 * u(rng), cy = 2.0 + 12.0 * u(rng),
                 scale = 0.1 + 7.0 * u(rng);
    std::vector<double> vx, vy;
    for (int k = 0; k < n; ++k) {
      const double a = 2.0 * kPi * (k + 0.8 * u(rng)) / n * (t % 2 ? 1.0 : -1.0);
      const double rad = scale * (0.2 + u(rng));
      vx.push_back(cx + rad * std::cos(a));
      vy.push_back(cy + rad * std::sin(a));
    }
    const auto s = polygon(vx, vy);
    const auto w = pixel_overlap(s, nx, ny);
    CHECK(well_formed(w, nx, ny));
    worst = std::max(worst, max_diff_to_clipping(w, corners(vx, vy), nx, ny));
    const double ref_area = std::abs(shoelace(corners(vx, vy)));
    worst_area = std::max(worst_area, std::abs(w.area - ref_area) / ref_area);
  }
  std::printf("polygons: max |w - clip| = %.3g, max rel area error = %.3g\n", worst,
              worst_area);
  CHECK(worst < 1e-12);
  CHECK(worst_area < 1e-12);
}

static void test_self_intersecting_polygon_even_odd() {
  // A bow tie: (0,0) (4,2) (4,0) (0,2) -> two triangles of area 2 each meeting at (2,
  // 1).
  std::vector<double> vx{0.0, 4.0, 4.0, 0.0}, vy{0.0, 2.0, 0.0, 2.0};
  const auto s = polygon(vx, vy);
  CHECK(std::abs(fp::shape_area(s) - 4.0) < 1e-14);
  // Shifted onto a map: weights equal clipping of the two triangles separately.
  for (auto& x : vx) x += 1.3;
  for (auto& y : vy) y += 0.7;
  const auto w = pixel_overlap(polygon(vx, vy), 8, 5);
  CHECK(well_formed(w, 8, 5));
  Poly left{{vx[0], vy[0]}, {vx[0] + 2.0, vy[0] + 1.0}, {vx[3], vy[3]}};
  Poly right{{vx[1], vy[1]}, {vx[0] + 2.0, vy[0] + 1.0}, {vx[2], vy[2]}};
  const auto img = dense(w, 8, 5);
  double worst = 0.0;
  for (Index y = 0; y < 5; ++y) {
    for (Index x = 0; x < 8; ++x) {
      const double ref = clipped_area(left, x - 0.5, x + 0.5, y - 0.5, y + 0.5) +
                         clipped_area(right, x - 0.5, x + 0.5, y - 0.5, y + 0.5);
      worst = std::max(worst, std::abs(ref - img[static_cast<std::size_t>(y * 8 + x)]));
    }
  }
  CHECK(worst < 1e-13);
  CHECK(std::abs(w.area - 4.0) < 1e-13);
  // A pentagram has a hole in the middle under the even-odd rule: area = 5 outer
  // triangles.
  std::vector<double> px, py;
  for (int k = 0; k < 5; ++k) {
    const double a = kPi / 2 + 4.0 * kPi * k / 5.0;
    px.push_back(10.0 + 5.0 * std::cos(a));
    py.push_back(10.0 + 5.0 * std::sin(a));
  }
  // Outer radius R, inner pentagon radius rho = R cos(72)/cos(36); each star tip is a
  // triangle with base = inner pentagon side and apex at distance R.
  const double R = 5.0, rho = R * std::cos(2 * kPi / 5) / std::cos(kPi / 5);
  const double side = 2.0 * rho * std::sin(kPi / 5), apothem = rho * std::cos(kPi / 5);
  const double star = 5.0 * 0.5 * side * (R - apothem);
  const auto ws = pixel_overlap(polygon(px, py), 21, 21);
  CHECK(well_formed(ws, 21, 21));
  CHECK(std::abs(ws.area - star) < 1e-12 * star);
  CHECK(std::abs(sum(ws.weight) - star) < 1e-12 * star);
}

static void test_disks_match_column_integral() {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> pos(-2.0, 14.0), rad(0.01, 9.0);
  const Index nx = 12, ny = 12;
  double worst = 0.0, worst_sum = 0.0;
  for (int t = 0; t < 200; ++t) {
    const double cx = pos(rng), cy = pos(rng), r = rad(rng);
    const fp::PixelShape s{fp::ShapeKind::circle, cx, cy, r, 0.0, 1.0, 0.0};
    const auto w = pixel_overlap(s, nx, ny);
    CHECK(well_formed(w, nx, ny));
    const auto img = dense(w, nx, ny);
    for (Index y = 0; y < ny; ++y) {
      for (Index x = 0; x < nx; ++x) {
        const double ref =
            disk_box_reference(cx, cy, r, x - 0.5, x + 0.5, y - 0.5, y + 0.5);
        worst =
            std::max(worst, std::abs(ref - img[static_cast<std::size_t>(y * nx + x)]));
      }
    }
    const fp::PixelShape inside{fp::ShapeKind::circle, 15.3, 14.8, r, 0.0, 1.0, 0.0};
    const auto wi = pixel_overlap(inside, 31, 31);
    worst_sum =
        std::max(worst_sum, std::abs(sum(wi.weight) - kPi * r * r) / (kPi * r * r));
    CHECK(std::abs(wi.area - kPi * r * r) < 1e-15 * kPi * r * r);
  }
  std::printf("disks: max |w - integral| = %.3g, max rel sum error = %.3g\n", worst,
              worst_sum);
  CHECK(worst < 1e-12);
  CHECK(worst_sum < 1e-12);
}

static void test_large_disk_precision() {
  // Radius 5000 px: the pixels along the edge still match the long-double integral.
  const double cx = 0.3, cy = -4990.2, r = 5000.0;
  const fp::PixelShape s{fp::ShapeKind::circle, cx, cy, r, 0.0, 1.0, 0.0};
  const auto w = pixel_overlap(s, 40, 20);
  const auto img = dense(w, 40, 20);
  double worst = 0.0;
  for (Index y = 0; y < 20; ++y) {
    for (Index x = 0; x < 40; ++x) {
      const double ref =
          disk_box_reference(cx, cy, r, x - 0.5, x + 0.5, y - 0.5, y + 0.5);
      worst =
          std::max(worst, std::abs(ref - img[static_cast<std::size_t>(y * 40 + x)]));
    }
  }
  std::printf("large disk: max |w - integral| = %.3g\n", worst);
  CHECK(worst < 1e-11);
}

static void test_annulus_and_tiny_shapes() {
  const fp::PixelShape ann{fp::ShapeKind::annulus, 10.2, 9.7, 3.1, 7.4, 1.0, 0.0};
  const auto w = pixel_overlap(ann, 21, 21);
  CHECK(well_formed(w, 21, 21));
  const double area = kPi * (7.4 * 7.4 - 3.1 * 3.1);
  CHECK(std::abs(sum(w.weight) - area) < 1e-12 * area);
  CHECK(std::abs(w.area - area) < 1e-14 * area);
  const auto img = dense(w, 21, 21);
  double worst = 0.0;
  for (Index y = 0; y < 21; ++y) {
    for (Index x = 0; x < 21; ++x) {
      const double ref =
          disk_box_reference(10.2, 9.7, 7.4, x - 0.5, x + 0.5, y - 0.5, y + 0.5) -
          disk_box_reference(10.2, 9.7, 3.1, x - 0.5, x + 0.5, y - 0.5, y + 0.5);
      worst =
          std::max(worst, std::abs(ref - img[static_cast<std::size_t>(y * 21 + x)]));
    }
  }
  CHECK(worst < 1e-12);

  // Shapes much smaller than a pixel: one pixel holding the whole area.
  const fp::PixelShape dot{fp::ShapeKind::circle, 2.1, 3.2, 1e-7, 0.0, 1.0, 0.0};
  const auto wd = pixel_overlap(dot, 5, 5);
  CHECK(wd.flat_index.size() == 1 && wd.flat_index[0] == 3 * 5 + 2);
  CHECK(std::abs(wd.weight[0] - kPi * 1e-14) < 1e-12 * kPi * 1e-14);
  const auto box = rectangle(2.1, 3.2, 2e-6, 3e-7, 0.7);
  const auto wb = pixel_overlap(box, 5, 5);
  CHECK(wb.flat_index.size() == 1 && wb.flat_index[0] == 3 * 5 + 2);
  CHECK(std::abs(wb.weight[0] - 6e-13) < 1e-9 * 6e-13);
  // A tiny disk on a pixel corner splits into four equal quarters.
  const fp::PixelShape corner{fp::ShapeKind::circle, 1.5, 1.5, 1e-3, 0.0, 1.0, 0.0};
  const auto wc = pixel_overlap(corner, 4, 4);
  CHECK(wc.weight.size() == 4);
  for (double v : wc.weight) CHECK(std::abs(v - 0.25 * kPi * 1e-6) < 1e-15 * kPi);
}

static void test_off_map_and_partial() {
  // Entirely off the map: no pixels, full area.
  const auto far = rectangle(-100.0, 50.0, 8.0, 60.0, 0.3);
  const auto w = pixel_overlap(far, 10, 10);
  CHECK(w.flat_index.empty());
  CHECK(std::abs(w.area - 480.0) < 1e-12);
  const fp::PixelShape far_disk{fp::ShapeKind::circle, 1e12, -1e12, 5.0, 0.0, 1.0, 0.0};
  CHECK(pixel_overlap(far_disk, 10, 10).flat_index.empty());
  // Half on the map: the in-map weights are those of the same shape on a larger map.
  const auto half = rectangle(0.0, 4.3, 5.0, 3.0, 0.4);
  const auto wh = pixel_overlap(half, 10, 10);
  const auto shifted = rectangle(10.0, 14.3, 5.0, 3.0, 0.4);
  const auto ws = pixel_overlap(shifted, 30, 30);
  const auto img = dense(ws, 30, 30);
  double in_map = 0.0, worst = 0.0;
  for (std::size_t k = 0; k < wh.flat_index.size(); ++k) {
    const Index x = wh.flat_index[k] % 10, y = wh.flat_index[k] / 10;
    worst = std::max(
        worst,
        std::abs(wh.weight[k] - img[static_cast<std::size_t>((y + 10) * 30 + x + 10)]));
    in_map += wh.weight[k];
  }
  CHECK(worst < 1e-12);
  CHECK(in_map > 0.0 && in_map < wh.area);
  CHECK(pixel_overlap(half, 0, 0).flat_index.empty());
}

static void test_table_and_threads() {
  // Table of mixed shapes: concatenated per-shape results, independent of n_threads.
  std::vector<double> rows;
  const double shapes[][7] = {{0, 5.2, 4.1, 3.0, 2.0, std::cos(0.3), std::sin(0.3)},
                              {1, 7.7, 3.3, 2.5, 0, 1, 0},
                              {2, 4.0, 6.0, 1.0, 3.5, 1, 0},
                              {3, 0, 0, 0, 0, 0, 0},
                              {0, -50.0, 4.1, 3.0, 2.0, 1.0, 0.0}};
  for (const auto& r : shapes) rows.insert(rows.end(), r, r + 7);
  std::vector<double> vx{1.0, 6.0, 3.0}, vy{1.0, 2.0, 7.0};
  std::vector<std::int64_t> offsets{0, 0, 0, 0, 3, 3};
  const fp::ShapeTable table(rows.data(), 5, vx.data(), vy.data(), 3, offsets.data());
  const auto one = fp::pixel_overlap_table(table, 12, 9, 1);
  const auto many = fp::pixel_overlap_table(table, 12, 9, 3);
  CHECK(one.flat_index == many.flat_index);
  CHECK(one.weight == many.weight);
  CHECK(one.area == many.area);
  CHECK(one.offsets.size() == 6 && one.area.size() == 5);
  for (Index i = 0; i < 5; ++i) {
    const auto w = fp::pixel_overlap(table[i], 12, 9);
    CHECK(static_cast<std::int64_t>(w.flat_index.size()) ==
          one.offsets[i + 1] - one.offsets[i]);
    CHECK(w.area == one.area[static_cast<std::size_t>(i)]);
  }
  CHECK(std::abs(one.area[3] - 0.5 * std::abs((6.0 - 1.0) * (7.0 - 1.0) -
                                              (3.0 - 1.0) * (2.0 - 1.0))) < 1e-13);
  CHECK(one.offsets[5] == one.offsets[4]);  // the off-map rectangle has no pixels
  bool threw = false;
  try {
    fp::pixel_overlap_table(table, -1, 9, 1);
  } catch (const fp::InvalidInput&) {
    threw = true;
  }
  CHECK(threw);
}

static void test_fine_pixels_converge_to_centre_rule() {
  // Scaling a shape up by k (finer pixels) the centre-rule pixel count approaches the
  // exact area: relative difference -> 0.
  double prev = 1.0;
  for (double k : {1.0, 4.0, 16.0, 64.0}) {
    const auto s = rectangle(10.3 * k, 10.7 * k, 7.3 * k, 3.1 * k, 0.61);
    const auto exact =
        pixel_overlap(s, static_cast<Index>(25 * k), static_cast<Index>(25 * k));
    const auto centre =
        fp::shape_pixels(s, static_cast<Index>(25 * k), static_cast<Index>(25 * k));
    const double diff =
        std::abs(static_cast<double>(centre.n_total) - sum(exact.weight)) / exact.area;
    CHECK(diff <= prev + 1e-12 || diff < 1e-3);
    prev = diff;
  }
  CHECK(prev < 2e-3);
}

static void timing() {
  // 1000 boxes of 8 x 60 px at random angles on a 400 x 200 map.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> rows;
  for (int i = 0; i < 1000; ++i) {
    const double a = kPi * u(rng);
    const double r[7] = {0,    400 * u(rng), 200 * u(rng), 8.0,
                         60.0, std::cos(a),  std::sin(a)};
    rows.insert(rows.end(), r, r + 7);
  }
  const fp::ShapeTable table(rows.data(), 1000, nullptr, nullptr, 0, nullptr);
  for (int threads : {1, 0}) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto w = fp::pixel_overlap_table(table, 400, 200, threads);
    const auto t1 = std::chrono::steady_clock::now();
    const auto p = fp::region_pixels(table, 400, 200, threads);
    const auto t2 = std::chrono::steady_clock::now();
    std::printf(
        "1000 boxes 8x60 (n_threads=%d): exact %.1f ms (%zu weights), centre %.1f ms "
        "(%zu pixels)\n",
        threads, std::chrono::duration<double, std::milli>(t1 - t0).count(),
        w.weight.size(), std::chrono::duration<double, std::milli>(t2 - t1).count(),
        p.flat_index.size());
  }
}

int main() {
  test_axis_aligned_rectangle_closed_form();
  test_random_rectangles_match_clipping();
  test_random_polygons_match_clipping();
  test_self_intersecting_polygon_even_odd();
  test_disks_match_column_integral();
  test_large_disk_precision();
  test_annulus_and_tiny_shapes();
  test_off_map_and_partial();
  test_table_and_threads();
  test_fine_pixels_converge_to_centre_rule();
  timing();
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("all overlap tests passed\n");
  return 0;
}
