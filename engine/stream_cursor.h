#pragma once
// What an attach or logs request wants from a container's output (StreamRequest), and where it
// stands in that output (StreamCursor). ContainerManager::open_stream takes the cursor before
// the client is answered: it holds the log open (what a run printed stays readable even when
// the container is removed right after, as docker run --rm does on the die event), watches the
// bundle, and records which run was current, so that a later start is the run to follow.
// A cursor is used by one thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "engine/container_log.h"

namespace burrow::engine {

struct StreamRequest {
  bool logs = false;            // replay the stored log first
  long tail = -1;               // with logs: only the last N entries (-1: all)
  bool follow = false;          // then stream new output until the container's run ends
  bool wait_for_start = false;  // when not running: wait for the next run and follow it (attach)
  // With wait_for_start: how long to wait for that start (-1: as long as the client stays);
  // the stream then ends without output, so that a start that never comes holds no thread.
  int start_wait_ms = -1;
  bool stdout_ = true, stderr_ = true;
  bool stdin_ = false;          // forward bytes read from stdin_fd to the container's stdin
  // Live output from the shim's attach socket (attach: partial lines and tty prompts arrive at
  // once) rather than from the log file (logs --follow: exactly what the log holds).
  bool live_from_shim = false;
};

// Receives output: stream 1 stdout, 2 stderr; `time` is the log record's RFC3339Nano stamp.
// Throws (any exception) when the client is gone, which ends the stream.
using OutputSink = std::function<void(int stream, std::string_view data, const std::string& time)>;

struct StreamCursor {
  std::string id;
  StreamRequest request;
  Fd inotify;                     // watches the bundle directory (log writes, state.json renames)
  LogReader reader;               // at the log's end when opened (or 0 with request.logs)
  std::string run_at_start;       // started_at|finished_at when opened: a new run changes it
  bool running_at_start = false;
  // With request.logs: the stored log as it was when the cursor was taken. Read then, not when
  // streaming starts, so that a run the client starts after the 101 is not in it: that run's
  // output comes from the shim's replay, and would otherwise arrive twice.
  std::vector<LogEntry> replay{};
  std::chrono::steady_clock::time_point opened_at = std::chrono::steady_clock::now();
};

}  // namespace burrow::engine
