#pragma once
// Subordinate id ranges of a user, looked up through shadow's libsubid (which reads
// /etc/subuid and /etc/subgid, or any nsswitch source such as LDAP), never by parsing the
// files by hand. Thread-safe: lookups run one at a time, each opening libsubid and closing it
// after (subid_source.cpp), so that it does not stay resident.

#include <string>
#include <vector>

#include "userns/id_map.h"

namespace burrow::userns {

enum class SubidKind { Uid, Gid };

// The ranges granted to `user` (a login name), in the order the source lists them; empty when
// the user has none (or is unknown to the source). Throws Error(Io) when libsubid reports an
// error other than "unknown user" (a broken nsswitch source).
std::vector<SubidRange> subid_ranges(const std::string& user, SubidKind kind);

// The login name of `uid` from the passwd database; an empty string when unknown.
std::string user_name_of(uid_t uid);

}  // namespace burrow::userns
