// ContainerStore and the create-time config merge: persistence, lookups, name conflicts.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_config.h"
#include "engine/container_store.h"
#include "engine/container_time.h"
#include "tests/base/temp_dir.h"

using namespace burrow;
using namespace burrow::engine;
using burrow::testing::TempDir;

namespace {

Container make_container(const std::string& name) {
  Container c;
  c.id = random_id();
  c.name = name;
  c.created = now_rfc3339_nano();
  c.path = "echo";
  c.args = {"hello"};
  c.image_id = random_id();
  c.config = parse_json_object(R"({"Image":"busybox","Cmd":["echo","hello"]})");
  c.host_config = parse_json_object(R"({"Binds":["/tmp:/mnt:ro"]})");
  c.volumes["/data"] = "/somewhere/data";
  c.volumes_rw["/data"] = false;
  c.state.started_at = kZeroTime;
  c.state.finished_at = kZeroTime;
  return c;
}

}  // namespace

TEST_CASE("containers persist and load back with their state", "[engine][container][state]") {
  TempDir dir;
  Container c = make_container("/web");
  {
    ContainerStore store(dir.path + "/containers");
    store.add(c);
    store.update_state(c.id, [](ContainerState& s) {
      s.running = true;
      s.pid = 42;
      s.started_at = now_rfc3339_nano();
    });
  }
  ContainerStore again(dir.path + "/containers");
  REQUIRE(again.load().empty());
  auto loaded = again.get("web");
  REQUIRE(loaded.id == c.id);
  REQUIRE(loaded.state.running);
  REQUIRE(loaded.state.pid == 42);
  REQUIRE(loaded.args == std::vector<std::string>{"hello"});
  REQUIRE(loaded.image_name() == "busybox");
  REQUIRE(loaded.volumes.at("/data") == "/somewhere/data");
  REQUIRE_FALSE(loaded.volumes_rw.at("/data"));
  REQUIRE(json_strings(loaded.host_config, "Binds") == std::vector<std::string>{"/tmp:/mnt:ro"});
}

TEST_CASE("lookups take ids, unique prefixes and names", "[engine][container]") {
  TempDir dir;
  ContainerStore store(dir.path + "/containers");
  Container a = make_container("/alpha");
  Container b = make_container("/beta");
  b.id = a.id.substr(0, 3) + random_id().substr(3);
  store.add(a);
  store.add(b);
  REQUIRE(store.get(a.id).name == "/alpha");
  REQUIRE(store.get(a.id.substr(0, 12)).name == "/alpha");
  REQUIRE(store.get("/beta").id == b.id);
  REQUIRE_FALSE(store.find("gamma"));
  REQUIRE_THROWS_AS(store.find(a.id.substr(0, 3)), Error);
  try {
    store.get("nope");
    FAIL("expected NotFound");
  } catch (const Error& e) {
    REQUIRE(e.kind() == Error::Kind::NotFound);
  }
}

TEST_CASE("a taken name is a conflict", "[engine][container]") {
  TempDir dir;
  ContainerStore store(dir.path + "/containers");
  store.add(make_container("/same"));
  try {
    store.add(make_container("/same"));
    FAIL("expected Conflict");
  } catch (const Error& e) {
    REQUIRE(e.kind() == Error::Kind::Conflict);
    REQUIRE(std::string(e.what()).find("Conflict, The name /same is already assigned to") == 0);
  }
  REQUIRE(store.list().size() == 1);
}

TEST_CASE("removal forgets the container and its directory", "[engine][container]") {
  TempDir dir;
  ContainerStore store(dir.path + "/containers");
  Container c = make_container("/gone");
  store.add(c);
  store.remove(c.id);
  REQUIRE_FALSE(store.find(c.id));
  REQUIRE_FALSE(sys::exists(store.bundle_dir(c.id)));
}

