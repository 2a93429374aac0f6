#pragma once
// FileWriterPool: creates small regular files of a layer on worker threads while the tar
// reader goes on parsing, so that the per-file metadata latency of the file system (create,
// chown, chmod, utimes: mostly journal waits) overlaps. The caller keeps ordering safe: it
// drains the pool before touching a path a pending job may create (replacements, hard links).
// Thread-safe for one submitting thread; the destructor discards pending jobs and joins.

#include <sys/stat.h>
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/fd.h"

namespace burrow::image {

struct FileJob {
  std::shared_ptr<Fd> dir;   // parent directory (kept open by the job)
  std::string name;          // leaf name in dir
  std::string shown;         // member name, for messages
  std::string data;          // the whole content
  mode_t perm = 0644;
  uid_t uid = 0;
  gid_t gid = 0;
  struct timespec times[2] {};
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class FileWriterPool {
 public:
  explicit FileWriterPool(unsigned threads, size_t max_queued_bytes = 64u << 20);
  ~FileWriterPool();
  FileWriterPool(const FileWriterPool&) = delete;
  FileWriterPool& operator=(const FileWriterPool&) = delete;

  // Queues a job (blocking while the queue is full). Rethrows a worker's first failure.
  void submit(FileJob job);
  // Waits until every queued job is done; rethrows a worker's first failure.
  void drain();

  uint64_t chown_fallbacks() const { return chown_fallbacks_; }
  uint64_t skipped_xattrs() const { return skipped_xattrs_; }

 private:
  void work();
  void run(FileJob& job);
  void rethrow_locked();

  const size_t max_bytes_;
  const uid_t fsuid_;   // owner of the files we create
  const gid_t fsgid_;
  const mode_t umask_;
  std::mutex mutex_;  // guards everything below except the atomics; never held during a job
  std::condition_variable has_work_;
  std::condition_variable has_room_;
  std::deque<FileJob> queue_;
  size_t queued_bytes_ = 0;
  unsigned busy_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::atomic<uint64_t> chown_fallbacks_{0};
  std::atomic<uint64_t> skipped_xattrs_{0};
  std::vector<std::thread> threads_;
};

}  // namespace burrow::image
