// The pool's decisions: cheaper algorithms (backlog, spare, manual) and RSS limits, every
// transition, as pure functions of (backlog, busy, RSS, decisions so far, pool).
#include <doctest/doctest.h>

#include "vassal/pool.h"

namespace emp::vassal {
namespace {

using A = PoolDecision::Action;
using Millis = std::chrono::milliseconds;
constexpr uint64_t kM = 1ull << 20;

PoolConfig cheaper(uint64_t min, uint64_t max,
                   config::CheaperAlgo algo = config::CheaperAlgo::Backlog) {
  PoolConfig c;
  c.cheaper = true;
  c.algo = algo;
  c.min = min;
  c.max = max;
  c.initial = std::max<uint64_t>(min, 1);
  return c;
}

PoolConfig fixed(uint64_t n) {
  PoolConfig c;
  c.min = c.max = c.initial = n;
  return c;
}

// `n` running members of `rss` MiB each, slots 1..n.
PoolSample sample(uint64_t n, std::optional<uint64_t> backlog = 0, uint64_t rss_mb = 10) {
  PoolSample s;
  s.members = n;
  for (uint64_t i = 1; i <= n; ++i) s.running.push_back({i, rss_mb * kM, false});
  s.backlog = backlog;
  return s;
}

PoolSample busy(uint64_t n, uint64_t busy_count) {
  PoolSample s = sample(n, std::nullopt);
  for (uint64_t i = 0; i < busy_count; ++i) s.running[i].busy = true;
  return s;
}

TEST_CASE("PoolConfig from the spec: fixed pools, cheaper defaults") {
  config::VassalSpec spec;
  auto c = PoolConfig::from(spec);
  CHECK_FALSE(c.cheaper);
  CHECK(c.min == 1u);
  CHECK(c.max == 1u);
  CHECK(c.initial == 1u);

  spec.processes = 4;
  c = PoolConfig::from(spec);
  CHECK(c.min == 4u);
  CHECK(c.max == 4u);
  CHECK(c.initial == 4u);

  spec.processes = 8;
  spec.cheaper = 2;
  c = PoolConfig::from(spec);
  CHECK(c.cheaper);
  CHECK(c.algo == config::CheaperAlgo::Backlog);
  CHECK(c.min == 2u);
  CHECK(c.max == 8u);
  CHECK(c.initial == 2u);  // uWSGI: cheaper-initial defaults to cheaper
  CHECK(c.step == 1u);
  CHECK(c.overload == 3u);
  CHECK_FALSE(c.rss_soft);

  spec.cheaper = 0;
  CHECK(PoolConfig::from(spec).initial == 1u);  // scale to zero, but start with one

  spec.cheaper_initial = 5;
  spec.cheaper_step = 3;
  spec.cheaper_overload = 10;
  spec.cheaper_algo = config::CheaperAlgo::Spare;
  spec.cheaper_rss_limit_soft = 100 * kM;
  spec.cheaper_rss_limit_hard = 200 * kM;
  c = PoolConfig::from(spec);
  CHECK(c.initial == 5u);
  CHECK(c.step == 3u);
  CHECK(c.overload == 10u);
  CHECK(c.algo == config::CheaperAlgo::Spare);
  CHECK(c.rss_soft == 100 * kM);
  CHECK(c.rss_hard == 200 * kM);
}

TEST_CASE(
    "fixed pool: holds at processes, refills after a memory retirement, shrinks after a reload") {
  auto d = decide(fixed(4), sample(4), {});
  CHECK(d.action == A::Hold);
  CHECK(d.reason.empty());
  CHECK(d.hold_kind.empty());
  CHECK(d.target == 4u);

  d = decide(fixed(4), sample(3), {});
  CHECK(d.action == A::Grow);
  CHECK(d.count == 1u);
  CHECK(d.target == 4u);
  CHECK(d.reason == "below processes (4): +1 (3 -> 4)");

  d = decide(fixed(2), sample(4), {});
  CHECK(d.action == A::Shrink);
  CHECK(d.count == 2u);
  CHECK(d.target == 2u);
  CHECK(d.reason == "processes is 2: -2 (4 -> 2)");

  // a fixed pool ignores the backlog
  d = decide(fixed(2), sample(2, 500), {});
  CHECK(d.action == A::Hold);
}

TEST_CASE("soft limit: at or above it the pool does not grow, for any pool") {
  auto c = fixed(4);
  c.rss_soft = 30 * kM;
  auto d = decide(c, sample(3, 0, 10), {});  // 30M: at the limit
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "soft");
  CHECK(d.reason == "below processes (4): not growing, rss 30.0M >= soft limit 30.0M");
  d = decide(c, sample(3, 0, 9), {});  // 27M: below
  CHECK(d.action == A::Grow);

