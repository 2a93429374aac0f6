#pragma once
// The interface of burrow-tls.so (tls_module.cpp), the module that holds burrow's TLS client
// (POCO NetSSL over OpenSSL). client_session.cpp loads it on first use; nothing links it.

namespace Poco::Net {
class HTTPClientSession;
}

namespace burrow::image {

inline constexpr const char* kTlsModuleFile = "burrow-tls.so";
inline constexpr const char* kTlsSessionSymbol = "burrow_tls_session";

// A new HTTPS session to host:port, owned by the caller (deleted through HTTPClientSession's
// virtual destructor; the module is never unloaded). Throws Poco::Exception when TLS cannot be
// set up.
using TlsSessionFn = Poco::Net::HTTPClientSession*(const char* host, unsigned short port);

}  // namespace burrow::image
