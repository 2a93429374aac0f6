#include "engine/event_bus.h"

#include <fcntl.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::engine {

namespace {

constexpr std::size_t kQueueLimit = 4096;  // events a subscriber may fall behind

std::int64_t now_nano() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct EventBus::Queue {
  std::mutex mutex;  // guards items and closed; innermost lock
  std::condition_variable ready;
  std::deque<Event> items;
  bool closed = false;

  void push(const Event& e) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (items.size() >= kQueueLimit) items.pop_front();
      items.push_back(e);
    }
    ready.notify_one();
  }
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      closed = true;
    }
    ready.notify_all();
  }
};

std::string event_to_record(const Event& event) {
  Poco::JSON::Object record;
  record.set("seq", static_cast<Poco::UInt64>(event.seq));
  record.set("status", event.status);
  record.set("id", event.id);
  record.set("from", event.from);
  record.set("type", event.type);
  record.set("timeNano", static_cast<Poco::Int64>(event.time_nano));
  Poco::JSON::Object attributes;
  for (const auto& [k, v] : event.attributes) attributes.set(k, v);
  record.set("attributes", attributes);
  std::ostringstream out;
  record.stringify(out);
  return out.str();
}

std::optional<Event> event_from_record(const std::string& line) {
  try {
    Poco::JSON::Parser parser;
    auto object = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    Event e;
    e.seq = object->getValue<Poco::UInt64>("seq");
    e.status = object->getValue<std::string>("status");
    e.id = object->getValue<std::string>("id");
    e.from = object->optValue<std::string>("from", "");
    e.type = object->optValue<std::string>("type", event_type_of(e.status));
    e.time_nano = object->getValue<Poco::Int64>("timeNano");
    if (auto attributes = object->getObject("attributes")) {
      for (const auto& [k, v] : *attributes) e.attributes[k] = v.toString();
    }
    return e;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

EventBus::EventBus(std::string path, Logger& logger, std::size_t capacity)
    : path_(std::move(path)), logger_(logger), capacity_(std::max<std::size_t>(capacity, 1)) {
  load();
  file_ = sys::open(path_, O_WRONLY | O_APPEND | O_CREAT, 0600);
}

EventBus::~EventBus() { close(); }

void EventBus::load() {
  auto content = sys::try_read_file(path_);
  if (!content) return;
  std::istringstream in(*content);
  std::string line;
  std::size_t bad = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++file_lines_;
    auto e = event_from_record(line);
    if (!e) {
      ++bad;
      continue;
    }
    recent_.push_back(std::move(*e));
    if (recent_.size() > capacity_) recent_.pop_front();
  }
  if (bad > 0) logger_.warn("events", "skipped " + std::to_string(bad) + " unreadable lines in " + path_);
  std::stable_sort(recent_.begin(), recent_.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
  if (!recent_.empty()) next_seq_ = recent_.back().seq + 1;
}

void EventBus::append_to_file(const Event& event) {
  std::string line = event_to_record(event) + "\n";
  try {
    sys::write_all(file_.get(), line);
    ++file_lines_;
    if (file_lines_ < 2 * capacity_) return;
    // Compact: keep the newest capacity_ events, replacing the file atomically.
    std::string kept;
    std::size_t count = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const Event& e : recent_) kept += event_to_record(e) + "\n";
      count = recent_.size();
    }
    sys::write_file_atomic(path_, kept, 0600);
    file_ = sys::open(path_, O_WRONLY | O_APPEND | O_CREAT, 0600);
    file_lines_ = count;
  } catch (const Error& e) {
    logger_.warn("events", std::string("cannot store event: ") + e.what());
  }
}

Event EventBus::publish(const std::string& status, const std::string& id, const std::string& from,
                        std::map<std::string, std::string> attributes) {
  Event e;
  e.status = status;
  e.id = id;
  e.from = from;
  e.type = event_type_of(status);
  e.attributes = std::move(attributes);
  if (e.type == "container" && !from.empty() && !e.attributes.count("image")) e.attributes["image"] = from;

  std::lock_guard<std::mutex> file_lock(file_mutex_);
  std::vector<std::shared_ptr<Queue>> targets;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    e.seq = next_seq_++;
    e.time_nano = std::max(now_nano(), recent_.empty() ? 0 : recent_.back().time_nano);
    recent_.push_back(e);
    if (recent_.size() > capacity_) recent_.pop_front();
    for (const auto& q : subscribers_) q->push(e);
  }
  append_to_file(e);
  return e;
}

std::vector<Event> EventBus::history(std::int64_t since_nano, std::int64_t until_nano) const {
  std::vector<Event> out;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Event& e : recent_) {
    if (e.time_nano >= since_nano && e.time_nano <= until_nano) out.push_back(e);
  }
  return out;
}

std::unique_ptr<EventBus::Subscription> EventBus::subscribe(std::optional<std::int64_t> since_nano) {
  auto queue = std::make_shared<Queue>();
  std::lock_guard<std::mutex> lock(mutex_);
  if (since_nano) {
    for (const Event& e : recent_) {
      if (e.time_nano >= *since_nano) queue->items.push_back(e);
    }
  }
  queue->closed = closed_;
  subscribers_.push_back(queue);
  return std::unique_ptr<Subscription>(new Subscription(*this, queue));
}

void EventBus::unsubscribe(const Queue* queue) {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [&](const std::shared_ptr<Queue>& q) { return q.get() == queue; }),
                     subscribers_.end());
}

void EventBus::close() {
  std::vector<std::shared_ptr<Queue>> queues;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    queues = subscribers_;
  }
  for (const auto& q : queues) q->close();
}

std::size_t EventBus::subscriber_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return subscribers_.size();
}

EventBus::Subscription::~Subscription() { bus_.unsubscribe(queue_.get()); }

std::optional<Event> EventBus::Subscription::next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(queue_->mutex);
  queue_->ready.wait_for(lock, timeout, [&] { return !queue_->items.empty() || queue_->closed; });
  if (queue_->items.empty()) return std::nullopt;
  Event e = std::move(queue_->items.front());
  queue_->items.pop_front();
  return e;
}

bool EventBus::Subscription::closed() const {
  std::lock_guard<std::mutex> lock(queue_->mutex);
  return queue_->closed && queue_->items.empty();
}

}  // namespace burrow::engine
