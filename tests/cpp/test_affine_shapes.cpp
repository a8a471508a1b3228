// Tests of the affine shape kinds (parallelogram, ellipse / elliptical annulus) and of
// the explicit pixel-run kind: centre containment against brute force, the reduction to
// the rectangle and circle kinds, exact overlap against independent references
// (Sutherland- Hodgman clipping for parallelograms, a long-double column integral for
// ellipses), and the validation of the table (run by ctest).
#include <algorithm>
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
// Builders

// The parallelogram centre + u a + v b (|u|, |v| < 1/2): its matrix is [a b]^-1.
static fp::PixelShape parallelogram(double x, double y, double a0, double a1, double b0,
                                    double b1) {
  const double det = a0 * b1 - b0 * a1;
  return fp::PixelShape{
      fp::ShapeKind::parallelogram, x, y, b1 / det, -b0 / det, -a1 / det, a0 / det};
}

// The ellipse centre + L^-1 (disk of radius 1) given by semi-axes sa, sb along angle t.
static fp::PixelShape ellipse(double x, double y, double sa, double sb, double t,
                              double inner = 0.0) {
  const double c = std::cos(t), s = std::sin(t);
  // Q = R diag(1/sa^2, 1/sb^2) R^T
  const double ia = 1.0 / (sa * sa), ib = 1.0 / (sb * sb);
  return fp::PixelShape{fp::ShapeKind::ellipse,
                        x,
                        y,
                        c * c * ia + s * s * ib,
                        c * s * (ia - ib),
                        s * s * ia + c * c * ib,
                        inner * inner};
}

// ---------------------------------------------------------------------------------------
// References

// Brute force: the pixel centres of a large window that the shape contains.
static std::vector<std::int64_t> brute_pixels(const fp::PixelShape& s, Index nx,
                                              Index ny, std::int64_t& total) {
  std::vector<std::int64_t> out;
  total = 0;
  for (Index y = -80; y < ny + 80; ++y) {
    for (Index x = -80; x < nx + 80; ++x) {
      if (!s.contains(static_cast<double>(x), static_cast<double>(y))) continue;
      ++total;
      if (x >= 0 && x < nx && y >= 0 && y < ny) out.push_back(y * nx + x);
    }
  }
  return out;
}

using Poly = std::vector<std::pair<double, double>>;

static Poly clip(const Poly& in, int axis, double bound, bool below) {
  Poly out;
  const auto inside = [&](const std::pair<double, double>& p) {
    const double v = axis == 0 ? p.first : p.second;
    return below ? v <= bound : v >= bound;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto& a = in[i];
    const auto& b = in[(i + 1) % in.size()];
    if (inside(a)) out.push_back(a);
    if (inside(a) != inside(b)) {
      const double va = axis == 0 ? a.first : a.second,
                   vb = axis == 0 ? b.first : b.second;
      const double t = (bound - va) / (vb - va);
      out.emplace_back(a.first + t * (b.first - a.first),
                       a.second + t * (b.second - a.second));
    }
  }
  return out;
}

static double clipped_area(const Poly& poly, double x0, double x1, double y0,
                           double y1) {
  Poly p = clip(clip(clip(clip(poly, 0, x0, false), 0, x1, true), 1, y0, false), 1, y1,
                true);
  double a = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& u = p[i];
    const auto& v = p[(i + 1) % p.size()];
    a += u.first * v.second - v.first * u.second;
  }
  return std::abs(0.5 * a);
}

// Area of {rho^2 < level} inside the pixel box, by integrating over x the exact y-chord
// (the form is quadratic in y) with 40000 midpoints in long double.
static double ellipse_box_reference(const fp::PixelShape& s, double level, double x0,
                                    double x1, double y0, double y1) {
  const long double q00 = s.p1, q01 = s.p2, q11 = s.cos_angle;
  const int n = 40000;
  long double area = 0.0L;
  for (int k = 0; k < n; ++k) {
    const long double dx = x0 + (x1 - x0) * (k + 0.5L) / n - s.x;
    // q11 dy^2 + 2 q01 dx dy + q00 dx^2 - level < 0
    const long double disc = (q01 * dx) * (q01 * dx) - q11 * (q00 * dx * dx - level);
    if (disc <= 0.0L) continue;
    const long double mid = -q01 * dx / q11, half = std::sqrt(disc) / q11;
    const long double lo = std::max<long double>(mid - half + s.y, y0),
                      hi = std::min<long double>(mid + half + s.y, y1);
    if (hi > lo) area += hi - lo;
  }
  return static_cast<double>(area * (x1 - x0) / n);
}

