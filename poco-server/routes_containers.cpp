// Routes of the container endpoints: create, list, inspect, top, changes, start, stop, restart,
// kill, wait, remove, attach (hijacked), logs, resize. The engine's ContainerManager does the
// work; JSON shapes come from container_json.h.
#include <signal.h>
#include <sys/stat.h>
#include <string.h>

#include <chrono>
#include <cstdint>
#include <sstream>

#include <Poco/Base64Encoder.h>

#include "base/error.h"
#include "engine/container_commit.h"
#include "engine/container_manager.h"
#include "engine/container_time.h"
#include "engine/engine.h"
#include "poco-server/connection_writer.h"
#include "poco-server/container_json.h"
#include "poco-server/request_context.h"
#include "poco-server/routes.h"
#include "userns/attach_protocol.h"

namespace burrow::poco_server {

namespace {

using engine::Container;
using engine::ContainerManager;
using Poco::JSON::Array;
using Poco::JSON::Object;

ContainerManager& containers(RequestContext& ctx) { return ctx.engine().containers(); }

void list(RequestContext& ctx) {
  auto& mgr = containers(ctx);
  bool all = ctx.query_bool("all");
  bool size = ctx.query_bool("size");
  long long limit = ctx.query_int("limit", -1);
  std::string since = ctx.query("since"), before = ctx.query("before");
  std::string since_id = since.empty() ? "" : mgr.inspect(since).id;
  std::string before_id = before.empty() ? "" : mgr.inspect(before).id;
  bool found_before = false;
  long long displayed = 0;
  auto now = std::chrono::system_clock::now();
  Array::Ptr out = new Array;
  for (const Container& c : mgr.list()) {
    if (!c.state.running && !all && limit <= 0 && since.empty() && before.empty()) continue;
    if (!before_id.empty()) {
      if (c.id == before_id) {
        found_before = true;
        continue;
      }
      if (!found_before) continue;
    }
    if (displayed == limit) break;
    if (c.id == since_id) break;
    ++displayed;
    ContainerSizes sizes;
    if (size) {
      sizes.rw = mgr.size_rw(c);
      sizes.root_fs = mgr.size_root_fs(c);
    }
    out->add(container_list_item(c, ctx.api_version(), now, size ? &sizes : nullptr));
  }
  ctx.send_json(out);
}

void create(RequestContext& ctx) {
  Object::Ptr body = ctx.json_body();
  if (!body) throw Error::bad_parameter("Bad parameter: the body must be a JSON container config");
  auto result = containers(ctx).create(body, ctx.query("name"));
  for (const auto& w : result.warnings) ctx.logger().warn("api", "create " + result.id.substr(0, 12) + ": " + w);
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("Id", result.id);
  o->set("Warnings", engine::to_json_array(result.warnings));
  ctx.send_json(o, 201);
}

void inspect(RequestContext& ctx) {
  ctx.send_json(container_inspect(containers(ctx).inspect(ctx.param("name")), ctx.api_version()));
}

void top(RequestContext& ctx) {
  ctx.send_json(container_top_json(containers(ctx).top(ctx.param("name"), ctx.query("ps_args"))));
}

void changes(RequestContext& ctx) {
  ctx.send_json(container_changes_json(containers(ctx).changes(ctx.param("name"))));
}

void start(RequestContext& ctx) {
  std::string name = ctx.param("name");
  containers(ctx).inspect(name);  // 404 before reading the body
  Object::Ptr body = ctx.json_body();
  auto warnings = containers(ctx).start(name, body);
  for (const auto& w : warnings) ctx.logger().warn("api", "start " + name + ": " + w);
  ctx.send_status(204);
}

int timeout_of(RequestContext& ctx) { return static_cast<int>(ctx.query_int("t", 10)); }

void stop(RequestContext& ctx) {
  containers(ctx).stop(ctx.param("name"), timeout_of(ctx));
  ctx.send_status(204);
}

void restart(RequestContext& ctx) {
  containers(ctx).restart(ctx.param("name"), timeout_of(ctx));
  ctx.send_status(204);
}

// "9", "KILL", "SIGKILL" (any case) -> 9.
int parse_signal(const std::string& text) {
  if (text.empty()) return SIGKILL;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    int n = std::stoi(text);
    if (n > 0 && n < 65) return n;
  } else {
    std::string name;
    for (char ch : text) name += static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (int s = 1; s < 32; ++s) {
      const char* abbrev = sigabbrev_np(s);
      if (abbrev && name == abbrev) return s;
    }
  }
  throw Error::bad_parameter("Bad parameter: invalid signal " + text);
}

void kill(RequestContext& ctx) {
  containers(ctx).kill(ctx.param("name"), parse_signal(ctx.query("signal")));
  ctx.send_status(204);
}

void wait(RequestContext& ctx) {
  int code = containers(ctx).wait(ctx.param("name"));
  Object::Ptr o = new Object;
  o->set("StatusCode", code);
  ctx.send_json(o);
}

void remove(RequestContext& ctx) {
  bool v = ctx.query_bool("v"), force = ctx.query_bool("force");
  if (ctx.query_bool("link")) throw Error::bad_parameter("Bad parameter: burrow has no container links to remove");
  containers(ctx).remove(ctx.param("name"), v, force, [&] { ctx.send_status(204); });
}

void resize(RequestContext& ctx) {
  long long h = ctx.query_int("h", -1), w = ctx.query_int("w", -1);
  if (h < 0 || w < 0) throw Error::bad_parameter("Bad parameter: h and w are required");
  containers(ctx).resize(ctx.param("name"), static_cast<unsigned>(h), static_cast<unsigned>(w));
  ctx.send_status(200);
}

// The bytes one log entry becomes: raw with a tty, an 8-byte frame header + payload otherwise.
std::string encode(bool tty, int stream, std::string_view data, const std::string& time, bool timestamps) {
  std::string payload = timestamps ? time + " " + std::string(data) : std::string(data);
  if (tty) return payload;
  return userns::encode_frame(static_cast<uint8_t>(stream), payload);
}

// An attach to a container that is not running waits for its next start (Docker 0.8 did;
// docker run and start -a attach first and start right after), but not longer than this, so
// that a start that never comes does not hold a request thread for as long as the client stays.
constexpr int kAttachStartWaitMs = 5 * 60 * 1000;

void attach(RequestContext& ctx) {
  auto& mgr = containers(ctx);
  Container c = mgr.inspect(ctx.param("name"));
  engine::StreamRequest r;
  r.logs = ctx.query_bool("logs");
  r.follow = ctx.query_bool("stream");
  r.wait_for_start = r.follow;
  r.start_wait_ms = kAttachStartWaitMs;
  r.stdin_ = ctx.query_bool("stdin") && engine::json_bool(c.config, "OpenStdin");
  // Live output comes from the shim's attach socket (partial lines and tty prompts at once),
  // except for a replay-then-follow of a running container without stdin (Docker 0.8's
  // `docker logs -f`): following the log file continues exactly where the replay ended,
  // where a new shim connection would miss what was printed in between.
  r.live_from_shim = !(r.logs && r.follow && !r.stdin_ && c.state.running);
  r.stdout_ = ctx.query_bool("stdout");
  r.stderr_ = ctx.query_bool("stderr");
  bool tty = engine::json_bool(c.config, "Tty");
  // The cursor is taken before the client sees the upgrade: docker run starts the container
  // as soon as it has, and with --rm removes it on the die event, maybe before this thread
  // runs again; the cursor holds the log of that run.
  engine::StreamCursor cursor = mgr.open_stream(c.id, r);
  HijackedConnection conn = ctx.hijack();
  try {
    mgr.stream_output(
        cursor,
        [&](int stream, std::string_view data, const std::string& time) {
          conn.write_all(encode(tty, stream, data, time, false));
        },
        conn.fd(), conn.early_input);
  } catch (const Error& e) {
    if (e.kind() != Error::Kind::Io) ctx.report_error_after_hijack(e.what());
  }
}

void logs(RequestContext& ctx) {
  auto& mgr = containers(ctx);
  Container c = mgr.inspect(ctx.param("name"));
  engine::StreamRequest r;
  r.logs = true;
  r.follow = ctx.query_bool("follow");
  r.stdout_ = ctx.query_bool("stdout");
  r.stderr_ = ctx.query_bool("stderr");
  if (!r.stdout_ && !r.stderr_) throw Error::bad_parameter("Bad parameters: you must choose at least one stream");
  std::string tail = ctx.query("tail", "all");
  if (tail != "all" && !tail.empty()) {
    if (tail.find_first_not_of("0123456789") != std::string::npos)
      throw Error::bad_parameter("Bad parameter: tail=" + tail);
    r.tail = std::stol(tail);
  }
  bool timestamps = ctx.query_bool("timestamps");
  bool tty = engine::json_bool(c.config, "Tty");
  JsonStream out = ctx.start_stream(200, tty ? "application/vnd.docker.raw-stream"
                                             : "application/vnd.docker.multiplexed-stream");
  try {
    mgr.stream_output(c.id, r, [&](int stream, std::string_view data, const std::string& time) {
      std::string bytes = encode(tty, stream, data, time, timestamps);
      out.stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.stream().flush();
      if (!out.ok()) throw Error::io("logs: the client has gone");
    });
  } catch (const Error& e) {
    if (e.kind() != Error::Kind::Io) throw;
  }
}

// The tar goes straight to the socket in 1 MiB writes, delimited by the connection's end.
void export_container(RequestContext& ctx) {
  auto& mgr = containers(ctx);
  Container c = mgr.inspect(ctx.param("name"));  // 404 before the status line
  send_raw_body(ctx, "application/x-tar", "api", "export " + c.short_id(),
                [&](const ByteSink& sink) { mgr.export_rootfs(c.id, sink); });
}

// Go's os.FileMode of a stat, as docker cp's stat header carries it.
uint32_t go_file_mode(mode_t m) {
  uint32_t mode = m & 0777;
  if (S_ISDIR(m)) mode |= 1u << 31;
  if (S_ISLNK(m)) mode |= 1u << 27;
  if (S_ISFIFO(m)) mode |= 1u << 25;
  if (S_ISSOCK(m)) mode |= 1u << 24;
  if (S_ISBLK(m)) mode |= 1u << 26;
  if (S_ISCHR(m)) mode |= (1u << 26) | (1u << 21);
  if (m & S_ISUID) mode |= 1u << 23;
  if (m & S_ISGID) mode |= 1u << 22;
  if (m & S_ISVTX) mode |= 1u << 20;
  return mode;
}

// X-Docker-Container-Path-Stat: base64 of {"name","size","mode","mtime","linkTarget"}.
void set_path_stat_header(RequestContext& ctx, const engine::ContainerPathStat& st) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("name", st.name);
  o->set("size", static_cast<Poco::Int64>(st.st.st_size));
  o->set("mode", static_cast<Poco::UInt64>(go_file_mode(st.st.st_mode)));
  auto mtime = std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(st.st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st.st_mtim.tv_nsec)));
  o->set("mtime", engine::format_rfc3339_nano(mtime));
  o->set("linkTarget", st.link_target);
  std::ostringstream encoded;
  Poco::Base64Encoder encoder(encoded);
  encoder.rdbuf()->setLineLength(0);
  encoder << engine::json_stringify(o);
  encoder.close();
  ctx.response().set("X-Docker-Container-Path-Stat", encoded.str());
}

