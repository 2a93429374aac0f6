#include "image/registry/push.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "base/fd.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "image/image_store.h"
#include "image/registry/manifest.h"
#include "image/registry/registry_client.h"
#include "image/registry/registry_reference.h"
#include "image/registry/sha256.h"

namespace burrow::image::registry {

namespace {

using Clock = std::chrono::steady_clock;

struct Layer {
  std::string image_id;
  std::string path;      // the gzip file
  std::string digest;    // of the gzip
  std::string diff_id;   // of the tar
  uint64_t size = 0;     // of the gzip
};

class Reporter {
 public:
  explicit Reporter(const ProgressFn& fn) : fn_(fn) {}
  void operator()(const std::string& status, const std::string& id = "", int64_t current = -1, int64_t total = -1) {
    if (!fn_) return;
    std::lock_guard lock(mutex_);
    fn_(ProgressMessage{status, id, current, total});
  }

 private:
  const ProgressFn& fn_;
  std::mutex mutex_;
};

// gzip (level 1: the layer crosses loopback or a LAN; speed wins) into `path`, hashing the
// tar and the gzip as they pass.
void compress_layer(ImageStore& store, Layer& layer) {
  Fd out = sys::open(layer.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  Sha256 tar_hash, gz_hash;
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
        sys::write_all(out.get(), buf.data(), have);
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
      sys::write_all(out.get(), buf.data(), have);
      gz_hash.update(buf.data(), have);
      layer.size += have;
    }
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error::internal("zlib: deflate finish failed");
  }
  layer.diff_id = tar_hash.digest();
  layer.digest = gz_hash.digest();
}

std::string short_of(const std::string& digest) { return digest.substr(digest.find(':') + 1, 12); }

bool blob_exists(RegistryClient& client, const std::string& path, const std::string& digest) {
  RegistryResponse r = client.request("HEAD", "/v2/" + path + "/blobs/" + digest);
  return r.status == 200;
}

// POST an upload session, then PUT the whole blob with its digest (monolithic upload).
void upload_blob(RegistryClient& client, const std::string& path, const std::string& digest,
                 const std::function<size_t(char*, size_t)>& source, uint64_t size) {
  RegistryResponse start = client.request("POST", "/v2/" + path + "/blobs/uploads/");
  if (start.status == 401 || start.status == 403)
    throw Error::unauthorized("registry " + client.endpoint() + ": " + RegistryClient::error_message(start));
  if (start.status != 202 || start.header("location").empty())
    throw Error::io("registry " + client.endpoint() + ": starting an upload: " + RegistryClient::error_message(start));
  std::string location = start.header("location");
  location += (location.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  RegistryResponse put = client.upload("PUT", location, source, size, {{"Content-Type", "application/octet-stream"}});
  if (put.status != 201)
    throw Error::io("registry " + client.endpoint() + ": uploading " + digest + ": " + RegistryClient::error_message(put));
}

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
  Reporter report(progress);

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

  sys::make_dirs(options.temp_dir, 0700);
  std::string dir = options.temp_dir + "/push-" + random_id().substr(0, 16);
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
        layers[i].path = dir + "/" + chain[i].id + ".tar.gz";
        report("Preparing", short_id(chain[i].id));
        todo.push_back(i);
      }
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> abort{false};
    std::mutex error_mutex;
    std::optional<Error> first_error;
    auto worker = [&] {
      for (size_t k; !abort && (k = next++) < todo.size();) {
        Layer& layer = layers[todo[k]];
        try {
          compress_layer(store, layer);
          std::string id = short_of(layer.digest);
          if (blob_exists(client, ref.path, layer.digest)) {
            report("Layer already exists", id);
            continue;
          }
          Fd in = sys::open(layer.path, O_RDONLY | O_CLOEXEC);
          uint64_t sent = 0;
          Clock::time_point last{};
          std::function<size_t(char*, size_t)> source = [&](char* buf, size_t n) {
            if (abort) throw Error::io("push aborted");
            size_t got = sys::read_some(in.get(), buf, n);
            sent += got;
            if (Clock::now() - last >= std::chrono::milliseconds(100)) {
              last = Clock::now();
              report("Pushing", id, static_cast<int64_t>(sent), static_cast<int64_t>(layer.size));
            }
            return got;
          };
          upload_blob(client, ref.path, layer.digest, source, layer.size);
          report("Pushed", id);
        } catch (const Error& e) {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = e;
          abort = true;
        } catch (const std::exception& e) {
          std::lock_guard lock(error_mutex);
          if (!first_error) first_error = Error::internal(e.what());
          abort = true;
        }
      }
    };
    std::vector<std::thread> threads;
    unsigned n = std::max(1u, std::min<unsigned>(options.concurrency, static_cast<unsigned>(todo.size())));
    for (unsigned t = 0; t < n && !todo.empty(); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (first_error) throw *first_error;
    for (size_t i = 0; i < chain.size(); ++i) done[chain[i].id] = layers[i];

    std::string config = image_config_json(chain, layers);
    Descriptor config_desc{std::string(kConfigType), sha256_digest(config), static_cast<int64_t>(config.size()), "", "", ""};
    if (!blob_exists(client, ref.path, config_desc.digest)) {
      size_t served = 0;
      upload_blob(
          client, ref.path, config_desc.digest,
          [&](char* buf, size_t n) {
            size_t k = std::min(n, config.size() - served);
            std::memcpy(buf, config.data() + served, k);
            served += k;
            return k;
          },
          config.size());
    }
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
