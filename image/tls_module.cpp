// burrow-tls.so: the TLS client, built as a module that image/client_session.cpp opens on the
// first https session (see tls_module.h). One client context for the whole process: POCO's TLS
// client defaults, servers verified against the system's CA store (depth 9).
#include "image/tls_module.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>

#include <type_traits>

namespace {

// POCO's OpenSSL set-up for as long as the module is loaded: dlclose of the module may unload
// libPocoCrypto too, so an initializeSSL() left unbalanced leaks its lock array (LeakSanitizer).
struct SslLibrary {
  SslLibrary() { Poco::Net::initializeSSL(); }
  ~SslLibrary() { Poco::Net::uninitializeSSL(); }
};

Poco::Net::Context::Ptr client_context() {
  static const SslLibrary ssl;  // made before the context, so destroyed after it
  static const Poco::Net::Context::Ptr context(new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9, true));
  return context;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) Poco::Net::HTTPClientSession* burrow_tls_session(
    const char* host, unsigned short port) {
  return new Poco::Net::HTTPSClientSession(host, port, client_context());
}

// The exported function has the type client_session.cpp expects.
static_assert(std::is_same_v<decltype(burrow_tls_session), burrow::image::TlsSessionFn>);
