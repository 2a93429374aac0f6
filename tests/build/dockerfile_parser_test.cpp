#include <catch2/catch.hpp>

#include "base/error.h"
#include "build/dockerfile_parser.h"

using burrow::Error;
using burrow::build::Instruction;
using burrow::build::parse_dockerfile;
using burrow::build::parse_instruction;
using burrow::build::parse_json_string_array;

namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_dockerfile(text);
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::BadParameter);
    return e.what();
  }
  FAIL("no error for: " << text);
  return {};
}

}  // namespace

TEST_CASE("every instruction parses with its arguments", "[build][parser]") {
  auto steps = parse_dockerfile(
      "FROM busybox\n"
      "MAINTAINER Jane Doe <jane@example.com>\n"
      "RUN echo hi > /x\n"
      "RUN [\"/bin/sh\", \"-c\", \"echo json\"]\n"
      "CMD echo cmd\n"
      "CMD [\"cat\", \"/x\"]\n"
      "ENTRYPOINT [\"/bin/sh\", \"-c\"]\n"
      "ENTRYPOINT echo ep\n"
      "EXPOSE 80 443/tcp 53/udp\n"
      "ENV FOO bar baz\n"
      "ENV A=1 B=\"two words\" C=three\\ four\n"
      "ADD file.txt /dest/\n"
      "ADD [\"a b\", \"/c\"]\n"
      "COPY src /dst\n"
      "VOLUME /data\n"
      "VOLUME [\"/a\", \"/b\"]\n"
      "USER nobody\n"
      "WORKDIR /tmp/work\n"
      "ONBUILD RUN echo triggered\n");
  REQUIRE(steps.size() == 19);
  CHECK(steps[0].keyword == "FROM");
  CHECK(steps[0].list == std::vector<std::string>{"busybox"});
  CHECK(steps[1].args == "Jane Doe <jane@example.com>");
  CHECK_FALSE(steps[2].json);
  CHECK(steps[2].args == "echo hi > /x");
  CHECK(steps[3].json);
  CHECK(steps[3].list == std::vector<std::string>{"/bin/sh", "-c", "echo json"});
  CHECK_FALSE(steps[4].json);
  CHECK(steps[5].list == std::vector<std::string>{"cat", "/x"});
  CHECK(steps[6].json);
  CHECK_FALSE(steps[7].json);
  CHECK(steps[8].list == std::vector<std::string>{"80", "443/tcp", "53/udp"});
  CHECK(steps[9].list == std::vector<std::string>{"FOO", "bar baz"});
  CHECK(steps[10].list == std::vector<std::string>{"A", "1", "B", "two words", "C", "three four"});
  CHECK(steps[11].list == std::vector<std::string>{"file.txt", "/dest/"});
  CHECK(steps[12].json);
  CHECK(steps[12].list == std::vector<std::string>{"a b", "/c"});
  CHECK(steps[13].keyword == "COPY");
  CHECK(steps[14].list == std::vector<std::string>{"/data"});
  CHECK(steps[15].list == std::vector<std::string>{"/a", "/b"});
  CHECK(steps[16].args == "nobody");
  CHECK(steps[17].args == "/tmp/work");
  REQUIRE(steps[18].trigger);
  CHECK(steps[18].trigger->keyword == "RUN");
  CHECK(steps[18].args == "RUN echo triggered");
  for (size_t i = 0; i < steps.size(); ++i) CHECK(steps[i].line == static_cast<int>(i) + 1);
}

TEST_CASE("instructions are case-insensitive and tabs are spaces", "[build][parser]") {
  auto steps = parse_dockerfile("from busybox\nrun\techo hi\n  Cmd   [\"sh\"]  \n");
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].keyword == "FROM");
  CHECK(steps[1].keyword == "RUN");
  CHECK(steps[1].args == "echo hi");
  CHECK(steps[1].text() == "RUN echo hi");
  CHECK(steps[2].json);
}

TEST_CASE("comments, blank lines and continuations", "[build][parser]") {
  auto steps = parse_dockerfile(
      "# a comment\n"
      "\n"
      "FROM busybox\r\n"
      "RUN echo one \\\n"
      "    two \\\n"
      "# a comment inside the continuation\n"
      "\n"
      "    three\n"
      "   # indented comment\n"
      "CMD [\"a\", \\\n"
      "     \"b\"]\n"
      "RUN echo last \\");
  REQUIRE(steps.size() == 4);
  CHECK(steps[1].line == 4);
  CHECK(steps[1].args == "echo one     two     three");
  CHECK(steps[2].line == 10);
  CHECK(steps[2].json);
  CHECK(steps[2].list == std::vector<std::string>{"a", "b"});
  CHECK(steps[3].args == "echo last");
}

TEST_CASE("shell form is kept when the JSON form does not parse", "[build][parser]") {
  auto i = parse_instruction("RUN [ -f /x ] && echo yes", 1);
  CHECK_FALSE(i.json);
  CHECK(i.args == "[ -f /x ] && echo yes");
  auto c = parse_instruction("CMD [\"unterminated]", 1);
  CHECK_FALSE(c.json);
}

