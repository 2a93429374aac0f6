#include "image/layer_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/error.h"
#include "base/logger.h"
#include "base/sys.h"

namespace burrow::image {

namespace {

std::string read_boot_id() {
  auto id = sys::try_read_file("/proc/sys/kernel/random/boot_id");
  if (!id) return "";
  while (!id->empty() && (id->back() == '\n' || id->back() == ' ')) id->pop_back();
  return *id;
}

}  // namespace

LayerSync::LayerSync(std::string images_dir, Logger& logger)
    : dir_(std::move(images_dir)), logger_(logger), boot_id_(read_boot_id()) {}

LayerSync::~LayerSync() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void LayerSync::add(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(id);
    ++added_;
    if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
  }
  changed_.notify_all();
}

void LayerSync::flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = added_;
  changed_.wait(lock, [&] { return done_ >= target; });
}

void LayerSync::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    // Everything pending now was committed before the sync below starts, so it covers them all.
    std::vector<std::string> batch;
    batch.swap(pending_);
    lock.unlock();
    sync_and_unmark(batch);
    lock.lock();
    done_ += batch.size();
    changed_.notify_all();
  }
}

bool LayerSync::sync_and_unmark(const std::vector<std::string>& ids) {
  try {
    Fd dir = sys::open(dir_, O_RDONLY | O_DIRECTORY);
    sys::check(::syncfs(dir.get()), "syncfs", dir_);
    for (const auto& id : ids) {
      std::string marker = dir_ + "/" + id + "/" + kMarker;
      // ENOENT: the image was removed meanwhile.
      if (::unlink(marker.c_str()) < 0 && errno != ENOENT) throw sys::error_from_errno(errno, "unlink", marker);
    }
    // The markers' removal reaches the disk too, or a reboot would take the images for torn ones.
    sys::check(::syncfs(dir.get()), "syncfs", dir_);
    return true;
  } catch (const Error& e) {
    logger_.error("image", std::string("cannot make new image layers durable: ") + e.what() +
                               " (they stay marked; the next start retries)");
    return false;
  }
}

void LayerSync::recover(const std::vector<std::string>& ids,
                        const std::function<void(const std::string&)>& remove_image) {
  std::vector<std::string> finish;
  for (const auto& id : ids) {
    auto content = sys::try_read_file(dir_ + "/" + id + "/" + kMarker);
    if (!content) continue;
    if (!boot_id_.empty() && *content == boot_id_) {
      finish.push_back(id);
      continue;
    }
    logger_.warn("image", "image " + id +
                              " was not yet on disk when the machine stopped (power loss or reboot); its layer "
                              "may be incomplete, so it is removed");
    remove_image(id);
  }
  if (!finish.empty() && sync_and_unmark(finish))
    logger_.info("image", std::to_string(finish.size()) + " image(s) committed before burrowd stopped are now on disk");
}

}  // namespace burrow::image
