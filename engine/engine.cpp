#include "engine/engine.h"

#include <dirent.h>

#include "base/random_id.h"
#include "base/sys.h"
#include "engine/startup_sweep.h"

namespace burrow::engine {

namespace {

// Entries of `dir` that are full 64-hex ids (image records).
std::size_t count_ids(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  std::size_t n = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (is_full_id(e->d_name)) ++n;
  }
  ::closedir(d);
  return n;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(std::move(options)) {
  sys::make_dirs(options_.root, 0700);
  sys::make_dirs(options_.root + "/containers", 0700);
  sys::make_dirs(options_.root + "/images", 0700);
  sweep_state_root(options_.root, options_.logger);  // before any store reads its files
  events_ = std::make_unique<EventBus>(options_.root + "/events.jsonl", options_.logger, options_.event_history);
  images_ = std::make_unique<image::ImageStore>(image::ImageStoreOptions{
      options_.root, &options_.logger,
      [this](const std::string& status, const std::string& id) { events_->publish(status, id, ""); }});
  std::string programs = options_.program_dir.empty() ? "" : options_.program_dir + "/";
  containers_ = std::make_unique<ContainerManager>(ContainerManagerOptions{
      options_.root, options_.logger, *events_, *images_, programs + "burrow-shim", programs + "burrow-overlay",
      programs + "burrow-net", options_.allow_host_loopback});
  remove_interrupted_build_steps(*containers_, options_.logger);
}

Engine::~Engine() { shutdown(); }

std::size_t Engine::image_count() const { return count_ids(options_.root + "/images"); }

void Engine::shutdown() {
  if (containers_) containers_->shutdown();
  if (events_) events_->close();
}

}  // namespace burrow::engine
