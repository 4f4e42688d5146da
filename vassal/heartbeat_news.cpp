#include "vassal/heartbeat_news.h"

#include <algorithm>

namespace emp::vassal {

bool memory_moved(uint64_t before, uint64_t now) {
  const uint64_t delta = before > now ? before - now : now - before;
  const uint64_t larger = std::max(before, now);
  return delta >= kMemoryNewsBytes || delta * 100 >= larger * kMemoryNewsPercent;
}

namespace {

bool worker_is_news(const WorkerInfo& a, const WorkerInfo& b) {
  return a.pid != b.pid || a.slot != b.slot || a.state != b.state || a.status != b.status ||
         a.respawns != b.respawns || a.since_unix_ms != b.since_unix_ms ||
         (a.watchdog_unix_ms == 0) != (b.watchdog_unix_ms == 0) ||
         memory_moved(a.rss_bytes, b.rss_bytes) || memory_moved(a.pss_bytes, b.pss_bytes);
}

}  // namespace

bool heartbeat_is_news(const HeartbeatMessage& last, const HeartbeatMessage& next) {
  if (last.workers.size() != next.workers.size()) return true;
  for (size_t i = 0; i < last.workers.size(); ++i)
    if (worker_is_news(last.workers[i], next.workers[i])) return true;
  return last.workers_target != next.workers_target || last.backlog != next.backlog ||
         last.last_worker_exit != next.last_worker_exit || last.thunder_lock != next.thunder_lock ||
         last.sockets != next.sockets || last.cheaper_algo != next.cheaper_algo ||
         last.last_decision != next.last_decision || last.notify_socket != next.notify_socket;
}

}  // namespace emp::vassal
