#include "image/registry/transfer.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

#include "base/error.h"

namespace burrow::image::registry {

void ProgressReporter::operator()(const std::string& status, const std::string& id, int64_t current,
                                  int64_t total) {
  if (!fn_) return;
  std::lock_guard lock(mutex_);
  fn_(ProgressMessage{status, id, current, total});
}

bool ProgressThrottle::due() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return false;
  last_ = now;
  return true;
}

void run_concurrently(size_t count, unsigned concurrency,
                      const std::function<void(size_t index, const std::atomic<bool>& abort)>& work) {
  if (count == 0) return;
  std::atomic<size_t> next{0};
  std::atomic<bool> abort{false};
  std::mutex error_mutex;  // guards first_error
  std::optional<Error> first_error;
  auto fail = [&](Error e) {
    std::lock_guard lock(error_mutex);
    if (!first_error) first_error = std::move(e);
    abort = true;
  };
  auto worker = [&] {
    for (size_t i; !abort && (i = next++) < count;) {
      try {
        work(i, abort);
      } catch (const Error& e) {
        fail(e);
      } catch (const std::exception& e) {
        fail(Error::internal(e.what()));
      }
    }
  };
  std::vector<std::thread> threads;
  unsigned n = std::max(1u, std::min<unsigned>(concurrency, static_cast<unsigned>(count)));
  for (unsigned t = 0; t < n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) throw *first_error;
}

}  // namespace burrow::image::registry
