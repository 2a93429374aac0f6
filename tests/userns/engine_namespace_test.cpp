#include "userns/engine_namespace.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/sys.h"
#include "tests/base/temp_dir.h"

using namespace burrow;
using namespace burrow::userns;
using burrow::testing::TempDir;

TEST_CASE("A process's start time comes from /proc/PID/stat", "[userns][engine-ns]") {
  REQUIRE(process_start_time(::getpid()) > 0);
  REQUIRE(process_start_time(::getpid()) == process_start_time(::getpid()));
  REQUIRE(process_start_time(0) == 0);
  REQUIRE(process_start_time(-5) == 0);
}

TEST_CASE("No record, a dead pid or a recycled pid means no holder", "[userns][engine-ns]") {
  TempDir d;
  REQUIRE(engine_namespace_holder(d.path) == -1);
  sys::write_file_atomic(d.path + "/engine-ns.pid", "garbage\n");
  REQUIRE(engine_namespace_holder(d.path) == -1);
  // Our own pid with a start time that is not ours: a recycled pid.
  sys::write_file_atomic(d.path + "/engine-ns.pid", std::to_string(::getpid()) + " 1\n");
  REQUIRE(engine_namespace_holder(d.path) == -1);
  // The right pair is accepted.
  sys::write_file_atomic(d.path + "/engine-ns.pid",
                         std::to_string(::getpid()) + " " + std::to_string(process_start_time(::getpid())) + "\n");
  REQUIRE(engine_namespace_holder(d.path) == ::getpid());
}

TEST_CASE("Stopping without a live holder only removes the record", "[userns][engine-ns]") {
  TempDir d;
  sys::write_file_atomic(d.path + "/engine-ns.pid", "999999999 5\n");
  REQUIRE_FALSE(stop_engine_namespace(d.path));
  REQUIRE_FALSE(sys::exists(d.path + "/engine-ns.pid"));
}

TEST_CASE("Entering refuses an empty state root", "[userns][engine-ns]") {
  REQUIRE_THROWS_WITH(enter_engine_namespace(EngineNamespaceOptions{}), Catch::Contains("empty state root"));
}
