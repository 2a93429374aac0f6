#pragma once
// systemd integration for burrowd: socket activation (LISTEN_PID/LISTEN_FDS, sockets from fd 3,
// as sd_listen_fds does) and readiness notification (NOTIFY_SOCKET, as sd_notify does), without
// linking libsystemd. Call take_listen_fds() first thing in main, while single-threaded.

#include <string>
#include <vector>

namespace burrow::poco_server::systemd {

// The descriptors systemd passed to this process (3 .. 3+LISTEN_FDS-1) when LISTEN_PID is our
// pid, marked close-on-exec; empty otherwise. Unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES so
// that programs we start do not take them for theirs.
std::vector<int> take_listen_fds();

// Sends `state` ("READY=1", "STOPPING=1") to $NOTIFY_SOCKET. Returns false when the variable is
// not set or the datagram could not be sent; never throws.
bool notify(const std::string& state);

}  // namespace burrow::poco_server::systemd
