// How many workers the pool wants: the cheaper algorithms (backlog, spare, manual) and the
// RSS limits, as one pure function of what the master measured at a decision. The master
// takes a decision once per second and carries PoolState from one to the next, so "time"
// here counts decisions. Every transition is a unit test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/vassal_spec.h"

namespace emp::vassal {

struct PoolConfig {
  bool cheaper = false;  // cheaper mode; else a fixed pool of `max`
  config::CheaperAlgo algo = config::CheaperAlgo::Backlog;
  uint64_t min = 1;      // `cheaper` (a fixed pool: `processes`)
  uint64_t max = 1;      // `processes`
  uint64_t initial = 1;  // `cheaper-initial` (a fixed pool: `processes`)
  uint64_t step = 1;
  uint64_t overload = config::kDefaultCheaperOverload;
  std::optional<uint64_t> rss_soft;  // bytes
  std::optional<uint64_t> rss_hard;  // bytes

  static PoolConfig from(const config::VassalSpec& spec);
};

// Consecutive idle decisions before the pool retires one worker (and again after as many).
inline constexpr uint32_t kIdleDecisions = 3;

struct WorkerSample {
  uint64_t slot = 0;  // EMPEROR_WORKER, for the reason text
  uint64_t rss_bytes = 0;
  bool busy = false;
};

// What the master saw at one decision. Workers that are retiring are left out: they are on
// their way out, and their memory with them.
struct PoolSample {
  uint64_t members = 0;               // the pool: running or waiting to respawn
  std::vector<WorkerSample> running;  // the members that are running now
  std::optional<uint64_t> backlog;    // connections waiting in the listen queues; none: no socket
  int64_t manual_delta = 0;           // SIGTTIN (+1) / SIGTTOU (-1) since the last decision
};

struct PoolState {
  uint32_t overloaded = 0;  // consecutive overloaded decisions (spare)
  uint32_t idle = 0;        // consecutive idle decisions
  friend bool operator==(const PoolState&, const PoolState&) = default;
};

struct PoolDecision {
  enum class Action { Hold, Grow, Shrink, RetireForMemory };
  Action action = Action::Hold;
  uint64_t count = 0;   // Grow / Shrink: how many workers
  size_t worker = 0;    // RetireForMemory: index into PoolSample::running
  uint64_t target = 0;  // members after the decision
  std::string reason;   // "backlog 12 > 3: +2 (3 -> 5)"; may be empty for Hold
  // Hold only: why growth is blocked, stable from one decision to the next ("max", "soft",
  // "hard", "no-socket"; empty: nothing blocked), so the master logs a block once.
  std::string hold_kind;
  PoolState next;
};

PoolDecision decide(const PoolConfig& config, const PoolSample& sample, const PoolState& state);

// Shrinking: which running worker goes. An idle one (spare) with the highest slot, so that
// slots stay dense; nullopt when every candidate is busy.
std::optional<size_t> pick_to_shrink(const std::vector<WorkerSample>& running);

// max-worker-lifetime and reload-on-rss: why a worker is due for recycling, if it is.
std::optional<std::string> recycle_reason(std::chrono::milliseconds uptime, uint64_t rss_bytes,
                                          const config::VassalSpec& spec);

// "12.5M": memory for log lines (MiB, one decimal; K below 1 MiB).
std::string memory_text(uint64_t bytes);

}  // namespace emp::vassal
