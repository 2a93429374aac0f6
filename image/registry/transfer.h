#pragma once
// What pull and push share around a registry session: progress calls serialised across the
// transfer threads, a 100 ms throttle for byte-count progress, and a pool that runs numbered
// transfers concurrently, stops the rest at the first failure and rethrows it.
// ProgressReporter is thread-safe; a ProgressThrottle belongs to one thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "image/registry/progress.h"

namespace burrow::image::registry {

// Serialises calls to a ProgressFn (which may be empty). `fn` must outlive the reporter.
class ProgressReporter {
 public:
  explicit ProgressReporter(const ProgressFn& fn) : fn_(fn) {}
  void operator()(const std::string& status, const std::string& id = "", int64_t current = -1,
                  int64_t total = -1);

 private:
  const ProgressFn& fn_;
  std::mutex mutex_;  // guards calls to fn_
};

// True on the first call and then at most once per 100 ms: byte counts are reported that often.
class ProgressThrottle {
 public:
  bool due();

 private:
  std::chrono::steady_clock::time_point last_{};
};

// Runs work(0) .. work(count - 1) on up to `concurrency` threads (at least one) and returns
// when all have ended. Once one throws, `abort` turns true, no further index starts (running
// ones may check `abort` to stop early), and the first error is rethrown here: a burrow::Error
// as it was, any other std::exception as Internal.
void run_concurrently(size_t count, unsigned concurrency,
                      const std::function<void(size_t index, const std::atomic<bool>& abort)>& work);

}  // namespace burrow::image::registry
