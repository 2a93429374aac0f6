#include "image/registry/pull.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <algorithm>
#include <optional>
#include <sstream>
#include <thread>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "image/archive_writer.h"
#include "image/byte_stream.h"
#include "image/image_store.h"
#include "image/registry/manifest.h"
#include "image/registry/registry_client.h"
#include "image/registry/registry_reference.h"
#include "image/registry/sha256.h"
#include "image/registry/transfer.h"

namespace burrow::image::registry {

namespace {

std::string hex_of(const std::string& digest) { return digest.substr(digest.find(':') + 1); }
std::string short_of(const std::string& digest) { return hex_of(digest).substr(0, 12); }
std::string member_of(const std::string& digest) { return "blobs/sha256/" + hex_of(digest); }

// The top image id the store's manifest.json load gives these members (save_load.cpp:
// sha256(parent "\n" member ["\n" config])), so a pull can tell it already has the image.
std::string expected_top_id(const std::vector<std::string>& members, const std::string& config_member) {
  std::string parent;
  for (size_t i = 0; i < members.size(); ++i) {
    bool top = i + 1 == members.size();
    parent = hex_of(sha256_digest(parent + "\n" + members[i] + (top ? "\n" + config_member : "")));
  }
  return parent;
}

RegistryResponse get_manifest(RegistryClient& client, const std::string& path, const std::string& ref,
                              const std::string& shown) {
  RegistryResponse r = client.request("GET", "/v2/" + path + "/manifests/" + ref, {{"Accept", manifest_accept_header()}});
  if (r.status == 404)
    throw Error::not_found("manifest for " + shown + " not found: " + RegistryClient::error_message(r));
  if (r.status == 401 || r.status == 403)
    throw Error::unauthorized("pull access denied for " + shown + ": " + RegistryClient::error_message(r));
  if (r.status != 200) throw Error::io("registry " + client.endpoint() + ": " + RegistryClient::error_message(r));
  return r;
}

void verify(const std::string& expected, const std::string& got, const std::string& what) {
  if (expected != got)
    throw Error::bad_parameter(what + " failed digest verification: expected " + expected + ", got " + got);
}

// Downloads one blob into `path`, verifying its digest.
void download_blob(RegistryClient& client, const std::string& repo_path, const std::string& digest,
                   const std::string& path, ProgressReporter& report, const std::atomic<bool>& abort) {
  std::string id = short_of(digest);
  Fd fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  Sha256 hash;
  int64_t total = -1;
  int64_t current = 0;
  ProgressThrottle throttle;
  client.download(
      "/v2/" + repo_path + "/blobs/" + digest, [&](int64_t length) { total = length; },
      [&](const char* buf, size_t n) {
        if (abort) throw Error::io("pull aborted");
        sys::write_all(fd.get(), buf, n);
        hash.update(buf, n);
        current += static_cast<int64_t>(n);
        if (throttle.due()) report("Downloading", id, current, total);
      });
  verify(digest, hash.digest(), "layer " + digest);
  report("Verifying Checksum", id);
  report("Download complete", id);
}

// A WriteFn on a socket that never raises SIGPIPE.
WriteFn send_to(int fd) {
  return [fd](const char* buf, size_t n) {
    while (n > 0) {
      ssize_t k = ::send(fd, buf, n, MSG_NOSIGNAL);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) throw Error::io("pull: the store stopped reading", errno);
      buf += k;
      n -= static_cast<size_t>(k);
    }
  };
}

}  // namespace