std::string archive_path_param(RequestContext& ctx) {
  std::string path = ctx.query("path");
  if (path.empty()) throw Error::bad_parameter("Bad parameter: path is required");
  return path[0] == '/' ? path : "/" + path;
}

void stat_archive(RequestContext& ctx) {
  auto st = containers(ctx).stat_path(ctx.param("name"), archive_path_param(ctx));
  set_path_stat_header(ctx, st);
  ctx.send_status(200);
}

// A tar of `path` as a chunked body (the stat header must go with the status line).
void send_archive(RequestContext& ctx, const std::string& path, bool stat_header) {
  auto& mgr = containers(ctx);
  std::string name = ctx.param("name");
  auto st = mgr.stat_path(name, path);  // 404 before the status line
  if (stat_header) set_path_stat_header(ctx, st);
  JsonStream out = ctx.start_stream(200, "application/x-tar");
  try {
    mgr.archive_path(name, path, [&](const char* p, size_t n) {
      out.stream().write(p, static_cast<std::streamsize>(n));
      if (!out.ok()) throw Error::io("archive: the client has gone");
    });
    out.stream().flush();
  } catch (const Error& e) {
    ctx.logger().warn("api", "archive of " + path + " in " + name + ": " + e.what());
  }
}

void get_archive(RequestContext& ctx) { send_archive(ctx, archive_path_param(ctx), true); }