  auto b = cheaper(1, 8);
  b.rss_soft = 40 * kM;
  d = decide(b, sample(4, 9, 10), {});
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "soft");
  CHECK(d.reason == "backlog 9 > 3: not growing, rss 40.0M >= soft limit 40.0M");
  // shrinking is never blocked by memory
  PoolState idle{0, 2};
  d = decide(b, sample(4, 0, 10), idle);
  CHECK(d.action == A::Shrink);
}

TEST_CASE("hard limit: above it the largest worker retires, one per decision, never the last") {
  auto c = fixed(3);
  c.rss_hard = 100 * kM;
  auto s = sample(3, 0, 30);  // 90M
  CHECK(decide(c, s, {}).action == A::Hold);
  s.running[1].rss_bytes = 41 * kM;  // 101M
  auto d = decide(c, s, PoolState{2, 2});
  CHECK(d.action == A::RetireForMemory);
  CHECK(d.worker == 1u);
  CHECK(d.count == 1u);
  CHECK(d.target == 2u);
  CHECK(d.next == PoolState{});
  CHECK(d.reason == "rss 101.0M > hard limit 100.0M: retiring worker 2 (rss 41.0M) (3 -> 2)");

  s.running[1].rss_bytes = 40 * kM;  // 100M: not above
  CHECK(decide(c, s, {}).action == A::Hold);

  // equal sizes: the highest slot goes
  auto eq = sample(3, 0, 40);
  d = decide(c, eq, {});
  CHECK(d.action == A::RetireForMemory);
  CHECK(d.worker == 2u);

  // one running worker is kept, and nothing grows
  auto one = sample(1, 0, 500);
  one.members = 3;  // two more waiting to respawn
  d = decide(c, one, {});
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "hard");
  CHECK(d.reason == "rss 500.0M > hard limit 100.0M: keeping the last worker");

  // the hard limit wins over an overloaded backlog
  auto b = cheaper(1, 8);
  b.rss_hard = 50 * kM;
  d = decide(b, sample(4, 100, 20), {});
  CHECK(d.action == A::RetireForMemory);
}

TEST_CASE("hard limit without a soft one: no growth a new worker would push over it") {
  // processes = 3, workers of ~43M, hard 100M: 3 -> 2 for memory, then the pool stays at 2
  // instead of growing back to 3 and retiring again every second.
  auto c = fixed(3);
  c.rss_hard = 100 * kM;
  auto three = sample(3, 0, 43);  // 129M
  auto d = decide(c, three, {});
  CHECK(d.action == A::RetireForMemory);
  CHECK(d.target == 2u);

  auto two = sample(2, 0, 43);  // 86M + 43M > 100M
  d = decide(c, two, {});
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "hard");
  CHECK(d.reason ==
        "below processes (3): not growing, rss 86.0M + 43.0M (one more worker) > hard limit "
        "100.0M");
  CHECK(decide(c, two, d.next).hold_kind == "hard");  // stable: logged once

  // smaller workers fit again: growth resumes
  d = decide(c, sample(2, 0, 30), {});  // 60M + 30M <= 100M
  CHECK(d.action == A::Grow);
  CHECK(d.count == 1u);

  // a step larger than what fits grows by what fits
  auto b = cheaper(1, 8);
  b.step = 4;
  b.rss_hard = 100 * kM;
  d = decide(b, sample(2, 100, 20), {});  // 40M; 3 more of 20M fit
  CHECK(d.action == A::Grow);
  CHECK(d.count == 3u);
  CHECK(d.reason == "backlog 100 > 3: +3 (2 -> 5)");

  // nothing running yet: nothing to estimate from, the pool starts
  auto empty = sample(0, 0);
  empty.members = 0;
  d = decide(c, empty, {});
  CHECK(d.action == A::Grow);
  CHECK(d.count == 3u);
}

TEST_CASE("backlog: grow by step above cheper-overload, bounded by processes") {
  auto c = cheaper(1, 8);
  c.step = 2;
  auto d = decide(c, sample(1, 4), {});
  CHECK(d.action == A::Grow);
  CHECK(d.count == 2u);
  CHECK(d.target == 3u);
  CHECK(d.reason == "backlog 4 > 3: +2 (1 -> 3)");

  d = decide(c, sample(1, 3), PoolState{0, 2});  // at the overload: steady, idle streak broken
  CHECK(d.action == A::Hold);
  CHECK(d.next.idle == 0u);

  c.step = 7;
  d = decide(c, sample(5, 50), {});
  CHECK(d.count == 3u);  // only room for 3
  CHECK(d.reason == "backlog 50 > 3: +3 (5 -> 8)");

  d = decide(c, sample(8, 50), {});
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "max");
  CHECK(d.reason == "backlog 50 > 3: not growing, already at processes (8)");

  c.overload = 10;
  CHECK(decide(c, sample(2, 10), {}).action == A::Hold);
  CHECK(decide(c, sample(2, 11), {}).action == A::Grow);
}

