#include "image/registry/search.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include "base/error.h"
#include "image/registry/registry_client.h"
#include "image/registry/registry_reference.h"

namespace burrow::image::registry {

namespace {

std::string str(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return "";
  return o->get(key).toString();
}

bool flag(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return false;
  try {
    return o->get(key).convert<bool>();
  } catch (...) {
    return false;
  }
}

}  // namespace

std::pair<std::string, std::string> split_search_term(const std::string& term) {
  size_t slash = term.find('/');
  if (slash != std::string::npos) {
    std::string first = term.substr(0, slash);
    if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost") {
      if (first == "docker.io" || first == "index.docker.io") return {"index.docker.io", term.substr(slash + 1)};
      return {first, term.substr(slash + 1)};
    }
  }
  return {"index.docker.io", term};
}

std::vector<SearchResult> search_images(const SearchOptions& options) {
  if (options.term.empty()) throw Error::bad_parameter("Bad parameter: search needs a term");
  auto [endpoint, term] = split_search_term(options.term);
  bool hub = endpoint == "index.docker.io";
  std::string prefix = hub ? "" : endpoint + "/";
  std::vector<SearchResult> out;
  Poco::JSON::Parser parser;

  RegistryClient v1(RegistryClientOptions{endpoint, use_plain_http(endpoint, options.insecure_registries), options.auth,
                                          "", 30});
  std::string q;
  Poco::URI::encode(term, "&=+?#/", q);
  RegistryResponse r = v1.request("GET", "/v1/search?q=" + q);
  if (r.status == 200) {
    try {
      auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
      if (auto results = root->getArray("results")) {
        for (size_t i = 0; i < results->size(); ++i) {
          auto o = results->getObject(i);
          SearchResult s;
          s.name = prefix + str(o, "name");
          s.description = str(o, "description");
          s.is_official = flag(o, "is_official");
          s.is_trusted = flag(o, "is_trusted") || flag(o, "is_automated");
          if (o->has("star_count") && !o->isNull("star_count")) s.star_count = o->getValue<int>("star_count");
          out.push_back(std::move(s));
        }
      }
      return out;
    } catch (const Poco::Exception& e) {
      throw Error::io("registry " + endpoint + ": bad search answer: " + e.displayText());
    }
  }
  if (hub) throw Error::io("registry " + endpoint + ": search: " + RegistryClient::error_message(r));

  // No v1 search: the catalog, filtered by the term.
  RegistryClient v2(RegistryClientOptions{endpoint, use_plain_http(endpoint, options.insecure_registries), options.auth,
                                          "registry:catalog:*", 30});
  v2.authenticate();
  std::string next = "/v2/_catalog?n=1000";
  for (int pages = 0; !next.empty() && pages < 100; ++pages) {
    RegistryResponse c = v2.request("GET", next);
    if (c.status == 401 || c.status == 403)
      throw Error::unauthorized("registry " + endpoint + ": " + RegistryClient::error_message(c));
    if (c.status != 200) throw Error::io("registry " + endpoint + ": catalog: " + RegistryClient::error_message(c));
    try {
      auto root = parser.parse(c.body).extract<Poco::JSON::Object::Ptr>();
      if (auto repos = root->getArray("repositories"))
        for (size_t i = 0; i < repos->size(); ++i) {
          std::string name = repos->get(i).toString();
          if (name.find(term) != std::string::npos) out.push_back(SearchResult{prefix + name, "", false, false, 0});
        }
    } catch (const Poco::Exception& e) {
      throw Error::io("registry " + endpoint + ": bad catalog answer: " + e.displayText());
    }
    // Link: </v2/_catalog?last=x&n=1000>; rel="next"
    next.clear();
    std::string link = c.header("link");
    size_t lt = link.find('<'), gt = link.find('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) next = link.substr(lt + 1, gt - lt - 1);
  }
  return out;
}

}  // namespace burrow::image::registry
