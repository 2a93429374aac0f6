#pragma once
// The one table from burrow::Error kinds to HTTP statuses, as Docker 0.8 answered: NotFound 404,
// Conflict 409, BadParameter 400, NotAcceptable 406, Unauthorized 401, everything else 500.
// Error bodies are plain text, the message and a newline.

#include "base/error.h"

namespace burrow::poco_server {

int http_status_for(Error::Kind kind);

// Go's http.NotFound body, which Docker 0.8 sent for unknown paths.
inline constexpr const char* kNotFoundText = "404 page not found";

}  // namespace burrow::poco_server