TEST_CASE("backlog: shrink one worker after 3 idle decisions, then again after 3 more") {
  auto c = cheaper(2, 8);
  PoolState st;
  auto d = decide(c, sample(5, 0), st);
  CHECK(d.action == A::Hold);
  CHECK(d.next.idle == 1u);
  d = decide(c, sample(5, 0), d.next);
  CHECK(d.action == A::Hold);
  CHECK(d.next.idle == 2u);
  d = decide(c, sample(5, 0), d.next);
  CHECK(d.action == A::Shrink);
  CHECK(d.count == 1u);
  CHECK(d.target == 4u);
  CHECK(d.next.idle == 0u);
  CHECK(d.reason == "backlog 0 for 3 decisions: -1 (5 -> 4)");
  // a busy moment breaks the streak
  d = decide(c, sample(4, 0), d.next);
  CHECK(d.next.idle == 1u);
  d = decide(c, sample(4, 2), d.next);
  CHECK(d.next.idle == 0u);
  // at cheaper: idle forever, nothing moves
  d = decide(c, sample(2, 0), PoolState{0, 2});
  CHECK(d.action == A::Hold);
  CHECK(d.next.idle == 0u);
}

TEST_CASE("backlog: without a socket there is nothing to measure") {
  auto d = decide(cheaper(1, 4), sample(2, std::nullopt), {});
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "no-socket");
  CHECK(d.reason == "cheaper-algo backlog: no socket to measure");
}

TEST_CASE("cheaper 0: scale to zero and back") {
  auto c = cheaper(0, 4);
  auto d = decide(c, sample(1, 0), PoolState{0, 2});
  CHECK(d.action == A::Shrink);
  CHECK(d.target == 0u);
  d = decide(c, sample(0, 0), {});
  CHECK(d.action == A::Hold);
  d = decide(c, sample(0, 5), {});
  CHECK(d.action == A::Grow);
  CHECK(d.reason == "backlog 5 > 3: +1 (0 -> 1)");
  // with nobody to serve it, one waiting connection is enough
  d = decide(c, sample(0, 1), {});
  CHECK(d.action == A::Grow);
  CHECK(d.reason == "backlog 1 with no worker: +1 (0 -> 1)");
  CHECK(decide(c, sample(1, 1), {}).action == A::Hold);
}

TEST_CASE("below cheaper (a reload raised it): grow at once, within the soft limit") {
  auto c = cheaper(3, 8);
  auto d = decide(c, sample(1, 0), {});
  CHECK(d.action == A::Grow);
  CHECK(d.count == 2u);
  CHECK(d.reason == "below cheaper (3): +2 (1 -> 3)");
  c.rss_soft = 5 * kM;
  CHECK(decide(c, sample(1, 0), {}).hold_kind == "soft");
}

TEST_CASE("above processes (a reload lowered it): shrink at once") {
  auto d = decide(cheaper(1, 3), sample(6, 0), {});
  CHECK(d.action == A::Shrink);
  CHECK(d.count == 3u);
  CHECK(d.reason == "processes is 3: -3 (6 -> 3)");
}

TEST_CASE("spare: all busy for cheaper-overload decisions grows by step") {
  auto c = cheaper(1, 6, config::CheaperAlgo::Spare);
  c.step = 2;
  auto d = decide(c, busy(2, 2), {});
  CHECK(d.action == A::Hold);
  CHECK(d.next.overloaded == 1u);
  d = decide(c, busy(2, 2), d.next);
  CHECK(d.next.overloaded == 2u);
  d = decide(c, busy(2, 2), d.next);
  CHECK(d.action == A::Grow);
  CHECK(d.count == 2u);
  CHECK(d.next.overloaded == 0u);
  CHECK(d.reason == "all 2 workers busy for 3 decisions: +2 (2 -> 4)");
  // a free worker in between resets the count
  d = decide(c, busy(2, 2), {});
  d = decide(c, busy(2, 1), d.next);
  CHECK(d.next.overloaded == 0u);
  // at processes
  d = decide(c, busy(6, 6), PoolState{2, 0});
  CHECK(d.action == A::Hold);
  CHECK(d.hold_kind == "max");
}

