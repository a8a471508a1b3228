#pragma once
// A deterministic parallel_for over [0, n): each index is processed by exactly one
// thread and writes only its own outputs, so results do not depend on n_threads.
#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "fluxprofile/types.hpp"

namespace fluxprofile {

// Number of worker threads for `n_threads` (0 means all hardware threads).
inline int resolve_threads(int n_threads) {
  if (n_threads < 0) throw InvalidInput("n_threads must be >= 0, got " + std::to_string(n_threads));
  if (n_threads == 0) n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return n_threads;
}

// Calls body(i) for every i in [0, n). Indices are handed out in small interleaved blocks
// so that cheap and expensive regions are spread over the threads. An exception thrown in
// a worker is re-thrown in the caller after all threads joined (an exception escaping a
// std::thread would terminate the interpreter).
template <class F>
void parallel_for(Index n, int n_threads, F&& body) {
  const int n_workers = static_cast<int>(std::min<Index>(resolve_threads(n_threads), std::max<Index>(n, 1)));
  if (n_workers <= 1) {
    for (Index i = 0; i < n; ++i) body(i);
    return;
  }
  constexpr Index block = 4;
  std::exception_ptr error;
  std::mutex error_mutex;
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(n_workers));
  for (int t = 0; t < n_workers; ++t) {
    pool.emplace_back([&, t] {
      try {
        for (Index start = t * block; start < n; start += n_workers * block) {
          const Index stop = std::min(n, start + block);
          for (Index i = start; i < stop; ++i) body(i);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    });
  }
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace fluxprofile
