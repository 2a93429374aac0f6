#pragma once
// open_client_session: an HTTP client session for an http:// or https:// URI, the one place the
// image code (URL downloads, the registry client) gets its connections from. TLS (POCO NetSSL
// and OpenSSL, about 3 MB resident) lives in the module burrow-tls.so beside the program and is
// loaded on the first https session, so an idle burrowd maps none of it. Thread-safe.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <memory>

namespace burrow::image {

// A session to the URI's host and port, not yet connected. https verifies the server against the
// system's CA store (POCO's relaxed client verification).
// Throws Error(BadParameter) for another scheme, Error(Unavailable) when the TLS module cannot be
// loaded, Poco::Exception when TLS cannot be set up.
std::unique_ptr<Poco::Net::HTTPClientSession> open_client_session(const Poco::URI& uri);

}  // namespace burrow::image
