#include "userns/log_writer.h"

#include <unistd.h>

#include <cerrno>

#include "userns/log_line.h"

namespace burrow::userns {

void LogWriter::emit(std::string_view stream, std::string_view line) {
  if (!fd_.valid()) return;
  std::string record = encode_log_line(line, stream, now_rfc3339_nano());
  const char* p = record.data();
  size_t left = record.size();
  while (left > 0) {
    ssize_t n = ::write(fd_.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ++failed_writes_;
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void LogWriter::write(std::string_view stream, std::string_view data) {
  std::string& partial = stream == "stderr" ? partial_stderr_ : partial_stdout_;
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      partial.append(data);
      break;
    }
    partial.append(data.substr(0, nl + 1));
    emit(stream, partial);
    partial.clear();
    data.remove_prefix(nl + 1);
  }
  while (partial.size() >= kMaxPartial) {
    emit(stream, std::string_view(partial).substr(0, kMaxPartial));
    partial.erase(0, kMaxPartial);
  }
}

void LogWriter::flush() {
  if (!partial_stdout_.empty()) emit("stdout", partial_stdout_);
  if (!partial_stderr_.empty()) emit("stderr", partial_stderr_);
  partial_stdout_.clear();
  partial_stderr_.clear();
}

}  // namespace burrow::userns
