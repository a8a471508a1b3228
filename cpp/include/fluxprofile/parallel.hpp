#pragma once
// A deterministic parallel_for over [0, n): each index is processed by exactly one
// thread and writes only its own outputs, so results do not depend on n_threads or on
// which thread took which index. A loop can be cancelled from another thread (Ctrl-C
// in Python, see CancelToken): it then stops within one index and throws Cancelled.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fluxprofile/types.hpp"

namespace fluxprofile {

// The most threads a call may ask for: more only cost the time to start them (and, with
// kChunksPerWorker chunks each, the time to plan the chunks). docs/numeric_limits.rst.
constexpr int kMaxThreads = 1024;

// Number of worker threads for `n_threads` (0 means all hardware threads).
inline int resolve_threads(int n_threads) {
  if (n_threads < 0 || n_threads > kMaxThreads) {
    throw InvalidInput("n_threads must be in [0, " + std::to_string(kMaxThreads) +
                       "] (0: all cores), got " + std::to_string(n_threads));
  }
  if (n_threads == 0) {
    n_threads = static_cast<int>(std::min<unsigned>(
        std::max(1u, std::thread::hardware_concurrency()), kMaxThreads));
  }
  return n_threads;
}

// Thrown by a parallel loop whose CancelToken was cancelled.
class Cancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "cancelled"; }
};

// A flag another thread sets to stop the parallel loops started under it (CancelScope).
class CancelToken {
 public:
  void cancel() { flag_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> flag_{false};
};

// The token of the loops started by this thread (nullptr: not cancellable).
inline CancelToken*& current_cancel_token() {
  thread_local CancelToken* token = nullptr;
  return token;
}

// Makes `token` the current token of this thread for the scope's lifetime.
class CancelScope {
 public:
  explicit CancelScope(CancelToken* token) : previous_(current_cancel_token()) {
    current_cancel_token() = token;
  }
  ~CancelScope() { current_cancel_token() = previous_; }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  CancelToken* previous_;
};

// Throws Cancelled if the loops of this thread (token, as read by the caller) were
// cancelled; cheap enough (one relaxed load) to call for every index.
inline void check_cancelled(const CancelToken* token) {
  if (token != nullptr && token->cancelled()) throw Cancelled();
}

// Chunks handed out per worker: enough that a worker slowed down by the machine (or
// given the costly regions) is compensated by the others, few enough that each chunk is
// a long run of consecutive indices. Consecutive regions usually touch neighbouring
// pixels, so a thread working through a run reuses cache lines instead of sharing them
// with the other threads.
constexpr Index kChunksPerWorker = 16;

// Boundaries [b0 = 0, b1, ..., bk = n] of at most `n_chunks` consecutive chunks of
// about equal total cost; cost(i) >= 0 is the (estimated) work of index i.
template <class Cost>
std::vector<Index> balanced_chunks(Index n, Index n_chunks, Cost&& cost) {
  // more chunks than indices would be empty: planning them only costs time
  n_chunks = std::min(n_chunks, std::max<Index>(n, 1));
  std::vector<double> prefix(static_cast<std::size_t>(n) + 1, 0.0);
  for (Index i = 0; i < n; ++i)
    prefix[i + 1] = prefix[i] + static_cast<double>(cost(i));
  const double total = prefix.back();
  std::vector<Index> bounds{0};
  for (Index c = 1; c < n_chunks && total > 0.0; ++c) {
    // first index whose prefix reaches c / n_chunks of the total
    const double target =
        total * static_cast<double>(c) / static_cast<double>(n_chunks);
    const auto it = std::lower_bound(prefix.begin(), prefix.end(), target);
    const Index b = static_cast<Index>(it - prefix.begin());
    if (b > bounds.back() && b < n) bounds.push_back(b);
  }
  bounds.push_back(n);
  return bounds;
}

// Calls body(bounds[c], bounds[c + 1]) for every chunk c. Workers take the next
// unprocessed chunk as they become free (dynamic scheduling); with one worker the
// chunks run in order on the calling thread. An exception thrown in a worker is
// re-thrown in the caller after all threads joined (an exception escaping a std::thread
// would terminate the interpreter); the other workers stop taking later chunks. Of
// several failing chunks the lowest one's exception is re-thrown, so that an error
// message does not depend on which thread got there first. The
// workers check the calling thread's CancelToken before every chunk (bodies that run
// long per chunk check it themselves, see parallel_for_weighted).
template <class F>
void parallel_for_ranges(const std::vector<Index>& bounds, int n_threads, F&& body) {
  const auto n_chunks = static_cast<Index>(bounds.size()) - 1;
  const int n_workers = static_cast<int>(
      std::min<Index>(resolve_threads(n_threads), std::max<Index>(n_chunks, 1)));
  const CancelToken* token = current_cancel_token();
  if (n_workers <= 1) {
    for (Index c = 0; c < n_chunks; ++c) {
      check_cancelled(token);
      body(bounds[c], bounds[c + 1]);
    }
    return;
  }
  std::atomic<Index> next{0};
  // The lowest chunk that failed so far: chunks after it are not started, chunks
  // before it (all taken already, in order) run to the end, so the error re-thrown is
  // that of the lowest failing chunk, whichever thread met it first.
  std::atomic<Index> failed_chunk{n_chunks};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    // the workers see the caller's token (a thread_local of the calling thread)
    const CancelScope scope(const_cast<CancelToken*>(token));
    for (Index c = next++; c < n_chunks; c = next++) {
      if (c > failed_chunk.load(std::memory_order_relaxed)) break;
      try {
        check_cancelled(token);
        body(bounds[c], bounds[c + 1]);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (c < failed_chunk.load(std::memory_order_relaxed)) {
          error = std::current_exception();
          failed_chunk.store(c, std::memory_order_relaxed);
        }
        break;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(n_workers) - 1);
  for (int t = 1; t < n_workers; ++t) pool.emplace_back(work);
  work();  // the calling thread is one of the workers
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

// Calls body(i) for every i in [0, n), in chunks of consecutive indices of about equal
// total cost(i). Cancellation is checked before every index.
template <class F, class Cost>
void parallel_for_weighted(Index n, int n_threads, Cost&& cost, F&& body) {
  const int workers = resolve_threads(n_threads);
  const CancelToken* token = current_cancel_token();
  if (workers <= 1 || n <= 1) {
    for (Index i = 0; i < n; ++i) {
      check_cancelled(token);
      body(i);
    }
    return;
  }
  parallel_for_ranges(balanced_chunks(n, workers * kChunksPerWorker, cost), workers,
                      [&](Index begin, Index end) {
                        for (Index i = begin; i < end; ++i) {
                          check_cancelled(token);
                          body(i);
                        }
                      });
}

// Calls body(i) for every i in [0, n), in chunks of equal length.
template <class F>
void parallel_for(Index n, int n_threads, F&& body) {
  parallel_for_weighted(n, n_threads, [](Index) { return 1.0; }, body);
}

}  // namespace fluxprofile
