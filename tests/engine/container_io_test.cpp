// The container code that touches files and processes: the JSON-lines log reader, ps output
// filtering, volume plans, and the pidfd exit watcher.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "base/child_process.h"
#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_log.h"
#include "engine/container_store.h"
#include "engine/container_time.h"
#include "engine/container_top.h"
#include "engine/container_volumes.h"
#include "engine/container_watcher.h"
#include "tests/base/temp_dir.h"

using namespace burrow;
using namespace burrow::engine;
using burrow::testing::TempDir;

namespace {

void append(const std::string& path, const std::string& text) {
  Fd fd = sys::open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  sys::write_all(fd.get(), text);
}

}  // namespace

TEST_CASE("the log reader returns complete lines and picks up where it stopped", "[engine][container]") {
  TempDir dir;
  std::string log = dir.path + "/x-json.log";
  LogReader reader(log);
  REQUIRE(reader.read_new().empty());  // not there yet
  append(log, R"({"log":"one\n","stream":"stdout","time":"2024-01-01T00:00:00.000000001Z"})" "\n");
  append(log, R"({"log":"two\n","stream":"stderr","time":"2024-01-01T00:00:01Z"})" "\n" R"({"log":"thr)");
  auto first = reader.read_new();
  REQUIRE(first.size() == 2);
  REQUIRE(first[0].log == "one\n");
  REQUIRE(first[1].stream == "stderr");
  append(log, R"(ee\n","stream":"stdout","time":"2024-01-01T00:00:02Z"})" "\nnot json\n");
  auto second = reader.read_new();
  REQUIRE(second.size() == 1);
  REQUIRE(second[0].log == "three\n");
  REQUIRE(read_log_tail(log, 2).size() == 2);
  REQUIRE(read_log_tail(log, 2)[0].log == "two\n");
  REQUIRE(read_log_tail(log, -1).size() == 3);
  REQUIRE(file_size(log) == reader.offset());
}

TEST_CASE("a held log is created when missing and stays readable after its removal", "[engine][container]") {
  TempDir dir;
  std::string log = dir.path + "/x-json.log";
  LogReader reader(log);
  reader.hold();
  REQUIRE(sys::exists(log));
  append(log, R"({"log":"hi\n","stream":"stdout","time":"2024-01-01T00:00:00Z"})" "\n");
  REQUIRE(::unlink(log.c_str()) == 0);  // docker run --rm removed the container meanwhile
  auto entries = reader.read_new();
  REQUIRE(entries.size() == 1);
  REQUIRE(entries[0].log == "hi\n");
  LogReader gone(dir.path + "/missing/x-json.log");
  REQUIRE_THROWS_AS(gone.hold(), Error);
}

TEST_CASE("ps output is filtered to the container's pids", "[engine][container]") {
  std::string ps =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
      "u1000       4242       1  0 10:01 ?        00:00:00 sleep 300\n"
      "u1000       4243    4242  0 10:01 ?        00:00:00 sh -c echo hi\n";
  auto top = parse_ps_output(ps, {4242, 4243});
  REQUIRE(top.titles.size() == 8);
  REQUIRE(top.processes.size() == 2);
  REQUIRE(top.processes[0][1] == "4242");
  REQUIRE(top.processes[0].back() == "sleep 300");
  REQUIRE(top.processes[1].back() == "sh -c echo hi");
  REQUIRE_THROWS_AS(parse_ps_output("USER COMMAND\n", {1}), Error);
}

TEST_CASE("our own processes are found in our pid namespace", "[engine][container]") {
  auto pids = pids_in_namespace_of(::getpid());
  REQUIRE(pids.count(::getpid()) == 1);
}

