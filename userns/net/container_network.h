#pragma once
// ContainerNetwork: burrowd's side of a container's network. Before the container starts it
// binds the published host ports (all or nothing, so a taken port stops the start before
// anything runs); once the container's init exists it starts that container's burrow-net
// (slirp4netns for outbound traffic, the port forwarder, the link forwarders) and records it in
// <bundle>/network.state. burrow-net outlives a burrowd restart and exits with the container;
// adopt() starts it again (same host ports) when it is gone. Thread-safe: calls for different
// containers may run concurrently; calls for one container are serialised by the caller.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "userns/net/helper_config.h"
#include "userns/net/host_ports.h"

namespace burrow {
class Logger;
}

namespace burrow::userns::net {

struct ContainerNetworkOptions {
  std::string helper_program = "burrow-net";   // path, or a name on PATH
  std::string slirp_program = "slirp4netns";   // empty: never use slirp4netns
  // burrowd --allow-host-loopback: 10.0.2.2 inside reaches the host's 127.0.0.1.
  bool allow_host_loopback = false;
  int mtu = 65520;
  Logger* logger = nullptr;                    // optional; must outlive this
  int ready_timeout_ms = 15000;
  bool debug = false;                          // burrow-net --debug
};

// A linked container as the linking one reaches it.
struct LinkTarget {
  std::string address;         // link_address(i) inside the linking container
  pid_t pid = 0;               // the linked container's init
  std::vector<PortKey> ports;  // its exposed ports
};

// What a started container's network is; kept in <bundle>/network.state.
struct NetworkRecord {
  pid_t helper_pid = 0;
  unsigned long long helper_start_time = 0;  // /proc/PID/stat field 22, against pid reuse
  bool slirp = false;                        // tap0 is configured (10.0.2.100/24)
  bool allow_host_loopback = false;
  std::vector<PublishedPort> ports;
  std::vector<HelperConfig::Link> links;

  std::string ip_address() const;  // "10.0.2.100" with slirp, else ""
  int prefix_len() const;          // 24 with slirp, else 0
  std::string gateway() const;     // "10.0.2.2" with slirp, else ""
  std::string bridge() const;      // "tap0" with slirp, else ""
};

struct NetworkStart {
  NetworkRecord record;
  std::vector<std::string> warnings;
};

class ContainerNetwork {
 public:
  explicit ContainerNetwork(ContainerNetworkOptions options);

  // The warning create returns when slirp4netns is missing, or nullopt.
  std::optional<std::string> outbound_warning() const;
  // True when containers will get slirp4netns.
  bool outbound_available() const;

  // Binds the host side of `requests` (see HostPortBinder::bind): Conflict "Bind for
  // 127.0.0.1:8080/tcp failed: port is already allocated" and nothing left bound on failure.
  std::vector<BoundPort> bind_ports(const std::vector<PortRequest>& requests);

  // Starts burrow-net for the container whose init is `pid` and writes the record. `outbound`
  // false (NetworkDisabled) skips slirp4netns. Returns warnings (slirp4netns missing or failed).
  // A container that exited already gets nothing (no record, ports closed), which is no error.
  // Throws Error naming what failed (the ports are closed then; the container is untouched).
  NetworkStart attach(const std::string& bundle_dir, pid_t pid, std::vector<BoundPort> ports,
                      const std::vector<LinkTarget>& links, bool outbound = true);

  // Stops the container's burrow-net (SIGTERM, SIGKILL after 2 s) and waits until it is gone, so
  // its host ports are free; removes the record. A container without one is fine.
  void detach(const std::string& bundle_dir);

  // For a container that is running after a burrowd restart: when its burrow-net is gone, binds
  // the recorded host ports again and starts a new one. Returns warnings; throws like attach().
  std::vector<std::string> adopt(const std::string& bundle_dir, pid_t pid);

  // True while the recorded burrow-net is alive (pid and start time match).
  static bool helper_alive(const NetworkRecord& record);
  // The record, or nullopt when the container's network is not set up (never started/stopped).
  static std::optional<NetworkRecord> load(const std::string& bundle_dir);
  static void store(const std::string& bundle_dir, const NetworkRecord& record);

 private:
  ContainerNetworkOptions options_;
  std::optional<std::string> slirp_path_;
  HostPortBinder binder_;
};

}  // namespace burrow::userns::net
