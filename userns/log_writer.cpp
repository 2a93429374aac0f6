#include "userns/log_writer.h"

#include <unistd.h>

#include <cerrno>

#include "userns/log_line.h"

namespace burrow::userns {

void LogWriter::emit(std::string_view stream, std::string_view line, const std::string& time) {
  pending_ += encode_log_line(line, stream, time);
}

void LogWriter::write_pending() {
  if (fd_.valid()) {
    const char* p = pending_.data();
    size_t left = pending_.size();
    while (left > 0) {
      ssize_t n = ::write(fd_.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ++failed_writes_;
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  pending_.clear();
}

void LogWriter::write(std::string_view stream, std::string_view data) {
  // One time stamp and one write(2) per chunk of output, however many lines it holds.
  const std::string time = now_rfc3339_nano();
  std::string& partial = stream == "stderr" ? partial_stderr_ : partial_stdout_;
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      partial.append(data);
      break;
    }
    if (partial.empty()) {
      emit(stream, data.substr(0, nl + 1), time);
    } else {
      partial.append(data.substr(0, nl + 1));
      emit(stream, partial, time);
      partial.clear();
    }
    data.remove_prefix(nl + 1);
  }
  while (partial.size() >= kMaxPartial) {
    emit(stream, std::string_view(partial).substr(0, kMaxPartial), time);
    partial.erase(0, kMaxPartial);
  }
  write_pending();
}

void LogWriter::flush() {
  const std::string time = now_rfc3339_nano();
  if (!partial_stdout_.empty()) emit("stdout", partial_stdout_, time);
  if (!partial_stderr_.empty()) emit("stderr", partial_stderr_, time);
  partial_stdout_.clear();
  partial_stderr_.clear();
  write_pending();
}

}  // namespace burrow::userns
