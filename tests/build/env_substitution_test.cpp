#include <catch2/catch.hpp>

#include "build/dockerfile_parser.h"

using burrow::build::substitute_env;

TEST_CASE("environment substitution replaces known variables as Docker 0.8 did", "[build][env]") {
  std::vector<std::string> env = {"HOME=/root", "APP=/srv/app", "EMPTY=", "PATH=/bin"};
  CHECK(substitute_env("$APP/bin", env) == "/srv/app/bin");
  CHECK(substitute_env("${APP}x", env) == "/srv/appx");
  CHECK(substitute_env("a${EMPTY}b", env) == "ab");
  CHECK(substitute_env("$UNKNOWN and ${UNKNOWN}", env) == "$UNKNOWN and ${UNKNOWN}");
  CHECK(substitute_env("\\$APP", env) == "$APP");
  CHECK(substitute_env("cost: 5$", env) == "cost: 5$");
  CHECK(substitute_env("${APP", env) == "${APP");
  CHECK(substitute_env("$HOME$PATH", env) == "/root/bin");
  CHECK(substitute_env("no vars", {}) == "no vars");
}
