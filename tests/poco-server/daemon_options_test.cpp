#include "poco-server/daemon_options.h"

#include <catch2/catch.hpp>

#include "base/error.h"
#include "poco-server/listen_address.h"

using namespace burrow;
using namespace burrow::poco_server;

TEST_CASE("burrowd defaults to the user's socket and state directory", "[poco-server][options]") {
  auto o = DaemonOptions::parse({}, "/home/u");
  REQUIRE(o.hosts.size() == 1);
  CHECK(o.hosts[0] == "unix:///home/u/.local/run/docker.sock");
  CHECK(o.root == "/home/u/.local/share/burrow");
  CHECK_FALSE(o.debug);
  CHECK_FALSE(o.cors);
}

TEST_CASE("burrowd options in their accepted spellings", "[poco-server][options]") {
  auto o = DaemonOptions::parse({"-H", "unix:///a.sock", "--host=tcp://127.0.0.1:2375", "-Hfd://", "-H=unix:///b",
                                 "--root", "/r", "-D", "--api-enable-cors"},
                                "/home/u");
  CHECK(o.hosts == std::vector<std::string>{"unix:///a.sock", "tcp://127.0.0.1:2375", "fd://", "unix:///b"});
  CHECK(o.root == "/r");
  CHECK(o.debug);
  CHECK(o.cors);
  CHECK(DaemonOptions::parse({"--root=/x"}, "/h").root == "/x");
  CHECK(DaemonOptions::parse({"--help"}, "/h").help);
  CHECK(DaemonOptions::parse({"--version"}, "/h").version);
  CHECK_FALSE(DaemonOptions::parse({}, "/h").stop_containers_on_exit);
  CHECK(DaemonOptions::parse({"--stop-containers-on-exit"}, "/h").stop_containers_on_exit);
  CHECK_THROWS_AS(DaemonOptions::parse({"--frobnicate"}, "/h"), Error);
  CHECK_THROWS_AS(DaemonOptions::parse({"-H"}, "/h"), Error);
  CHECK(daemon_usage().find("--api-enable-cors") != std::string::npos);
}

TEST_CASE("listen addresses parse into unix, tcp and fd listeners", "[poco-server][options]") {
  auto u = ListenAddress::parse("unix:///run/user/1000/docker.sock");
  CHECK(u.kind == ListenAddress::Kind::Unix);
  CHECK(u.path == "/run/user/1000/docker.sock");
  auto t = ListenAddress::parse("tcp://127.0.0.1:2375");
  CHECK(t.kind == ListenAddress::Kind::Tcp);
  CHECK(t.host == "127.0.0.1");
  CHECK(t.port == 2375);
  CHECK(ListenAddress::parse("tcp://:4243").host == "127.0.0.1");
  CHECK(ListenAddress::parse("tcp://[::1]:4243").host == "::1");
  auto all = ListenAddress::parse("fd://");
  CHECK(all.kind == ListenAddress::Kind::Fd);
  CHECK(all.fd == -1);
  CHECK(ListenAddress::parse("fd://3").fd == 3);
}

TEST_CASE("bad listen addresses are BadParameter with the accepted forms", "[poco-server][options]") {
  for (const char* bad : {"unix://relative.sock", "tcp://127.0.0.1", "tcp://127.0.0.1:0", "tcp://127.0.0.1:70000",
                          "tcp://127.0.0.1:x", "fd://x", "http://localhost:80", "/tmp/sock"}) {
    INFO(bad);
    try {
      ListenAddress::parse(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == Error::Kind::BadParameter);
      CHECK(std::string(e.what()).find("unix:///path/to/socket") != std::string::npos);
    }
  }
  CHECK_THROWS_AS(ListenAddress::parse("unix:///" + std::string(200, 'x')), Error);
}

TEST_CASE("burrowd request limits: defaults, sizes with units, and values out of range", "[poco-server][options]") {
  auto d = DaemonOptions::parse({}, "/h");
  CHECK(d.limits.max_json_body == 4u << 20);
  CHECK(d.limits.max_header_bytes == 1u << 20);
  CHECK(d.max_connections == 256);

  auto o = DaemonOptions::parse({"--max-json-body", "65536", "--max-header-bytes=8k", "--max-connections", "32"}, "/h");
  CHECK(o.limits.max_json_body == 65536);
  CHECK(o.limits.max_header_bytes == 8192);
  CHECK(o.max_connections == 32);
  CHECK(DaemonOptions::parse({"--max-json-body=16M"}, "/h").limits.max_json_body == 16u << 20);
  CHECK(DaemonOptions::parse({"--max-json-body=1g"}, "/h").limits.max_json_body == std::size_t{1} << 30);
  CHECK(DaemonOptions::parse({"--max-header-bytes=1k"}, "/h").limits.max_header_bytes == 1024);

  for (const char* bad : {"", "0", "1023", "-5", "4x", "4m5", "k", "1.5m", "99999999999999999999999", "2048g"}) {
    INFO("--max-json-body=" << bad);
    CHECK_THROWS_WITH(DaemonOptions::parse({std::string("--max-json-body=") + bad}, "/h"),
                      Catch::Contains("--max-json-body takes a size"));
  }
  for (const char* bad : {"0", "-1", "4097", "ten", "5x", ""}) {
    INFO("--max-connections=" << bad);
    CHECK_THROWS_WITH(DaemonOptions::parse({std::string("--max-connections=") + bad}, "/h"),
                      Catch::Contains("--max-connections takes a number from 1 to 4096"));
  }
  CHECK_THROWS_AS(DaemonOptions::parse({"--max-header-bytes"}, "/h"), Error);
  for (const char* option : {"--max-json-body", "--max-header-bytes", "--max-connections"}) {
    CHECK(daemon_usage().find(option) != std::string::npos);
  }
}