PullResult pull_image(ImageStore& store, const PullOptions& options, const ProgressFn& progress) {
  RegistryReference ref = parse_registry_reference(options.name, options.tag, options.registry);
  ProgressReporter report(progress);
  PullResult result;
  result.reference = ref.familiar + (ref.digest.empty() ? ":" + ref.tag : "@" + ref.digest);

  RegistryClient client(RegistryClientOptions{ref.endpoint, use_plain_http(ref.endpoint, options.insecure_registries),
                                              options.auth, "repository:" + ref.path + ":pull", 60});
  client.authenticate();
  report("Pulling from " + ref.path, ref.digest.empty() ? ref.tag : ref.digest);

  RegistryResponse mr = get_manifest(client, ref.path, ref.manifest_ref(), result.reference);
  std::string manifest_digest = sha256_digest(mr.body);
  if (!ref.digest.empty()) verify(ref.digest, manifest_digest, "manifest " + ref.digest);
  Manifest manifest = parse_manifest(mr.body, mr.header("content-type"));
  if (manifest.kind == ManifestKind::List) {
    const Descriptor* d = pick_platform(manifest, "linux", go_architecture());
    if (!d) throw Error::not_found("no matching manifest for linux/" + go_architecture() + " in the manifest list entries");
    mr = get_manifest(client, ref.path, d->digest, result.reference);
    verify(d->digest, sha256_digest(mr.body), "manifest " + d->digest);
    manifest = parse_manifest(mr.body, mr.header("content-type"));
    if (manifest.kind == ManifestKind::List) throw Error::bad_parameter("manifest list inside a manifest list");
  }
  result.digest = manifest_digest;

  // The config: a blob for schema 2 / OCI, made from the history for schema 1.
  std::string config;
  std::string config_digest;
  if (manifest.kind == ManifestKind::Schema1) {
    config = schema1_config_json(manifest);
    config_digest = sha256_digest(config);
  } else {
    RegistryResponse cr = client.request("GET", "/v2/" + ref.path + "/blobs/" + manifest.config.digest);
    if (cr.status != 200)
      throw Error::io("registry " + ref.endpoint + ": config " + manifest.config.digest + ": " + RegistryClient::error_message(cr));
    verify(manifest.config.digest, sha256_digest(cr.body), "config " + manifest.config.digest);
    config = std::move(cr.body);
    config_digest = manifest.config.digest;
  }
  if (manifest.layers.empty()) throw Error::bad_parameter("manifest for " + result.reference + " has no layers");

  std::vector<std::string> members;
  for (const auto& l : manifest.layers) members.push_back(member_of(l.digest));
  std::string config_member = member_of(config_digest);
  std::string top_id = expected_top_id(members, config_member);
  std::optional<Image> existing = store.resolve(top_id);

  if (!existing) {
    // Distinct blobs, downloaded concurrently.
    std::vector<std::string> blobs;
    for (const auto& l : manifest.layers)
      if (std::find(blobs.begin(), blobs.end(), l.digest) == blobs.end()) blobs.push_back(l.digest);
    for (const auto& b : blobs) report("Pulling fs layer", short_of(b));
    sys::make_dirs(options.temp_dir, 0700);
    std::string dir = options.temp_dir + "/pull-" + random_id().substr(0, 16);
    sys::make_dirs(dir, 0700);
    struct Cleanup {
      std::string dir;
      ~Cleanup() {
        try {
          sys::remove_tree(dir);
        } catch (...) {
        }
      }
    } cleanup{dir};

    run_concurrently(blobs.size(), options.concurrency, [&](size_t i, const std::atomic<bool>& abort) {
      download_blob(client, ref.path, blobs[i], dir + "/" + hex_of(blobs[i]), report, abort);
    });

    // The image as a manifest.json archive, streamed to the store's load over a socket pair.
    int sv[2];
    sys::check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
    Fd reader(sv[0]);
    Fd writer_fd(sv[1]);
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object();
    entry->set("Config", config_member);
    Poco::JSON::Array::Ptr tags = new Poco::JSON::Array();
    if (ref.digest.empty()) tags->add(ref.familiar + ":" + ref.tag);
    entry->set("RepoTags", tags);
    Poco::JSON::Array::Ptr layers = new Poco::JSON::Array();
    for (const auto& m : members) layers->add(m);
    entry->set("Layers", layers);
    Poco::JSON::Array::Ptr manifest_json = new Poco::JSON::Array();
    manifest_json->add(entry);
    std::ostringstream manifest_text;
    manifest_json->stringify(manifest_text);

    std::optional<Error> write_error;
    std::thread writer([&] {
      try {
        WriteFn sink = send_to(writer_fd.get());
        ArchiveWriter out(&sink);
        int64_t now = time(nullptr);
        out.add_file("manifest.json", manifest_text.str(), now);
        out.add_file(config_member, config, now);
        std::vector<char> buf(1 << 20);
        for (const auto& b : blobs) {
          std::string path = dir + "/" + hex_of(b);
          Fd in = sys::open(path, O_RDONLY | O_CLOEXEC);
          struct stat st;
          sys::check(::fstat(in.get(), &st), "fstat", path);
          std::string id = short_of(b);
          out.header(member_of(b), S_IFREG | 0644, static_cast<uint64_t>(st.st_size), now);
          int64_t done = 0;
          ProgressThrottle throttle;
          while (true) {
            size_t k = sys::read_some(in.get(), buf.data(), buf.size());
            if (k == 0) break;
            out.data(buf.data(), k, member_of(b));
            done += static_cast<int64_t>(k);
            if (throttle.due()) report("Extracting", id, done, st.st_size);
          }
          out.finish_entry(member_of(b));
          report("Pull complete", id);
        }
        out.close();
      } catch (const Error& e) {
        write_error = e;
      }
      writer_fd.reset();
    });
    std::optional<Error> load_error;
    try {
      store.load(read_from_fd(reader.get()));
    } catch (const Error& e) {
      load_error = e;
    }
    reader.reset();
    writer.join();
    if (load_error) throw load_error->wrap("pull " + result.reference);
    if (write_error) throw write_error->wrap("pull " + result.reference);
    existing = store.resolve(top_id);
    if (!existing) throw Error::internal("pull " + result.reference + ": the image did not arrive in the store");
  } else {
    result.up_to_date = true;
    for (const auto& l : manifest.layers) report("Already exists", short_of(l.digest));
    if (ref.digest.empty()) store.tag(top_id, ref.familiar, ref.tag, true);
  }
  result.image_id = existing->id;
  report("Digest: " + manifest_digest);
  report(std::string(result.up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ") +
         result.reference);
  return result;
}

}  // namespace burrow::image::registry
