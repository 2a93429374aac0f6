#include "poco-server/system_json.h"

#include <catch2/catch.hpp>
#include <sstream>

using namespace burrow;
using namespace burrow::poco_server;

namespace {
std::string text(const Poco::JSON::Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}
}  // namespace

TEST_CASE("/version has the spec's keys plus ApiVersion, Os, Arch, KernelVersion", "[poco-server][json]") {
  engine::BuildInfo build{"0.1.0", "abc1234", "C++20 (g++ 12.2.0)"};
  engine::SystemInfo system;
  system.arch = "amd64";
  system.kernel_version = "6.1.0";
  auto o = version_json(build, system, ApiVersion{});
  CHECK(o->getValue<std::string>("Version") == "0.1.0");
  CHECK(o->getValue<std::string>("GitCommit") == "abc1234");
  CHECK(o->getValue<std::string>("GoVersion") == "C++20 (g++ 12.2.0)");
  CHECK(o->getValue<std::string>("ApiVersion") == "1.9");
  CHECK(o->getValue<std::string>("Os") == "linux");
  CHECK(o->getValue<std::string>("Arch") == "amd64");
  CHECK(o->getValue<std::string>("KernelVersion") == "6.1.0");
  // Keys come out sorted, as Docker's Go maps did.
  std::string s = text(o);
  CHECK(s.find("\"ApiVersion\"") < s.find("\"Version\""));
}

TEST_CASE("/info has every field of the spec example with JSON booleans", "[poco-server][json]") {
  InfoFacts f;
  f.containers = 11;
  f.images = 16;
  f.debug = true;
  f.system.open_fds = 9;
  f.system.threads = 4;
  f.system.memory_limit = false;
  f.system.ipv4_forwarding = true;
  f.system.uid_map = userns::IdMap({{0, 1001, 1}, {1, 200000, 65536}});
  f.system.gid_map = userns::IdMap({{0, 1001, 1}, {1, 200000, 65536}});
  f.root = "/home/u/.local/share/burrow";
  f.warnings = {"careful"};
  auto o = info_json(f, ApiVersion{});
  std::string s = text(o);
  CHECK(s.find("\"Containers\":11") != std::string::npos);
  CHECK(s.find("\"Images\":16") != std::string::npos);
  CHECK(s.find("\"Debug\":true") != std::string::npos);
  CHECK(s.find("\"NFd\":9") != std::string::npos);
  CHECK(s.find("\"NGoroutines\":4") != std::string::npos);
  CHECK(s.find("\"MemoryLimit\":false") != std::string::npos);
  CHECK(s.find("\"SwapLimit\":false") != std::string::npos);
  CHECK(s.find("\"IPv4Forwarding\":true") != std::string::npos);
  CHECK(o->getValue<std::string>("Driver") == "burrow-overlay");
  auto mapping = o->getObject("IdMapping");
  CHECK(mapping->getValue<std::string>("UidMap") == "0:1001:1,1:200000:65536");
  CHECK(mapping->getValue<bool>("SingleId") == false);
  CHECK(o->getArray("Warnings")->getElement<std::string>(0) == "careful");
}

TEST_CASE("a container whose helper died is in ContainerErrors and a Warnings line", "[poco-server][json]") {
  InfoFacts f;
  f.warnings = {"careful"};
  f.container_errors = {{"3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708", "web",
                         "burrow-overlay (pid 42), the container's root file system, died"}};
  auto o = info_json(f, ApiVersion{});
  auto errors = o->getArray("ContainerErrors");
  REQUIRE(errors->size() == 1);
  CHECK(errors->getObject(0)->getValue<std::string>("Name") == "web");
  CHECK(errors->getObject(0)->getValue<std::string>("Error").find("burrow-overlay (pid 42)") == 0);
  auto warnings = o->getArray("Warnings");
  REQUIRE(warnings->size() == 2);
  CHECK(warnings->getElement<std::string>(0) == "careful");
  CHECK(warnings->getElement<std::string>(1) ==
        "WARNING: container 3f2a1b4c5d6e (web): burrow-overlay (pid 42), the container's root file system, died");
  CHECK(info_json(InfoFacts{}, ApiVersion{})->getArray("ContainerErrors")->size() == 0);
}

TEST_CASE("a single-id mapping is reported as such", "[poco-server][json]") {
  InfoFacts f;
  f.system.uid_map = userns::IdMap({{0, 1001, 1}});
  CHECK(info_json(f, ApiVersion{})->getObject("IdMapping")->getValue<bool>("SingleId"));
}

TEST_CASE("events carry the v1.9 keys and the modern Actor with exitCode", "[poco-server][json]") {
  engine::Event e;
  e.status = "die";
  e.id = "dfdf82bd3881";
  e.from = "base:latest";
  e.type = "container";
  e.attributes = {{"exitCode", "3"}, {"image", "base:latest"}};
  e.time_nano = 1374067924000000042;
  auto o = event_json(e, ApiVersion{});
  CHECK(o->getValue<std::string>("status") == "die");
  CHECK(o->getValue<std::string>("id") == "dfdf82bd3881");
  CHECK(o->getValue<std::string>("from") == "base:latest");
  CHECK(o->getValue<Poco::Int64>("time") == 1374067924);
  CHECK(o->getValue<Poco::Int64>("timeNano") == 1374067924000000042);
  CHECK(o->getValue<std::string>("Type") == "container");
  CHECK(o->getValue<std::string>("Action") == "die");
  auto actor = o->getObject("Actor");
  CHECK(actor->getValue<std::string>("ID") == "dfdf82bd3881");
  CHECK(actor->getObject("Attributes")->getValue<std::string>("exitCode") == "3");

  engine::Event untag;
  untag.status = "untag";
  untag.id = "abc";
  untag.type = "image";
  CHECK_FALSE(event_json(untag, ApiVersion{})->has("from"));
}
