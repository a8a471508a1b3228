// The parallel loops of fluxprofile/parallel.hpp: cancellation from another thread (the
// loop stops before its next index and throws Cancelled, with any number of workers),
// the thread cap, chunk planning that never exceeds the number of indices, and a fit
// that is scale invariant (closed form of a one-bin Cash fit: norm = (n - b) / s).
// Written to run under AddressSanitizer + UBSan (.ci/sanitize).
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "check.hpp"
#include "fluxprofile/fit.hpp"
#include "fluxprofile/parallel.hpp"

namespace fp = fluxprofile;
using fp::Index;

namespace {

void test_cancel_stops_the_loop(int n_threads) {
  fp::CancelToken token;
  const Index n = 1000000;
  std::atomic<Index> done{0};
  bool cancelled = false;
  std::thread canceller([&] {
    while (done.load() < 1000) std::this_thread::yield();
    token.cancel();
  });
  try {
    const fp::CancelScope scope(&token);
    fp::parallel_for(n, n_threads, [&](Index) {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
      ++done;
    });
  } catch (const fp::Cancelled&) {
    cancelled = true;
  }
  canceller.join();
  CHECK(cancelled);
  CHECK(done.load() < n);
  // the scope is gone: loops of this thread run to the end again
  std::atomic<Index> after{0};
  fp::parallel_for(100, n_threads, [&](Index) { ++after; });
  CHECK(after.load() == 100);
}

void test_thread_cap() {
  bool thrown = false;
  try {
    fp::resolve_threads(fp::kMaxThreads + 1);
  } catch (const fp::InvalidInput&) {
    thrown = true;
  }
  CHECK(thrown);
  CHECK(fp::resolve_threads(fp::kMaxThreads) == fp::kMaxThreads);
  CHECK(fp::resolve_threads(0) >= 1);
  // the cap and three indices: at most three chunks, each index exactly once
  std::vector<int> seen(3, 0);
  fp::parallel_for(3, fp::kMaxThreads, [&](Index i) { ++seen[i]; });
  CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
  const auto bounds = fp::balanced_chunks(3, Index{1} << 40, [](Index) { return 1.0; });
  CHECK(bounds.size() <= 4);
  CHECK(bounds.front() == 0 && bounds.back() == 3);
}

void test_fit_scale_invariance() {
  // one Cash bin: n = 30, b = 10, s = 5 / f -> norm = (n - b) / s = 4 f exactly in x
  for (const double f : {1e-30, 1e-15, 1.0, 1e15, 1e30}) {
    const std::vector<std::int64_t> offsets{0, 1};
    const std::vector<std::int8_t> kind{0};
    const std::vector<double> counts{30.0}, background{10.0}, alpha{0.0},
        signal{5.0 / f};
    fp::FitProblems p;
    p.offsets = offsets.data();
    p.n_problems = 1;
    p.statistic = kind.data();
    p.counts = counts.data();
    p.background = background.data();
    p.alpha = alpha.data();
    p.signal = signal.data();
    fp::FitOptions exact;
    exact.minuit_errors = false;
    exact.minuit_norm = false;
    exact.ul = true;
    const fp::FitResults r = fp::fit_norms(p, exact, 1);
    CHECK(r.success[0] == 1);
    CHECK(std::abs(r.norm[0] / (4.0 * f) - 1.0) < 1e-9);
    // curvature error sqrt(2 / stat'') = sqrt(n) / s
    CHECK(std::abs(r.norm_err[0] / (std::sqrt(30.0) / 5.0 * f) - 1.0) < 1e-9);
    fp::FitOptions minuit;
    minuit.minuit_norm = true;
    const fp::FitResults m = fp::fit_norms(p, minuit, 1);
    CHECK(m.success[0] == 1);
    CHECK(std::abs(m.norm[0] - 4.0 * f) < 0.05 * r.norm_err[0]);
    CHECK(std::abs(m.norm_err[0] / r.norm_err[0] - 1.0) < 0.05);
  }
}

}  // namespace

int main() {
  test_cancel_stops_the_loop(1);
  test_cancel_stops_the_loop(4);
  test_thread_cap();
  test_fit_scale_invariance();
  if (failures == 0) std::printf("all parallel/cancel tests passed\n");
  return failures == 0 ? 0 : 1;
}
