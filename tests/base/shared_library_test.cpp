// SharedLibrary: opening by soname, looking up symbols, failures that name the library and the
// hint, and unloading on destruction.
#include "base/shared_library.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "base/error.h"

using namespace burrow;

namespace {

bool mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str().find(name) != std::string::npos;
}

}  // namespace

TEST_CASE("a library opened by soname gives its functions", "[base][shared_library]") {
  SharedLibrary z = SharedLibrary::open("libz.so.1", "install zlib1g");
  auto version = z.function<const char* (*)()>("zlibVersion");
  REQUIRE(std::string(version()).rfind("1.", 0) == 0);
  SharedLibrary moved = std::move(z);
  CHECK(std::string(moved.function<const char* (*)()>("zlibVersion")()) == version());
}

TEST_CASE("a missing library or symbol is Unavailable, naming it and the hint", "[base][shared_library]") {
  try {
    SharedLibrary::open("libburrow-no-such-library.so.7", "install the thing");
    FAIL("opened a library that does not exist");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::Unavailable);
    CHECK(std::string(e.what()).find("libburrow-no-such-library.so.7") != std::string::npos);
    CHECK(std::string(e.what()).find("install the thing") != std::string::npos);
  }
  SharedLibrary z = SharedLibrary::open("libz.so.1", "install zlib1g");
  try {
    z.symbol("no_such_function_in_zlib");
    FAIL("found a symbol that does not exist");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::Unavailable);
    CHECK(std::string(e.what()).find("no_such_function_in_zlib") != std::string::npos);
  }
}

TEST_CASE("a library nothing else holds is unmapped when its owner goes", "[base][shared_library]") {
  // libsubid is not linked into the test program (userns opens it only for a lookup).
  const std::string name = "libsubid.so";
  REQUIRE_FALSE(mapped(name));
  {
    SharedLibrary subid = SharedLibrary::open("libsubid.so.4", "install libsubid4");
    CHECK(mapped(name));
  }
  CHECK_FALSE(mapped(name));
}
