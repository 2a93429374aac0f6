#include "image/registry/push.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "base/error.h"
#include "base/fd.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "image/image_store.h"
#include "image/registry/manifest.h"
#include "image/registry/registry_client.h"
#include "image/registry/registry_reference.h"
#include "image/registry/sha256.h"
#include "image/registry/transfer.h"

namespace burrow::image::registry {

namespace {

struct Layer {
  std::string image_id;
  std::string digest;    // of the gzip
  std::string diff_id;   // of the tar
  uint64_t size = 0;     // of the gzip
};

// gzip (level 1: the layer crosses loopback or a LAN; speed wins) into `sink`, hashing the
// tar and the gzip as they pass. zlib writes no time into the gzip header, so the same layer
// always gives the same blob.
void compress_layer(ImageStore& store, Layer& layer, const WriteFn& sink) {
  Sha256 tar_hash, gz_hash;
  layer.size = 0;
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw Error::internal("zlib: deflateInit2");
  struct ZEnd {
    z_stream* z;
    ~ZEnd() { deflateEnd(z); }
  } zend{&z};
  std::vector<unsigned char> buf(1 << 20);
  auto pump = [&](const char* data, size_t n, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = buf.data();
      z.avail_out = static_cast<uInt>(buf.size());
      int rc = deflate(&z, flush);
      if (rc == Z_STREAM_ERROR) throw Error::internal("zlib: deflate failed");
      size_t have = buf.size() - z.avail_out;
      if (have > 0) {
        sink(reinterpret_cast<const char*>(buf.data()), have);
        gz_hash.update(buf.data(), have);
        layer.size += have;
      }
    } while (z.avail_out == 0 || (flush == Z_FINISH && z.avail_in > 0));
  };
  store.write_layer_tar(layer.image_id, [&](const char* data, size_t n) {
    tar_hash.update(data, n);
    pump(data, n, Z_NO_FLUSH);
  });
  // Finish until deflate says the stream has ended.
  while (true) {
    z.next_in = nullptr;
    z.avail_in = 0;
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    int rc = deflate(&z, Z_FINISH);
    size_t have = buf.size() - z.avail_out;
    if (have > 0) {
      sink(reinterpret_cast<const char*>(buf.data()), have);
      gz_hash.update(buf.data(), have);
      layer.size += have;
    }
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error::internal("zlib: deflate finish failed");
  }
  layer.diff_id = tar_hash.digest();
  layer.digest = gz_hash.digest();
}

bool blob_exists(RegistryClient& client, const std::string& path, const std::string& digest) {
  RegistryResponse r = client.request("HEAD", "/v2/" + path + "/blobs/" + digest);
  return r.status == 200;
}

// POST: an upload session's location.
std::string start_upload(RegistryClient& client, const std::string& path) {
  RegistryResponse start = client.request("POST", "/v2/" + path + "/blobs/uploads/");
  if (start.status == 401 || start.status == 403)
    throw Error::unauthorized("registry " + client.endpoint() + ": " + RegistryClient::error_message(start));
  if (start.status != 202 || start.header("location").empty())
    throw Error::io("registry " + client.endpoint() + ": starting an upload: " + RegistryClient::error_message(start));
  return start.header("location");
}

std::string with_digest(std::string location, const std::string& digest) {
  return location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
}

void expect_created(const RegistryResponse& r, RegistryClient& client, const std::string& digest) {
  if (r.status != 201)
    throw Error::io("registry " + client.endpoint() + ": uploading " + digest + ": " + RegistryClient::error_message(r));
}

// A small blob in one PUT.
void upload_bytes(RegistryClient& client, const std::string& path, const std::string& digest, const std::string& bytes) {
  std::string location = start_upload(client, path);
  size_t served = 0;
  auto source = [&](char* buf, size_t n) {
    size_t k = std::min(n, bytes.size() - served);
    std::memcpy(buf, bytes.data() + served, k);
    served += k;
    return k;
  };
  expect_created(client.upload("PUT", with_digest(location, digest), source, bytes.size(),
                               {{"Content-Type", "application/octet-stream"}}),
                 client, digest);
}

// A layer compressed while it streams to the registry (PATCH, chunked), then committed
// under the digest that came out (PUT). No temporary file, compression and upload overlap.
void upload_layer(ImageStore& store, RegistryClient& client, const std::string& path, Layer& layer,
                  const std::function<void(uint64_t)>& progress) {
  std::string location = start_upload(client, path);
  RegistryResponse patched = client.upload_chunked(
      "PATCH", location,
      [&](std::ostream& out) {
        uint64_t sent = 0;
        compress_layer(store, layer, [&](const char* p, size_t n) {
          out.write(p, static_cast<std::streamsize>(n));
          if (!out) throw Error::unavailable("registry " + client.endpoint() + ": connection lost while uploading");
          sent += n;
          progress(sent);
        });
      },
      {{"Content-Type", "application/octet-stream"}});
  if (patched.status != 202 && patched.status != 204)
    throw Error::io("registry " + client.endpoint() + ": uploading a layer: " + RegistryClient::error_message(patched));
  if (!patched.header("location").empty()) location = patched.header("location");
  expect_created(client.upload("PUT", with_digest(location, layer.digest), [](char*, size_t) { return size_t(0); }, 0),
                 client, layer.digest);
}

// Digests of layers pushed by this process (image id -> layer), so that a later push can ask
// the registry whether it has a blob before compressing it again.
std::mutex known_mutex;
std::map<std::string, Layer> known_layers;

Poco::JSON::Object::Ptr copy_or_null(const Poco::JSON::Object::Ptr& o) {
  if (!o) return nullptr;
  return parse_json_object(to_json_string(o), "config");
}

// The image config (what a registry stores) for a chain, base first.
std::string image_config_json(const std::vector<Image>& chain, const std::vector<Layer>& layers) {
  const Image& top = chain.back();
  Poco::JSON::Object::Ptr c = new Poco::JSON::Object();
  c->set("architecture", top.architecture.empty() ? go_architecture() : top.architecture);
  c->set("os", top.os.empty() ? "linux" : top.os);
  c->set("created", top.created);
  if (!top.author.empty()) c->set("author", top.author);
  if (!top.docker_version.empty()) c->set("docker_version", top.docker_version);
  if (!top.container.empty()) c->set("container", top.container);
  c->set("config", top.config ? copy_or_null(top.config) : empty_config());
  c->set("container_config", copy_or_null(top.container_config));
  Poco::JSON::Object::Ptr rootfs = new Poco::JSON::Object();
  rootfs->set("type", "layers");
  Poco::JSON::Array::Ptr diff_ids = new Poco::JSON::Array();
  for (const auto& l : layers) diff_ids->add(l.diff_id);
  rootfs->set("diff_ids", diff_ids);
  c->set("rootfs", rootfs);
  Poco::JSON::Array::Ptr history = new Poco::JSON::Array();
  for (const auto& img : chain) {
    Poco::JSON::Object::Ptr h = new Poco::JSON::Object();
    h->set("created", img.created);
    if (std::string by = img.created_by(); !by.empty()) h->set("created_by", by);
    if (!img.author.empty()) h->set("author", img.author);
    if (!img.comment.empty()) h->set("comment", img.comment);
    history->add(h);
  }
  c->set("history", history);
  return to_json_string(c);
}

}  // namespace

