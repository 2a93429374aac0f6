#pragma once
// HelperConfig: what one burrow-net process (a container's network helper) is asked to do, and
// its command line. burrowd binds the published host ports and passes the sockets as inherited
// descriptors; burrow-net starts slirp4netns, enters the container's network namespace, serves
// the ports and the links, and exits when the container's init exits. Plain value.

#include <sys/types.h>

#include <string>
#include <vector>

#include "userns/net/port_spec.h"

namespace burrow::userns::net {

struct HelperConfig {
  pid_t pid = 0;                 // the container's init (its network namespace)
  int ready_fd = -1;             // "warning: ..." lines, then "ready" (or "error: ...") and close
  std::string slirp_program;     // empty: no slirp4netns (loopback only)
  int mtu = 65520;
  bool allow_host_loopback = false;
  std::string api_socket;        // slirp4netns --api-socket
  bool debug = false;
  bool foreground = false;       // do not fork away (running it by hand, tests)

  struct Publish {
    int fd = -1;                 // inherited host socket (listening TCP / bound UDP)
    PortKey container;           // forwarded to 127.0.0.1:<port> inside
  };
  std::vector<Publish> publish;

  struct Link {
    std::string address;         // served inside this container (127.17.0.N)
    PortKey port;                // the same port of the linked container
    pid_t pid = 0;               // the linked container's init
  };
  std::vector<Link> links;

  // Host ports burrow-net binds itself (by hand, tests, bench): IP:HOSTPORT,PORT/PROTO.
  std::vector<PortRequest> bind;

  // The argv for `program` (argv[0]).
  std::vector<std::string> to_argv(const std::string& program) const;
  // Parses argv[1..]; Error(BadParameter) naming the bad argument.
  static HelperConfig parse(const std::vector<std::string>& args);
};

}  // namespace burrow::userns::net
