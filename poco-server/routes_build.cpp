// POST /build: the build context (a tar in the body, identity/gzip/bzip2/xz, or the `remote`
// URL of a Dockerfile or a context tar) is unpacked to disk before the answer starts, so a bad
// or hostile context gets a plain 400; then the build streams {"stream": ...} messages and
// ends with "Successfully built <id>" or {"error", "errorDetail": {"code", "message"}}.
#include <fcntl.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "build/build_context.h"
#include "build/builder.h"
#include "engine/engine.h"
#include "image/byte_stream.h"
#include "image/http_fetch.h"
#include "image/reference.h"
#include "poco-server/request_context.h"
#include "poco-server/routes.h"

namespace burrow::poco_server {

namespace {

bool looks_compressed_or_tar(const std::string& head) {
  auto starts = [&](std::string_view magic) { return head.compare(0, magic.size(), magic) == 0; };
  if (starts("\x1f\x8b") || starts("BZh") || starts(std::string_view("\xfd" "7zXZ\0", 6))) return true;
  return head.size() >= 262 && head.compare(257, 5, "ustar") == 0;
}

// The remote form: a URL to a Dockerfile, or to a context tar (told apart by its content).
build::BuildContext remote_context(const std::string& tmp, const std::string& remote) {
  if (remote.rfind("git://", 0) == 0 || remote.rfind("git@", 0) == 0 ||
      (remote.size() > 4 && remote.compare(remote.size() - 4, 4, ".git") == 0))
    throw Error::bad_parameter("Bad parameter: burrow cannot clone git repositories (" + remote + ")");
  std::string url = image::normalize_source_url(remote);
  sys::make_dirs(tmp, 0700);
  std::string file = tmp + "/remote-" + random_id().substr(0, 16);
  struct Remove {
    std::string path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{file};
  {
    image::HttpFetch fetch(url);
    Fd out = sys::open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    image::ReadFn in = fetch.reader();
    char buf[1 << 16];
    for (size_t n; (n = in(buf, sizeof buf)) > 0;) sys::write_all(out.get(), buf, n);
  }
  Fd in = sys::open(file, O_RDONLY);
  std::string head(512, '\0');
  size_t n = 0;
  while (n < head.size()) {
    size_t got = sys::read_some(in.get(), head.data() + n, head.size() - n);
    if (got == 0) break;
    n += got;
  }
  head.resize(n);
  if (looks_compressed_or_tar(head)) {
    Fd tar = sys::open(file, O_RDONLY);
    return build::BuildContext::from_tar(tmp, image::read_from_fd(tar.get()));
  }
  return build::BuildContext::from_dockerfile(tmp, sys::read_file(file));
}

Poco::JSON::Object::Ptr stream_message(const std::string& text) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("stream", text);
  return o;
}

void post_build(RequestContext& ctx) {
  build::BuildOptions options;
  std::string t = ctx.query("t");
  if (!t.empty()) options.tag = image::parse_reference(t);
  options.quiet = ctx.query_bool("q");
  options.no_cache = ctx.query_bool("nocache");
  // Docker 0.8 defaulted rm to false; the docker CLI sends rm=1 unless --rm=false.
  options.remove_intermediate = ctx.query_bool("rm", false);
  options.force_remove = ctx.query_bool("forcerm", false);
  if (options.force_remove) options.remove_intermediate = true;
  std::string dockerfile = ctx.query("dockerfile");
  if (!dockerfile.empty()) options.dockerfile = dockerfile;
  // X-Registry-Config (base64 credentials for pulls) is accepted; burrow does not pull.

  engine::Engine& engine = ctx.engine();
  std::string tmp = engine.root() + "/tmp";
  std::string remote = ctx.query("remote");
  std::optional<build::BuildContext> context;
  if (!remote.empty()) {
    context.emplace(remote_context(tmp, remote));
  } else {
    if (!ctx.has_body()) throw Error::bad_parameter("Bad parameter: the build context (a tar) is missing");
    context.emplace(build::BuildContext::from_tar(tmp, image::read_from(ctx.body_stream())));
  }

  JsonStream stream = ctx.start_stream();
  // q=1: Docker 0.8 hid only the RUN output; the modern CLI (docker build -q) prints every
  // stream text it gets, expecting just the id as newer daemons send it. Both are served by
  // sending the id alone.
  auto say = [&](const std::string& text) {
    if (options.quiet) return;
    if (!stream.write(stream_message(text))) throw Error::io("the client has gone");
  };
  try {
    build::Builder builder(engine, options, say);
    std::string id = builder.build(*context);
    if (options.quiet) stream.write(stream_message("sha256:" + id + "\n"));
    Poco::JSON::Object::Ptr aux = new Poco::JSON::Object;
    aux->set("ID", "sha256:" + id);
    Poco::JSON::Object::Ptr msg = new Poco::JSON::Object;
    msg->set("aux", aux);
    stream.write(msg);
  } catch (const std::exception& e) {
    int code = 0;
    if (auto* be = dynamic_cast<const build::BuildError*>(&e)) code = be->code();
    ctx.logger().info("build", std::string("build failed: ") + e.what());
    Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
    if (code != 0) detail->set("code", code);
    detail->set("message", std::string(e.what()));
    Poco::JSON::Object::Ptr msg = new Poco::JSON::Object;
    msg->set("error", std::string(e.what()));
    msg->set("errorDetail", detail);
    stream.write(msg);
  }
}

}  // namespace

void add_build_routes(Router& r) { r.add("POST", "/build", post_build); }

}  // namespace burrow::poco_server
