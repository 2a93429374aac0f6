#include "poco-server/request_context.h"

#include <sys/socket.h>

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/String.h>

#include <sstream>

#include "poco-server/http_error.h"
#include "poco-server/request_body.h"

namespace burrow::poco_server {

using Poco::Net::HTTPResponse;

namespace {

std::string stringify(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    value.extract<Poco::JSON::Object::Ptr>()->stringify(out);
  } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    value.extract<Poco::JSON::Array::Ptr>()->stringify(out);
  } else {
    Poco::JSON::Stringifier::stringify(value, out);
  }
  return out.str();
}

}  // namespace

bool JsonStream::write(const Poco::JSON::Object::Ptr& message) {
  if (!out_->good()) return false;
  message->stringify(*out_);
  *out_ << '\n';
  out_->flush();
  return out_->good();
}

bool JsonStream::write_text(std::string_view json_line) {
  if (!out_->good()) return false;
  out_->write(json_line.data(), static_cast<std::streamsize>(json_line.size()));
  if (json_line.empty() || json_line.back() != '\n') *out_ << '\n';
  out_->flush();
  return out_->good();
}

bool JsonStream::write_error(const std::string& message) {
  Poco::JSON::Object::Ptr detail = new Poco::JSON::Object;
  detail->set("message", message);
  Poco::JSON::Object::Ptr m = new Poco::JSON::Object;
  m->set("error", message);
  m->set("errorDetail", detail);
  return write(m);
}

int HijackedConnection::fd() const { return socket.impl()->sockfd(); }

void HijackedConnection::write_all(std::string_view bytes) {
  try {
    while (!bytes.empty()) {
      int n = socket.impl()->sendBytes(bytes.data(), static_cast<int>(bytes.size()), MSG_NOSIGNAL);
      if (n <= 0) throw Error::io("hijacked connection: peer closed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  } catch (const Poco::Exception& e) {
    throw Error::io("hijacked connection: " + e.displayText());
  }
}

RequestContext::RequestContext(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                               engine::Engine& engine, Logger& logger, Router::Match match, std::string path,
                               std::vector<std::pair<std::string, std::string>> query, std::size_t max_json_body)
    : request_(request),
      response_(response),
      engine_(engine),
      logger_(logger),
      match_(std::move(match)),
      path_(std::move(path)),
      query_(std::move(query)),
      max_json_body_(max_json_body) {}

RequestContext::~RequestContext() = default;

const std::string& RequestContext::param(const std::string& name) const {
  auto it = match_.params.find(name);
  if (it == match_.params.end()) throw Error::internal("route " + match_.pattern + " has no parameter " + name);
  return it->second;
}

bool RequestContext::has_query(const std::string& name) const {
  for (const auto& [k, v] : query_) {
    if (k == name) return true;
  }
  return false;
}

std::string RequestContext::query(const std::string& name, const std::string& fallback) const {
  for (const auto& [k, v] : query_) {
    if (k == name) return v;
  }
  return fallback;
}

std::vector<std::string> RequestContext::query_all(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

bool RequestContext::query_bool(const std::string& name, bool fallback) const {
  std::string v = query(name);
  if (v.empty()) return fallback;
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "False" || v == "FALSE") return false;
  throw Error::bad_parameter("Bad parameter: " + name + "=" + v);
}

long long RequestContext::query_int(const std::string& name, long long fallback) const {
  std::string v = query(name);
  if (v.empty()) return fallback;
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(v, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size()) throw Error::bad_parameter("Bad parameter: " + name + "=" + v + " is not an integer");
  return n;
}

std::string RequestContext::header(const std::string& name) const { return request_.get(name, ""); }

bool RequestContext::has_body() const {
  if (request_.getChunkedTransferEncoding()) return true;
  return request_.hasContentLength() && request_.getContentLength64() > 0;
}

std::istream& RequestContext::body_stream() {
  if (!body_) body_ = std::make_unique<RequestBody>(request_);
  return body_->stream();
}

std::string RequestContext::read_body(std::size_t limit) {
  if (!has_body()) return {};
  std::string body;
  char buf[8192];
  std::istream& in = body_stream();
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    body.append(buf, static_cast<std::size_t>(in.gcount()));
    if (body.size() > limit) throw Error::bad_parameter("request body larger than " + std::to_string(limit) + " bytes");
  }
  return body;
}

Poco::JSON::Object::Ptr RequestContext::json_body() {
  if (request_.hasContentLength() && request_.getContentLength64() > static_cast<Poco::Int64>(max_json_body_)) {
    // Refused before reading: the unread body is skipped (or the connection closed) afterwards.
    throw Error::bad_parameter("JSON body of " + std::to_string(request_.getContentLength64()) +
                               " bytes is larger than the limit of " + std::to_string(max_json_body_) +
                               " bytes (burrowd --max-json-body)");
  }
  std::string body;
  try {
    body = read_body(max_json_body_);
  } catch (const Error& e) {
    if (e.kind() != Error::Kind::BadParameter) throw;
    throw Error::bad_parameter("JSON body larger than the limit of " + std::to_string(max_json_body_) +
                               " bytes (burrowd --max-json-body)");
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(body);
  } catch (const Poco::Exception& e) {
    throw Error::internal(e.displayText());
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
    throw Error::internal("json: cannot unmarshal " + std::string(parsed.isArray() ? "array" : "value") +
                          " into an object");
  }
  return parsed.extract<Poco::JSON::Object::Ptr>();
}

void RequestContext::send_body(int status, const std::string& content_type, std::string body) {
  if (sent()) throw Error::internal("response already sent");
  sent_ = true;
  set_status(response_, status);
  if (!content_type.empty()) response_.setContentType(content_type);
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  const bool head = request_.getMethod() == "HEAD";
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request_);
  if (!impl) {
    if (head) response_.send();
    else response_.sendBuffer(body.data(), body.size());
    return;
  }
  // Status line, headers and body in one write: POCO's sendBuffer() writes the headers and the
  // body separately, two system calls on the hot path of every small reply.
  std::ostringstream message;
  response_.write(message);
  if (!head) message << body;
  const std::string& bytes = message.str();
  Poco::Net::StreamSocket& socket = impl->socket();
  std::size_t done = 0;
  while (done < bytes.size()) {
    int n = socket.sendBytes(bytes.data() + done, static_cast<int>(bytes.size() - done));
    if (n <= 0) throw Error::io("client closed the connection");
    done += static_cast<std::size_t>(n);
  }
}