static std::vector<double> dense(const fp::ShapeWeights& w, Index nx, Index ny) {
  std::vector<double> img(static_cast<std::size_t>(nx * ny), 0.0);
  for (std::size_t k = 0; k < w.flat_index.size(); ++k)
    img[static_cast<std::size_t>(w.flat_index[k])] = w.weight[k];
  return img;
}

static bool sorted_in_map(const std::vector<std::int64_t>& idx, Index nx, Index ny) {
  for (std::size_t k = 0; k < idx.size(); ++k) {
    if (idx[k] < 0 || idx[k] >= nx * ny || (k > 0 && idx[k] <= idx[k - 1]))
      return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Tests

static void test_centre_rule_matches_brute_force() {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const Index nx = 41, ny = 29;
  int nonempty = 0;
  for (int k = 0; k < 300; ++k) {
    const double x = -10 + 61 * u(rng), y = -10 + 49 * u(rng);
    fp::PixelShape s =
        (k % 2 == 0) ? parallelogram(x, y, 30 * (u(rng) - 0.5), 30 * (u(rng) - 0.5),
                                     30 * (u(rng) - 0.5), 30 * (u(rng) - 0.5))
                     : ellipse(x, y, 0.3 + 15 * u(rng), 0.3 + 15 * u(rng), 7 * u(rng),
                               (k % 4 == 1) ? 0.0 : u(rng));
    if (s.kind == fp::ShapeKind::parallelogram && std::abs(fp::shape_area(s)) > 2000)
      continue;
    std::int64_t total = 0;
    const auto expected = brute_pixels(s, nx, ny, total);
    const auto got = fp::shape_pixels(s, nx, ny);
    CHECK(got.flat_index == expected);
    CHECK(got.n_total == total);
    CHECK(sorted_in_map(got.flat_index, nx, ny));
    nonempty += !expected.empty();
  }
  CHECK(nonempty > 100);
}

static void test_reduce_to_rectangle_and_circle() {
  // A rectangle written as a parallelogram and a circle written as an ellipse select
  // the same pixels as the rectangle / circle kinds (away from exact ties).
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 200; ++k) {
    const double x = 30 * u(rng) + 0.013, y = 20 * u(rng) + 0.029,
                 w = 0.5 + 20 * u(rng), h = 0.5 + 12 * u(rng);
    const double t = 6.3 * u(rng), c = std::cos(t), s = std::sin(t);
    const fp::PixelShape rect{fp::ShapeKind::rectangle, x, y, w, h, c, s};
    // axes: u along (c, s) with length w, v along (s, -c) with length h
    const fp::PixelShape para = parallelogram(x, y, w * c, w * s, h * s, -h * c);
    const double r = 0.4 + 12 * u(rng);
    const fp::PixelShape circ{fp::ShapeKind::circle, x, y, r, 0, 1, 0};
    const fp::PixelShape ell{
        fp::ShapeKind::ellipse, x, y, 1 / (r * r), 0, 1 / (r * r), 0};
    CHECK(fp::shape_pixels(rect, 35, 25).flat_index ==
          fp::shape_pixels(para, 35, 25).flat_index);
    CHECK(fp::shape_pixels(circ, 35, 25).flat_index ==
          fp::shape_pixels(ell, 35, 25).flat_index);
    CHECK(std::abs(fp::shape_area(para) - w * h) < 1e-9 * w * h);
    CHECK(std::abs(fp::shape_area(ell) - kPi * r * r) < 1e-9 * r * r);
  }
}

static void test_parallelogram_overlap_matches_clipping() {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const Index nx = 24, ny = 19;
  double worst = 0.0;
  for (int k = 0; k < 40; ++k) {
    const double a0 = 14 * (u(rng) - 0.5), a1 = 14 * (u(rng) - 0.5),
                 b0 = 9 * (u(rng) - 0.5), b1 = 9 * (u(rng) - 0.5);
    if (std::abs(a0 * b1 - a1 * b0) < 1.0) continue;
    const double x = 4 + 16 * u(rng), y = 4 + 11 * u(rng);
    const fp::PixelShape s = parallelogram(x, y, a0, a1, b0, b1);
    const Poly corners{{x - 0.5 * a0 - 0.5 * b0, y - 0.5 * a1 - 0.5 * b1},
                       {x + 0.5 * a0 - 0.5 * b0, y + 0.5 * a1 - 0.5 * b1},
                       {x + 0.5 * a0 + 0.5 * b0, y + 0.5 * a1 + 0.5 * b1},
                       {x - 0.5 * a0 + 0.5 * b0, y - 0.5 * a1 + 0.5 * b1}};
    const auto w = fp::pixel_overlap(s, nx, ny);
    CHECK(sorted_in_map(w.flat_index, nx, ny));
    const auto img = dense(w, nx, ny);
    for (Index py = 0; py < ny; ++py) {
      for (Index px = 0; px < nx; ++px) {
        const double ref =
            clipped_area(corners, px - 0.5, px + 0.5, py - 0.5, py + 0.5);
        worst = std::max(worst,
                         std::abs(ref - img[static_cast<std::size_t>(py * nx + px)]));
      }
    }
    CHECK(std::abs(w.area - std::abs(a0 * b1 - a1 * b0)) < 1e-9 * w.area);
  }
  CHECK(worst < 1e-12);
}

static void test_ellipse_overlap_matches_column_integral() {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const Index nx = 16, ny = 14;
  double worst = 0.0;
  for (int k = 0; k < 6; ++k) {
    const double inner = (k % 3 == 0) ? 0.0 : 0.2 + 0.6 * u(rng);
    const fp::PixelShape s = ellipse(4 + 8 * u(rng), 4 + 6 * u(rng), 1 + 5 * u(rng),
                                     0.4 + 4 * u(rng), 6.3 * u(rng), inner);
    const auto w = fp::pixel_overlap(s, nx, ny);
    CHECK(sorted_in_map(w.flat_index, nx, ny));
    const auto img = dense(w, nx, ny);
    for (Index py = 0; py < ny; ++py) {
      for (Index px = 0; px < nx; ++px) {
        double ref =
            ellipse_box_reference(s, 1.0, px - 0.5, px + 0.5, py - 0.5, py + 0.5);
        if (inner > 0.0)
          ref -= ellipse_box_reference(s, inner * inner, px - 0.5, px + 0.5, py - 0.5,
                                       py + 0.5);
        worst = std::max(worst,
                         std::abs(ref - img[static_cast<std::size_t>(py * nx + px)]));
      }
    }
  }
  // The column integral's own error (midpoints over chords with square-root ends,
  // O(h^1.5)) is about 1e-7 of a pixel at 40000 midpoints (3e-6 at 4000).
  std::printf("ellipse overlap: worst |weight - column integral| = %.3g\n", worst);
  CHECK(worst < 5e-7);
}

static void test_ellipse_weights_add_up_to_area() {
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 30; ++k) {
    const double inner = (k % 2) ? 0.0 : 0.9 * u(rng);
    const fp::PixelShape s = ellipse(40 + u(rng), 40 + u(rng), 0.3 + 25 * u(rng),
                                     0.3 + 25 * u(rng), 6.3 * u(rng), inner);
    const auto w = fp::pixel_overlap(s, 90, 90);
    double total = 0.0;
    for (double v : w.weight) total += v;
    CHECK(std::abs(total - w.area) < 1e-10 * std::max(1.0, w.area));
    const auto centre = fp::shape_pixels(s, 90, 90);
    // The centre rule and the area differ by the boundary pixels only.
    CHECK(std::abs(static_cast<double>(centre.n_total) - w.area) < 4.0 * kPi * 26 + 4);
  }
}

