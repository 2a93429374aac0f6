#include "engine/event_bus.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "base/sys.h"
#include "tests/base/temp_dir.h"

using namespace burrow;
using namespace burrow::engine;
using burrow::testing::TempDir;
using namespace std::chrono_literals;

namespace {
Logger& quiet_logger() {
  static Logger logger(2, false);
  return logger;
}
}  // namespace

TEST_CASE("published events get increasing seq, type and the image attribute", "[engine][events]") {
  TempDir dir;
  EventBus bus(dir.path + "/events.jsonl", quiet_logger());
  Event a = bus.publish("create", "abc", "busybox:latest");
  Event b = bus.publish("untag", "def", "");
  CHECK(b.seq == a.seq + 1);
  CHECK(a.type == "container");
  CHECK(a.attributes.at("image") == "busybox:latest");
  CHECK(b.type == "image");
  CHECK(b.attributes.count("image") == 0);
  CHECK(b.time_nano >= a.time_nano);
}

TEST_CASE("history survives a restart and is bounded on disk", "[engine][events]") {
  TempDir dir;
  std::string path = dir.path + "/events.jsonl";
  {
    EventBus bus(path, quiet_logger(), 4);
    for (int i = 0; i < 11; ++i) bus.publish("start", "c" + std::to_string(i), "img", {{"exitCode", std::to_string(i)}});
  }
  EventBus bus(path, quiet_logger(), 4);
  auto events = bus.history(0);
  REQUIRE(events.size() == 4);
  CHECK(events.front().id == "c7");
  CHECK(events.back().id == "c10");
  CHECK(events.back().attributes.at("exitCode") == "10");
  // The file is compacted before it holds twice the capacity.
  std::string content = sys::read_file(path);
  CHECK(std::count(content.begin(), content.end(), '\n') < 8);
  // Sequence numbers continue after a restart.
  CHECK(bus.publish("stop", "x", "img").seq == events.back().seq + 1);
}

TEST_CASE("a corrupt history line is skipped", "[engine][events]") {
  TempDir dir;
  std::string path = dir.path + "/events.jsonl";
  {
    EventBus bus(path, quiet_logger());
    bus.publish("create", "one", "img");
  }
  sys::write_file_atomic(path, sys::read_file(path) + "{not json\n");
  EventBus bus(path, quiet_logger());
  CHECK(bus.history(0).size() == 1);
}

TEST_CASE("history filters by time", "[engine][events]") {
  TempDir dir;
  EventBus bus(dir.path + "/events.jsonl", quiet_logger());
  Event a = bus.publish("create", "a", "img");
  Event b = bus.publish("start", "a", "img");
  CHECK(bus.history(b.time_nano).back().seq == b.seq);
  CHECK(bus.history(0, a.time_nano).front().seq == a.seq);
  CHECK(bus.history(b.time_nano + 1).empty());
}

TEST_CASE("a subscription replays since= and then delivers live events without gaps", "[engine][events]") {
  TempDir dir;
  EventBus bus(dir.path + "/events.jsonl", quiet_logger());
  bus.publish("create", "a", "img");
  auto sub = bus.subscribe(std::int64_t{0});
  CHECK(bus.subscriber_count() == 1);
  std::thread publisher([&] { bus.publish("start", "a", "img"); });
  auto first = sub->next(1s);
  auto second = sub->next(2s);
  publisher.join();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->status == "create");
  CHECK(second->status == "start");
  CHECK_FALSE(sub->next(10ms));
  sub.reset();
  CHECK(bus.subscriber_count() == 0);
}

TEST_CASE("a live-only subscription does not replay", "[engine][events]") {
  TempDir dir;
  EventBus bus(dir.path + "/events.jsonl", quiet_logger());
  bus.publish("create", "a", "img");
  auto sub = bus.subscribe();
  CHECK_FALSE(sub->next(10ms));
}

TEST_CASE("close ends every subscription", "[engine][events]") {
  TempDir dir;
  EventBus bus(dir.path + "/events.jsonl", quiet_logger());
  auto sub = bus.subscribe();
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    bus.close();
  });
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(sub->next(5s));
  closer.join();
  CHECK(std::chrono::steady_clock::now() - start < 4s);
  CHECK(sub->closed());
}

TEST_CASE("records round-trip through the on-disk form", "[engine][events]") {
  Event e;
  e.seq = 7;
  e.status = "die";
  e.id = "0123";
  e.from = "busybox:latest";
  e.type = "container";
  e.attributes = {{"exitCode", "3"}, {"name", "web"}};
  e.time_nano = 1374067924123456789;
  auto back = event_from_record(event_to_record(e));
  REQUIRE(back);
  CHECK(back->seq == 7);
  CHECK(back->status == "die");
  CHECK(back->from == "busybox:latest");
  CHECK(back->attributes == e.attributes);
  CHECK(back->time_nano == e.time_nano);
  CHECK(back->time() == 1374067924);
  CHECK_FALSE(event_from_record("[]"));
}
