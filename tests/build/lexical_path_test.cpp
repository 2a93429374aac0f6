#include "build/lexical_path.h"

#include <catch2/catch.hpp>

using burrow::build::LexicalPath;

TEST_CASE("lexical paths drop empty and dot components and apply dot-dot", "[build][path]") {
  LexicalPath p = LexicalPath::parse("/usr//./lib/../share/");
  CHECK(p.parts == std::vector<std::string>{"usr", "share"});
  CHECK_FALSE(p.escapes);
  CHECK(p.join() == "usr/share");
  CHECK(p.join(1) == "usr");
  CHECK(p.join(0) == ".");
  CHECK(LexicalPath::parse("").join() == ".");
}

TEST_CASE("dot-dot above the start is dropped and reported", "[build][path]") {
  LexicalPath p = LexicalPath::parse("a/../../etc/../../x");
  CHECK(p.parts == std::vector<std::string>{"x"});
  CHECK(p.escapes);
  CHECK(LexicalPath::parse("/../etc").join() == "etc");
}
