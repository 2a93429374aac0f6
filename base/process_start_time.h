#pragma once
// process_start_time: a process's start time, which together with its pid names one process
// for good (a pid alone may be recycled). Used wherever burrow records a pid to find its
// process again later: the engine-namespace holder, shims, network helpers.

#include <sys/types.h>

namespace burrow {

// Start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or 0 when the
// process does not exist or is a zombie: it has exited, and a parent that does not reap it
// (PID 1 in some sandboxes) must not make it look alive.
unsigned long long process_start_time(pid_t pid);

}  // namespace burrow
