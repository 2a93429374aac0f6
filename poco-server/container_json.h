#pragma once
// JSON shapes of the container endpoints (v1.9, plus the fields the stock docker CLI 28 reads
// when it has negotiated 1.9): the /containers/json list items, the inspect document, top and
// changes. The one place where container JSON is shaped; `version` selects the tier. Pure.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "engine/container.h"
#include "engine/container_manager.h"
#include "engine/container_time.h"
#include "engine/container_top.h"
#include "poco-server/api_version.h"

namespace burrow::poco_server {

struct ContainerSizes {
  long long rw = 0;
  long long root_fs = 0;
};

// One item of GET /containers/json.
Poco::JSON::Object::Ptr container_list_item(const engine::Container& c, ApiVersion version, engine::TimePoint now,
                                            const ContainerSizes* sizes);
// The Ports list: bound ports with IP/PublicPort, exposed ones with PrivatePort only.
Poco::JSON::Array::Ptr container_ports(const engine::Container& c);
// GET /containers/(id)/json.
Poco::JSON::Object::Ptr container_inspect(const engine::Container& c, ApiVersion version);
Poco::JSON::Object::Ptr container_top_json(const engine::TopResult& top);
Poco::JSON::Array::Ptr container_changes_json(const std::vector<engine::ContainerChange>& changes);

}  // namespace burrow::poco_server
