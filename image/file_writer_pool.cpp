#include "image/file_writer_pool.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::image {

namespace {

// The process umask from /proc/self/status (umask() cannot be read without changing it, and
// it is process-wide); 0777 when unknown, so every file gets an explicit chmod.
mode_t current_umask() {
  auto status = sys::try_read_file("/proc/self/status");
  if (!status) return 0777;
  size_t pos = status->find("Umask:");
  if (pos == std::string::npos) return 0777;
  return static_cast<mode_t>(std::strtoul(status->c_str() + pos + 6, nullptr, 8));
}

}  // namespace

FileWriterPool::FileWriterPool(unsigned threads, size_t max_queued_bytes)
    : max_bytes_(max_queued_bytes), fsuid_(::geteuid()), fsgid_(::getegid()), umask_(current_umask()) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

FileWriterPool::~FileWriterPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    queue_.clear();
  }
  has_work_.notify_all();
  has_room_.notify_all();
  for (auto& t : threads_) t.join();
}

void FileWriterPool::rethrow_locked() {
  if (error_) std::rethrow_exception(error_);
}

void FileWriterPool::submit(FileJob job) {
  std::unique_lock lock(mutex_);
  has_room_.wait(lock, [&] {
    return error_ || (queue_.size() < 1024 && (queued_bytes_ == 0 || queued_bytes_ + job.data.size() <= max_bytes_));
  });
  rethrow_locked();
  queued_bytes_ += job.data.size();
  queue_.push_back(std::move(job));
  lock.unlock();
  has_work_.notify_one();
}

void FileWriterPool::drain() {
  std::unique_lock lock(mutex_);
  has_room_.wait(lock, [&] { return error_ || (queue_.empty() && busy_ == 0); });
  rethrow_locked();
}

void FileWriterPool::work() {
  for (;;) {
    FileJob job;
    {
      std::unique_lock lock(mutex_);
      has_work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= job.data.size();
      ++busy_;
    }
    has_room_.notify_all();
    std::exception_ptr failure;
    try {
      run(job);
    } catch (const Error& e) {
      failure = std::make_exception_ptr(e.wrap("tar member `" + job.shown + "`"));
    } catch (...) {
      failure = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      --busy_;
      if (failure && !error_) error_ = failure;
    }
    has_room_.notify_all();
  }
}

void FileWriterPool::run(FileJob& job) {
  // Created with its final permission bits: when the umask keeps them and no set-id bit is
  // involved (chown would clear those), no chmod is needed. Directories being filled are never
  // setgid during extraction, so a new file's group is ours and matching owners need no chown.
  Fd fd = sys::open_at(job.dir->get(), job.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, job.perm & 0777);
  if (!job.data.empty()) sys::write_all(fd.get(), job.data.data(), job.data.size());
  if (job.uid != fsuid_ || job.gid != fsgid_) {
    if (::fchown(fd.get(), job.uid, job.gid) < 0) {
      if (errno != EINVAL && errno != EPERM) throw sys::error_from_errno(errno, "chown", job.shown);
      ++chown_fallbacks_;
    }
  }
  if ((job.perm & 07000) != 0 || (job.perm & umask_) != 0) sys::check(::fchmod(fd.get(), job.perm), "chmod", job.shown);
  for (const auto& [k, v] : job.xattrs) {
    if (::fsetxattr(fd.get(), k.c_str(), v.data(), v.size(), 0) < 0) {
      if (errno != EPERM && errno != ENOTSUP && errno != EACCES && errno != EINVAL && errno != ERANGE)
        throw sys::error_from_errno(errno, "setxattr", k);
      ++skipped_xattrs_;
    }
  }
  sys::check(::futimens(fd.get(), job.times), "utimes", job.shown);
}

}  // namespace burrow::image
