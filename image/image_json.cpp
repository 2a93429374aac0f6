#include "image/image_json.h"

#include <sstream>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "base/error.h"
#include "base/rfc3339.h"
#include "base/random_id.h"

namespace burrow::image {

namespace {

std::string get_string(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return "";
  Poco::Dynamic::Var v = o->get(key);
  return v.isString() ? v.extract<std::string>() : v.toString();
}

}  // namespace

Poco::JSON::Object::Ptr parse_json_object(std::string_view text, std::string_view what) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(std::string(text));
    // extract() of another type throws a BadCastException that names mangled C++ types.
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) throw Error::bad_parameter(std::string(what) + ": not a JSON object");
    auto obj = v.extract<Poco::JSON::Object::Ptr>();
    if (!obj) throw Error::bad_parameter(std::string(what) + ": not a JSON object");
    return obj;
  } catch (const Poco::BadCastException&) {
    throw Error::bad_parameter(std::string(what) + ": not a JSON object");
  } catch (const Poco::Exception& e) {
    throw Error::bad_parameter(std::string(what) + ": " + e.displayText());
  }
}

std::string to_json_string(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

int64_t Image::created_unix() const {
  auto t = parse_rfc3339(created);
  if (!t || *t < std::chrono::system_clock::time_point{}) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

std::string Image::created_by() const {
  if (!container_config || !container_config->has("Cmd") || container_config->isNull("Cmd")) return "";
  auto cmd = container_config->getArray("Cmd");
  if (!cmd) return get_string(container_config, "Cmd");
  std::string out;
  for (size_t i = 0; i < cmd->size(); ++i) {
    if (i) out += ' ';
    out += cmd->get(i).toString();
  }
  return out;
}

Image clone_image(const Image& image) {
  Image copy = image;
  if (image.config) copy.config = parse_json_object(to_json_string(image.config), "config");
  if (image.container_config)
    copy.container_config = parse_json_object(to_json_string(image.container_config), "container_config");
  return copy;
}

Poco::JSON::Object::Ptr empty_config() {
  Poco::JSON::Object::Ptr c = new Poco::JSON::Object();
  c->set("Hostname", "");
  c->set("Domainname", "");
  c->set("User", "");
  c->set("Memory", 0);
  c->set("MemorySwap", 0);
  c->set("CpuShares", 0);
  c->set("AttachStdin", false);
  c->set("AttachStdout", false);
  c->set("AttachStderr", false);
  c->set("PortSpecs", Poco::Dynamic::Var());
  c->set("ExposedPorts", Poco::Dynamic::Var());
  c->set("Tty", false);
  c->set("OpenStdin", false);
  c->set("StdinOnce", false);
  c->set("Env", Poco::Dynamic::Var());
  c->set("Cmd", Poco::Dynamic::Var());
  c->set("Dns", Poco::Dynamic::Var());
  c->set("Image", "");
  c->set("Volumes", Poco::Dynamic::Var());
  c->set("VolumesFrom", "");
  c->set("WorkingDir", "");
  c->set("Entrypoint", Poco::Dynamic::Var());
  c->set("NetworkDisabled", false);
  c->set("OnBuild", Poco::Dynamic::Var());
  return c;
}

Image parse_image_json(std::string_view text) {
  auto o = parse_json_object(text, "image JSON");
  Image img;
  img.id = get_string(o, "id");
  if (!is_full_id(img.id)) throw Error::bad_parameter("image JSON: invalid id `" + img.id + "`");
  img.parent = get_string(o, "parent");
  if (!img.parent.empty() && !is_full_id(img.parent))
    throw Error::bad_parameter("image JSON: invalid parent id `" + img.parent + "`");
  img.created = get_string(o, "created");
  img.container = get_string(o, "container");
  img.comment = get_string(o, "comment");
  img.author = get_string(o, "author");
  img.docker_version = get_string(o, "docker_version");
  img.architecture = get_string(o, "architecture");
  img.os = get_string(o, "os");
  if (o->has("Size") && !o->isNull("Size")) {
    try {
      img.size = o->get("Size").convert<int64_t>();
    } catch (const Poco::Exception&) {
      img.size = 0;
    }
  }
  if (o->has("config") && !o->isNull("config")) img.config = o->getObject("config");
  if (o->has("container_config") && !o->isNull("container_config")) img.container_config = o->getObject("container_config");
  if (!img.container_config) img.container_config = empty_config();
  return img;
}

Poco::JSON::Object::Ptr image_to_json(const Image& image) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
  o->set("id", image.id);
  if (!image.parent.empty()) o->set("parent", image.parent);
  if (!image.comment.empty()) o->set("comment", image.comment);
  o->set("created", image.created);
  if (!image.container.empty()) o->set("container", image.container);
  o->set("container_config", image.container_config ? image.container_config : empty_config());
  o->set("docker_version", image.docker_version);
  if (!image.author.empty()) o->set("author", image.author);
  if (image.config)
    o->set("config", image.config);
  else
    o->set("config", Poco::Dynamic::Var());
  o->set("architecture", image.architecture);
  o->set("os", image.os);
  o->set("Size", image.size);
  return o;
}

std::string image_json_string(const Image& image) { return to_json_string(image_to_json(image)); }

std::string now_rfc3339_nano() { return format_rfc3339_nano(std::chrono::system_clock::now()); }

}  // namespace burrow::image
