#include <catch2/catch.hpp>

#include <algorithm>

#include "userns/net/net_files.h"

using namespace burrow::userns::net;

TEST_CASE("the hosts file names the container first, then localhost, then links", "[net][files]") {
  std::string h = hosts_file("10.0.2.100", "abc123", "", {{"127.17.0.2", {"db", "db_1"}}});
  CHECK(h.rfind("10.0.2.100\tabc123\n127.0.0.1\tlocalhost\n", 0) == 0);
  CHECK(h.find("ff02::2\t\tip6-allrouters\n") != std::string::npos);
  CHECK(h.find("127.17.0.2\tdb db_1\n") != std::string::npos);
  CHECK(hosts_file("", "web", "example.org", {}).rfind("127.0.1.1\tweb.example.org web\n", 0) == 0);
}

TEST_CASE("resolv.conf takes the Dns list or the host's resolvers", "[net][files]") {
  std::string host = "search example.org\nnameserver 127.0.0.53\nnameserver 192.0.2.1\noptions edns0\n";
  SECTION("loopback resolvers become slirp4netns's DNS") {
    CHECK(resolv_conf({}, host, "10.0.2.3") ==
          "search example.org\nnameserver 10.0.2.3\nnameserver 192.0.2.1\noptions edns0\n");
  }
  SECTION("without slirp4netns loopback resolvers are dropped") {
    CHECK(resolv_conf({}, host, "") == "search example.org\nnameserver 192.0.2.1\noptions edns0\n");
  }
  SECTION("a Dns list replaces every nameserver") {
    CHECK(resolv_conf({"9.9.9.9", "1.1.1.1"}, host, "10.0.2.3") ==
          "search example.org\noptions edns0\nnameserver 9.9.9.9\nnameserver 1.1.1.1\n");
  }
  SECTION("an empty host file still gets a resolver") {
    CHECK(resolv_conf({}, "nameserver ::1\n", "10.0.2.3") == "nameserver 10.0.2.3\n");
  }
}

TEST_CASE("link variables are Docker 0.8's", "[net][files]") {
  LinkInfo l{"my-db", "/web/my-db", "127.17.0.2", {{6379, Proto::Tcp}, {53, Proto::Udp}, {53, Proto::Tcp}},
             {"PATH=/bin", "HOME=/", "PASSWORD=a=b"}};
  auto env = link_env(l);
  auto has = [&](const std::string& v) { return std::find(env.begin(), env.end(), v) != env.end(); };
  CHECK(env.front() == "MY_DB_PORT=tcp://127.17.0.2:53");
  CHECK(has("MY_DB_PORT_6379_TCP=tcp://127.17.0.2:6379"));
  CHECK(has("MY_DB_PORT_6379_TCP_ADDR=127.17.0.2"));
  CHECK(has("MY_DB_PORT_6379_TCP_PORT=6379"));
  CHECK(has("MY_DB_PORT_6379_TCP_PROTO=tcp"));
  CHECK(has("MY_DB_PORT_53_UDP=udp://127.17.0.2:53"));
  CHECK(has("MY_DB_NAME=/web/my-db"));
  CHECK(has("MY_DB_ENV_PASSWORD=a=b"));
  CHECK_FALSE(has("MY_DB_ENV_PATH=/bin"));
  CHECK(link_address(0) == "127.17.0.2");
  CHECK(link_address(3) == "127.17.0.5");
}
