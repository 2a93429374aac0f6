// burrow-load-client: the load test's API clients (tests/integration/hardening_load_test.sh).
// C clients, one thread each, run O operations each against a live burrowd, all at once:
//   list       GET /containers/json?all=1, GET /images/json
//   inspect    GET /containers/<shared>/json, GET /images/<image>/json, GET /info, GET /_ping
//   lifecycle  create, start, wait, logs (the whole numbered sequence), inspect, delete; odd
//              clients follow the logs (follow=1) from the start instead of reading them after
//   attach     create, attach (Upgrade: tcp; even clients with logs=1), start, read the stream
//              to its end (the whole numbered sequence), wait, delete
// Client c's operation o is kind (c + o) % 4, so the mix is fixed for a given C and O. Each
// container prints 0..N-1, one number a line; the logs and the attach stream must hold exactly
// that. Every wrong status, transport failure or gap is reported; exit status 1 if any.
//   burrow-load-client --socket PATH [--clients 64] [--ops 4] [--lines 500] [--image busybox]
//                      [--timeout 60]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/load_client/api_client.h"

namespace burrow::load_test {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  std::string socket;
  int clients = 64;
  int ops = 4;
  int lines = 500;
  std::string image = "busybox";
  int timeout_seconds = 60;
};

constexpr const char* kKindNames[] = {"list", "inspect", "lifecycle", "attach"};

// What all clients share: the settings, the inspected container and the results.
struct Run {
  Settings settings;
  std::string shared_id;
  std::mutex mutex;  // guards errors and the per-kind figures
  std::vector<std::string> errors;
  int done[4] = {};
  double worst_seconds[4] = {};
  std::atomic<int> containers{0};
};

struct OpFailure {
  std::string message;
};

void expect_status(const Response& r, int status, const std::string& what) {
  if (r.status != status) {
    throw OpFailure{what + " answered " + std::to_string(r.status) + " (expected " + std::to_string(status) +
                    "): " + r.body.substr(0, 200)};
  }
}

// The value of a top-level JSON string field (enough for "Id").
std::string json_string(const std::string& body, const std::string& field) {
  std::string key = "\"" + field + "\":\"";
  auto at = body.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  return body.substr(at, body.find('"', at) - at);
}

// Checks that `text` is exactly "0\n1\n...N-1\n"; names the first difference.
void expect_sequence(const std::string& text, int lines, const std::string& what) {
  std::size_t pos = 0;
  for (int i = 0; i < lines; ++i) {
    std::string want = std::to_string(i);
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      throw OpFailure{what + ": the output ends after " + std::to_string(i) + " of " + std::to_string(lines) +
                      " lines"};
    }
    std::string got = text.substr(pos, nl - pos);
    if (got != want) throw OpFailure{what + ": line " + std::to_string(i) + " is '" + got.substr(0, 40) + "', expected '" + want + "'"};
    pos = nl + 1;
  }
  if (pos != text.size()) throw OpFailure{what + ": " + std::to_string(text.size() - pos) + " bytes after the last line"};
}

std::string create_body(const Run& run) {
  return "{\"Image\":\"" + run.settings.image +
         "\",\"Cmd\":[\"sh\",\"-c\",\"i=0; while [ $i -lt " + std::to_string(run.settings.lines) +
         " ]; do echo $i; i=$((i+1)); done\"]}";
}

std::string create_container(ApiClient& api, Run& run, const std::string& name) {
  Response r = api.request("POST", "/containers/create?name=" + name, create_body(run));
  expect_status(r, 201, "create " + name);
  std::string id = json_string(r.body, "Id");
  if (id.size() != 64) throw OpFailure{"create " + name + ": no Id in " + r.body.substr(0, 200)};
  run.containers.fetch_add(1);
  return id;
}

void wait_and_delete(ApiClient& api, const std::string& id, const std::string& name) {
  Response w = api.request("POST", "/containers/" + id + "/wait");
  expect_status(w, 200, "wait " + name);
  if (w.body.find("\"StatusCode\":0") == std::string::npos) throw OpFailure{"wait " + name + ": " + w.body};
  expect_status(api.request("DELETE", "/containers/" + id), 204, "delete " + name);
}

void op_list(ApiClient& api, Run&) {
  Response c = api.request("GET", "/containers/json?all=1");
  expect_status(c, 200, "list containers");
  if (c.body.empty() || c.body[0] != '[') throw OpFailure{"list containers: not an array"};
  Response i = api.request("GET", "/images/json");
  expect_status(i, 200, "list images");
  if (i.body.empty() || i.body[0] != '[') throw OpFailure{"list images: not an array"};
}

void op_inspect(ApiClient& api, Run& run) {
  Response c = api.request("GET", "/containers/" + run.shared_id.substr(0, 12) + "/json");
  expect_status(c, 200, "inspect the shared container");
  if (c.body.find(run.shared_id) == std::string::npos) throw OpFailure{"inspect the shared container: wrong Id"};
  expect_status(api.request("GET", "/images/" + run.settings.image + "/json"), 200, "inspect the image");
  expect_status(api.request("GET", "/info"), 200, "info");
  expect_status(api.request("GET", "/_ping"), 200, "ping");
}

