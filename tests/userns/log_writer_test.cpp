#include "userns/log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/sys.h"

using namespace burrow;
using namespace burrow::userns;

namespace {

struct TempLog {
  std::string path;
  TempLog() {
    char tmpl[] = "/tmp/burrow-logwriter-XXXXXX";
    int fd = ::mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
  }
  ~TempLog() { ::unlink(path.c_str()); }
  Fd open() const { return sys::open(path, O_WRONLY | O_APPEND); }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::string text = sys::read_file(path);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      out.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return out;
  }
};

std::string log_of(const std::string& line) {
  auto start = line.find("\"log\":\"") + 7;
  return line.substr(start, line.find("\",\"stream\"") - start);
}

}  // namespace

TEST_CASE("Output is split into one record per line, newline kept", "[userns][log]") {
  TempLog t;
  {
    LogWriter w(t.open());
    w.write("stdout", "one\ntwo\nthr");
    w.write("stdout", "ee\n");
  }
  auto lines = t.lines();
  REQUIRE(lines.size() == 3);
  REQUIRE(log_of(lines[0]) == "one\\n");
  REQUIRE(log_of(lines[2]) == "three\\n");
  REQUIRE(lines[0].find("\"stream\":\"stdout\"") != std::string::npos);
}

TEST_CASE("Partial lines are kept per stream until flushed", "[userns][log]") {
  TempLog t;
  LogWriter w(t.open());
  w.write("stdout", "out-part");
  w.write("stderr", "err line\n");
  REQUIRE(t.lines().size() == 1);
  REQUIRE(t.lines()[0].find("\"stream\":\"stderr\"") != std::string::npos);
  w.flush();
  auto lines = t.lines();
  REQUIRE(lines.size() == 2);
  REQUIRE(log_of(lines[1]) == "out-part");
}

TEST_CASE("A long line without newline is written in 16 KiB pieces", "[userns][log]") {
  TempLog t;
  LogWriter w(t.open());
  w.write("stdout", std::string(LogWriter::kMaxPartial * 2 + 10, 'x'));
  REQUIRE(t.lines().size() == 2);
  w.flush();
  auto lines = t.lines();
  REQUIRE(lines.size() == 3);
  REQUIRE(log_of(lines[0]).size() == LogWriter::kMaxPartial);
  REQUIRE(log_of(lines[2]) == std::string(10, 'x'));
}

TEST_CASE("A writer without a file drops output quietly", "[userns][log]") {
  LogWriter w{Fd()};
  w.write("stdout", "x\n");
  w.flush();
  REQUIRE(w.failed_writes() == 0);
}
