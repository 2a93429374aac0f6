#include "engine/event_filter.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow;
using namespace burrow::engine;

namespace {
Event container_event(const std::string& status, const std::string& id, const std::string& image) {
  Event e;
  e.status = status;
  e.id = id;
  e.from = image;
  e.type = "container";
  e.attributes = {{"image", image}, {"name", "web"}};
  return e;
}
}  // namespace

TEST_CASE("an empty filter matches everything", "[engine][events]") {
  CHECK(EventFilter::parse("").matches(container_event("die", "abc", "busybox")));
  CHECK(EventFilter::parse("{}").empty());
}

TEST_CASE("the legacy filter form docker run sends selects one container", "[engine][events]") {
  auto f = EventFilter::parse(R"({"container":["abcdef"],"type":["container"]})");
  CHECK(f.matches(container_event("die", "abcdef0123", "busybox")));
  CHECK_FALSE(f.matches(container_event("die", "0123abcdef", "busybox")));
  Event image = container_event("untag", "abcdef", "");
  image.type = "image";
  CHECK_FALSE(f.matches(image));
}

TEST_CASE("the map filter form and names are understood", "[engine][events]") {
  auto f = EventFilter::parse(R"({"container":{"web":true},"event":{"die":true,"stop":true}})");
  CHECK(f.matches(container_event("die", "abc", "busybox")));
  CHECK(f.matches(container_event("stop", "abc", "busybox")));
  CHECK_FALSE(f.matches(container_event("start", "abc", "busybox")));
}

TEST_CASE("image and label filters", "[engine][events]") {
  CHECK(EventFilter::parse(R"({"image":["busybox"]})").matches(container_event("start", "a", "busybox:latest")));
  CHECK_FALSE(EventFilter::parse(R"({"image":["alpine"]})").matches(container_event("start", "a", "busybox:latest")));
  CHECK(EventFilter::parse(R"({"label":["name=web"]})").matches(container_event("start", "a", "busybox")));
  CHECK_FALSE(EventFilter::parse(R"({"label":["name=db"]})").matches(container_event("start", "a", "busybox")));
}

TEST_CASE("bad filters are BadParameter", "[engine][events]") {
  auto kind_of = [](const std::string& json) {
    try {
      EventFilter::parse(json);
    } catch (const Error& e) {
      return e.kind();
    }
    return Error::Kind::Internal;
  };
  CHECK(kind_of("{") == Error::Kind::BadParameter);
  CHECK(kind_of("[1]") == Error::Kind::BadParameter);
  CHECK(kind_of(R"({"colour":["red"]})") == Error::Kind::BadParameter);
}