TEST_CASE("JSON string arrays", "[build][parser]") {
  std::vector<std::string> out;
  CHECK(parse_json_string_array("[]", out));
  CHECK(out.empty());
  CHECK(parse_json_string_array(" [ \"a\\\"b\" , \"\\u00e9\\n\\\\\" ] ", out));
  CHECK(out == std::vector<std::string>{"a\"b", "\xc3\xa9\n\\"});
  CHECK(parse_json_string_array("[\"\\ud83d\\ude00\"]", out));
  CHECK(out == std::vector<std::string>{"\xf0\x9f\x98\x80"});
  CHECK_FALSE(parse_json_string_array("[\"a\",]", out));
  CHECK_FALSE(parse_json_string_array("[1]", out));
  CHECK_FALSE(parse_json_string_array("[\"a\"] x", out));
  CHECK_FALSE(parse_json_string_array("[\"a\\q\"]", out));
  CHECK_FALSE(parse_json_string_array("", out));
}

TEST_CASE("errors name the line", "[build][parser]") {
  CHECK(parse_error("FROM busybox\n\nFOO bar\n") == "Dockerfile parse error line 3: unknown instruction: FOO");
  CHECK(parse_error("FROM busybox\nRUN\n") == "Dockerfile parse error line 2: RUN requires at least one argument");
  CHECK(parse_error("FROM a b\n") == "Dockerfile parse error line 1: FROM requires exactly one argument (an image name)");
  CHECK(parse_error("FROM busybox\nADD onlyone\n").find("line 2: ADD requires at least two") != std::string::npos);
  CHECK(parse_error("FROM busybox\nCOPY x\n").find("line 2: COPY requires at least two") != std::string::npos);
  CHECK(parse_error("FROM busybox\nEXPOSE 80/sctp\n").find("line 2: EXPOSE: invalid protocol") != std::string::npos);
  CHECK(parse_error("FROM busybox\nEXPOSE http\n").find("line 2: EXPOSE: invalid port") != std::string::npos);
  CHECK(parse_error("FROM busybox\nEXPOSE 70000\n").find("line 2: EXPOSE: invalid port") != std::string::npos);
  CHECK(parse_error("FROM busybox\nENV ONLYKEY\n").find("line 2: ENV must have two arguments") != std::string::npos);
  CHECK(parse_error("FROM busybox\nENV A=1 B\n").find("line 2: ENV: \"B\" is not of the form") != std::string::npos);
  CHECK(parse_error("FROM busybox\nENV A=\"open\n").find("line 2: ENV: unterminated quote") != std::string::npos);
  CHECK(parse_error("FROM busybox\nUSER a b\n").find("line 2: USER requires exactly one") != std::string::npos);
  CHECK(parse_error("FROM busybox\nONBUILD ONBUILD RUN x\n").find("line 2: Chaining ONBUILD") != std::string::npos);
  CHECK(parse_error("FROM busybox\nONBUILD FROM x\n").find("line 2: FROM isn't allowed") != std::string::npos);
  CHECK(parse_error("FROM busybox\nONBUILD BOGUS x\n") == "Dockerfile parse error line 2: unknown instruction: BOGUS");
  CHECK(parse_error("FROM busybox\nRUN [\"\"]\nRUN []\n").find("line 3: RUN requires a command") != std::string::npos);
  CHECK(parse_error("# only a comment\n\n") == "The Dockerfile is empty (it holds no instruction)");
  CHECK(parse_error("") == "The Dockerfile is empty (it holds no instruction)");
  CHECK(parse_error("\nRUN echo\nFROM x\n") ==
        "Dockerfile parse error line 2: the first instruction must be FROM (found RUN)");
  CHECK(parse_error("FROM busybox\nRUN a \\\n b\nINSERT x y\n").find("line 4: unknown instruction: INSERT") !=
        std::string::npos);
}

TEST_CASE("ONBUILD triggers parse on their own without a line", "[build][parser]") {
  auto t = parse_instruction("ADD . /app", 0);
  CHECK(t.keyword == "ADD");
  try {
    parse_instruction("NOPE", 0);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "Dockerfile parse error in ONBUILD trigger: unknown instruction: NOPE");
  }
}

TEST_CASE("modern ADD/COPY flags are refused clearly", "[build][parser]") {
  CHECK(parse_error("FROM busybox\nCOPY --chown=1:1 a /b\n") ==
        "Dockerfile parse error line 2: COPY: flags such as --chown=1:1 are not supported");
  CHECK(parse_error("FROM busybox\nCOPY --from=build /a /b\n").find("line 2: COPY: flags") != std::string::npos);
}

TEST_CASE("a UTF-8 byte order mark is skipped", "[build][parser]") {
  auto steps = parse_dockerfile("\xEF\xBB\xBF" "FROM busybox\nRUN true\n");
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].keyword == "FROM");
}
