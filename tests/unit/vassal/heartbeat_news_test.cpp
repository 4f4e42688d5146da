// Which heartbeats the master sends: news only, so an idle empire stays quiet.
#include <doctest/doctest.h>

#include "vassal/heartbeat_news.h"

namespace emp::vassal {
namespace {

constexpr uint64_t MiB = 1024 * 1024;

HeartbeatMessage two_workers() {
  HeartbeatMessage h;
  h.workers_target = 2;
  h.thunder_lock = "wake-one";
  for (int i = 1; i <= 2; ++i) {
    WorkerInfo w;
    w.pid = 10 + i;
    w.slot = static_cast<uint64_t>(i);
    w.rss_bytes = 40 * MiB;
    w.pss_bytes = 30 * MiB;
    w.since_unix_ms = 1000;
    w.state = "running";
    h.workers.push_back(w);
  }
  return h;
}

TEST_CASE("heartbeat news: memory moves by 1 MiB or 5% before it counts") {
  CHECK_FALSE(memory_moved(40 * MiB, 40 * MiB));
  CHECK_FALSE(memory_moved(40 * MiB, 40 * MiB + 512 * 1024));
  CHECK(memory_moved(40 * MiB, 41 * MiB));
  CHECK(memory_moved(41 * MiB, 40 * MiB));  // shrinking too
  // Small processes: 5% of 4 MiB is ~205 KiB.
  CHECK_FALSE(memory_moved(4 * MiB, 4 * MiB + 100 * 1024));
  CHECK(memory_moved(4 * MiB, 4 * MiB + 300 * 1024));
  CHECK(memory_moved(0, 1));  // from nothing, anything is news
}

TEST_CASE("heartbeat news: an idle pool is not news") {
  const auto last = two_workers();
  auto next = last;
  CHECK_FALSE(heartbeat_is_news(last, next));
  next.workers[0].rss_bytes += 100 * 1024;
  next.workers[1].pss_bytes -= 100 * 1024;
  next.workers[0].watchdog_unix_ms = 0;
  CHECK_FALSE(heartbeat_is_news(last, next));
}

TEST_CASE("heartbeat news: a watchdog's first beat is news, its later beats are not") {
  auto last = two_workers();
  auto next = last;
  next.workers[1].watchdog_unix_ms = 5000;
  CHECK(heartbeat_is_news(last, next));
  last = next;
  next.workers[1].watchdog_unix_ms = 6000;
  CHECK_FALSE(heartbeat_is_news(last, next));
}

TEST_CASE("heartbeat news: every field that matters to status counts") {
  const auto last = two_workers();
  auto changed = [&](auto mutate) {
    auto next = last;
    mutate(next);
    return heartbeat_is_news(last, next);
  };
  CHECK(changed([](HeartbeatMessage& h) { h.workers.pop_back(); }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers[0].pid = 99; }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers[0].state = "busy"; }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers[1].status = "serving"; }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers[1].respawns = 1; }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers[1].since_unix_ms = 2000; }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers[1].rss_bytes += 2 * MiB; }));
  CHECK(changed([](HeartbeatMessage& h) { h.workers_target = 3; }));
  CHECK(changed([](HeartbeatMessage& h) { h.backlog = 0; }));
  CHECK(changed([](HeartbeatMessage& h) { h.last_worker_exit = "worker 1 exit status 1"; }));
  CHECK(changed([](HeartbeatMessage& h) { h.last_decision = "backlog 5 > 3: +1 (2 -> 3)"; }));
  CHECK(changed([](HeartbeatMessage& h) { h.cheaper_algo = "spare"; }));
  CHECK(changed([](HeartbeatMessage& h) { h.notify_socket = "@x"; }));
  CHECK(changed([](HeartbeatMessage& h) { h.sockets.push_back({3, "/run/a.sock", "a"}); }));
}

}  // namespace
}  // namespace emp::vassal
