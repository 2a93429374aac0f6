// The start-up sweep: what a killed burrowd leaves goes, everything a store owns stays.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_store.h"
#include "engine/startup_sweep.h"
#include "tests/base/temp_dir.h"

using namespace burrow;
using namespace burrow::engine;
using burrow::testing::TempDir;

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("the start-up sweep removes the temporaries of interrupted operations", "[engine][sweep]") {
  TempDir root;
  Logger logger(2, false);
  std::string live = random_id(), half = random_id(), gone = random_id();
  root.file("tmp/build-0123456789abcdef/Dockerfile");
  root.file("tmp/buildscratch-0123456789abcdef/upper-1/big");
  root.file("tmp/remote-0123456789abcdef");
  root.file("registry-tmp/pull-0123456789abcdef/" + std::string(64, 'a'));
  root.file("containers/" + live + "/config.json", "{}");
  root.file("containers/" + live + "/state.json", "{}");
  root.file("containers/" + live + "/state.json.tmp-123456");
  root.file("containers/" + live + "/upper/etc/file.tmp-1");  // a container's own file: kept
  root.file("containers/" + live + "/exit.json.tmp-77");     // its live shim may be writing it: kept
  sys::make_dirs(root / ("containers/" + live + "/view-0123456789ab/etc"), 0700);
  root.file("containers/" + half + "/upper/x");  // a create cut short: no config.json
  root.file("containers/.rm-" + gone + "/upper/y");
  root.file("repositories.json", "{}");
  root.file("repositories.json.tmp-99");
  root.file("notes.tmp-draft");  // not a write_file_atomic temporary
  root.file("volumes/" + random_id() + "/data");

  auto removed = sweep_state_root(root.path, logger);

  for (const char* rel : {"tmp/build-0123456789abcdef", "tmp/buildscratch-0123456789abcdef",
                          "tmp/remote-0123456789abcdef", "registry-tmp/pull-0123456789abcdef",
                          "repositories.json.tmp-99"}) {
    CHECK(contains(removed, rel));
    CHECK_FALSE(sys::exists(root / rel));
  }
  for (const std::string& rel : {"containers/" + half, "containers/.rm-" + gone, "containers/" + live + "/state.json.tmp-123456",
                                 "containers/" + live + "/view-0123456789ab"}) {
    CHECK(contains(removed, rel));
    CHECK_FALSE(sys::exists(root / rel));
  }
  CHECK(removed.size() == 9);
  CHECK(sys::exists(root / "tmp"));
  CHECK(sys::exists(root / ("containers/" + live + "/state.json")));
  CHECK(sys::exists(root / ("containers/" + live + "/upper/etc/file.tmp-1")));
  CHECK(sys::exists(root / ("containers/" + live + "/exit.json.tmp-77")));
  CHECK(sys::exists(root / "repositories.json"));
  CHECK(sys::exists(root / "notes.tmp-draft"));
  CHECK(sys::exists(root / "volumes"));
  CHECK(sweep_state_root(root.path, logger).empty());  // a second sweep finds nothing
}

TEST_CASE("the start-up sweep of a fresh state root removes nothing", "[engine][sweep]") {
  TempDir root;
  Logger logger(2, false);
  CHECK(sweep_state_root(root.path, logger).empty());
  CHECK_THROWS_AS(sweep_state_root(root / "missing", logger), Error);
}

TEST_CASE("a removed container leaves no directory, not even a half-removed one", "[engine][sweep][state]") {
  TempDir root;
  Logger logger(2, false);
  ContainerStore store(root / "containers");
  Container c;
  c.id = random_id();
  c.name = "/doomed";
  c.config = parse_json_object(R"({"Image":"busybox"})");
  c.host_config = parse_json_object("{}");
  store.add(c);
  root.file("containers/" + c.id + "/upper/a/b");
  store.remove(c.id);
  CHECK_FALSE(sys::exists(root / ("containers/" + c.id)));
  CHECK_FALSE(sys::exists(root / ("containers/.rm-" + c.id)));
  store.remove(c.id);  // already gone: fine
}

TEST_CASE("mount points below a directory are read from mountinfo", "[engine][sweep]") {
  auto proc = mount_points_below("/proc");
  CHECK(contains(proc, "/proc"));
  CHECK(mount_points_below("/proc-nothing").empty());
  auto all = mount_points_below("/");
  REQUIRE_FALSE(all.empty());
  CHECK(all.back() == "/");  // deepest first, the root last
}