TEST_CASE("spare: one idle worker is the goal; more idle ones shrink after 3 decisions") {
  auto c = cheaper(1, 6, config::CheaperAlgo::Spare);
  auto d = decide(c, busy(4, 3), PoolState{0, 2});
  CHECK(d.action == A::Hold);
  CHECK(d.next == PoolState{});
  d = decide(c, busy(4, 2), {});
  CHECK(d.next.idle == 1u);
  d = decide(c, busy(4, 1), d.next);
  CHECK(d.next.idle == 2u);
  d = decide(c, busy(4, 0), d.next);
  CHECK(d.action == A::Shrink);
  CHECK(d.reason == "4 idle workers for 3 decisions: -1 (4 -> 3)");
  // at cheaper, idle or not
  d = decide(c, busy(1, 0), PoolState{0, 2});
  CHECK(d.action == A::Hold);
}

TEST_CASE("spare: workers waiting to respawn are not busy ones") {
  auto c = cheaper(1, 6, config::CheaperAlgo::Spare);
  PoolSample crashing;
  crashing.members = 2;  // both in respawn backoff, none running
  auto d = decide(c, crashing, PoolState{2, 0});
  CHECK(d.action == A::Hold);
  CHECK(d.next.overloaded == 0u);
  PoolSample empty;  // cheaper 0 scaled to nothing: vacuously all busy
  auto z = cheaper(0, 6, config::CheaperAlgo::Spare);
  d = decide(z, empty, PoolState{2, 0});
  CHECK(d.action == A::Grow);
  CHECK(d.target == 1u);
}

TEST_CASE("manual: SIGTTIN and SIGTTOU within cheaper..processes") {
  auto c = cheaper(1, 4, config::CheaperAlgo::Manual);
  auto s = sample(2, 100);
  CHECK(decide(c, s, {}).action == A::Hold);  // a backlog means nothing here
  s.manual_delta = 1;
  auto d = decide(c, s, {});
  CHECK(d.action == A::Grow);
  CHECK(d.reason == "manual +1: +1 (2 -> 3)");
  s.manual_delta = 5;
  d = decide(c, s, {});
  CHECK(d.count == 2u);
  s.manual_delta = -1;
  d = decide(c, s, {});
  CHECK(d.action == A::Shrink);
  CHECK(d.reason == "manual -1: -1 (2 -> 1)");
  s.manual_delta = -5;
  CHECK(decide(c, s, {}).count == 1u);
  auto at_min = sample(1);
  at_min.manual_delta = -1;
  CHECK(decide(c, at_min, {}).action == A::Hold);
  auto at_max = sample(4);
  at_max.manual_delta = 1;
  CHECK(decide(c, at_max, {}).hold_kind == "max");
}

TEST_CASE("which worker a shrink retires") {
  std::vector<WorkerSample> w = {{1, 0, false}, {3, 0, true}, {2, 0, false}};
  CHECK(pick_to_shrink(w) == 2u);  // slot 2: the highest idle one
  w[2].busy = true;
  CHECK(pick_to_shrink(w) == 0u);
  w[0].busy = true;
  CHECK_FALSE(pick_to_shrink(w));
  CHECK_FALSE(pick_to_shrink({}));
}

TEST_CASE("recycling: max-worker-lifetime and reload-on-rss") {
  config::VassalSpec spec;
  CHECK_FALSE(recycle_reason(Millis{1'000'000'000}, 1ull << 40, spec));
  spec.max_worker_lifetime = Millis{60'000};
  CHECK_FALSE(recycle_reason(Millis{59'999}, 0, spec));
  CHECK(recycle_reason(Millis{60'000}, 0, spec) == "ran 60s, max-worker-lifetime is 60s");
  spec.reload_on_rss = 100 * kM;
  CHECK_FALSE(recycle_reason(Millis{1'000}, 100 * kM, spec));
  CHECK(recycle_reason(Millis{1'000}, 100 * kM + 1, spec) == "rss 100.0M > reload-on-rss 100.0M");
  CHECK(recycle_reason(Millis{61'000}, 200 * kM, spec) == "ran 61s, max-worker-lifetime is 60s");
}

TEST_CASE("memory in log lines") {
  CHECK(memory_text(0) == "0.0K");
  CHECK(memory_text(1536) == "1.5K");
  CHECK(memory_text(256 * kM) == "256.0M");
  CHECK(memory_text(3 * (kM << 9)) == "1.5G");
}

}  // namespace
}  // namespace emp::vassal
