#include "base/child_process.h"
#include "base/error.h"
#include "base/process_start_time.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace burrow;

TEST_CASE("run_capture returns stdout and reports failures with stderr", "[base][process]") {
  CHECK(run_capture({"sh", "-c", "echo hello"}) == "hello\n");
  try {
    run_capture({"sh", "-c", "echo oops >&2; exit 3"});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("exit 3") != std::string::npos);
    CHECK(std::string(e.what()).find("oops") != std::string::npos);
  }
}

TEST_CASE("spawning a missing program is NotFound", "[base][process]") {
  SpawnOptions o;
  o.argv = {"/nonexistent/program"};
  CHECK_THROWS_MATCHES(ChildProcess::spawn(o), Error, Catch::Predicate<Error>([](const Error& e) { return e.is_not_found(); }));
}

TEST_CASE("a child is killed and reaped when its owner goes away", "[base][process]") {
  pid_t pid;
  {
    SpawnOptions o;
    o.argv = {"sleep", "100"};
    ChildProcess child = ChildProcess::spawn(o);
    pid = child.pid();
    REQUIRE(pid > 0);
  }
  CHECK(::kill(pid, 0) == -1);
}

TEST_CASE("exit codes follow the shell's convention", "[base][process]") {
  SpawnOptions o;
  o.argv = {"sh", "-c", "exit 7"};
  int status = ChildProcess::spawn(o).wait();
  CHECK(exit_code_of(status) == 7);
  o.argv = {"sh", "-c", "kill -9 $$"};
  status = ChildProcess::spawn(o).wait();
  CHECK(exit_code_of(status) == 137);
  CHECK(describe_wait_status(status) == "killed by signal 9");
}

TEST_CASE("a child inherits only its stdio and the descriptors it is given", "[base][process]") {
  int leaked = ::dup(1);  // no O_CLOEXEC: would leak into every child without the spawn's sweep
  int kept = ::dup(1);
  REQUIRE(leaked > 2);
  std::string script = "for fd in " + std::to_string(leaked) + " " + std::to_string(kept) +
                       "; do if [ -e /proc/self/fd/$fd ]; then echo open; else echo closed; fi; done";
  int out[2];
  REQUIRE(::pipe(out) == 0);
  SpawnOptions o;
  o.argv = {"sh", "-c", script};
  o.stdout_fd = out[1];
  o.keep_fds = {kept};
  ChildProcess child = ChildProcess::spawn(o);
  ::close(out[1]);
  std::string text;
  char buf[64];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  CHECK(exit_code_of(child.wait()) == 0);
  CHECK(text == "closed\nopen\n");
  ::close(leaked);
  ::close(kept);
}

TEST_CASE("a zombie has no start time: it has exited", "[base][process]") {
  SpawnOptions o;
  o.argv = {"true"};
  ChildProcess child = ChildProcess::spawn(o);
  pid_t pid = child.pid();
  CHECK(process_start_time(::getpid()) > 0);
  // Not reaped yet: the child is a zombie until wait().
  for (int i = 0; i < 200 && process_start_time(pid) != 0; ++i) ::usleep(10000);
  CHECK(process_start_time(pid) == 0);
  child.wait();
  CHECK(process_start_time(pid) == 0);
  CHECK(process_start_time(0) == 0);
}