TEST_CASE("create merges the image config like Docker 0.8", "[engine][container]") {
  auto image = parse_json_object(
      R"({"Cmd":["/bin/sh"],"Env":["PATH=/bin","FOO=image"],"WorkingDir":"/srv","ExposedPorts":{"80/tcp":{}}})");
  std::string id = random_id();
  SECTION("empty fields come from the image") {
    auto p = prepare_config(parse_json_object(R"({"Image":"busybox","Env":["FOO=mine"]})"), image, id, false);
    REQUIRE(p.path == "/bin/sh");
    REQUIRE(p.args.empty());
    REQUIRE(json_string(p.config, "WorkingDir") == "/srv");
    REQUIRE(json_string(p.config, "Hostname") == id.substr(0, 12));
    auto env = json_strings(p.config, "Env");
    REQUIRE(env == std::vector<std::string>{"FOO=mine", "PATH=/bin", "HOSTNAME=" + id.substr(0, 12)});
    REQUIRE(json_object(p.config, "ExposedPorts")->has("80/tcp"));
    REQUIRE(p.warnings.empty());
  }
  SECTION("entrypoint and cmd form the program") {
    auto p = prepare_config(
        parse_json_object(R"({"Image":"b","Entrypoint":["/bin/echo","-n"],"Cmd":["hi"],"Memory":1048576})"),
        nullptr, id, false);
    REQUIRE(p.path == "/bin/echo");
    REQUIRE(p.args == std::vector<std::string>{"-n", "hi"});
    REQUIRE(p.warnings.size() == 1);
    REQUIRE(json_strings(p.config, "Env").front() == std::string("PATH=") + kDefaultPath);
  }
  SECTION("a body without a command and an image without one is refused") {
    REQUIRE_THROWS_AS(prepare_config(parse_json_object(R"({"Image":"b"})"), nullptr, id, false), Error);
  }
  SECTION("HostConfig of newer clients is kept apart") {
    auto p = prepare_config(parse_json_object(R"({"Image":"b","Cmd":"true","HostConfig":{"Binds":["/a:/b"]}})"),
                            nullptr, id, true);
    REQUIRE_FALSE(p.config->has("HostConfig"));
    REQUIRE(bind_entries(p.host_config) == std::vector<std::string>{"/a:/b"});
  }
  SECTION("wrong types are bad parameters") {
    REQUIRE_THROWS_AS(prepare_config(parse_json_object(R"({"Image":"b","Cmd":{"x":1}})"), nullptr, id, false),
                      Error);
  }
}

TEST_CASE("binds and volumes-from entries parse", "[engine][container]") {
  auto b = parse_bind("/host/dir:/mnt:ro");
  REQUIRE(b.host == "/host/dir");
  REQUIRE(b.container == "/mnt");
  REQUIRE_FALSE(b.writable);
  REQUIRE(parse_bind("/a:/b").writable);
  REQUIRE_THROWS_AS(parse_bind("relative:/b"), Error);
  REQUIRE_THROWS_AS(parse_bind("/a:/b:xx"), Error);
  REQUIRE_THROWS_AS(parse_bind("/a"), Error);
  auto v = parse_volumes_from("data:ro");
  REQUIRE(v.container == "data");
  REQUIRE(v.writable == false);
  auto entries = volumes_from_entries(parse_json_object(R"({"VolumesFrom":"a,b:ro"})"),
                                      parse_json_object(R"({"VolumesFrom":["c"]})"));
  REQUIRE(entries == std::vector<std::string>{"a", "b:ro", "c"});
  std::vector<std::string> warnings;
  auto hc = merge_start_host_config(parse_json_object(R"({"Binds":["/x:/y"]})"),
                                    parse_json_object(R"({"LxcConf":{"lxc.utsname":"x"},"Privileged":true})"),
                                    warnings);
  REQUIRE(warnings.size() == 1);
  REQUIRE(json_bool(hc, "Privileged"));
  REQUIRE(bind_entries(hc) == std::vector<std::string>{"/x:/y"});
}
