#pragma once
// Reading a container's JSON-lines log (<bundle>/<id>-json.log, written by burrow-shim):
// {"log":"...","stream":"stdout","time":"RFC3339Nano"} per line. LogReader reads complete
// lines from a byte offset on, so a follower can pick up where it stopped; a line the shim is
// still writing is left for the next call. One reader per thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"

namespace burrow::engine {

struct LogEntry {
  std::string stream;  // "stdout" or "stderr"
  std::string log;     // the bytes
  std::string time;    // RFC3339Nano
};

// nullopt for a line that is not a log record.
std::optional<LogEntry> parse_log_line(const std::string& line);

class LogReader {
 public:
  // Reads `path` from byte `offset` on. A missing file reads as empty until it appears.
  LogReader(std::string path, std::uint64_t offset = 0);

  // Opens the file now, creating it empty when missing (0600): what is written to it later stays
  // readable through this reader also after the file is removed (a container removed right
  // after its run). Throws Error (NotFound when the directory is gone).
  void hold();

  // The complete lines that have appeared since the last call.
  std::vector<LogEntry> read_new();
  std::uint64_t offset() const { return offset_; }

 private:
  std::string path_;
  Fd fd_;
  std::uint64_t offset_;
  std::string partial_;  // an unfinished last line
};

// The size of a file now (0 when missing): where a follower that wants only new output starts.
std::uint64_t file_size(const std::string& path);

// The last `n` entries of a log (all when n < 0).
std::vector<LogEntry> read_log_tail(const std::string& path, long n);

}  // namespace burrow::engine
