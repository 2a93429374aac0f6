// ChunkedDecoder: chunked request bodies are decoded exactly, and a body that ends without its
// last chunk (POCO 1.11 takes it for a complete, shorter one) is an error.
#include "poco-server/chunked_decoder.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "base/error.h"

using namespace burrow;
using namespace burrow::poco_server;

namespace {

// The connection: `wire` then its end, handed out at most `step` bytes per read or peek.
struct Wire {
  std::string bytes;
  std::size_t step;
  std::size_t pos = 0;
  std::size_t calls = 0;  // reads and peeks

  ChunkedDecoder::RawRead reader() {
    return [this](char* buf, std::size_t n) {
      std::size_t k = peek(buf, n);
      pos += k;
      return k;
    };
  }
  ChunkedDecoder::RawPeek peeker() {
    return [this](char* buf, std::size_t n) { return peek(buf, n); };
  }
  std::size_t peek(char* buf, std::size_t n) {
    ++calls;
    std::size_t k = std::min({n, step, bytes.size() - pos});
    std::memcpy(buf, bytes.data() + pos, k);
    return k;
  }
  ChunkedDecoder decoder(bool peeking) { return ChunkedDecoder(reader(), peeking ? peeker() : nullptr); }
};

std::string decode_all(ChunkedDecoder& d) {
  std::string out;
  char buf[7];
  for (;;) {
    std::size_t n = d.read(buf, sizeof buf);
    if (n == 0) return out;
    out.append(buf, n);
  }
}

}  // namespace

TEST_CASE("a chunked body is decoded and nothing after it is read", "[poco-server][body]") {
  std::size_t step = GENERATE(1, 3, 1000);
  bool peeking = GENERATE(false, true);
  const std::string next = "GET /_ping HTTP/1.1\r\n\r\n";
  Wire w{"5\r\nhello\r\n10;name=value\r\n0123456789abcdef\r\n1 \r\n!\n0\r\nX-Trailer: 1\r\n\r\n" + next, step};
  ChunkedDecoder d = w.decoder(peeking);
  REQUIRE(decode_all(d) == "hello0123456789abcdef!");
  REQUIRE(d.complete());
  REQUIRE(w.bytes.substr(w.pos) == next);
  char c;
  REQUIRE(d.read(&c, 1) == 0);
}

TEST_CASE("a chunked body that ends before its last chunk is an error, not a short body", "[poco-server][body]") {
  // Each prefix of a complete body is what the server sees when the client closes there.
  const std::string whole = "4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
  bool peeking = GENERATE(false, true);
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    CAPTURE(cut);
    Wire w{whole.substr(0, cut), 5};
    ChunkedDecoder d = w.decoder(peeking);
    REQUIRE_THROWS_WITH(decode_all(d), Catch::Contains("connection ended") && Catch::Contains("last chunk"));
    REQUIRE_FALSE(d.complete());
    REQUIRE_THROWS_AS(decode_all(d), Error);  // and stays failed
  }
  Wire w{whole, 5};
  ChunkedDecoder d(w.reader());
  REQUIRE(decode_all(d) == "{\"a\":1}");
}

TEST_CASE("malformed chunk framing is an error", "[poco-server][body]") {
  const char* bad = GENERATE("zz\r\nab\r\n0\r\n\r\n",         // no size
                             "2x\r\nab\r\n0\r\n\r\n",         // junk after the size
                             "2\r\nabc\r\n0\r\n\r\n",         // data longer than its size
                             "1000000000000000\r\n",          // size too large
                             "\r\n2\r\nab\r\n0\r\n\r\n");     // empty line for a size
  Wire w{bad, 64};
  ChunkedDecoder d(w.reader());
  REQUIRE_THROWS_WITH(decode_all(d), Catch::Contains("invalid chunked encoding"));
  std::string long_line(5000, '1');
  Wire w2{long_line, 64};
  ChunkedDecoder d2(w2.reader());
  REQUIRE_THROWS_WITH(decode_all(d2), Catch::Contains("invalid chunked encoding"));
}

TEST_CASE("with a peek, each chunk costs a peek, a consume of its framing and a data read", "[poco-server][body]") {
  std::string body;
  for (int i = 0; i < 10; ++i) body += "80\r\n" + std::string(128, static_cast<char>('a' + i)) + "\r\n";
  const std::string next = "GET /_ping HTTP/1.1\r\n\r\n";
  for (bool peeking : {false, true}) {
    Wire w{body + "0\r\n\r\n" + next, 1 << 20};
    ChunkedDecoder d = w.decoder(peeking);
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = d.read(buf, sizeof buf)) > 0;) out.append(buf, n);
    CHECK(out.size() == 1280);
    CHECK(w.bytes.substr(w.pos) == next);
    if (peeking) {
      CHECK(w.calls <= 3 * 10 + 2);
    } else {
      CHECK(w.calls >= 7 * 10);  // byte by byte: the gain the peek is for
    }
  }
}

TEST_CASE("peeking or not, random framings decode alike and stop at the body's end", "[poco-server][body]") {
  std::mt19937 rng(7);
  const std::string next = "GET /_ping HTTP/1.1\r\n\r\n";
  for (int round = 0; round < 200; ++round) {
    std::string wire, body;
    for (int chunks = rng() % 6; chunks > 0; --chunks) {
      std::string data(1 + rng() % 300, static_cast<char>('a' + rng() % 26));
      char size[32];
      std::snprintf(size, sizeof size, rng() % 2 ? "%zx" : "%zX", data.size());
      wire += size + std::string(rng() % 3 ? "" : ";ext=1") + (rng() % 4 ? "\r\n" : "\n") + data + "\r\n";
      body += data;
    }
    wire += rng() % 2 ? "0\r\n\r\n" : "0\r\nX-Sum: 1\r\n\r\n";
    std::size_t step = 1 + rng() % 80;
    CAPTURE(round, step);
    for (bool peeking : {false, true}) {
      Wire w{wire + next, step};
      ChunkedDecoder d = w.decoder(peeking);
      REQUIRE(decode_all(d) == body);
      REQUIRE(w.bytes.substr(w.pos) == next);
    }
  }
}
