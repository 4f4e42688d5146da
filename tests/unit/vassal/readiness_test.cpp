// The readiness protocol's messages and the workers' argv and environment.
#include <doctest/doctest.h>

#include <algorithm>

#include "config/values.h"
#include "vassal/activation.h"
#include "vassal/notify.h"

namespace emp::vassal {
namespace {

TEST_CASE("notify: the fields we accept") {
  auto u = parse_notify("READY=1\nSTATUS=serving 3 clients\n");
  CHECK(u.any);
  CHECK(u.ready == true);
  CHECK(u.status == "serving 3 clients");
  CHECK_FALSE(u.busy);
  CHECK_FALSE(u.watchdog);

  u = parse_notify("BUSY=1");
  CHECK(u.busy == true);
  CHECK_FALSE(u.ready);
  CHECK(parse_notify("BUSY=0").busy == false);
  CHECK(parse_notify("WATCHDOG=1").watchdog);
  CHECK(parse_notify("WATCHDOG=trigger").watchdog_trigger);
  CHECK_FALSE(parse_notify("WATCHDOG=trigger").watchdog);
  CHECK(parse_notify("RELOADING=1").ready == false);
  u = parse_notify("STOPPING=1");
  CHECK(u.stopping);
  CHECK(u.ready == false);
  CHECK(u.busy == false);
  CHECK(parse_notify("STATUS=").status == "");
  CHECK(parse_notify("STATUS=a=b").status == "a=b");
  // later lines win
  CHECK(parse_notify("BUSY=1\nBUSY=0").busy == false);
}

TEST_CASE("notify: what we ignore, as systemd does") {
  for (const char* text : {"", "\n\n", "READY", "READY=0", "READY=yes", "BUSY=2", "WATCHDOG=0",
                           "MAINPID=12", "ERRNO=5", "FDSTORE=1", "X=1", "=1", "ready=1"}) {
    CAPTURE(text);
    const auto u = parse_notify(text);
    CHECK_FALSE(u.any);
    CHECK_FALSE(u.ready);
    CHECK_FALSE(u.busy);
    CHECK_FALSE(u.status);
  }
  // an unknown field does not hide a known one
  CHECK(parse_notify("MAINPID=3\nREADY=1").ready == true);
  // STATUS= is cut, never rejected
  const auto long_status = parse_notify("STATUS=" + std::string(1000, 'x')).status;
  CHECK(long_status->size() == kMaxNotifyStatus);
  // binary junk is just text
  CHECK(parse_notify(std::string("STATUS=a\0b", 10)).status->size() == 3u);
}

TEST_CASE("the sender's parent from /proc/PID/stat") {
  CHECK(parent_pid_from_stat("42 (python3) S 7 42 42 0 -1 4194560 ...") == 7);
  CHECK(parent_pid_from_stat("42 (a) b) (c) R 1 42 42") == 1);  // ")" in the name
  CHECK(parent_pid_from_stat("42 (sh) S 123") == 123);
  CHECK_FALSE(parent_pid_from_stat(""));
  CHECK_FALSE(parent_pid_from_stat("42 (sh"));
  CHECK_FALSE(parent_pid_from_stat("42 (sh) S"));
  CHECK_FALSE(parent_pid_from_stat("42 (sh) S x 1"));
  CHECK_FALSE(parent_pid_from_stat("42 (sh) S 12x 1"));
  CHECK_FALSE(parent_pid_from_stat("42 (sh)S 1 2"));
}

config::SocketAddress address(const std::string& text) {
  return *config::parse_socket_address(text);
}

TEST_CASE("LISTEN_FDNAMES: names without what sd_listen_fds_with_names refuses") {
  CHECK(fd_name(address("127.0.0.1:8000")) == "127.0.0.1_8000");
  CHECK(fd_name(address("[::1]:80")) == "[__1]_80");
  CHECK(fd_name(address("/run/app.sock")) == "/run/app.sock");
  config::SocketAddress odd;
  odd.text = std::string("a\tb\x7f", 4);
  CHECK(fd_name(odd) == "a_b_");
  odd.text = "";
  CHECK(fd_name(odd) == "socket");
  odd.text = std::string(300, 'n');
  CHECK(fd_name(odd).size() == 255u);
}

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

size_t count_name(const std::vector<std::string>& env, const std::string& name) {
  return static_cast<size_t>(std::count_if(env.begin(), env.end(), [&](const std::string& e) {
    return e.compare(0, name.size() + 1, name + "=") == 0;
  }));
}

TEST_CASE("worker environment: ours, the env keys, socket activation") {
  WorkerEnvInput in;
  in.vassal = "web";
  in.slot = 3;
  auto env = worker_env(in);
  CHECK(env == std::vector<std::string>{
                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
                   "EMPEROR_VASSAL=web", "EMPEROR_WORKER=3"});

  in.spec_env = {"HOME=/srv", "APP=1", "EMPEROR_WORKER=9", "LISTEN_FDS=7", "APP=2"};
  in.sockets = {address("127.0.0.1:8000"), address("/run/a.sock")};
  in.notify_socket = "@emperor/web/0000abcd";
  in.watchdog = std::chrono::milliseconds{2500};
  env = worker_env(in);
  CHECK(has(env, "HOME=/srv"));  // the env keys may replace PATH and HOME
  CHECK(has(env, "APP=2"));      // a later env key replaces an earlier one
  CHECK(count_name(env, "APP") == 1u);
  CHECK(has(env, "EMPEROR_WORKER=3"));  // but not what the master owns
  CHECK(count_name(env, "EMPEROR_WORKER") == 1u);
  CHECK(has(env, "LISTEN_FDS=2"));
  CHECK(count_name(env, "LISTEN_FDS") == 1u);
  CHECK(has(env, "LISTEN_FDNAMES=127.0.0.1_8000:/run/a.sock"));
  CHECK(has(env, "NOTIFY_SOCKET=@emperor/web/0000abcd"));
  CHECK(has(env, "WATCHDOG_USEC=2500000"));
  CHECK(count_name(env, "LISTEN_PID") == 0u);  // set by the spawn, which knows the pid
}

}  // namespace
}  // namespace emp::vassal
