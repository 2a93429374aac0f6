// JSON shapes of the container endpoints: list items, Ports, inspect, top, changes.
#include <catch2/catch.hpp>

#include "engine/container.h"
#include "engine/container_time.h"
#include "poco-server/container_json.h"

using namespace burrow;
using namespace burrow::engine;
using namespace burrow::poco_server;

namespace {

Container sample() {
  Container c;
  c.id = std::string(64, 'a');
  c.name = "/web";
  c.created = "2024-01-02T03:04:05.000000006Z";
  c.path = "sh";
  c.args = {"-c", "exit 3"};
  c.image_id = std::string(64, 'b');
  c.config = parse_json_object(R"({"Image":"busybox","ExposedPorts":{"80/tcp":{},"53/udp":{}},"Tty":false})");
  c.host_config = parse_json_object(R"({"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}})");
  c.volumes["/data"] = "/v/1";
  c.volumes_rw["/data"] = true;
  c.state.exit_code = 3;
  c.state.started_at = "2024-01-02T03:04:06Z";
  c.state.finished_at = "2024-01-02T03:04:07Z";
  return c;
}

}  // namespace

TEST_CASE("list items carry what docker ps shows", "[poco-server][container]") {
  auto item = container_list_item(sample(), ApiVersion{1, 9}, std::chrono::system_clock::now(), nullptr);
  REQUIRE(json_string(item, "Id") == std::string(64, 'a'));
  REQUIRE(item->getArray("Names")->getElement<std::string>(0) == "/web");
  REQUIRE(json_string(item, "Image") == "busybox");
  REQUIRE(json_string(item, "Command") == "sh -c exit 3");
  REQUIRE(json_int(item, "Created") == unix_seconds("2024-01-02T03:04:05Z"));
  REQUIRE(json_string(item, "Status") == "Exit 3");
  REQUIRE_FALSE(item->has("SizeRw"));
  ContainerSizes sizes{12, 34};
  auto sized = container_list_item(sample(), ApiVersion{1, 9}, std::chrono::system_clock::now(), &sizes);
  REQUIRE(json_int(sized, "SizeRw") == 12);
  REQUIRE(json_int(sized, "SizeRootFs") == 34);
}

TEST_CASE("ports list bound and exposed ports", "[poco-server][container]") {
  auto ports = container_ports(sample());
  REQUIRE(ports->size() == 2);
  std::string text = json_stringify(ports);
  REQUIRE(text.find(R"({"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"})") != std::string::npos);
  REQUIRE(text.find(R"({"PrivatePort":53,"Type":"udp"})") != std::string::npos);
}

TEST_CASE("inspect is the v1.9 document with the fields newer clients read", "[poco-server][container]") {
  auto doc = container_inspect(sample(), ApiVersion{1, 9});
  REQUIRE(json_string(doc, "Id") == std::string(64, 'a'));
  REQUIRE(json_string(doc, "Name") == "/web");
  REQUIRE(json_string(doc, "Path") == "sh");
  auto state = json_object(doc, "State");
  REQUIRE(json_int(state, "ExitCode") == 3);
  REQUIRE(json_string(state, "Status") == "exited");
  REQUIRE_FALSE(json_bool(state, "Running"));
  REQUIRE(json_string(json_object(doc, "Config"), "Image") == "busybox");
  REQUIRE(json_string(json_object(doc, "Volumes"), "/data") == "/v/1");
  auto hc = json_object(doc, "HostConfig");
  REQUIRE(hc->has("Binds"));
  REQUIRE(hc->has("LxcConf"));
  REQUIRE_FALSE(json_bool(hc, "Privileged"));
  auto ports = json_object(json_object(doc, "NetworkSettings"), "Ports");
  REQUIRE(ports->has("80/tcp"));
  REQUIRE(ports->isNull("53/udp"));
}

TEST_CASE("top and changes keep Docker's field names", "[poco-server][container]") {
  TopResult top{{"PID", "CMD"}, {{"1", "sleep 5"}}};
  REQUIRE(json_stringify(container_top_json(top)) == R"({"Titles":["PID","CMD"],"Processes":[["1","sleep 5"]]})");
  REQUIRE(json_stringify(container_changes_json({{"/tmp", 0}, {"/tmp/x", 1}})) ==
          R"([{"Path":"/tmp","Kind":0},{"Path":"/tmp/x","Kind":1}])");
}
