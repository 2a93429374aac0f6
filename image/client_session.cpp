#include "image/client_session.h"

#include <limits.h>
#include <unistd.h>

#include "base/error.h"
#include "base/sys.h"
#include "image/lazy_library.h"
#include "image/tls_module.h"

namespace burrow::image {

namespace {

// Beside the running program (burrowd, the test programs), else where the build put it.
std::string tls_module_path() {
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    std::string beside = sys::dirname(std::string(exe, static_cast<std::size_t>(n))) + "/" + kTlsModuleFile;
    if (sys::exists(beside)) return beside;
  }
  return BURROW_TLS_MODULE_PATH;
}

LazyLibrary& tls_module() {
  static LazyLibrary module(tls_module_path(), std::string("install ") + kTlsModuleFile + " beside burrowd");
  return module;
}

}  // namespace

std::unique_ptr<Poco::Net::HTTPClientSession> open_client_session(const Poco::URI& uri) {
  const std::string& scheme = uri.getScheme();
  if (scheme == "http") return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  if (scheme != "https") throw Error::bad_parameter("unsupported URL scheme `" + scheme + "`");
  static const auto open_tls = tls_module().function<TlsSessionFn*>(kTlsSessionSymbol);
  return std::unique_ptr<Poco::Net::HTTPClientSession>(open_tls(uri.getHost().c_str(), uri.getPort()));
}

}  // namespace burrow::image