// v1.9 POST /containers/(id)/copy {"Resource":"path"}.
void copy(RequestContext& ctx) {
  Object::Ptr body = ctx.json_body();
  std::string resource = engine::json_string(body, "Resource");
  if (resource.empty()) throw Error::bad_parameter("Bad parameter: Resource is required");
  send_archive(ctx, resource[0] == '/' ? resource : "/" + resource, false);
}

// POST /commit?container=&repo=&tag=&m=&author=&run=: the config to apply comes in the body
// (docker commit's --change, v1.9's -run) or, per the v1.9 page, as the `run` query.
void commit(RequestContext& ctx) {
  engine::CommitRequest r;
  r.container = ctx.query("container");
  if (r.container.empty()) throw Error::not_found("No such container: ");
  r.repo = ctx.query("repo");
  r.tag = ctx.query("tag");
  r.comment = ctx.has_query("m") ? ctx.query("m") : ctx.query("comment");
  r.author = ctx.query("author");
  r.run_config = ctx.json_body();
  if (!r.run_config && !ctx.query("run").empty()) r.run_config = engine::parse_json_object(ctx.query("run"));
  image::Image img = engine::commit_container(ctx.engine(), r);
  Object::Ptr out = new Object;
  out->set("Id", img.id);
  ctx.send_json(out, 201);
}

}  // namespace

void add_container_routes(Router& r) {
  r.add("GET", "/containers/json", list);
  r.add("GET", "/containers/ps", list);
  r.add("POST", "/containers/create", create);
  r.add("GET", "/containers/{name}/json", inspect);
  r.add("GET", "/containers/{name}/top", top);
  r.add("GET", "/containers/{name}/changes", changes);
  r.add("GET", "/containers/{name}/export", export_container);
  r.add("GET", "/containers/{name}/archive", get_archive);
  r.add("HEAD", "/containers/{name}/archive", stat_archive);
  r.add("POST", "/containers/{name}/copy", copy);
  r.add("GET", "/containers/{name}/logs", logs);
  r.add("POST", "/containers/{name}/start", start);
  r.add("POST", "/containers/{name}/stop", stop);
  r.add("POST", "/containers/{name}/restart", restart);
  r.add("POST", "/containers/{name}/kill", kill);
  r.add("POST", "/containers/{name}/wait", wait);
  r.add("POST", "/containers/{name}/resize", resize);
  r.add("POST", "/containers/{name}/attach", attach);
  r.add("DELETE", "/containers/{name}", remove);
  r.add("POST", "/commit", commit);
}

}  // namespace burrow::poco_server
