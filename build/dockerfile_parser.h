#pragma once
// Dockerfile parser: turns Dockerfile text into a list of Instructions, as Docker 0.8 read it
// (continuations joined, comments skipped, instructions case-insensitive) plus COPY from
// Docker 1.0 and ENV's key=value form. Anything unknown or malformed is an Error(BadParameter)
// naming the line. No engine dependency (it is fuzzed on its own); pure functions, thread-safe.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace burrow::build {

struct Instruction {
  int line = 0;             // 1-based line where the instruction starts (0 for ONBUILD triggers)
  std::string keyword;      // upper case: "RUN"
  std::string args;         // the argument text, trimmed, continuations joined
  bool json = false;        // args was a JSON array of strings (RUN, CMD, ENTRYPOINT, VOLUME, ADD, COPY)
  // JSON elements, or the whitespace-separated words (ADD, COPY, EXPOSE, VOLUME, FROM);
  // for ENV the flattened key, value pairs; empty for shell-form RUN/CMD/ENTRYPOINT.
  std::vector<std::string> list;
  std::shared_ptr<const Instruction> trigger;  // ONBUILD: the instruction it stores

  // "RUN echo hi": what "Step N : ..." shows.
  std::string text() const { return keyword + " " + args; }
};

// Parses a whole Dockerfile. Throws Error(BadParameter) "Dockerfile parse error line N: ..."
// for an unknown instruction, missing or malformed arguments, or a first instruction that is
// not FROM; "The Dockerfile is empty" when it holds no instruction.
std::vector<Instruction> parse_dockerfile(std::string_view text);

// Parses one logical line ("RUN echo hi"); `line` is used in error messages (0: a trigger).
Instruction parse_instruction(std::string_view text, int line);

// Parses `["a", "b"]`; false (and `out` unspecified) unless the text is exactly a JSON array
// of strings.
bool parse_json_string_array(std::string_view text, std::vector<std::string>& out);

// Docker 0.8's replaceEnv: $KEY and ${KEY} for the KEYs defined in `env` ("K=V" entries) are
// replaced by their values; unknown variables are left as written; "\$" is a literal "$".
std::string substitute_env(std::string_view text, const std::vector<std::string>& env);

}  // namespace burrow::build
