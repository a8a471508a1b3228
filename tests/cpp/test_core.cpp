// Dependency-free tests of the C++ core (run by ctest).
#include <cmath>
#include <cstdio>
#include <vector>

#include "check.hpp"
#include "fluxprofile/fit.hpp"
#include "fluxprofile/reduce.hpp"
#include "fluxprofile/stats.hpp"

namespace fp = fluxprofile;

static void test_single_bin_cash_fit() {
  // One bin, n counts, background b, signal s: the best norm is (n - b) / s, the
  // curvature error sqrt(n) / s and ts = 2 [n log(n / b) - (n - b)].
  const double n = 150.0, b = 100.0, s = 25.0;
  std::vector<std::int64_t> offsets{0, 1};
  std::vector<std::int8_t> kind{0};
  std::vector<double> counts{n}, bkg{b}, alpha{0.0}, sig{s};
  fp::FitProblems pr{offsets.data(), 1,         kind.data(), counts.data(), bkg.data(),
                     alpha.data(),   sig.data()};
  fp::FitOptions opt;
  opt.errn_errp = true;
  opt.ul = true;
  opt.minuit_errors = false;
  const fp::FitResults r = fp::fit_norms(pr, opt, 1);
  CHECK(r.success[0] == 1);
  CHECK(std::abs(r.norm[0] - (n - b) / s) < 1e-12);
  CHECK(std::abs(r.norm_err[0] - std::sqrt(n) / s) < 1e-12);
  // MIGRAD's covariance (Gammapy's norm_err) is close to the curvature on such a
  // problem.
  opt.minuit_errors = true;
  CHECK(std::abs(fp::fit_norms(pr, opt, 1).norm_err[0] / (std::sqrt(n) / s) - 1.0) <
        1e-3);
  CHECK(std::abs(r.ts[0] - 2.0 * (n * std::log(n / b) - (n - b))) < 1e-9);
  // errp/errn solve 2 [mu - n log mu] - min = 1 exactly.
  const double up = r.norm[0] + r.norm_errp[0];
  const double lo = r.norm[0] - r.norm_errn[0];
  CHECK(std::abs(fp::cash(n, b + up * s) - r.stat[0] - 1.0) < 1e-9);
  CHECK(std::abs(fp::cash(n, b + lo * s) - r.stat[0] - 1.0) < 1e-9);
  CHECK(std::abs(fp::cash(n, b + r.norm_ul[0] * s) - r.stat[0] - 4.0) < 1e-9);
}

static void test_zero_counts_fails_but_has_ul() {
  std::vector<std::int64_t> offsets{0, 1};
  std::vector<std::int8_t> kind{0};
  std::vector<double> counts{0.0}, bkg{1.0}, alpha{0.0}, sig{3.0};
  fp::FitProblems pr{offsets.data(), 1,         kind.data(), counts.data(), bkg.data(),
                     alpha.data(),   sig.data()};
  fp::FitOptions opt;
  opt.ul = true;
  const fp::FitResults r = fp::fit_norms(pr, opt, 1);
  CHECK(r.success[0] == 0);
  CHECK(std::isnan(r.norm[0]));
  // The infimum is 2e-25 (prediction clipped); the UL solves 2 (b + N s) = 4, ts = 2 b.
  CHECK(std::abs(r.norm_ul[0] - (2.0 - 1.0) / 3.0) < 1e-9);
  CHECK(std::abs(r.ts[0] - 2.0) < 1e-9);
}

static void test_rectangle_reduction() {
  // 3 planes of a 6 x 5 map filled with 1: a 3 x 2 axis-aligned rectangle centred on
  // pixel (2, 2) holds 3 x 2 pixel centres... with edges excluded: |dx| < 1.5, |dy| < 1
  // -> 3 x 1.
  const fp::Index nx = 6, ny = 5;
  std::vector<double> cube(3 * nx * ny, 1.0);
  std::vector<double> shapes{0, 2.0, 2.0, 3.0, 2.0, 1.0, 0.0};
  std::vector<std::int64_t> offsets{0, 0};
  fp::ShapeTable table(shapes.data(), 1, nullptr, nullptr, 0, offsets.data());
  std::vector<fp::CubeView> cubes{fp::CubeView{cube.data(), fp::DType::float64, 3}};
  const fp::RegionSums r = fp::reduce_regions(table, nx, ny, 3, cubes, nullptr, nullptr,
                                              nullptr, fp::Containment::center, 2);
  CHECK(r.npix_total[0] == 3);
  CHECK(r.reco_sums[0](0, 1) == 3.0);
}

int main() {
  test_single_bin_cash_fit();
  test_zero_counts_fails_but_has_ul();
  test_rectangle_reduction();
  if (failures == 0) std::printf("all C++ core tests passed\n");
  return failures == 0 ? 0 : 1;
}
