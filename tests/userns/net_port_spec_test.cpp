#include <catch2/catch.hpp>

#include "base/error.h"
#include "userns/net/container_network.h"
#include "userns/net/helper_config.h"
#include "userns/net/port_spec.h"

using namespace burrow;
using namespace burrow::userns::net;

TEST_CASE("port keys parse as Docker writes them", "[net][ports]") {
  CHECK(parse_port_key("80/tcp") == PortKey{80, Proto::Tcp});
  CHECK(parse_port_key("53/udp") == PortKey{53, Proto::Udp});
  CHECK(parse_port_key("8080") == PortKey{8080, Proto::Tcp});
  CHECK(to_string(PortKey{53, Proto::Udp}) == "53/udp");
  CHECK_THROWS_AS(parse_port_key("0/tcp"), Error);
  CHECK_THROWS_AS(parse_port_key("70000"), Error);
  CHECK_THROWS_AS(parse_port_key("80/sctp"), Error);
  CHECK_THROWS_AS(parse_port_key("http"), Error);
}

TEST_CASE("PortSpecs follow Docker 0.8's ip:hostPort:containerPort template", "[net][ports]") {
  auto p = parse_port_specs({"8080", "80:8081", "127.0.0.1:81:8082/udp", "127.0.0.1::8083"});
  REQUIRE(p.exposed.size() == 4);
  REQUIRE(p.bindings.size() == 4);
  CHECK(p.bindings[0].first == PortKey{8080, Proto::Tcp});
  CHECK(p.bindings[0].second.host_ip.empty());
  CHECK(p.bindings[0].second.host_port.empty());
  CHECK(p.bindings[1].second.host_port == "80");
  CHECK(p.bindings[2].first == PortKey{8082, Proto::Udp});
  CHECK(p.bindings[2].second.host_ip == "127.0.0.1");
  CHECK(p.bindings[2].second.host_port == "81");
  CHECK(p.bindings[3].second.host_ip == "127.0.0.1");
  CHECK(p.bindings[3].second.host_port.empty());
  CHECK_THROWS_WITH(parse_port_specs({"80:"}), Catch::Contains("No port specified"));
  CHECK_THROWS_WITH(parse_port_specs({"x:80"}), Catch::Contains("Invalid hostPort"));
  CHECK_THROWS_WITH(parse_port_specs({"80/icmp"}), Catch::Contains("Invalid proto"));
  CHECK_THROWS_WITH(parse_port_specs({"a:b:c:d"}), Catch::Contains("Invalid port specification"));
}

TEST_CASE("port requests come from PortBindings and PublishAllPorts", "[net][ports]") {
  std::vector<PortKey> exposed{{80, Proto::Tcp}, {53, Proto::Udp}, {22, Proto::Tcp}};
  std::vector<std::pair<PortKey, HostBinding>> bindings{{{80, Proto::Tcp}, {"127.0.0.1", "8080"}},
                                                        {{80, Proto::Tcp}, {"", ""}}};
  SECTION("only the bound ports without PublishAllPorts") {
    auto r = plan_port_requests(exposed, bindings, false);
    REQUIRE(r.size() == 2);
    CHECK(r[0] == PortRequest{"127.0.0.1", 8080, {80, Proto::Tcp}});
    CHECK(r[1] == PortRequest{"0.0.0.0", 0, {80, Proto::Tcp}});
  }
  SECTION("every exposed port with PublishAllPorts, random and on 0.0.0.0") {
    auto r = plan_port_requests(exposed, bindings, true);
    REQUIRE(r.size() == 4);
    CHECK(r[0] == PortRequest{"0.0.0.0", 0, {22, Proto::Tcp}});
    CHECK(r[1] == PortRequest{"0.0.0.0", 0, {53, Proto::Udp}});
  }
  SECTION("bad host parts are refused") {
    CHECK_THROWS_AS(plan_port_requests(exposed, {{{80, Proto::Tcp}, {"", "http"}}}, false), Error);
    CHECK_THROWS_AS(plan_port_requests(exposed, {{{80, Proto::Tcp}, {"::1", "80"}}}, false), Error);
  }
}

TEST_CASE("burrow-net's command line round-trips", "[net][helper]") {
  HelperConfig c;
  c.pid = 42;
  c.ready_fd = 7;
  c.slirp_program = "/usr/bin/slirp4netns";
  c.allow_host_loopback = true;
  c.api_socket = "/tmp/x.sock";
  c.publish.push_back({9, {80, Proto::Tcp}});
  c.links.push_back({"127.17.0.2", {53, Proto::Udp}, 77});
  c.bind.push_back({"127.0.0.1", 8080, {80, Proto::Tcp}});
  auto argv = c.to_argv("burrow-net");
  HelperConfig d = HelperConfig::parse(std::vector<std::string>(argv.begin() + 1, argv.end()));
  CHECK(d.pid == 42);
  CHECK(d.ready_fd == 7);
  CHECK(d.slirp_program == c.slirp_program);
  CHECK(d.mtu == 65520);
  CHECK(d.allow_host_loopback);
  CHECK(d.api_socket == "/tmp/x.sock");
  REQUIRE(d.publish.size() == 1);
  CHECK(d.publish[0].fd == 9);
  CHECK(d.publish[0].container == PortKey{80, Proto::Tcp});
  REQUIRE(d.links.size() == 1);
  CHECK(d.links[0].address == "127.17.0.2");
  CHECK(d.links[0].pid == 77);
  REQUIRE(d.bind.size() == 1);
  CHECK(d.bind[0] == c.bind[0]);
  CHECK_THROWS_AS(HelperConfig::parse({"--ready-fd", "3"}), Error);
  CHECK_THROWS_AS(HelperConfig::parse({"--pid", "1", "--bogus"}), Error);
}

TEST_CASE("without slirp4netns containers get loopback only and a warning", "[net][helper]") {
  ContainerNetworkOptions o;
  o.slirp_program = "/nonexistent/slirp4netns";
  ContainerNetwork missing(o);
  CHECK_FALSE(missing.outbound_available());
  REQUIRE(missing.outbound_warning().has_value());
  CHECK_THAT(*missing.outbound_warning(), Catch::Contains("loopback networking only"));
  o.slirp_program = "";  // switched off on purpose: no warning
  CHECK_FALSE(ContainerNetwork(o).outbound_warning().has_value());
}