static void test_pixel_runs() {
  // Runs (x0..x1 on row y): (2..4, 1), (-3..1, 2), (7..9, 2), (0..0, 5) on a 8 x 4 map.
  std::vector<double> vx{2, 4, -3, 1, 7, 9, 0, 0}, vy{1, 1, 2, 2, 2, 2, 5, 5};
  std::vector<double> rows{6, 2.0, 2.0, 0, 0, 0, 0};
  std::vector<std::int64_t> offsets{0, 8};
  const fp::ShapeTable table(rows.data(), 1, vx.data(), vy.data(), 8, offsets.data());
  const fp::PixelShape s = table[0];
  const auto px = fp::shape_pixels(s, 8, 4);
  const std::vector<std::int64_t> expected{8 + 2, 8 + 3, 8 + 4, 16 + 0, 16 + 1, 16 + 7};
  CHECK(px.flat_index == expected);
  CHECK(px.n_total == 3 + 5 + 3 + 1);
  CHECK(s.contains(3, 1) && s.contains(-3, 2) && !s.contains(5, 1) &&
        !s.contains(3, 2));
  const auto w = fp::pixel_overlap(s, 8, 4);
  CHECK(w.flat_index == expected);
  CHECK(w.area == 12.0 && fp::shape_area(s) == 12.0);
  for (double v : w.weight) CHECK(v == 1.0);
  const auto all = fp::region_pixels(table, 8, 4, 1);
  CHECK(all.flat_index == expected);
}