TEST_CASE("volume plans take binds, volumes-from and fresh volumes", "[engine][container]") {
  TempDir dir;
  ContainerStore store(dir.path + "/containers");
  std::string volumes = dir.path + "/volumes";
  sys::make_dirs(dir.path + "/host");

  Container a;
  a.id = random_id();
  a.name = "/a";
  a.created = now_rfc3339_nano();
  a.config = parse_json_object(R"({"Volumes":{"/data":{},"/mnt":{}}})");
  a.host_config = parse_json_object(R"({"Binds":[")" + dir.path + R"(/host:/mnt:ro"]})");
  VolumePlan plan = plan_volumes(a, store, volumes);
  REQUIRE(plan.volumes.at("/mnt") == dir.path + "/host");
  REQUIRE_FALSE(plan.volumes_rw.at("/mnt"));
  std::string data = plan.volumes.at("/data");
  REQUIRE(data.rfind(volumes + "/", 0) == 0);
  REQUIRE(sys::exists(data));
  REQUIRE(plan.mounts.size() == 2);
  a.volumes = plan.volumes;
  a.volumes_rw = plan.volumes_rw;
  REQUIRE(plan_volumes(a, store, volumes).volumes.at("/data") == data);  // kept across starts
  store.add(a);

  Container b;
  b.id = random_id();
  b.name = "/b";
  b.config = parse_json_object(R"({"VolumesFrom":"a:ro"})");
  b.host_config = parse_json_object("{}");
  VolumePlan from = plan_volumes(b, store, volumes);
  REQUIRE(from.volumes.at("/data") == data);
  REQUIRE_FALSE(from.volumes_rw.at("/data"));
  b.volumes = from.volumes;

  REQUIRE(remove_volumes(a, {a, b}, volumes).empty());
  REQUIRE(sys::exists(data));  // still used by b
  REQUIRE(remove_volumes(a, {a}, volumes).empty());
  REQUIRE_FALSE(sys::exists(data));
  REQUIRE(sys::exists(dir.path + "/host"));  // binds are never removed

  Container bad = b;
  bad.config = parse_json_object(R"({"VolumesFrom":"nosuch"})");
  REQUIRE_THROWS_AS(plan_volumes(bad, store, volumes), Error);
  bad.config = parse_json_object("{}");
  bad.host_config = parse_json_object(R"({"Binds":["/no/such/dir/anywhere:/x"]})");
  REQUIRE_THROWS_AS(plan_volumes(bad, store, volumes), Error);
}

TEST_CASE("fresh volumes are made at create except where a bind goes", "[engine][container]") {
  TempDir dir;
  std::string volumes = dir.path + "/volumes";
  Container c;
  c.id = random_id();
  c.config = parse_json_object(R"({"Volumes":{"/data/":{},"/mnt":{}}})");
  c.host_config = parse_json_object(R"({"Binds":["/tmp:/mnt:ro"]})");
  create_fresh_volumes(c, volumes);
  REQUIRE(c.volumes.size() == 1);
  REQUIRE(sys::exists(c.volumes.at("/data")));
  REQUIRE(c.volumes_rw.at("/data"));
  std::string first = c.volumes.at("/data");
  create_fresh_volumes(c, volumes);  // again: nothing new
  REQUIRE(c.volumes.at("/data") == first);
  c.config = parse_json_object(R"({"Volumes":{"relative":{}}})");
  REQUIRE_THROWS_AS(create_fresh_volumes(c, volumes), Error);
}

TEST_CASE("the exit watcher reports each watched process once it is gone", "[engine][container]") {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> exited;
  ExitWatcher watcher([&](const std::string& id) {
    std::lock_guard lock(m);
    exited.push_back(id);
    cv.notify_all();
  });
  ChildProcess quick = ChildProcess::spawn({{"sleep", "0.05"}});
  ChildProcess slow = ChildProcess::spawn({{"sleep", "30"}});
  watcher.watch("quick", quick.pid());
  watcher.watch("slow", slow.pid());
  watcher.watch("gone", 0x3ffffff0);  // no such pid
  std::unique_lock lock(m);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return exited.size() >= 2; }));
  REQUIRE(std::find(exited.begin(), exited.end(), "quick") != exited.end());
  REQUIRE(std::find(exited.begin(), exited.end(), "gone") != exited.end());
  REQUIRE(std::find(exited.begin(), exited.end(), "slow") == exited.end());
  lock.unlock();
  watcher.stop();
}
