#pragma once
// Builder: runs a parsed Dockerfile against the engine as Docker 0.8's buildfile did. Every
// instruction commits an image: RUN in a real container on the FUSE overlay (its output
// streamed), ADD/COPY by copying into an overlay mount of the current image, metadata
// instructions as "#(nop)" commits with an empty layer. A step whose container_config equals
// that of an existing child of the current image reuses it (the build cache; ADD/COPY keys
// carry a hash of the sources). The tag is set only when the whole build succeeded.
// One Builder per build; the Engine and the context must outlive it. Not thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "base/error.h"
#include "build/build_context.h"
#include "build/dockerfile_parser.h"
#include "image/reference.h"

namespace burrow::engine {
class Engine;
}

namespace burrow::build {

struct BuildOptions {
  std::string dockerfile = "Dockerfile";   // relative to the context root
  std::optional<image::Reference> tag;     // t=repo[:tag]
  bool quiet = false;                      // q=1: no RUN output
  bool no_cache = false;                   // nocache=1
  bool remove_intermediate = true;         // rm=1: remove each step's container once committed
  bool force_remove = false;               // forcerm=1: also the container of a failed step
};

// A failed build step. code() is the exit code of a failed RUN (errorDetail.code), else 0.
class BuildError : public Error {
 public:
  BuildError(Error::Kind kind, const std::string& message, int code = 0) : Error(kind, message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Receives the text of each {"stream": ...} message, in order ("Step 1 : FROM busybox\n",
// RUN output as it arrives). May throw to abandon the build (client gone).
using BuildOutput = std::function<void(const std::string& text)>;

class Builder {
 public:
  Builder(engine::Engine& engine, BuildOptions options, BuildOutput output);
  ~Builder();
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  // Builds the context's Dockerfile; returns the final image id (tagged when options.tag).
  // Throws BuildError for a failed step (the message says which and why; a failed RUN gives
  // "The command [/bin/sh -c x] returned a non-zero code: N"), Error(BadParameter) for a bad
  // Dockerfile, Error(NotFound) for a missing base image.
  std::string build(const BuildContext& context);

 private:
  void dispatch(const Instruction& ins);
  void from(const Instruction& ins);
  void run(const Instruction& ins);
  void add(const Instruction& ins, bool is_add);
  // Applies a metadata instruction to config_ and commits it as "#(nop) <text>".
  void metadata(const Instruction& ins);
  void commit_nop(const std::string& text);
  // A child of the current image whose container_config matches, unless no_cache.
  std::optional<std::string> cached(const Poco::JSON::Object::Ptr& container_config);
  void use_image(const std::string& id);
  Poco::JSON::Object::Ptr container_config(const std::vector<std::string>& cmd) const;
  std::vector<std::string> env() const;
  std::string scratch_dir(const std::string& what);
  void say(const std::string& text) { output_(text); }

  engine::Engine& engine_;
  BuildOptions options_;
  BuildOutput output_;
  const BuildContext* context_ = nullptr;
  std::string scratch_;                 // <root>/tmp/buildscratch-*: empty layer, ADD mounts
  int scratch_seq_ = 0;
  std::string image_id_;                // the current image
  Poco::JSON::Object::Ptr config_;      // the Config the next commit gets
  std::string author_;                  // MAINTAINER
};

}  // namespace burrow::build