void RequestContext::send_json(const Poco::JSON::Object::Ptr& value, int status) {
  send_json_text(stringify(value), status);
}

void RequestContext::send_json(const Poco::JSON::Array::Ptr& value, int status) {
  send_json_text(stringify(value), status);
}

void RequestContext::send_json_text(std::string json, int status) {
  json += '\n';
  send_body(status, "application/json", std::move(json));
}

void RequestContext::send_text(int status, std::string text, const std::string& content_type) {
  send_body(status, content_type, std::move(text));
}

void RequestContext::send_status(int status) { send_body(status, "", std::string()); }

void RequestContext::send_error(const Error& error) { send_error(http_status_for(error.kind()), error.what()); }

void RequestContext::send_error(int status, const std::string& message) {
  response_.set("X-Content-Type-Options", "nosniff");
  send_body(status, "text/plain; charset=utf-8", message + "\n");
}

JsonStream RequestContext::start_stream(int status, const std::string& content_type) {
  if (sent()) throw Error::internal("response already sent");
  sent_ = true;
  set_status(response_, status);
  response_.setContentType(content_type);
  response_.setChunkedTransferEncoding(true);
  std::ostream& out = response_.send();
  out.flush();
  return JsonStream(out);
}

void RequestContext::run_json_stream(const std::string& component, const std::string& what,
                                     const std::function<void(JsonStream&)>& work) {
  JsonStream stream = start_stream();
  try {
    work(stream);
  } catch (const Error& e) {
    logger_.warn(component, what + ": " + e.what());
    stream.write_error(e.what());
  }
}

HijackedConnection RequestContext::hijack(const std::string& content_type) {
  if (sent()) throw Error::internal("response already sent");
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request_);
  if (!impl) throw Error::internal("this request cannot be hijacked");
  HijackedConnection conn;
  Poco::Buffer<char> buffered(0);
  impl->session().drainBuffer(buffered);
  conn.early_input.assign(buffered.begin(), buffered.size());
  conn.socket = impl->detachSocket();
  hijacked_ = true;
  hijacked_socket_ = conn.socket;
  conn.socket.setReceiveTimeout(Poco::Timespan(0));
  conn.socket.setSendTimeout(Poco::Timespan(0));
  conn.socket.setBlocking(true);
  std::string upgrade = Poco::toLower(header("Upgrade"));
  std::string connection = Poco::toLower(header("Connection"));
  conn.upgraded = upgrade == "tcp" && connection.find("upgrade") != std::string::npos;
  std::string head = conn.upgraded ? "HTTP/1.1 101 UPGRADED\r\nContent-Type: " + content_type +
                                         "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
                                   : "HTTP/1.1 200 OK\r\nContent-Type: " + content_type + "\r\n\r\n";
  conn.write_all(head);
  return conn;
}

bool RequestContext::client_gone() {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request_);
  if (!impl) return false;
  int fd = hijacked_ ? hijacked_socket_.impl()->sockfd() : impl->socket().impl()->sockfd();
  if (fd < 0) return true;
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  return false;
}

void RequestContext::report_error_after_hijack(const std::string& message) {
  if (!hijacked_) return;
  try {
    HijackedConnection conn{hijacked_socket_, {}, false};
    if (conn.fd() >= 0) conn.write_all("Error: " + message + "\n");
  } catch (const std::exception&) {
    // The client is gone (Poco::Exception is a std::exception too); nothing more to tell it.
  }
}

}  // namespace burrow::poco_server
