#include "engine/event_filter.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

#include "base/error.h"

namespace burrow::engine {

namespace {

const char* const kKnownKeys[] = {"container", "image", "event", "type", "label"};

// Docker's FuzzyMatch: exact, or the value is a prefix of the candidate.
bool fuzzy_match(const std::string& value, const std::string& candidate) {
  return !candidate.empty() && candidate.compare(0, value.size(), value) == 0;
}

std::string attribute(const Event& e, const std::string& key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? std::string() : it->second;
}

// "busybox" matches "busybox:latest" as Docker's image filter does.
bool image_matches(const std::string& value, const std::string& image) {
  if (image.empty()) return false;
  if (image == value) return true;
  return image == value + ":latest" || (value.find(':') == std::string::npos &&
                                        image.compare(0, value.size() + 1, value + ":") == 0);
}

bool term_matches(const std::string& key, const std::string& value, const Event& e) {
  if (key == "type") return e.type == value;
  if (key == "event") return e.status == value;
  if (key == "container") {
    if (e.type != "container") return false;
    return fuzzy_match(value, e.id) || attribute(e, "name") == value;
  }
  if (key == "image") {
    if (e.type == "image") return fuzzy_match(value, e.id) || image_matches(value, attribute(e, "name"));
    return image_matches(value, e.from) || image_matches(value, attribute(e, "image"));
  }
  if (key == "label") {
    auto eq = value.find('=');
    if (eq == std::string::npos) return e.attributes.count(value) > 0;
    return attribute(e, value.substr(0, eq)) == value.substr(eq + 1) &&
           e.attributes.count(value.substr(0, eq)) > 0;
  }
  return false;
}

}  // namespace

std::string event_type_of(const std::string& status) {
  static const char* const kImageStatuses[] = {"untag", "delete", "tag", "pull", "push", "import", "load", "save"};
  for (const char* s : kImageStatuses) {
    if (status == s) return "image";
  }
  return "container";
}

EventFilter EventFilter::parse(const std::string& json) {
  EventFilter filter;
  if (json.empty()) return filter;
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(json);
  } catch (const Poco::Exception& e) {
    throw Error::bad_parameter("invalid filters: " + e.displayText());
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
    throw Error::bad_parameter("invalid filters: expected a JSON object");
  }
  auto object = parsed.extract<Poco::JSON::Object::Ptr>();
  for (const auto& [key, value] : *object) {
    if (std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) == std::end(kKnownKeys)) {
      throw Error::bad_parameter("Invalid filter '" + key + "'");
    }
    std::vector<std::string>& values = filter.terms_[key];
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
      for (const auto& v : *value.extract<Poco::JSON::Array::Ptr>()) values.push_back(v.toString());
    } else if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      for (const auto& [v, on] : *value.extract<Poco::JSON::Object::Ptr>()) {
        if (on.isBoolean() ? on.convert<bool>() : true) values.push_back(v);
      }
    } else {
      throw Error::bad_parameter("invalid filters: values of '" + key + "' must be a list");
    }
    if (values.empty()) filter.terms_.erase(key);
  }
  return filter;
}

bool EventFilter::matches(const Event& event) const {
  for (const auto& [key, values] : terms_) {
    bool any = std::any_of(values.begin(), values.end(),
                           [&](const std::string& v) { return term_matches(key, v, event); });
    if (!any) return false;
  }
  return true;
}

}  // namespace burrow::engine