static bool rejects(std::vector<double> row, std::vector<double> vx = {},
                    std::vector<double> vy = {}) {
  std::vector<std::int64_t> offsets{0, static_cast<std::int64_t>(vx.size())};
  try {
    const fp::ShapeTable table(row.data(), 1, vx.data(), vy.data(),
                               static_cast<Index>(vx.size()), offsets.data());
  } catch (const fp::InvalidInput&) {
    return true;
  }
  return false;
}

static void test_validation() {
  CHECK(rejects({4, 0, 0, 1, 2, 2, 4}));  // singular parallelogram matrix
  CHECK(!rejects({4, 0, 0, 1, 2, -2, 4}));
  CHECK(rejects({5, 0, 0, 1, 2, 1, 0}));    // not positive definite
  CHECK(rejects({5, 0, 0, 1, 0, 1, 1.0}));  // inner^2 must be < 1
  CHECK(rejects({5, 0, 0, -1, 0, 1, 0}));
  CHECK(!rejects({5, 0, 0, 1, 0.5, 1, 0.25}));
  CHECK(rejects({7, 0, 0, 0, 0, 0, 0}));                        // unknown kind
  CHECK(rejects({6, 0, 0, 0, 0, 0, 0}, {1, 3, 0}, {2, 2, 3}));  // odd vertex count
  CHECK(rejects({6, 0, 0, 0, 0, 0, 0}, {1, 3}, {2, 3}));        // rows differ
  CHECK(rejects({6, 0, 0, 0, 0, 0, 0}, {1.5, 3}, {2, 2}));      // not integral
  CHECK(rejects({6, 0, 0, 0, 0, 0, 0}, {3, 1}, {2, 2}));        // first > last
  CHECK(
      rejects({6, 0, 0, 0, 0, 0, 0}, {1, 3, 2, 5}, {2, 2, 2, 2}));  // overlapping runs
  CHECK(rejects({6, 0, 0, 0, 0, 0, 0}, {1, 3, 1, 3}, {2, 2, 1, 1}));  // rows not sorted
  CHECK(!rejects({6, 0, 0, 0, 0, 0, 0}, {1, 3, 5, 6, 0, 1}, {2, 2, 2, 2, 3, 3}));
  CHECK(!rejects({6, 0, 0, 0, 0, 0, 0}));  // no runs: the empty set
  std::vector<double> none;
  std::vector<double> row{6, 0, 0, 0, 0, 0, 0};
  std::vector<std::int64_t> offsets{0, 0};
  const fp::ShapeTable empty(row.data(), 1, none.data(), none.data(), 0,
                             offsets.data());
  CHECK(fp::shape_pixels(empty[0], 5, 5).flat_index.empty() &&
        fp::shape_pixels(empty[0], 5, 5).n_total == 0);
  CHECK(fp::pixel_overlap(empty[0], 5, 5).flat_index.empty() &&
        fp::shape_area(empty[0]) == 0.0);
}

int main() {
  test_centre_rule_matches_brute_force();
  test_reduce_to_rectangle_and_circle();
  test_parallelogram_overlap_matches_clipping();
  test_ellipse_overlap_matches_column_integral();
  test_ellipse_weights_add_up_to_area();
  test_pixel_runs();
  test_validation();
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("all affine shape tests passed\n");
  return 0;
}
