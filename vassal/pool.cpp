#include "vassal/pool.h"

#include <algorithm>
#include <cstdio>

namespace emp::vassal {
namespace {

using Action = PoolDecision::Action;

std::string n(uint64_t v) {
  return std::to_string(v);
}

struct Decider {
  const PoolConfig& config;
  const PoolSample& sample;
  PoolDecision d;
  uint64_t rss_total = 0;

  Decider(const PoolConfig& c, const PoolSample& s, const PoolState& state) : config(c), sample(s) {
    d.next = state;
    d.target = s.members;
    for (const auto& w : s.running) rss_total += w.rss_bytes;
  }

  PoolDecision hold(std::string why, std::string kind = "") {
    d.action = Action::Hold;
    d.reason = std::move(why);
    d.hold_kind = std::move(kind);
    return d;
  }

  std::string change(uint64_t to) const { return " (" + n(sample.members) + " -> " + n(to) + ")"; }

  // Growth passes three gates: the maximum, the soft memory limit, and the hard one: a new
  // worker expected to weigh what the running ones do on average must fit under it, or
  // the pool would grow into the limit, retire a worker for it, and grow again forever.
  PoolDecision grow(uint64_t wanted, const std::string& why) {
    if (sample.members >= config.max)
      return hold(why + ": not growing, already at processes (" + n(config.max) + ")", "max");
    if (config.rss_soft && rss_total >= *config.rss_soft)
      return hold(why + ": not growing, rss " + memory_text(rss_total) + " >= soft limit " +
                      memory_text(*config.rss_soft),
                  "soft");
    uint64_t count = std::min(wanted, config.max - sample.members);
    if (config.rss_hard && !sample.running.empty()) {
      const uint64_t mean = rss_total / sample.running.size();
      uint64_t fits = 0;
      while (fits < count && rss_total + (fits + 1) * mean <= *config.rss_hard) ++fits;
      if (fits == 0)
        return hold(why + ": not growing, rss " + memory_text(rss_total) + " + " +
                        memory_text(mean) + " (one more worker) > hard limit " +
                        memory_text(*config.rss_hard),
                    "hard");
      count = fits;
    }
    d.action = Action::Grow;
    d.count = count;
    d.target = sample.members + count;
    d.reason = why + ": +" + n(count) + change(d.target);
    return d;
  }

  PoolDecision shrink(uint64_t wanted, const std::string& why) {
    if (sample.members <= config.min) return hold("");
    const uint64_t count = std::min(wanted, sample.members - config.min);
    d.action = Action::Shrink;
    d.count = count;
    d.target = sample.members - count;
    d.reason = why + ": -" + n(count) + change(d.target);
    return d;
  }

  PoolDecision memory_limits() {
    const uint64_t hard = *config.rss_hard;
    const std::string over = "rss " + memory_text(rss_total) + " > hard limit " + memory_text(hard);
    if (sample.running.size() < 2) return hold(over + ": keeping the last worker", "hard");
    // The largest goes; among equals the highest slot, like any shrink.
    size_t pick = 0;
    for (size_t i = 1; i < sample.running.size(); ++i) {
      const auto& a = sample.running[i];
      const auto& b = sample.running[pick];
      if (a.rss_bytes > b.rss_bytes || (a.rss_bytes == b.rss_bytes && a.slot > b.slot)) pick = i;
    }
    d.action = Action::RetireForMemory;
    d.worker = pick;
    d.count = 1;
    d.target = sample.members - 1;
    d.next = PoolState{};
    d.reason = over + ": retiring worker " + n(sample.running[pick].slot) + " (rss " +
               memory_text(sample.running[pick].rss_bytes) + ")" + change(d.target);
    return d;
  }

  PoolDecision backlog() {
    if (!sample.backlog) return hold("cheaper-algo backlog: no socket to measure", "no-socket");
    const uint64_t b = *sample.backlog;
    if (b > config.overload) {
      d.next.idle = 0;
      return grow(config.step, "backlog " + n(b) + " > " + n(config.overload));
    }
    if (b > 0 && sample.members == 0) {  // cheaper 0: nobody else will take it
      d.next.idle = 0;
      return grow(config.step, "backlog " + n(b) + " with no worker");
    }
    if (b > 0) {
      d.next.idle = 0;
      return hold("");
    }
    return idle_tick("backlog 0");
  }

