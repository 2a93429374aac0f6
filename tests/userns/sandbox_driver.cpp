// burrow-sandbox-driver: drives the userns library the way burrowd will, for the shell tests
// (tests/integration/sandbox_*_test.sh) that run it as an unprivileged user.
//   preflight                         prints the report and the id mapping
//   ns --root DIR [-- CMD...]         enters the engine namespace, prints it, runs CMD inside
//   stop --root DIR                   stops the engine namespace holder
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/logger.h"
#include "userns/engine_namespace.h"
#include "userns/preflight.h"

using namespace burrow;
using namespace burrow::userns;

namespace {

struct Args {
  std::string root;
  std::vector<std::string> rest;
};

Args parse(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--root" && i + 1 < argc) {
      a.root = argv[++i];
    } else if (s == "--") {
      for (++i; i < argc; ++i) a.rest.push_back(argv[i]);
    } else {
      throw Error::bad_parameter("unknown argument `" + s + "`");
    }
  }
  return a;
}

int exec_rest(const std::vector<std::string>& rest) {
  std::vector<char*> argv;
  for (const auto& s : rest) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  std::cerr << "exec " << rest[0] << ": " << std::strerror(errno) << "\n";
  return 127;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: burrow-sandbox-driver preflight|ns|stop ...\n";
    return 2;
  }
  std::string cmd = argv[1];
  Logger logger(2, false);
  try {
    if (cmd == "preflight") {
      PreflightReport r = run_preflight();
      std::cout << r.summary() << "ok=" << r.ok() << "\nuserns=" << r.userns_usable << "\nfuse=" << r.fuse_usable
                << "\nsingle_id=" << r.single_id_fallback << "\nuid_map=" << r.uid_map.to_text()
                << "\ngid_map=" << r.gid_map.to_text() << "\n";
      return r.ok() ? 0 : 1;
    }
    Args a = parse(argc, argv, 2);
    if (cmd == "ns") {
      EngineNamespaceOptions o;
      o.state_root = a.root;
      o.logger = &logger;
      EngineNamespace ns = enter_engine_namespace(o);
      std::cout << "holder=" << ns.holder_pid << "\ncreated=" << ns.created << "\nuid_map=" << ns.id_mapping_text()
                << "\ngid_map=" << ns.gid_map.to_text() << "\nsingle_id=" << ns.single_id
                << "\nuid=" << ::getuid() << std::endl;
      if (!a.rest.empty()) return exec_rest(a.rest);
      return 0;
    }
    if (cmd == "stop") {
      bool stopped = stop_engine_namespace(a.root);
      std::cout << "stopped=" << stopped << "\n";
      return 0;
    }
    std::cerr << "unknown command " << cmd << "\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "burrow-sandbox-driver: " << e.what() << "\n";
    return 1;
  }
}
