// open_client_session: plain sessions for http, TLS sessions from the burrow-tls.so module for
// https (loaded on first use), and a clear error for other schemes.
#include "image/client_session.h"

#include <catch2/catch.hpp>
#include <string>
#include <typeinfo>

#include "base/error.h"

using namespace burrow;
using namespace burrow::image;

TEST_CASE("http URIs get a plain session to their host and port", "[image][client_session]") {
  auto session = open_client_session(Poco::URI("http://127.0.0.1:5999/v2/"));
  REQUIRE(session);
  CHECK(typeid(*session) == typeid(Poco::Net::HTTPClientSession));
  CHECK(session->getHost() == "127.0.0.1");
  CHECK(session->getPort() == 5999);
}

TEST_CASE("https URIs get a TLS session from the module", "[image][client_session]") {
  auto session = open_client_session(Poco::URI("https://127.0.0.1/v2/"));
  REQUIRE(session);
  CHECK(std::string(typeid(*session).name()).find("HTTPSClientSession") != std::string::npos);
  CHECK(session->getPort() == 443);
}

TEST_CASE("other schemes are a BadParameter", "[image][client_session]") {
  try {
    open_client_session(Poco::URI("ftp://127.0.0.1/file"));
    FAIL("an ftp session was opened");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::BadParameter);
  }
}
