#include "image/registry/manifest.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "base/error.h"
#include "image/registry/registry_reference.h"

namespace burrow::image::registry {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string str(const Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return "";
  return o->get(key).toString();
}

Descriptor descriptor(const Object::Ptr& o, const std::string& what) {
  if (!o) throw Error::bad_parameter("manifest: " + what + " is not an object");
  Descriptor d;
  d.media_type = str(o, "mediaType");
  d.digest = str(o, "digest");
  if (!is_sha256_digest(d.digest)) throw Error::bad_parameter("manifest: " + what + " has an unsupported digest `" + d.digest + "`");
  if (o->has("size") && !o->isNull("size")) d.size = o->getValue<int64_t>("size");
  if (auto p = o->getObject("platform")) {
    d.os = str(p, "os");
    d.architecture = str(p, "architecture");
    d.variant = str(p, "variant");
  }
  return d;
}

bool is_layer_type(const std::string& t) {
  return t.empty() || t == kLayerType || t == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" ||
         t == "application/vnd.oci.image.layer.v1.tar" || t == "application/vnd.oci.image.layer.v1.tar+gzip" ||
         t == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
}

}  // namespace

std::string manifest_accept_header() {
  return std::string(kSchema2Type) + ", " + std::string(kListType) + ", " + std::string(kOciManifestType) + ", " +
         std::string(kOciIndexType) + ", " + std::string(kSchema1SignedType) + ", " + std::string(kSchema1Type);
}

Manifest parse_manifest(std::string_view body, std::string_view content_type) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    root = parser.parse(std::string(body)).extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    throw Error::bad_parameter("manifest: " + e.displayText());
  } catch (...) {
    throw Error::bad_parameter("manifest: not a JSON object");
  }
  if (!root) throw Error::bad_parameter("manifest: not a JSON object");
  Manifest m;
  std::string type(content_type);
  if (size_t semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  if (!str(root, "mediaType").empty()) type = str(root, "mediaType");
  int version = root->has("schemaVersion") ? root->getValue<int>("schemaVersion") : 0;
  if (type == kSchema1Type || type == kSchema1SignedType || version == 1) {
    m.kind = ManifestKind::Schema1;
    m.media_type = std::string(kSchema1Type);
    auto fs = root->getArray("fsLayers");
    auto hist = root->getArray("history");
    if (!fs || !hist || fs->size() != hist->size() || fs->size() == 0)
      throw Error::bad_parameter("manifest: schema 1 without matching fsLayers and history");
    // Schema 1 lists the top layer first.
    for (size_t i = fs->size(); i-- > 0;) {
      auto layer = fs->getObject(i);
      Descriptor d;
      d.media_type = std::string(kLayerType);
      d.digest = str(layer, "blobSum");
      if (!is_sha256_digest(d.digest)) throw Error::bad_parameter("manifest: unsupported blobSum `" + d.digest + "`");
      m.layers.push_back(d);
      m.v1_compatibility.push_back(str(hist->getObject(i), "v1Compatibility"));
    }
    return m;
  }
  if (version != 2) throw Error::bad_parameter("manifest: unsupported schemaVersion " + std::to_string(version));
  bool is_list = type == kListType || type == kOciIndexType || (type.empty() && root->has("manifests"));
  m.media_type = type.empty() ? std::string(is_list ? kOciIndexType : kOciManifestType) : type;
  if (is_list) {
    m.kind = ManifestKind::List;
    auto list = root->getArray("manifests");
    if (!list) throw Error::bad_parameter("manifest: list without manifests");
    for (size_t i = 0; i < list->size(); ++i)
      m.manifests.push_back(descriptor(list->getObject(i), "manifests[" + std::to_string(i) + "]"));
    return m;
  }
  if (type != kSchema2Type && type != kOciManifestType)
    throw Error::bad_parameter("manifest: unsupported media type `" + type + "`");
  m.kind = ManifestKind::Image;
  m.config = descriptor(root->getObject("config"), "config");
  auto layers = root->getArray("layers");
  if (!layers) throw Error::bad_parameter("manifest: no layers");
  for (size_t i = 0; i < layers->size(); ++i) {
    Descriptor d = descriptor(layers->getObject(i), "layers[" + std::to_string(i) + "]");
    if (!is_layer_type(d.media_type)) throw Error::bad_parameter("manifest: unsupported layer type `" + d.media_type + "`");
    m.layers.push_back(d);
  }
  return m;
}

const Descriptor* pick_platform(const Manifest& list, std::string_view os, std::string_view architecture) {
  for (const auto& d : list.manifests)
    if (d.os == os && d.architecture == architecture) return &d;
  return nullptr;
}

std::string schema2_manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers) {
  auto desc = [](const Descriptor& d) {
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("mediaType", d.media_type);
    o->set("size", d.size);
    o->set("digest", d.digest);
    return o;
  };
  Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  root->set("schemaVersion", 2);
  root->set("mediaType", std::string(kSchema2Type));
  root->set("config", desc(config));
  Array::Ptr arr = new Array();
  for (const auto& l : layers) arr->add(desc(l));
  root->set("layers", arr);
  std::ostringstream out;
  root->stringify(out);
  return out.str();
}

std::string schema1_config_json(const Manifest& manifest) {
  if (manifest.v1_compatibility.empty()) throw Error::bad_parameter("manifest: schema 1 without history");
  Poco::JSON::Parser parser;
  Object::Ptr top;
  Array::Ptr history = new Array();
  for (size_t i = 0; i < manifest.v1_compatibility.size(); ++i) {
    Object::Ptr v1;
    try {
      v1 = parser.parse(manifest.v1_compatibility[i]).extract<Object::Ptr>();
    } catch (...) {
      throw Error::bad_parameter("manifest: history[" + std::to_string(i) + "] is not a JSON object");
    }
    Object::Ptr h = new Object();
    h->set("created", str(v1, "created"));
    if (auto cc = v1->getObject("container_config")) {
      if (auto cmd = cc->getArray("Cmd")) {
        std::string joined;
        for (size_t k = 0; k < cmd->size(); ++k) joined += (k ? " " : "") + cmd->get(k).toString();
        h->set("created_by", joined);
      }
    }
    if (!str(v1, "author").empty()) h->set("author", str(v1, "author"));
    if (!str(v1, "comment").empty()) h->set("comment", str(v1, "comment"));
    history->add(h);
    top = v1;
  }
  top->remove("id");
  top->remove("parent");
  top->remove("throwaway");
  top->set("history", history);
  std::ostringstream out;
  top->stringify(out);
  return out.str();
}

}  // namespace burrow::image::registry
