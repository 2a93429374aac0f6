#pragma once
// ApiConnection: serves the requests of one client connection on one pool thread, in place of
// POCO's HTTPServerConnection. It still uses POCO's HTTP session, request and response classes
// (parsing, body streams, chunked output), but waits for the next keep-alive request in a
// blocking read instead of POCO's per-request poll (an epoll instance created and destroyed for
// every request), hands requests straight to the RequestDispatcher, and drains an unread request
// body so the next request parses. Its socket comes close-on-exec from ApiListenSocket.
// ApiConnectionFactory creates them and can shut all open ones down at server stop.
// Thread-safe: each connection is used by its own thread; the factory's registry is locked.

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <atomic>
#include <map>
#include <mutex>

namespace burrow::poco_server {

class RequestDispatcher;

class ApiConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  // The dispatcher must outlive the factory and every connection it made.
  ApiConnectionFactory(RequestDispatcher& dispatcher, Poco::Net::HTTPServerParams::Ptr params);

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

  // Shuts down every open connection (and refuses to serve further requests): blocked reads
  // return, so their threads finish. Hijacked connections are shut down too.
  void shutdown_all();

  // Used by the connections themselves.
  bool enter(const void* connection, const Poco::Net::StreamSocket& socket);  // false once stopping
  void leave(const void* connection);
  bool stopping() const;
  RequestDispatcher& dispatcher() { return dispatcher_; }
  Poco::Net::HTTPServerParams::Ptr params() const { return params_; }

 private:
  RequestDispatcher& dispatcher_;
  Poco::Net::HTTPServerParams::Ptr params_;
  std::mutex mutex_;  // guards open_; held across shutdown() of the sockets only
  std::map<const void*, Poco::Net::StreamSocket> open_;
  std::atomic<bool> stopping_{false};  // read per request without the lock
};

class ApiConnection : public Poco::Net::TCPServerConnection {
 public:
  ApiConnection(const Poco::Net::StreamSocket& socket, ApiConnectionFactory& factory)
      : Poco::Net::TCPServerConnection(socket), factory_(factory) {}
  void run() override;

 private:
  ApiConnectionFactory& factory_;
};

}  // namespace burrow::poco_server
