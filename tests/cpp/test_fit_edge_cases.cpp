// Edge cases of the C++ core, written to run under AddressSanitizer + UBSan
// (.ci/sanitize): degenerate and extreme fit problems, empty inputs, shapes beyond the
// map, every cube dtype, invalid input rejected with InvalidInput (also from worker
// threads), and results that must not depend on the number of threads. Expected values
// are closed forms.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "fluxprofile/fit.hpp"
#include "fluxprofile/parallel.hpp"
#include "fluxprofile/reduce.hpp"
#include "fluxprofile/shapes.hpp"
#include "fluxprofile/stats.hpp"

namespace fp = fluxprofile;
using fp::Index;

namespace {

// A set of problems built bin by bin.
struct Problems {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int8_t> kind;
  std::vector<double> counts, background, alpha, signal;

  void add(const std::vector<double>& n, const std::vector<double>& b,
           const std::vector<double>& s, int k = 0, double a = 0.0) {
    for (std::size_t i = 0; i < n.size(); ++i) {
      kind.push_back(static_cast<std::int8_t>(k));
      counts.push_back(n[i]);
      background.push_back(b[i]);
      alpha.push_back(a);
      signal.push_back(s[i]);
    }
    offsets.push_back(static_cast<std::int64_t>(counts.size()));
  }
  fp::FitProblems view() const {
    return fp::FitProblems{offsets.data(),    static_cast<Index>(offsets.size()) - 1,
                           kind.data(),       counts.data(),
                           background.data(), alpha.data(),
                           signal.data()};
  }
};

fp::FitOptions all_options() {
  fp::FitOptions opt;
  opt.errn_errp = true;
  opt.ul = true;
  opt.sensitivity = true;
  opt.scan_values = {-1.0, 0.0, 0.5, 1.0, 2.0, 1e6};
  return opt;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

template <class V>
bool same_vectors(const V& a, const V& b) {
  if (a.size() != b.size()) return false;
  for (Index i = 0; i < a.size(); ++i) {
    if (!same(static_cast<double>(a[i]), static_cast<double>(b[i]))) return false;
  }
  return true;
}

bool same_results(const fp::FitResults& a, const fp::FitResults& b) {
  return same_vectors(a.norm, b.norm) && same_vectors(a.norm_err, b.norm_err) &&
         same_vectors(a.stat, b.stat) && same_vectors(a.stat_null, b.stat_null) &&
         same_vectors(a.ts, b.ts) && same_vectors(a.norm_errn, b.norm_errn) &&
         same_vectors(a.norm_errp, b.norm_errp) && same_vectors(a.norm_ul, b.norm_ul) &&
         same_vectors(a.norm_sensitivity, b.norm_sensitivity) &&
         same_vectors(a.npred, b.npred) && same_vectors(a.success, b.success) &&
         a.stat_scan.rows() == b.stat_scan.rows() &&
         a.stat_scan.cols() == b.stat_scan.cols() &&
         same_vectors(
             Eigen::Map<const fp::VectorXd>(a.stat_scan.data(), a.stat_scan.size()),
             Eigen::Map<const fp::VectorXd>(b.stat_scan.data(), b.stat_scan.size()));
}

template <class F>
bool throws_invalid(F&& f, const std::string& needle) {
  try {
    f();
  } catch (const fp::InvalidInput& e) {
    return std::string(e.what()).find(needle) != std::string::npos;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
void test_no_problems_and_empty_problem() {
  Problems none;
  const fp::FitResults r0 = fp::fit_norms(none.view(), all_options(), 4);
  CHECK(r0.norm.size() == 0 && r0.npred.size() == 0 && r0.stat_scan.rows() == 0);

  Problems p;
  p.add({}, {}, {});  // a problem without any bin: Gammapy's NaN row
  p.add({10.0}, {5.0}, {2.0});
  const fp::FitResults r = fp::fit_norms(p.view(), all_options(), 2);
  CHECK(std::isnan(r.norm[0]) && r.success[0] == 0 && r.stat[0] == 0.0);
  for (Index k = 0; k < r.stat_scan.cols(); ++k) CHECK(std::isnan(r.stat_scan(0, k)));
  CHECK(r.success[1] == 1 && std::abs(r.norm[1] - 2.5) < 1e-12);  // (n - b) / s
}

void test_extreme_but_valid_problems() {
  Problems p;
  p.add({0.0, 0.0}, {0.0, 0.0}, {1.0, 2.0});          // nothing at all
  p.add({1e9}, {1e9}, {1e-3});                        // huge counts, tiny signal
  p.add({3.0}, {0.0}, {1e-12});                       // no background, tiny signal
  p.add({5.0}, {1e-300}, {1e300});                    // extreme scales
  p.add({7.0, 0.0}, {2.0, 3.0}, {0.0, 0.0});          // no signal at all
  p.add({4.0, 9.0}, {1.0, 2.0}, {-1.0, 3.0});         // a negative signal bin
  p.add({0.0, 4.0}, {0.0, 0.0}, {1.0, 1.0}, 1, 1.0);  // WStat without OFF counts
  p.add({0.0, 0.0}, {5.0, 8.0}, {1.0, 1.0}, 1, 0.2);  // WStat without ON counts
  p.add({6.0}, {9.0}, {2.0}, 1, 0.0);                 // WStat alpha = 0
  p.add({1e7}, {1e8}, {1e-4}, 1, 0.1);                // WStat huge counts
  const fp::FitResults r = fp::fit_norms(p.view(), all_options(), 3);
  for (Index i = 0; i < r.norm.size(); ++i) {
    // Whatever the verdict, a successful fit has finite numbers and a failed one NaN
    // norm.
    if (r.success[i]) {
      CHECK(std::isfinite(r.norm[i]) && std::isfinite(r.norm_err[i]) &&
            r.norm_err[i] > 0);
    } else {
      CHECK(std::isnan(r.norm[i]));
    }
    CHECK(std::isfinite(r.stat[i]) && std::isfinite(r.stat_null[i]));
  }
  // Closed forms where they exist.
  CHECK(r.success[0] == 0);                         // no counts: no minimum
  CHECK(std::abs(r.norm[1] - 0.0) < 1e-3);          // n == b
  CHECK(std::abs(r.norm[2] - 3e12) < 1e-3 * 3e12);  // n / s
  CHECK(r.success[4] == 0);                         // flat statistic
  // WStat alpha = 0 is Cash with background 0 for the ON counts: norm = n_on / s.
  CHECK(r.success[8] == 1 && std::abs(r.norm[8] - 3.0) < 1e-9);
}

void test_threads_do_not_change_results() {
  Problems p;
  for (int i = 0; i < 257; ++i) {
    const double x = static_cast<double>(i);
    p.add({std::fmod(x * 7.0, 40.0), std::fmod(x * 3.0, 11.0)},
          {5.0 + std::fmod(x, 4.0), 2.0}, {1.0 + x / 100.0, 0.5}, i % 2, 0.3);
  }
  const fp::FitResults serial = fp::fit_norms(p.view(), all_options(), 1);
  for (int threads : {0, 2, 3, 8, 300}) {
    CHECK(same_results(serial, fp::fit_norms(p.view(), all_options(), threads)));
  }
}

void test_invalid_fit_input_is_rejected() {
  Problems p;
  p.add({1.0, -2.0}, {1.0, 1.0}, {1.0, 1.0});
  CHECK(throws_invalid([&] { fp::fit_norms(p.view(), all_options(), 2); },
                       "counts must be finite and >= 0"));
  Problems q;
  q.add({1.0}, {std::numeric_limits<double>::quiet_NaN()}, {1.0});
  CHECK(throws_invalid([&] { fp::fit_norms(q.view(), all_options(), 2); },
                       "must be finite"));
  Problems s;
  s.add({1.0}, {1.0}, {1.0});
  fp::FitOptions bad = all_options();
  bad.scan_values.push_back(std::numeric_limits<double>::infinity());
  CHECK(throws_invalid([&] { fp::fit_norms(s.view(), bad, 2); },
                       "scan values must be finite"));
  bad = all_options();
  bad.n_sigma = 0.0;
  CHECK(throws_invalid([&] { fp::fit_norms(s.view(), bad, 2); }, "must be > 0"));
  CHECK(throws_invalid([&] { fp::fit_norms(s.view(), all_options(), -3); },
                       "n_threads must be in [0, 1024]"));
  CHECK(throws_invalid([&] { fp::problem_stat(s.view(), 1, fp::VectorXd::Zero(2)); },
                       "out of range"));
  CHECK(throws_invalid([&] { fp::problem_stat(s.view(), -1, fp::VectorXd::Zero(2)); },
                       "out of range"));
}

void test_bin_statistics_at_the_edges() {
  const double inf = std::numeric_limits<double>::infinity();
  // Cash below and at the truncation value is the constant 2 (T - n log T).
  CHECK(fp::cash(0.0, 0.0) == fp::cash(0.0, -5.0));
  CHECK(fp::cash(3.0, -1.0) == fp::cash(3.0, fp::kCashTruncation));
  CHECK(std::isfinite(fp::cash(1e300, 1e300)));
  // WStat never returns NaN (numpy.nan_to_num semantics).
  for (double n_on : {0.0, 1.0, 1e6}) {
    for (double n_off : {0.0, 1.0, 1e6}) {
      for (double alpha : {0.0, 1e-9, 1.0, 1e9}) {
        for (double mu : {-1e6, -1.0, 0.0, 1e-300, 1.0, 1e6, inf}) {
          CHECK(!std::isnan(fp::wstat(n_on, n_off, alpha, mu)));
          const fp::BinStat b = fp::wstat_in_norm(n_on, n_off, alpha, 1.0, mu);
          CHECK(!std::isnan(b.value) && std::isfinite(b.gradient) &&
                std::isfinite(b.curvature));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
void test_shapes_beyond_the_map_and_degenerate() {
  const Index nx = 7, ny = 5;
  // rows: kind, x, y, p1, p2, cos, sin
  std::vector<double> rows = {
      0,     -50.0, -50.0, 3.0,
      3.0,   1.0,   0.0,  // rectangle far outside: 9 px, none in map
      1,     3.0,   2.0,   100.0,
      0.0,   1.0,   0.0,  // circle covering the map and much more
      2,     3.0,   2.0,   0.0,
      1e-9,  1.0,   0.0,  // annulus with inner 0 and a tiny outer radius
      0,     3.0,   2.0,   1e-12,
      1e-12, 0.6,   0.8,  // a rotated, tiny rectangle on a pixel centre
      3,     0.0,   0.0,   0.0,
      0.0,   0.0,   0.0,  // a polygon with collinear vertices
      3,     0.0,   0.0,   0.0,
      0.0,   0.0,   0.0,  // a self-intersecting polygon (bow tie)
  };
  std::vector<double> vx = {0.0, 3.0, 6.0, -1.0, 7.0, 7.0, -1.0};
  std::vector<double> vy = {1.0, 1.0, 1.0, -1.0, 5.0, -1.0, 5.0};
  std::vector<std::int64_t> off = {0, 0, 0, 0, 0, 3, 7};
  const Index n = static_cast<Index>(rows.size()) / fp::kShapeColumns;
  const fp::ShapeTable table(rows.data(), n, vx.data(), vy.data(),
                             static_cast<Index>(vx.size()), off.data());
  const fp::RegionPixels px = fp::region_pixels(table, nx, ny, 3);
  CHECK(px.offsets.size() == static_cast<std::size_t>(n) + 1);
  CHECK(px.n_total[0] == 9 && px.offsets[1] - px.offsets[0] == 0);
  CHECK(px.offsets[2] - px.offsets[1] == nx * ny);
  CHECK(px.n_total[1] > nx * ny);
  CHECK(px.n_total[2] == 1 && px.n_total[3] == 1);  // the centre pixel only
  CHECK(px.n_total[4] == 0);                        // zero area
  for (std::int64_t k = 0; k < px.offsets.back(); ++k)
    CHECK(px.flat_index[k] >= 0 && px.flat_index[k] < nx * ny);
  // Same pixels whatever the number of threads.
  const fp::RegionPixels serial = fp::region_pixels(table, nx, ny, 1);
  CHECK(serial.flat_index == px.flat_index && serial.offsets == px.offsets &&
        serial.n_total == px.n_total);
}

void test_invalid_shapes_are_rejected() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::int64_t> off = {0, 0};
  auto table_of = [&](std::vector<double> row) {
    return [row, &off] {
      fp::ShapeTable t(row.data(), 1, nullptr, nullptr, 0, off.data());
    };
  };
  CHECK(throws_invalid(table_of({0, 1, 1, 0.0, 1.0, 1, 0}),
                       "rectangle width and height must be > 0"));
  CHECK(
      throws_invalid(table_of({1, 1, 1, -1.0, 0, 1, 0}), "circle radius must be > 0"));
  CHECK(throws_invalid(table_of({2, 1, 1, 2.0, 1.0, 1, 0}),
                       "annulus needs 0 <= inner < outer"));
  CHECK(throws_invalid(table_of({1, nan, 1, 1.0, 0, 1, 0}), "is not finite"));
  CHECK(throws_invalid(table_of({7, 1, 1, 1.0, 0, 1, 0}), "unknown shape kind"));
  CHECK(throws_invalid(table_of({1.5, 1, 1, 1.0, 0, 1, 0}), "unknown shape kind"));
  CHECK(throws_invalid(table_of({1, 0, 0, 1e6, 0, 1, 0}), "more than 4e9 pixels"));
  CHECK(throws_invalid(table_of({3, 0, 0, 0, 0, 0, 0}), "polygon needs >= 3 vertices"));
  std::vector<double> vx = {0, 1, nan}, vy = {0, 1, 0};
  std::vector<std::int64_t> poly_off = {0, 3};
  std::vector<double> row = {3, 0, 0, 0, 0, 0, 0};
  CHECK(throws_invalid(
      [&] {
        fp::ShapeTable t(row.data(), 1, vx.data(), vy.data(), 3, poly_off.data());
      },
      "polygon vertex 2 is not finite"));
  std::vector<std::int64_t> bad_off = {0, 5};
  CHECK(throws_invalid(
      [&] { fp::ShapeTable t(row.data(), 1, vx.data(), vy.data(), 3, bad_off.data()); },
      "within the vertex arrays"));
}

// ---------------------------------------------------------------------------------------
template <class T>
std::vector<T> ramp(Index n) {
  std::vector<T> v(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<T>(i % 50);
  return v;
}

void test_reduce_every_dtype_and_mask() {
  const Index nx = 6, ny = 4, n_reco = 2, n_true = 3, npix = nx * ny;
  std::vector<double> rows = {
      0, 2.5,   1.5,   4.0, 2.0, 1.0, 0.0,   // 4 x 2 pixels in the map
      1, -30.0, -30.0, 2.0, 0,   1.0, 0.0};  // outside the map
  std::vector<std::int64_t> off = {0, 0, 0};
  const fp::ShapeTable table(rows.data(), 2, nullptr, nullptr, 0, off.data());
  auto f32 = ramp<float>(n_reco * npix);
  auto f64 = ramp<double>(n_reco * npix);
  auto i16 = ramp<std::int16_t>(n_reco * npix);
  auto i32 = ramp<std::int32_t>(n_reco * npix);
  auto i64 = ramp<std::int64_t>(n_reco * npix);
  auto u8 = ramp<std::uint8_t>(n_reco * npix);
  std::vector<fp::CubeView> cubes = {{f32.data(), fp::DType::float32, n_reco},
                                     {f64.data(), fp::DType::float64, n_reco},
                                     {i16.data(), fp::DType::int16, n_reco},
                                     {i32.data(), fp::DType::int32, n_reco},
                                     {i64.data(), fp::DType::int64, n_reco},
                                     {u8.data(), fp::DType::uint8, n_reco}};
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(n_reco * npix), 1);
  mask[static_cast<std::size_t>(npix + 1 * nx + 2)] =
      0;  // reco bin 1, pixel (x=2, y=1)
  auto expo = ramp<float>(n_true * npix);
  const fp::CubeView exposure{expo.data(), fp::DType::float32, n_true};
  std::vector<double> image(static_cast<std::size_t>(npix), 0.5);

  for (int threads : {1, 4}) {
    const fp::RegionSums s =
        fp::reduce_regions(table, nx, ny, n_reco, cubes, mask.data(), &exposure,
                           image.data(), fp::Containment::center, threads);
    CHECK(s.npix_total[0] == 8 && s.npix_inmap[0] == 8 && s.npix_inmap[1] == 0 &&
          s.npix_total[1] > 0);
    CHECK(s.n_safe(0, 0) == 8 && s.n_safe(0, 1) == 7 && s.n_safe(1, 0) == 0);
    CHECK(s.image_sum[0] == 4.0 && s.image_sum[1] == 0.0);
    // Pixels x = 1..4, y = 1..2; value of pixel (e, y, x) = (e * npix + y * nx + x)
    // % 50.
    double expected0 = 0, expected1 = 0;
    for (Index y = 1; y <= 2; ++y) {
      for (Index x = 1; x <= 4; ++x) {
        expected0 += static_cast<double>((y * nx + x) % 50);
        if (!(y == 1 && x == 2))
          expected1 += static_cast<double>((npix + y * nx + x) % 50);
      }
    }
    for (const auto& sums : s.reco_sums) {
      CHECK(sums(0, 0) == expected0 && sums(0, 1) == expected1);
      CHECK(sums(1, 0) == 0.0 && sums(1, 1) == 0.0);
    }
    CHECK(s.exposure_sums.rows() == 2 && s.exposure_sums.cols() == n_reco * n_true);
  }
  // No mask, no exposure, no image.
  const fp::RegionSums bare =
      fp::reduce_regions(table, nx, ny, n_reco, cubes, nullptr, nullptr, nullptr,
                         fp::Containment::center, 2);
  CHECK(bare.exposure_sums.cols() == 0 && bare.n_safe(0, 1) == 8);
  // Invalid sizes are rejected, not read out of bounds.
  CHECK(throws_invalid(
      [&] {
        fp::reduce_regions(table, 0, ny, n_reco, cubes, nullptr, nullptr, nullptr,
                           fp::Containment::center, 1);
      },
      "map shape must be positive"));
  std::vector<fp::CubeView> wrong = {{f64.data(), fp::DType::float64, 1}};
  CHECK(throws_invalid(
      [&] {
        fp::reduce_regions(table, nx, ny, n_reco, wrong, nullptr, nullptr, nullptr,
                           fp::Containment::center, 1);
      },
      "n_reco planes"));
}

// A clipping cube counts negative values as 0 (ASan sees every read); fold_signal folds
// the exposure with flux and kernel and leaves regions without pixels NaN.
void test_clipping_and_signal_folding() {
  const Index nx = 3, ny = 2, npix = nx * ny;
  std::vector<double> rows = {0, 1.0, 0.5, 3.0, 2.0, 1.0, 0.0};  // the whole 3 x 2 map
  std::vector<std::int64_t> off = {0, 0};
  const fp::ShapeTable table(rows.data(), 1, nullptr, nullptr, 0, off.data());
  std::vector<float> values = {1, -2, 3, -4, 5, 6};
  fp::CubeView clipped{values.data(), fp::DType::float32, 1};
  clipped.clip_negative = true;
  const fp::CubeView plain{values.data(), fp::DType::float32, 1};
  for (int threads : {1, 2}) {
    const fp::RegionSums s =
        fp::reduce_regions(table, nx, ny, 1, {clipped, plain}, nullptr, nullptr,
                           nullptr, fp::Containment::center, threads);
    CHECK(s.npix_inmap[0] == npix && s.reco_sums[0](0, 0) == 15.0 &&
          s.reco_sums[1](0, 0) == 9.0);
  }
  // 2 regions, n_reco = 2, n_true = 2; region 1 has no pixels.
  fp::RowMatrixXd sums(2, 4);
  sums << 4, 8, 12, 16, 1, 1, 1, 1;
  fp::VectorXd totals(2);
  totals << 2, 0;
  const std::vector<double> flux = {1.0, 0.5};
  const std::vector<double> kernel = {0.25, 0.75, 0.5, 0.5};  // (n_true, n_reco)
  const fp::RowMatrixXd signal =
      fp::fold_signal(sums, totals, flux, 10.0, kernel.data(), 1, 2, 2);
  // reco 0: (4/2*1*10)*0.25 + (8/2*0.5*10)*0.5 = 5 + 10; reco 1: (12/2*10)*0.75 +
  // (16/2*0.5*10)*0.5 = 45 + 20
  CHECK(signal(0, 0) == 15.0 && signal(0, 1) == 65.0);
  CHECK(std::isnan(signal(1, 0)) && std::isnan(signal(1, 1)));
  CHECK(throws_invalid(
      [&] { fp::fold_signal(sums, totals, flux, 1.0, kernel.data(), 3, 2, 1); },
      "1 kernel or one per region"));
}

// Value checks: a cube that may hold negative values (on-off OFF counts) sums them as
// they are; a non-finite value, or a negative one in a non-negative cube, is reported
// with the cube, the region and the pixel, and round-off is shown as such (not as
// -0.000000).
void test_value_checks_name_region_and_pixel() {
  const Index nx = 3, ny = 2;
  std::vector<double> rows = {
      0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0,   // pixel (x=0, y=0)
      0, 1.5, 1.0, 2.0, 1.0, 1.0, 0.0};  // pixels x = 1, 2 of y = 1
  std::vector<std::int64_t> off = {0, 0, 0};
  const fp::ShapeTable table(rows.data(), 2, nullptr, nullptr, 0, off.data());
  std::vector<double> values = {1, 1, 1, 1, -2.8e-7, 3};
  fp::CubeView signed_view{values.data(), fp::DType::float64, 1};
  signed_view.name = "counts_off";
  const fp::RegionSums s =
      fp::reduce_regions(table, nx, ny, 1, {signed_view}, nullptr, nullptr, nullptr,
                         fp::Containment::center, 1);
  CHECK(s.reco_sums[0](0, 0) == 1.0 && s.reco_sums[0](1, 0) == -2.8e-7 + 3.0);
  fp::CubeView non_negative = signed_view;
  non_negative.non_negative = true;
  CHECK(throws_invalid(
      [&] {
        fp::reduce_regions(table, nx, ny, 1, {non_negative}, nullptr, nullptr, nullptr,
                           fp::Containment::center, 1);
      },
      "counts_off must be finite and >= 0 in the pixels a region uses, got -2.8e-07 in "
      "region 1 at (plane, y, x) = (0, 1, 1)"));
  values[0] = std::numeric_limits<double>::quiet_NaN();
  CHECK(throws_invalid(
      [&] {
        fp::reduce_regions(table, nx, ny, 1, {signed_view}, nullptr, nullptr, nullptr,
                           fp::Containment::center, 1);
      },
      "counts_off must be finite in the pixels a region uses, got nan in region 0 at "
      "(plane, y, x) = (0, 0, 0)"));
}

// numpy_sum cubes: NumPy's pairwise float32 summation over the safe pixels, gathered
// when the mask cuts through a region (ASan sees the gathered list and the recursive
// halves of an 800-pixel region). Ones sum to the count in any order; 2^24 followed by
// fifteen ones is 2^24 + 14 pairwise (the eight partial sums: 2^24 + 1 rounds to 2^24,
// the others reach 2), where a double sum gives 2^24 + 15 and a float32 running sum
// 2^24. Non-finite values of a cube that need not be finite reach the sum.
void test_numpy_order_sums() {
  const Index nx = 40, ny = 20, npix = nx * ny;
  std::vector<double> rows = {
      0, 19.5, 9.5, 40.0, 20.0, 1.0, 0.0,   // the whole map
      0, 7.5,  0.0, 16.0, 1.0,  1.0, 0.0};  // x = 0..15 of row y = 0
  std::vector<std::int64_t> off = {0, 0, 0};
  const fp::ShapeTable table(rows.data(), 2, nullptr, nullptr, 0, off.data());
  std::vector<float> ones(static_cast<std::size_t>(2 * npix), 1.0f);
  std::vector<float> big = ones;
  big[0] = 16777216.0f;  // pixel (0, 0) of plane 0
  fp::CubeView ones_view{ones.data(), fp::DType::float32, 2},
      big_view{big.data(), fp::DType::float32, 2};
  ones_view.numpy_sum = big_view.numpy_sum = true;
  const fp::CubeView big_double{big.data(), fp::DType::float32, 2};
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(2 * npix), 1);
  for (Index y = 0; y < ny; ++y) {
    for (Index x = 0; x < 10; ++x)
      mask[static_cast<std::size_t>(npix + y * nx + x)] = 0;  // plane 1: x < 10 unsafe
  }
  for (int threads : {1, 3}) {
    const fp::RegionSums s = fp::reduce_regions(
        table, nx, ny, 2, {ones_view, big_view, big_double}, mask.data(), nullptr,
        nullptr, fp::Containment::center, threads);
    CHECK(s.reco_sums[0](0, 0) == 800.0 && s.reco_sums[0](0, 1) == 600.0);
    CHECK(s.reco_sums[0](1, 0) == 16.0 && s.reco_sums[0](1, 1) == 6.0);
    CHECK(s.reco_sums[1](1, 0) == 16777216.0 + 14.0 &&
          s.reco_sums[2](1, 0) == 16777216.0 + 15.0);
    CHECK(s.reco_sums[1](1, 1) == 6.0);
  }
  ones[static_cast<std::size_t>(npix + 15)] =
      std::numeric_limits<float>::quiet_NaN();  // plane 1, pixel (x=15, y=0)
  CHECK(throws_invalid(
      [&] {
        fp::reduce_regions(table, nx, ny, 2, {ones_view}, mask.data(), nullptr, nullptr,
                           fp::Containment::center, 2);
      },
      "got nan in region 0 at (plane, y, x) = (1, 0, 15)"));
  ones_view.must_be_finite = false;
  const fp::RegionSums s =
      fp::reduce_regions(table, nx, ny, 2, {ones_view}, mask.data(), nullptr, nullptr,
                         fp::Containment::center, 2);
  CHECK(std::isnan(s.reco_sums[0](1, 1)) && s.reco_sums[0](1, 0) == 16.0);
}

// Every index is processed exactly once, whatever the thread count and cost estimates
// (including all-zero and very uneven costs); a worker's exception reaches the caller.
void test_parallel_for_covers_every_index_once() {
  for (Index n : {0, 1, 2, 7, 100, 1001}) {
    for (int threads : {1, 2, 3, 8}) {
      for (int costs = 0; costs < 3; ++costs) {
        std::vector<int> seen(static_cast<std::size_t>(n), 0);
        fp::parallel_for_weighted(
            n, threads,
            [&](Index i) {
              return costs == 0 ? 0.0 : (costs == 1 ? 1.0 : (i % 97 == 0 ? 1e6 : 0.0));
            },
            [&](Index i) { ++seen[static_cast<std::size_t>(i)]; });
        bool once = true;
        for (int v : seen) once &= v == 1;
        CHECK(once);
      }
    }
  }
  const std::vector<Index> bounds =
      fp::balanced_chunks(10, 4, [](Index i) { return i < 5 ? 0.0 : 1.0; });
  CHECK(bounds.front() == 0 && bounds.back() == 10);
  for (std::size_t c = 1; c < bounds.size(); ++c) CHECK(bounds[c] > bounds[c - 1]);
  CHECK(throws_invalid(
      [&] {
        fp::parallel_for(50, 2, [](Index i) {
          if (i == 37) throw fp::InvalidInput("index 37 failed");
        });
      },
      "index 37 failed"));
}

}  // namespace

int main() {
  test_no_problems_and_empty_problem();
  test_extreme_but_valid_problems();
  test_threads_do_not_change_results();
  test_invalid_fit_input_is_rejected();
  test_bin_statistics_at_the_edges();
  test_shapes_beyond_the_map_and_degenerate();
  test_invalid_shapes_are_rejected();
  test_reduce_every_dtype_and_mask();
  test_clipping_and_signal_folding();
  test_value_checks_name_region_and_pixel();
  test_numpy_order_sums();
  test_parallel_for_covers_every_index_once();
  if (failures == 0) std::printf("all C++ edge-case tests passed\n");
  return failures == 0 ? 0 : 1;
}
