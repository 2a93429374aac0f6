// A small HTTP/1.1 load generator for the API benchmark: N connections (one thread each) to a
// Unix socket, keep-alive, each sending the same request back to back for a fixed time.
// Prints "requests_per_second p50_us p99_us errors". Built and run by bench/api/run.sh; not part
// of the product or of ctest.
//   loadgen SOCKET PATH CONNECTIONS SECONDS
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int connect_unix(const char* path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads one response (Content-Length or chunked body) from fd into/through `buf`. Returns the
// status code, or -1 when the connection broke. Bytes past the response stay in `buf`.
int read_response(int fd, std::string& buf) {
  auto fill = [&]() {
    char tmp[16384];
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  };
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return -1;
  }
  std::string head = buf.substr(0, head_end);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int status = std::atoi(head.c_str() + 9);
  size_t pos = head_end + 4;
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    for (;;) {
      size_t line_end;
      while ((line_end = buf.find("\r\n", pos)) == std::string::npos) {
        if (!fill()) return -1;
      }
      size_t size = std::strtoul(buf.c_str() + pos, nullptr, 16);
      size_t need = line_end + 2 + size + 2;
      while (buf.size() < need) {
        if (!fill()) return -1;
      }
      pos = need;
      if (size == 0) break;
    }
  } else {
    size_t cl = head.find("content-length:");
    size_t len = cl == std::string::npos ? 0 : std::strtoul(head.c_str() + cl + 15, nullptr, 10);
    while (buf.size() < pos + len) {
      if (!fill()) return -1;
    }
    pos += len;
  }
  buf.erase(0, pos);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: loadgen SOCKET PATH CONNECTIONS SECONDS\n");
    return 2;
  }
  const char* sock = argv[1];
  std::string request = std::string("GET ") + argv[2] + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: burrow-bench\r\n\r\n";
  int conns = std::atoi(argv[3]);
  double seconds = std::atof(argv[4]);
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<float>> latencies(static_cast<size_t>(conns));
  std::vector<std::thread> threads;
  for (int t = 0; t < conns; ++t) {
    threads.emplace_back([&, t] {
      std::vector<float>& lat = latencies[static_cast<size_t>(t)];
      lat.reserve(1 << 20);
      int fd = connect_unix(sock);
      std::string buf;
      while (!stop.load(std::memory_order_relaxed)) {
        if (fd < 0) {
          errors++;
          fd = connect_unix(sock);
          if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        auto start = Clock::now();
        if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
          ::close(fd);
          fd = -1;
          buf.clear();
          continue;
        }
        int status = read_response(fd, buf);
        if (status != 200) {
          errors++;
          ::close(fd);
          fd = -1;
          buf.clear();
          continue;
        }
        lat.push_back(std::chrono::duration<float, std::micro>(Clock::now() - start).count());
      }
      if (fd >= 0) ::close(fd);
    });
  }
  auto begin = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  std::vector<float> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  std::printf("%.0f %.0f %.0f %ld\n", all.size() / elapsed, pct(0.50), pct(0.99), errors.load());
  return 0;
}
