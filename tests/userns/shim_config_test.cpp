#include "userns/shim_config.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow::userns;

TEST_CASE("A container spec survives the shim config file", "[userns][shim]") {
  ContainerSpec s;
  s.id = std::string(64, 'a');
  s.bundle_dir = "/b/dir with space";
  s.rootfs = "/r";
  s.args = {"sh", "-c", "echo 'a\tb'\nexit 3", "back\\slash"};
  s.env = {"A=1", "EMPTY="};
  s.cwd = "/work";
  s.uid = 1000;
  s.gid = 100;
  s.additional_gids = {10, 20};
  s.hostname = "box";
  s.tty = true;
  s.open_stdin = true;
  s.stdin_once = true;
  s.binds = {{"/src\tx", "/dst", true}, {"/a", "/b", false}};
  s.log_path = "/b/log";
  ContainerSpec p = parse_spec(serialize_spec(s));
  REQUIRE(p.id == s.id);
  REQUIRE(p.bundle_dir == s.bundle_dir);
  REQUIRE(p.args == s.args);
  REQUIRE(p.env == s.env);
  REQUIRE(p.cwd == "/work");
  REQUIRE(p.uid == 1000);
  REQUIRE(p.gid == 100);
  REQUIRE(p.additional_gids == s.additional_gids);
  REQUIRE(p.tty);
  REQUIRE(p.open_stdin);
  REQUIRE(p.stdin_once);
  REQUIRE_FALSE(p.privileged);
  REQUIRE(p.binds.size() == 2);
  REQUIRE(p.binds[0].source == "/src\tx");
  REQUIRE(p.binds[0].read_only);
  REQUIRE_FALSE(p.binds[1].read_only);
  REQUIRE(p.log_path == "/b/log");
}

TEST_CASE("A broken shim config names the line", "[userns][shim]") {
  REQUIRE_THROWS_WITH(parse_spec("uid x\n"), Catch::Contains("uid x"));
  REQUIRE_THROWS_WITH(parse_spec("color blue\n"), Catch::Contains("unknown key"));
  REQUIRE_THROWS_WITH(parse_spec("bind /a\t/b\tmaybe\n"), Catch::Contains("ro or rw"));
}
