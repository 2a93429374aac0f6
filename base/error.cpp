#include "base/error.h"

namespace burrow {

const char* kind_name(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::NotFound: return "not found";
    case Error::Kind::Conflict: return "conflict";
    case Error::Kind::BadParameter: return "bad parameter";
    case Error::Kind::NotAcceptable: return "not acceptable";
    case Error::Kind::Unauthorized: return "unauthorized";
    case Error::Kind::Unavailable: return "unavailable";
    case Error::Kind::Io: return "i/o";
    case Error::Kind::Internal: return "internal";
  }
  return "unknown";
}

}  // namespace burrow