std::vector<PushedTag> push_image(ImageStore& store, const PushOptions& options, const ProgressFn& progress) {
  auto [repo_part, own_tag] = split_repository_tag(options.name);
  std::string tag = options.tag.empty() ? own_tag : options.tag;
  RegistryReference ref = parse_registry_reference(repo_part, "", options.registry);
  ProgressReporter report(progress);

  // The tags to push: the one named, or every tag of the repository.
  std::vector<std::string> tags;
  if (!tag.empty()) {
    tags.push_back(tag);
  } else {
    ListOptions lo;
    lo.reference = ref.familiar;
    for (const auto& s : store.list(lo))
      for (const auto& rt : s.repo_tags) {
        auto [r, t] = split_repository_tag(rt);
        if (familiar_repository(r) == ref.familiar && !t.empty()) tags.push_back(t);
      }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    if (tags.empty()) throw Error::not_found("No such image: " + ref.familiar + " (no tags to push)");
  }
  // Images first, so a missing tag fails before anything is sent.
  std::vector<std::vector<Image>> chains;
  for (const auto& t : tags) {
    std::vector<Image> chain = store.history(ref.familiar + ":" + t);
    std::reverse(chain.begin(), chain.end());
    chains.push_back(std::move(chain));
  }

  RegistryClient client(RegistryClientOptions{ref.endpoint, use_plain_http(ref.endpoint, options.insecure_registries),
                                              options.auth, "repository:" + ref.path + ":pull,push", 300});
  report("The push refers to repository [" + ref.familiar + "]");
  client.authenticate();

  std::map<std::string, Layer> done;  // image id -> pushed layer (shared between tags)
  std::vector<PushedTag> pushed;
  for (size_t ti = 0; ti < tags.size(); ++ti) {
    const auto& chain = chains[ti];
    std::vector<Layer> layers(chain.size());
    std::vector<size_t> todo;
    for (size_t i = 0; i < chain.size(); ++i) {
      if (auto it = done.find(chain[i].id); it != done.end()) {
        layers[i] = it->second;
      } else {
        layers[i].image_id = chain[i].id;
        report("Preparing", short_id(chain[i].id));
        todo.push_back(i);
      }
    }
    run_concurrently(todo.size(), options.concurrency, [&](size_t k, const std::atomic<bool>& abort) {
      Layer& layer = layers[todo[k]];
      std::string id = short_id(layer.image_id);
      std::optional<Layer> cached;
      {
        std::lock_guard lock(known_mutex);
        if (auto it = known_layers.find(layer.image_id); it != known_layers.end()) cached = it->second;
      }
      if (cached && blob_exists(client, ref.path, cached->digest)) {
        layer = *cached;
        report("Layer already exists", id);
        return;
      }
      ProgressThrottle throttle;
      upload_layer(store, client, ref.path, layer, [&](uint64_t sent) {
        if (abort) throw Error::io("push aborted");
        if (throttle.due()) report("Pushing", id, static_cast<int64_t>(sent), -1);
      });
      {
        std::lock_guard lock(known_mutex);
        known_layers[layer.image_id] = layer;
      }
      report("Pushed", id);
    });
    for (size_t i = 0; i < chain.size(); ++i) done[chain[i].id] = layers[i];

    std::string config = image_config_json(chain, layers);
    Descriptor config_desc{std::string(kConfigType), sha256_digest(config), static_cast<int64_t>(config.size()), "", "", ""};
    if (!blob_exists(client, ref.path, config_desc.digest)) upload_bytes(client, ref.path, config_desc.digest, config);
    std::vector<Descriptor> descs;
    for (const auto& l : layers)
      descs.push_back(Descriptor{std::string(kLayerType), l.digest, static_cast<int64_t>(l.size), "", "", ""});
    std::string manifest = schema2_manifest_json(config_desc, descs);
    RegistryResponse put = client.request("PUT", "/v2/" + ref.path + "/manifests/" + tags[ti],
                                          {{"Content-Type", std::string(kSchema2Type)}}, manifest);
    if (put.status == 401 || put.status == 403)
      throw Error::unauthorized("registry " + ref.endpoint + ": " + RegistryClient::error_message(put));
    if (put.status != 201)
      throw Error::io("registry " + ref.endpoint + ": manifest " + tags[ti] + ": " + RegistryClient::error_message(put));
    PushedTag pt{tags[ti], sha256_digest(manifest), manifest.size()};
    report(pt.tag + ": digest: " + pt.digest + " size: " + std::to_string(pt.size));
    pushed.push_back(pt);
  }
  return pushed;
}

}  // namespace burrow::image::registry
