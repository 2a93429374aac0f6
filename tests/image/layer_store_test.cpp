// LayerStore's commit and its background durability (layer_sync.h): the marker a commit leaves,
// its removal once synced, and what the start-up sweep does with markers left by a killed
// burrowd (same boot: kept and finished) or by a stopped machine (other boot: image removed).
#include "image/layer_store.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "tests/base/temp_dir.h"

using namespace burrow;
using namespace burrow::image;
using burrow::testing::TempDir;

namespace {

struct Fixture {
  TempDir root;
  Logger logger{2, false};
  std::string images = root.path + "/images";

  // An image committed by a store that is then dropped without syncing: what a killed
  // burrowd leaves (the marker is rewritten with `marker` afterwards when given).
  std::string leave_unsynced(const std::string& marker) {
    std::string id = random_id();
    sys::make_dirs(images + "/" + id + "/layer", 0700);
    sys::write_new_file(images + "/" + id + "/layer/file", "data");
    sys::write_new_file(images + "/" + id + "/json", "{\"id\":\"" + id + "\"}");
    sys::write_new_file(images + "/" + id + "/" + LayerSync::kMarker, marker);
    return id;
  }
  std::string commit(LayerStore& store) {
    Staging staging = store.stage();
    sys::write_new_file(staging.layer_path() + "/file", "data");
    std::string id = random_id();
    store.commit(staging, id, "{\"id\":\"" + id + "\"}");
    return id;
  }
  bool marked(const std::string& id) const { return sys::exists(images + "/" + id + "/" + LayerSync::kMarker); }
};

std::string this_boot() {
  std::string id = sys::read_file("/proc/sys/kernel/random/boot_id");
  while (!id.empty() && id.back() == '\n') id.pop_back();
  return id;
}

}  // namespace

TEST_CASE("a commit is an image at once and loses its marker once synced", "[layer_store]") {
  Fixture f;
  LayerStore store(f.images, f.logger);
  std::string id = f.commit(store);
  REQUIRE(store.read_json(id));
  REQUIRE(sys::read_file(f.images + "/" + id + "/layer/file") == "data");
  store.flush();
  CHECK_FALSE(f.marked(id));
  CHECK(store.ids() == std::vector<std::string>{id});
}

TEST_CASE("the marker names this boot until the sync", "[layer_store]") {
  Fixture f;
  LayerSync sync(f.images, f.logger);
  CHECK(sync.boot_id() == this_boot());
  CHECK(sync.boot_id().size() == 36);
}

TEST_CASE("a burst of commits is synced, and a store's end syncs what is pending", "[layer_store]") {
  Fixture f;
  std::vector<std::string> ids;
  {
    LayerStore store(f.images, f.logger);
    for (int i = 0; i < 20; ++i) ids.push_back(f.commit(store));
  }  // no flush: the destructor finishes the job
  for (const auto& id : ids) CHECK_FALSE(f.marked(id));
}

TEST_CASE("an image removed before its sync is no error", "[layer_store]") {
  Fixture f;
  LayerStore store(f.images, f.logger);
  std::string id = f.commit(store);
  store.remove(id);
  store.flush();
  CHECK(store.ids().empty());
}

TEST_CASE("start-up keeps an unsynced image of this boot and syncs it", "[layer_store]") {
  Fixture f;
  sys::make_dirs(f.images, 0700);
  std::string id = f.leave_unsynced(this_boot());
  LayerStore store(f.images, f.logger);
  CHECK(store.ids() == std::vector<std::string>{id});
  CHECK_FALSE(f.marked(id));
  CHECK(sys::read_file(f.images + "/" + id + "/layer/file") == "data");
}

TEST_CASE("start-up removes an image the machine stopped before syncing", "[layer_store]") {
  Fixture f;
  sys::make_dirs(f.images, 0700);
  std::string kept = f.leave_unsynced(this_boot());
  std::string other_boot = f.leave_unsynced("00000000-1111-2222-3333-444444444444");
  std::string unreadable = f.leave_unsynced("");  // its content never reached the disk
  LayerStore store(f.images, f.logger);
  CHECK(store.ids() == std::vector<std::string>{kept});
  CHECK_FALSE(sys::exists(f.images + "/" + other_boot));
  CHECK_FALSE(sys::exists(f.images + "/" + unreadable));
}
