// libFuzzer target: the body of POST /containers/create and a v1.9 start body as the daemon reads
// them (Poco::JSON, then engine/container_config.h: prepare_config, merge_start_host_config, the
// Binds and VolumesFrom parsers). Bad input must end in burrow::Error (a clear 4xx/500 message)
// or a Poco JSON syntax error, never a crash, a hang or another exception type.
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "engine/container_config.h"

using namespace burrow::engine;

namespace {

Poco::JSON::Object::Ptr image_config() {
  static Poco::JSON::Object::Ptr config = [] {
    Poco::JSON::Parser parser;
    return parser
        .parse(R"({"Cmd":["sh"],"Env":["PATH=/bin","A=1"],"WorkingDir":"/w","User":"1:1",)"
               R"("ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},"Entrypoint":null})")
        .extract<Poco::JSON::Object::Ptr>();
  }();
  return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Poco::JSON::Object::Ptr body;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(text);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return 0;
    body = v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return 0;  // the daemon answers with the parse message
  }
  const std::string id(64, 'a');
  for (bool limits : {false, true}) {
    try {
      PreparedConfig p = prepare_config(body, limits ? nullptr : image_config(), id, limits);
      if (p.path.empty()) __builtin_trap();  // "No command specified" is an error, not an empty path
      for (const auto& b : bind_entries(p.host_config)) {
        BindSpec s = parse_bind(b);
        if (s.host.empty() || s.host[0] != '/' || s.container.empty() || s.container[0] != '/') __builtin_trap();
      }
      for (const auto& e : volumes_from_entries(p.config, p.host_config)) (void)parse_volumes_from(e);
    } catch (const burrow::Error&) {
    }
  }
  try {
    std::vector<std::string> warnings;
    Poco::JSON::Object::Ptr empty = new Poco::JSON::Object;
    auto merged = merge_start_host_config(empty, body, warnings);
    for (const auto& b : bind_entries(merged)) (void)parse_bind(b);
  } catch (const burrow::Error&) {
  }
  return 0;
}
