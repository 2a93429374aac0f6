#pragma once
// LogWriter: the container's json-file log as the shim writes it. Output chunks are split on
// '\n' (the newline stays in "log"); a partial line is kept per stream until its newline
// arrives, it grows past kMaxPartial bytes (Docker splits at 16 KiB), or flush() at exit.
// The lines of one chunk share a time stamp and go out in one write(2) to an O_APPEND fd (no
// fsync), so whole lines land together. Single-threaded (the shim's loop).

#include <string>
#include <string_view>

#include "base/fd.h"

namespace burrow::userns {

class LogWriter {
 public:
  static constexpr size_t kMaxPartial = 16 * 1024;

  // Owns `fd` (opened O_WRONLY|O_APPEND). An invalid Fd makes a writer that drops everything.
  explicit LogWriter(Fd fd) : fd_(std::move(fd)) {}

  // Appends output of `stream` ("stdout" or "stderr"). Write errors (disk full) are counted,
  // not thrown: the container keeps running and its attached clients keep their output.
  void write(std::string_view stream, std::string_view data);
  // Writes every partial line as a line of its own (at exit).
  void flush();
  size_t failed_writes() const { return failed_writes_; }

 private:
  void emit(std::string_view stream, std::string_view line, const std::string& time);
  void write_pending();

  Fd fd_;
  std::string partial_stdout_;
  std::string partial_stderr_;
  std::string pending_;  // encoded lines not yet written
  size_t failed_writes_ = 0;
};

}  // namespace burrow::userns