void op_lifecycle(ApiClient& api, Run& run, const std::string& name, bool follow) {
  std::string id = create_container(api, run, name);
  expect_status(api.request("POST", "/containers/" + id + "/start"), 204, "start " + name);
  Response logs;
  if (follow) {
    // Follows the log while the container runs; the stream ends when it exits.
    logs = api.request("GET", "/containers/" + id + "/logs?stdout=1&stderr=1&follow=1");
  }
  Response w = api.request("POST", "/containers/" + id + "/wait");
  expect_status(w, 200, "wait " + name);
  if (w.body.find("\"StatusCode\":0") == std::string::npos) throw OpFailure{"wait " + name + ": " + w.body};
  if (!follow) logs = api.request("GET", "/containers/" + id + "/logs?stdout=1&stderr=1");
  expect_status(logs, 200, "logs " + name);
  std::string out, err;
  if (!demultiplex(logs.body, out, err)) throw OpFailure{"logs " + name + ": the stream ends inside a frame"};
  if (!err.empty()) throw OpFailure{"logs " + name + ": stderr '" + err.substr(0, 200) + "'"};
  expect_sequence(out, run.settings.lines, "logs " + name);
  Response inspect = api.request("GET", "/containers/" + id + "/json");
  expect_status(inspect, 200, "inspect " + name);
  if (inspect.body.find("\"ExitCode\":0") == std::string::npos) throw OpFailure{"inspect " + name + ": no ExitCode 0"};
  expect_status(api.request("DELETE", "/containers/" + id), 204, "delete " + name);
}

void op_attach(ApiClient& api, Run& run, const std::string& name, bool with_logs) {
  std::string id = create_container(api, run, name);
  std::string query = with_logs ? "logs=1&stream=1&stdout=1&stderr=1" : "stream=1&stdout=1&stderr=1";
  std::string stream = api.attach("/containers/" + id + "/attach?" + query, [&] {
    expect_status(api.request("POST", "/containers/" + id + "/start"), 204, "start " + name);
  });
  std::string out, err;
  if (!demultiplex(stream, out, err)) throw OpFailure{"attach " + name + ": the stream ends inside a frame"};
  if (!err.empty()) throw OpFailure{"attach " + name + ": stderr '" + err.substr(0, 200) + "'"};
  expect_sequence(out, run.settings.lines, "attach " + name);
  wait_and_delete(api, id, name);
}

void client(Run& run, int index) {
  ApiClient api(run.settings.socket, std::chrono::seconds(run.settings.timeout_seconds));
  for (int o = 0; o < run.settings.ops; ++o) {
    int kind = (index + o) % 4;
    std::string name = "load-" + std::to_string(index) + "-" + std::to_string(o);
    auto started = Clock::now();
    std::string error;
    try {
      switch (kind) {
        case 0: op_list(api, run); break;
        case 1: op_inspect(api, run); break;
        case 2: op_lifecycle(api, run, name, index % 2 == 1); break;
        default: op_attach(api, run, name, index % 2 == 0); break;
      }
    } catch (const OpFailure& f) {
      error = f.message;
    } catch (const std::exception& e) {
      error = std::string("transport: ") + e.what();
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::lock_guard<std::mutex> lock(run.mutex);
    if (!error.empty()) {
      run.errors.push_back("client " + std::to_string(index) + " op " + std::to_string(o) + " (" + kKindNames[kind] +
                           "): " + error);
    } else {
      ++run.done[kind];
      run.worst_seconds[kind] = std::max(run.worst_seconds[kind], seconds);
    }
  }
}

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], value = argv[i + 1];
    if (name == "--socket") s.socket = value;
    else if (name == "--clients") s.clients = std::atoi(value.c_str());
    else if (name == "--ops") s.ops = std::atoi(value.c_str());
    else if (name == "--lines") s.lines = std::atoi(value.c_str());
    else if (name == "--image") s.image = value;
    else if (name == "--timeout") s.timeout_seconds = std::atoi(value.c_str());
    else throw std::invalid_argument("unknown option " + name);
  }
  if (s.socket.empty() || s.clients < 1 || s.ops < 1 || s.lines < 1 || s.timeout_seconds < 1) {
    throw std::invalid_argument("usage: burrow-load-client --socket PATH [--clients N] [--ops N] [--lines N] "
                                "[--image NAME] [--timeout SECONDS]");
  }
  return s;
}

int main_impl(int argc, char** argv) {
  Run run;
  try {
    run.settings = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "burrow-load-client: %s\n", e.what());
    return 2;
  }
  ApiClient setup(run.settings.socket, std::chrono::seconds(run.settings.timeout_seconds));
  try {
    run.shared_id = create_container(setup, run, "load-shared");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "burrow-load-client: creating the shared container: %s\n", e.what());
    return 1;
  } catch (const OpFailure& f) {
    std::fprintf(stderr, "burrow-load-client: %s\n", f.message.c_str());
    return 1;
  }

  auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < run.settings.clients; ++c) threads.emplace_back(client, std::ref(run), c);
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  try {
    expect_status(setup.request("DELETE", "/containers/" + run.shared_id), 204, "delete the shared container");
  } catch (const OpFailure& f) {
    run.errors.push_back(f.message);
  } catch (const std::exception& e) {
    run.errors.push_back(std::string("delete the shared container: ") + e.what());
  }

  std::printf("%d clients x %d operations in %.1f s (%d containers, %d lines each):", run.settings.clients,
              run.settings.ops, seconds, run.containers.load(), run.settings.lines);
  for (int k = 0; k < 4; ++k) std::printf(" %s %d (worst %.1f s)", kKindNames[k], run.done[k], run.worst_seconds[k]);
  std::printf(", %zu errors\n", run.errors.size());
  for (const auto& e : run.errors) std::fprintf(stderr, "ERROR %s\n", e.c_str());
  return run.errors.empty() ? 0 : 1;
}

}  // namespace
}  // namespace burrow::load_test

int main(int argc, char** argv) { return burrow::load_test::main_impl(argc, argv); }
