#pragma once
// EventBus: the engine's event stream. publish() stamps an event, keeps the last `capacity`
// events in memory and appends them to <root>/events.jsonl (compacted to the newest `capacity`
// lines when it grows to twice that), so GET /events?since= survives a burrowd restart.
// Subscribers get live events through their own queue. Thread-safe.
// Lock order: file_mutex_ before mutex_ before a subscriber queue's mutex.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/logger.h"
#include "engine/event.h"

namespace burrow::engine {

class EventBus {
  struct Queue;

 public:
  // A live feed of events; the backlog asked for at subscribe() comes out first. Must not
  // outlive the EventBus. Used by one thread at a time.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // The next event, waiting up to `timeout`; nullopt on timeout or once the bus is closed
    // (check closed()). Events a slow subscriber could not take (more than the queue limit
    // behind) are dropped oldest first.
    std::optional<Event> next(std::chrono::milliseconds timeout);
    bool closed() const;

   private:
    friend class EventBus;
    Subscription(EventBus& bus, std::shared_ptr<Queue> queue) : bus_(bus), queue_(std::move(queue)) {}
    EventBus& bus_;
    std::shared_ptr<Queue> queue_;
  };

  // Loads the stored history from `path` (a missing file is an empty history; unreadable lines
  // are skipped with a warning) and opens it for appending. Throws Error(Io/Unavailable) when the
  // file cannot be opened. `logger` must outlive the bus.
  EventBus(std::string path, Logger& logger, std::size_t capacity = 1024);
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  // Records and delivers an event with the current time. The type comes from the status
  // (event_type_of); container events get attribute image=`from` unless given. A failure to
  // store it on disk is logged, never thrown: the event is still delivered live.
  Event publish(const std::string& status, const std::string& id, const std::string& from,
                std::map<std::string, std::string> attributes = {});

  // Stored events with since_nano <= time <= until_nano, oldest first.
  std::vector<Event> history(std::int64_t since_nano, std::int64_t until_nano = INT64_MAX) const;

  // Starts a live feed; when `since_nano` is set, the stored events from that time on come
  // first, with no gap and no duplicate between them and the live ones.
  std::unique_ptr<Subscription> subscribe(std::optional<std::int64_t> since_nano = std::nullopt);

  // Ends every feed: next() hands out what is already queued, then returns nullopt at once
  // and closed() is true; later subscriptions start closed. publish() still records. Called at
  // daemon shutdown.
  void close();

  std::size_t subscriber_count() const;

 private:
  void unsubscribe(const Queue* queue);
  void load();
  void append_to_file(const Event& event);  // requires file_mutex_

  const std::string path_;
  Logger& logger_;
  const std::size_t capacity_;

  std::mutex file_mutex_;              // guards file_ and file_lines_; serialises appends
  Fd file_;
  std::size_t file_lines_ = 0;

  mutable std::mutex mutex_;           // guards everything below
  std::deque<Event> recent_;           // the newest `capacity_` events, oldest first
  std::uint64_t next_seq_ = 1;
  std::vector<std::shared_ptr<Queue>> subscribers_;
  bool closed_ = false;
};

// One event as a line of events.jsonl (without the newline), and back (nullopt when the line
// is not a stored event).
std::string event_to_record(const Event& event);
std::optional<Event> event_from_record(const std::string& line);

}  // namespace burrow::engine
