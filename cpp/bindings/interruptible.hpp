#pragma once
// Running a compiled call so that Ctrl-C stops it (docs/numeric_limits.rst).
//
// The call runs on a helper thread with the GIL released, under a CancelToken; the
// calling (Python) thread waits for it and, every kPollInterval, takes the GIL briefly
// to run Python's signal handlers (PyErr_CheckSignals). When a handler raises (SIGINT:
// KeyboardInterrupt) the token is cancelled, the parallel loops of the call stop within
// one index (fluxprofile/parallel.hpp), the helper thread is joined and the Python
// exception is raised: no result, nothing partial is returned.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "fluxprofile/parallel.hpp"
#include "pybind.hpp"

namespace fluxprofile_bindings {

constexpr std::chrono::milliseconds kPollInterval{50};

// Calls estimated below this many element operations (about a millisecond) run on the
// calling thread: starting the helper thread costs tens of microseconds, more than
// such a call itself, and a call this short returns long before a Ctrl-C would need
// the polling (Python runs its handlers right after it).
constexpr double kInlineWork = 2.0e6;

// Calls f() (which must not touch Python objects) with the GIL released, polling for
// signals while it runs; returns its result or re-throws its exception. Must be called
// with the GIL held.
//
// `work` estimates the element operations of the call (a negative value: unknown); a
// call estimated below kInlineWork runs on this thread, with the GIL released.
template <class F>
auto run_interruptible(F&& f, double work = -1.0) -> std::invoke_result_t<F&> {
  using Result = std::invoke_result_t<F&>;
  if (work >= 0.0 && work < kInlineWork) {
    const py::gil_scoped_release release;
    return f();
  }
  fluxprofile::CancelToken token;
  std::optional<Result> result;
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  bool interrupted = false;
  {
    py::gil_scoped_release release;
    std::thread worker([&] {
      const fluxprofile::CancelScope scope(&token);
      try {
        result.emplace(f());
      } catch (...) {
        error = std::current_exception();
      }
      const std::lock_guard<std::mutex> lock(mutex);
      done = true;
      finished.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!finished.wait_for(lock, kPollInterval, [&] { return done; })) {
      lock.unlock();
      {
        const py::gil_scoped_acquire acquire;
        // The exception a handler raises stays set in this thread's state until
        // error_already_set below fetches it.
        interrupted = PyErr_CheckSignals() != 0;
      }
      lock.lock();
      if (interrupted) {
        token.cancel();
        finished.wait(lock, [&] { return done; });
        break;
      }
    }
    lock.unlock();
    worker.join();
  }
  if (interrupted) throw py::error_already_set();
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const fluxprofile::Cancelled&) {
      // cancelled without a pending Python exception (cannot happen: only this thread
      // cancels); report it as an interrupt rather than a result
      PyErr_SetNone(PyExc_KeyboardInterrupt);
      throw py::error_already_set();
    }
  }
  return std::move(*result);
}

}  // namespace fluxprofile_bindings
