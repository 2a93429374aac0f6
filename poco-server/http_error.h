#pragma once
// The one table from burrow::Error kinds to HTTP statuses, as Docker 0.8 answered: NotFound 404,
// Conflict 409, BadParameter 400, NotAcceptable 406, Unauthorized 401, everything else 500.
// Error bodies are plain text, the message and a newline. Every status the API sends is set
// through set_status, so the status line carries its own reason phrase ("500 Internal Server
// Error", never POCO's default "OK").

#include <string_view>

#include "base/error.h"

namespace Poco::Net {
class HTTPResponse;
}

namespace burrow::poco_server {

int http_status_for(Error::Kind kind);

// The standard reason phrase of an HTTP status (RFC 9110 and the registered extensions);
// "Unknown" for an unregistered code.
std::string_view reason_phrase(int status);

// Sets the response's status and its reason phrase.
void set_status(Poco::Net::HTTPResponse& response, int status);

// Go's http.NotFound body, which Docker 0.8 sent for unknown paths.
inline constexpr const char* kNotFoundText = "404 page not found";

}  // namespace burrow::poco_server
