#pragma once
// GET /containers/(id)/top as Docker 0.8 did it: run `ps <ps_args>` (default "-ef"), keep the
// title row and the rows whose PID is a process of the container (here: every process in the
// container's pid namespace, found through /proc/PID/ns/pid). Thread-safe.

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace burrow::engine {

struct TopResult {
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> processes;
};

// The processes of the pid namespace that `init_pid` lives in (host pids). NotFound when
// init_pid is gone.
std::set<pid_t> pids_in_namespace_of(pid_t init_pid);

// Splits ps output into titles and rows, keeping rows whose PID column is in `pids`; the last
// column (COMMAND/CMD) keeps its spaces. BadParameter when there is no PID column.
TopResult parse_ps_output(const std::string& output, const std::set<pid_t>& pids);

// Runs ps with `ps_args` (split on spaces) and filters it for the container of `init_pid`.
TopResult container_top(pid_t init_pid, const std::string& ps_args);

}  // namespace burrow::engine
