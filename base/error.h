#pragma once
// burrow::Error: the one exception type thrown by engine, image, build, userns and fuse-overlay
// code. It carries a Kind, which the HTTP layer maps to Docker's status codes in one table
// (NotFound 404, Conflict 409, BadParameter 400, NotAcceptable 406, everything else 500), and a
// message that each layer may wrap with its own context ("pulling busybox: ...").
// Expected misses are not errors: functions that may miss return std::optional instead.

#include <stdexcept>
#include <string>

namespace burrow {

class Error : public std::runtime_error {
 public:
  enum class Kind { NotFound, Conflict, BadParameter, NotAcceptable, Unauthorized, Unavailable, Io, Internal };

  Error(Kind kind, const std::string& message, int sys_errno = 0)
      : std::runtime_error(message), kind_(kind), errno_(sys_errno) {}

  static Error not_found(const std::string& m) { return Error(Kind::NotFound, m); }
  static Error conflict(const std::string& m) { return Error(Kind::Conflict, m); }
  static Error bad_parameter(const std::string& m) { return Error(Kind::BadParameter, m); }
  static Error not_acceptable(const std::string& m) { return Error(Kind::NotAcceptable, m); }
  static Error unauthorized(const std::string& m) { return Error(Kind::Unauthorized, m); }
  static Error unavailable(const std::string& m) { return Error(Kind::Unavailable, m); }
  static Error io(const std::string& m, int sys_errno = 0) { return Error(Kind::Io, m, sys_errno); }
  static Error internal(const std::string& m) { return Error(Kind::Internal, m); }

  // The same error with "context: " in front of the message; kind and errno are kept.
  Error wrap(const std::string& context) const { return Error(kind_, context + ": " + what(), errno_); }

  Kind kind() const { return kind_; }
  // The errno behind a system-call failure, or 0.
  int sys_errno() const { return errno_; }
  bool is_not_found() const { return kind_ == Kind::NotFound; }
  bool is_conflict() const { return kind_ == Kind::Conflict; }

 private:
  Kind kind_;
  int errno_;
};

// Lower-case name of a kind ("not found"), for logs and tests.
const char* kind_name(Error::Kind kind);

}  // namespace burrow
