#pragma once
// LayerSync: makes committed layers durable off the request path. A layer of 20k files takes
// ~0.5 s to reach the disk, half of an import; waiting for it before answering made burrowd's
// import slower than podman's, which never syncs. Instead LayerStore::commit writes the image
// with a marker file `unsynced` holding this boot's id (/proc/sys/kernel/random/boot_id) and
// hands its id here; a worker thread runs syncfs over the store's file system and then removes
// the markers of every image committed before that sync began (one sync serves a burst).
//
// What a marker means when burrowd starts (LayerStore's sweep calls recover()):
// - this boot's id: burrowd died (SIGKILL, OOM, crash) before the sync. The kernel's page cache
//   still holds every byte written, so the layer is whole: sync, then drop the marker.
// - another boot's id, or none readable: the machine stopped (power loss, reboot) before the
//   layer was known to be on disk; its files may be torn, so the image is removed, with a warning.
// A clean stop finishes the pending syncs in the destructor. Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace burrow {
class Logger;
}

namespace burrow::image {

class LayerSync {
 public:
  static constexpr const char* kMarker = "unsynced";

  // images_dir holds one directory per image id. `logger` must outlive the object.
  LayerSync(std::string images_dir, Logger& logger);
  ~LayerSync();  // syncs what is pending, then joins the worker
  LayerSync(const LayerSync&) = delete;
  LayerSync& operator=(const LayerSync&) = delete;

  // The marker's content for images committed now: this boot's id.
  const std::string& boot_id() const { return boot_id_; }
  // images/<id> was just committed with a marker: sync it and drop the marker soon.
  void add(const std::string& id);
  // Waits until every image added before the call is durable and has lost its marker.
  void flush();
  // At start-up, before anything is added: finishes or removes each image that has a marker
  // (see above). `remove_image` removes images/<id>.
  void recover(const std::vector<std::string>& ids, const std::function<void(const std::string&)>& remove_image);

 private:
  void work();
  // syncfs over the store's file system, then the markers of `ids` go; false on a failed sync
  // (logged; the markers stay and the next start finishes the job).
  bool sync_and_unmark(const std::vector<std::string>& ids);

  const std::string dir_;
  Logger& logger_;
  const std::string boot_id_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> pending_;
  uint64_t added_ = 0;  // ids added so far
  uint64_t done_ = 0;   // of those, how many are finished (synced, or failed and logged)
  bool stop_ = false;
  std::thread worker_;  // started by the first add()
};

}  // namespace burrow::image