  PoolDecision spare() {
    const uint64_t running = sample.running.size();
    const uint64_t busy =
        static_cast<uint64_t>(std::count_if(sample.running.begin(), sample.running.end(),
                                            [](const WorkerSample& w) { return w.busy; }));
    const uint64_t idle = running - busy;
    // Workers waiting to respawn are not busy: a crash loop must not grow the pool.
    if (idle == 0 && (running > 0 || sample.members == 0)) {
      d.next.idle = 0;
      ++d.next.overloaded;
      if (d.next.overloaded < config.overload) return hold("");
      d.next.overloaded = 0;
      return grow(config.step,
                  "all " + n(running) + " workers busy for " + n(config.overload) + " decisions");
    }
    d.next.overloaded = 0;
    if (idle <= 1) {  // the goal: exactly one spare worker
      d.next.idle = 0;
      return hold("");
    }
    return idle_tick(n(idle) + " idle workers");
  }

  PoolDecision idle_tick(const std::string& what) {
    if (sample.members <= config.min) {
      d.next.idle = 0;
      return hold("");
    }
    ++d.next.idle;
    if (d.next.idle < kIdleDecisions) return hold("");
    d.next.idle = 0;
    return shrink(1, what + " for " + n(kIdleDecisions) + " decisions");
  }

  PoolDecision manual() {
    const int64_t delta = sample.manual_delta;
    if (delta > 0) return grow(static_cast<uint64_t>(delta), "manual +" + std::to_string(delta));
    if (delta < 0) return shrink(static_cast<uint64_t>(-delta), "manual " + std::to_string(delta));
    return hold("");
  }

  PoolDecision run() {
    if (config.rss_hard && rss_total > *config.rss_hard) return memory_limits();
    if (sample.members > config.max)
      return shrink(sample.members - config.max, "processes is " + n(config.max));
    if (sample.members < config.min)
      return grow(config.min - sample.members, config.cheaper
                                                   ? "below cheaper (" + n(config.min) + ")"
                                                   : "below processes (" + n(config.min) + ")");
    if (!config.cheaper) return hold("");
    switch (config.algo) {
      case config::CheaperAlgo::Backlog:
        return backlog();
      case config::CheaperAlgo::Spare:
        return spare();
      case config::CheaperAlgo::Manual:
        return manual();
    }
    return hold("");
  }
};

}  // namespace

PoolConfig PoolConfig::from(const config::VassalSpec& spec) {
  PoolConfig c;
  c.max = spec.processes.value_or(config::kDefaultProcesses);
  c.cheaper = spec.cheaper.has_value();
  c.min = c.cheaper ? std::min(*spec.cheaper, c.max) : c.max;
  c.initial = c.cheaper
                  ? std::clamp<uint64_t>(
                        spec.cheaper_initial.value_or(std::max<uint64_t>(c.min, 1)), c.min, c.max)
                  : c.max;
  c.step = std::max<uint64_t>(spec.cheaper_step.value_or(1), 1);
  c.algo = spec.cheaper_algo.value_or(config::CheaperAlgo::Backlog);
  c.overload =
      std::max<uint64_t>(spec.cheaper_overload.value_or(config::kDefaultCheaperOverload), 1);
  c.rss_soft = spec.cheaper_rss_limit_soft;
  c.rss_hard = spec.cheaper_rss_limit_hard;
  return c;
}

PoolDecision decide(const PoolConfig& config, const PoolSample& sample, const PoolState& state) {
  return Decider(config, sample, state).run();
}

std::optional<size_t> pick_to_shrink(const std::vector<WorkerSample>& running) {
  std::optional<size_t> pick;
  for (size_t i = 0; i < running.size(); ++i) {
    if (running[i].busy) continue;
    if (!pick || running[i].slot > running[*pick].slot) pick = i;
  }
  return pick;
}

std::optional<std::string> recycle_reason(std::chrono::milliseconds uptime, uint64_t rss_bytes,
                                          const config::VassalSpec& spec) {
  if (spec.max_worker_lifetime && uptime >= *spec.max_worker_lifetime)
    return "ran " + std::to_string(uptime.count() / 1000) + "s, max-worker-lifetime is " +
           std::to_string(spec.max_worker_lifetime->count() / 1000) + "s";
  if (spec.reload_on_rss && rss_bytes > *spec.reload_on_rss)
    return "rss " + memory_text(rss_bytes) + " > reload-on-rss " + memory_text(*spec.reload_on_rss);
  return std::nullopt;
}

std::string memory_text(uint64_t bytes) {
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (bytes >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1fG", b / (1ull << 30));
  else if (bytes >= (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.1fM", b / (1ull << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1fK", b / (1ull << 10));
  return buf;
}

}  // namespace emp::vassal
