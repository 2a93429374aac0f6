#include "poco-server/http_error.h"

namespace burrow::poco_server {

int http_status_for(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::NotFound: return 404;
    case Error::Kind::Conflict: return 409;
    case Error::Kind::BadParameter: return 400;
    case Error::Kind::NotAcceptable: return 406;
    case Error::Kind::Unauthorized: return 401;
    case Error::Kind::Unavailable:
    case Error::Kind::Io:
    case Error::Kind::Internal: return 500;
  }
  return 500;
}

}  // namespace burrow::poco_server
