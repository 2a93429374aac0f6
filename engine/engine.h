#pragma once
// Engine: the daemon's model behind the HTTP layer. It owns the subsystems, each its own class
// in its own file (EventBus here; the image store and the container store are added by their
// owners as a member plus an accessor below). Knows no HTTP. Constructed once by burrowd after
// the engine namespace is entered; the Logger in the options must outlive it. Accessors are
// thread-safe because the subsystems are.

#include <cstddef>
#include <memory>

#include "engine/container_manager.h"
#include "engine/engine_options.h"
#include "engine/event_bus.h"
#include "image/image_store.h"

namespace burrow::engine {

class Engine {
 public:
  // Creates the state root (0700) and its subdirectories, loads the event history. Throws
  // burrow::Error when the root cannot be created or the history file cannot be opened.
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineOptions& options() const { return options_; }
  Logger& logger() const { return options_.logger; }
  const std::string& root() const { return options_.root; }

  // Subsystems.
  EventBus& events() { return *events_; }
  image::ImageStore& images() { return *images_; }
  ContainerManager& containers() { return *containers_; }

  // Images known on disk (<root>/images/<id>), for /info.
  std::size_t image_count() const;

  // Starts the shutdown: ends every event feed so streaming requests return. Idempotent.
  void shutdown();

 private:
  EngineOptions options_;
  std::unique_ptr<EventBus> events_;
  std::unique_ptr<image::ImageStore> images_;  // after events_: it publishes to it
  std::unique_ptr<ContainerManager> containers_;  // after images_ and events_: it uses both
};

}  // namespace burrow::engine
