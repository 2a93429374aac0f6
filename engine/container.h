#pragma once
// Container: the engine's record of one container, as design.md stores it on disk:
// containers/<id>/config.json (create-time config + host config) and state.json (Running, Pid,
// ExitCode, StartedAt, FinishedAt). Config and HostConfig keep Docker's field names as
// Poco::JSON objects so that inspect returns what the client sent; they are replaced, never
// mutated, once the record is shared (copies of a Container share them read-only).

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

namespace burrow::engine {

struct ContainerState {
  bool running = false;
  pid_t pid = 0;          // the container's init, as seen from burrowd
  int exit_code = 0;
  std::string started_at = "0001-01-01T00:00:00Z";   // RFC3339Nano, or kZeroTime
  std::string finished_at = "0001-01-01T00:00:00Z";  // RFC3339Nano, or kZeroTime
  bool ghost = false;       // running, adopted from an earlier burrowd
  // burrow's own fields, so that a restarted burrowd can find the shim again.
  pid_t shim_pid = 0;
  unsigned long long shim_start_time = 0;  // field 22 of /proc/PID/stat, to detect a recycled pid
  pid_t overlay_pid = 0;                   // the burrow-overlay process of the mounted rootfs
  bool restarting = false;                 // stop/kill as part of restart: no "Exit" shown yet
  std::string error;  // why the container ended abnormally (its shim or overlay died); "" otherwise

  Poco::JSON::Object::Ptr to_json() const;  // Docker's State object plus the burrow fields
  static ContainerState from_json(const Poco::JSON::Object::Ptr& obj);
};

struct Container {
  std::string id;       // 64 hex characters
  std::string name;     // with the leading "/", as Docker 0.8 shows it
  std::string created;  // RFC3339Nano
  std::string path;     // the program run: Entrypoint[0] or Cmd[0]
  std::vector<std::string> args;
  std::string image_id;              // the resolved image
  Poco::JSON::Object::Ptr config;    // Docker Config (Cmd, Env, Image as given, ...)
  Poco::JSON::Object::Ptr host_config;  // Docker HostConfig (Binds, PortBindings, ...)
  std::map<std::string, std::string> volumes;  // container path -> host path
  std::map<std::string, bool> volumes_rw;      // container path -> writable
  std::string hostname_path, hosts_path, resolv_conf_path;
  ContainerState state;

  // config.json: everything but the state.
  Poco::JSON::Object::Ptr to_config_json() const;
  // Reads config.json's object (state is left default).
  static Container from_config_json(const Poco::JSON::Object::Ptr& obj);

  std::string short_id() const { return id.substr(0, 12); }
  // "Name" without the leading slash.
  std::string bare_name() const { return name.size() > 1 && name[0] == '/' ? name.substr(1) : name; }
  // Config.Image as the client gave it (the image name shown by ps and events).
  std::string image_name() const;
  // The Command column of ps: path and args joined by spaces.
  std::string command_line() const;
};

// Small JSON accessors shared by the container code: missing or null fields give the default.
std::string json_string(const Poco::JSON::Object::Ptr& obj, const std::string& key, const std::string& def = "");
bool json_bool(const Poco::JSON::Object::Ptr& obj, const std::string& key, bool def = false);
long long json_int(const Poco::JSON::Object::Ptr& obj, const std::string& key, long long def = 0);
// A string array; a plain string becomes a one-element list; missing or null gives {}.
std::vector<std::string> json_strings(const Poco::JSON::Object::Ptr& obj, const std::string& key);
Poco::JSON::Object::Ptr json_object(const Poco::JSON::Object::Ptr& obj, const std::string& key);
Poco::JSON::Array::Ptr to_json_array(const std::vector<std::string>& v);
// Deep copy through text, for objects that are about to be changed.
Poco::JSON::Object::Ptr json_clone(const Poco::JSON::Object::Ptr& obj);
std::string json_stringify(const Poco::Dynamic::Var& v);
// Parses text that must hold a JSON object; BadParameter with the parser's message otherwise.
Poco::JSON::Object::Ptr parse_json_object(const std::string& text);

}  // namespace burrow::engine
