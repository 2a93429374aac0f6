// http_error: Error kinds to statuses, and every status with its own reason phrase.
#include "poco-server/http_error.h"

#include <Poco/Net/HTTPResponse.h>

#include <catch2/catch.hpp>
#include <sstream>

using namespace burrow;
using namespace burrow::poco_server;

TEST_CASE("every status the API sends has its standard reason phrase", "[poco-server][http_error]") {
  CHECK(reason_phrase(200) == "OK");
  CHECK(reason_phrase(201) == "Created");
  CHECK(reason_phrase(204) == "No Content");
  CHECK(reason_phrase(304) == "Not Modified");
  CHECK(reason_phrase(400) == "Bad Request");
  CHECK(reason_phrase(401) == "Unauthorized");
  CHECK(reason_phrase(404) == "Not Found");
  CHECK(reason_phrase(406) == "Not Acceptable");
  CHECK(reason_phrase(409) == "Conflict");
  CHECK(reason_phrase(431) == "Request Header Fields Too Large");
  CHECK(reason_phrase(500) == "Internal Server Error");
  CHECK(reason_phrase(599) == "Unknown");
  for (auto kind : {Error::Kind::NotFound, Error::Kind::Conflict, Error::Kind::BadParameter, Error::Kind::NotAcceptable,
                    Error::Kind::Unauthorized, Error::Kind::Unavailable, Error::Kind::Io, Error::Kind::Internal}) {
    CHECK(reason_phrase(http_status_for(kind)) != "Unknown");
  }
}

TEST_CASE("set_status replaces the reason of the status set before", "[poco-server][http_error]") {
  Poco::Net::HTTPResponse response;  // starts as 200 OK
  set_status(response, 500);
  std::ostringstream head;
  response.write(head);
  CHECK(head.str().rfind("HTTP/1.0 500 Internal Server Error\r\n", 0) == 0);
  set_status(response, 404);
  CHECK(response.getStatus() == 404);
  CHECK(response.getReason() == "Not Found");
}
