#include "logs/pipeline.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "logs/encoder.h"
#include "logs/sink.h"

namespace emp::logs {
namespace {

using config::LoggerSpec;

// logto = PATH is uWSGI's shorthand for `logger = file:PATH`; config/ names it "file" too.
std::vector<LoggerSpec> with_logto(std::vector<LoggerSpec> loggers,
                                   const std::optional<std::string>& logto) {
  if (logto) {
    LoggerSpec l;
    l.kind = LoggerSpec::Kind::File;
    l.name = "file";
    l.path = *logto;
    l.text = "file:" + *logto;
    loggers.push_back(std::move(l));
  }
  return loggers;
}

std::vector<std::string> names_of(const std::vector<LoggerSpec>& loggers) {
  std::vector<std::string> names;
  for (const auto& l : loggers) names.push_back(l.name);
  return names;
}

SinkOptions sink_options(const PipelineOptions& o, int notify_fd) {
  return SinkOptions{o.syslog_socket, o.stderr_fd,     o.queue_records,
                     o.queue_bytes,   o.stall_timeout, notify_fd};
}

}  // namespace

Pipeline::Pipeline(std::string hostname, PipelineOptions options)
    : hostname_(std::move(hostname)), options_(std::move(options)) {}

Result<std::shared_ptr<Sink>> Pipeline::open_sink(const LoggerSpec& spec,
                                                  const std::string& owner) {
  EMP_TRY(auto sink, Sink::open(spec, owner, sink_options(options_, wake_.get())));
  std::shared_ptr<Sink> shared = std::move(sink);
  std::lock_guard lock(sinks_mu_);
  sinks_.push_back(shared);
  return shared;
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(
    const std::vector<config::LogEncoderSpec>& encoders, const std::vector<LoggerSpec>& loggers,
    std::optional<std::string> logto, std::string hostname, PipelineOptions options) {
  auto specs = with_logto(loggers, logto);
  if (specs.empty()) {
    LoggerSpec l;
    l.kind = LoggerSpec::Kind::Stderr;
    l.name = "stderr";
    l.text = "stderr";
    specs.push_back(l);
  }
  EMP_CHECK(check_encoders(encoders, names_of(specs)));
  std::unique_ptr<Pipeline> p(new Pipeline(std::move(hostname), std::move(options)));
  p->wake_ = sys::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!p->wake_) return fail_errno("create the log pipeline's eventfd");
  for (const auto& spec : specs) {
    EMP_TRY(auto chain, EncoderChain::build(encoders, spec.name, p->hostname_));
    EMP_TRY(auto sink, p->open_sink(spec, ""));
    p->emperor_.targets.push_back(
        Target{sink.get(), std::make_shared<EncoderChain>(std::move(chain))});
    p->emperor_.own.push_back(std::move(sink));
    p->emperor_.own_specs.push_back(spec);
  }
  Pipeline* raw = p.get();
  EMP_TRY(p->monitor_, start_quiet_thread([raw] { raw->monitor(); }, "log monitor thread"));
  return p;
}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(monitor_mu_);
    monitor_stop_ = true;
  }
  monitor_cv_.notify_one();
  if (monitor_.joinable()) monitor_.join();
  // Every logger drains in parallel against one deadline.
  const auto deadline = Sink::Clock::now() + options_.shutdown_timeout;
  std::lock_guard lock(sinks_mu_);
  for (auto& s : sinks_) s->stop(deadline);
  for (auto& s : sinks_) s->join();
}

Result<void> Pipeline::configure_vassal(const std::string& name,
                                        const std::vector<config::LogEncoderSpec>& encoders,
                                        const std::vector<LoggerSpec>& loggers,
                                        std::optional<std::string> logto) {
  reap();
  const std::string what = "configure logs of vassal '" + name + "'";
  auto specs = with_logto(loggers, logto);
  if (specs.empty() && encoders.empty()) {
    remove_vassal(name);
    return ok();
  }
  EMP_CHECK(
      check_encoders(encoders, names_of(specs.empty() ? emperor_.own_specs : specs)).context(what));

  Route route;
  auto old = vassals_.find(name);
  if (specs.empty()) {
    for (const auto& t : emperor_.targets) {
      EMP_TRY(auto chain,
              EncoderChain::build(encoders, t.sink->spec().name, hostname_).context(what));
      route.targets.push_back(Target{t.sink, std::make_shared<EncoderChain>(std::move(chain))});
    }
  } else {
    // Same loggers as before: keep them open, so a reload neither reorders nor loses lines.
    if (old != vassals_.end() && old->second.own_specs == specs) {
      route.own = old->second.own;
    } else {
      for (const auto& spec : specs) {
        auto sink = open_sink(spec, name);
        if (!sink) {
          retire_route(route, {});
          return forward_error(std::move(sink).context(what));
        }
        route.own.push_back(std::move(*sink));
      }
    }
    route.own_specs = specs;
    for (const auto& sink : route.own) {
      auto chain = EncoderChain::build(encoders, sink->spec().name, hostname_);
      if (!chain) {
        retire_route(
            route, old != vassals_.end() ? old->second.own : std::vector<std::shared_ptr<Sink>>{});
        return forward_error(std::move(chain).context(what));
      }
      route.targets.push_back(
          Target{sink.get(), std::make_shared<EncoderChain>(std::move(*chain))});
    }
  }
  if (old != vassals_.end()) {
    retire_route(old->second, route.own);
    old->second = std::move(route);
  } else {
    vassals_.emplace(name, std::move(route));
  }
  return ok();
}

// Hands the route's chains back to their sinks (freed once queued records are written) and
// stops its own sinks that are not in `kept`.
void Pipeline::retire_route(Route& route, const std::vector<std::shared_ptr<Sink>>& kept) {
  for (auto& t : route.targets) t.sink->retire(std::move(t.chain));
  route.targets.clear();
  const auto deadline = Sink::Clock::now() + options_.shutdown_timeout;
  for (auto& s : route.own)
    if (std::find(kept.begin(), kept.end(), s) == kept.end()) s->stop(deadline);
  route.own.clear();
}

void Pipeline::remove_vassal(const std::string& name) {
  auto it = vassals_.find(name);
  if (it == vassals_.end()) return;
  retire_route(it->second, {});
  vassals_.erase(it);
  reap();
}

void Pipeline::reap() {
  std::vector<std::shared_ptr<Sink>> done;
  {
    std::lock_guard lock(sinks_mu_);
    auto keep =
        std::partition(sinks_.begin(), sinks_.end(), [](const auto& s) { return !s->finished(); });
    done.assign(std::make_move_iterator(keep), std::make_move_iterator(sinks_.end()));
    sinks_.erase(keep, sinks_.end());
  }
  for (auto& s : done) s->join();  // finished: returns at once
}

const Pipeline::Route& Pipeline::route_of(const std::string& vassal) const {
  if (vassals_.empty() || vassal.empty()) return emperor_;
  auto it = vassals_.find(vassal);
  return it != vassals_.end() ? it->second : emperor_;
}

void Pipeline::submit(Record&& r) {
  ++submitted_;
  // The emperor's own messages take the emperor's way whatever name they carry, so a vassal
  // called like it cannot catch them.
  const auto& targets = (r.stream == Stream::Emperor ? emperor_ : route_of(r.vassal)).targets;
  const size_t last = targets.size() - 1;
  for (size_t i = 0; i < last; ++i) targets[i].sink->push(Record(r), targets[i].chain.get());
  targets[last].sink->push(std::move(r), targets[last].chain.get());
}

bool Pipeline::congested(const std::string& vassal) const {
  bool any = false;
  // Every target is asked, so each one that is backlogged knows someone waits on it.
  for (const auto& t : route_of(vassal).targets) any = t.sink->backlogged() || any;
  return any;
}

Result<void> Pipeline::reopen() {
  reap();
  std::vector<std::shared_ptr<Sink>> sinks;
  {
    std::lock_guard lock(sinks_mu_);
    sinks = sinks_;
  }
  Result<void> first;
  for (auto& s : sinks) {
    auto r = s->reopen();
    if (!r && first) first = std::move(r);
  }
  return first;
}

nlohmann::json Pipeline::stats() const {
  nlohmann::json loggers = nlohmann::json::array();
  {
    std::lock_guard lock(sinks_mu_);
    for (const auto& s : sinks_)
      if (!s->finished()) loggers.push_back(s->stats());  // a removed vassal's, closed
  }
  return {{"submitted", submitted_}, {"loggers", std::move(loggers)}};
}

// Ticks often enough to notice a stall soon after stall_timeout, reports every report_interval.
void Pipeline::monitor() {
  std::map<const Sink*, std::pair<uint64_t, uint64_t>> seen;  // dropped, errors at last report
  const auto tick = std::max(std::chrono::milliseconds(10),
                             std::min(options_.report_interval, options_.stall_timeout / 4));
  auto next_report = std::chrono::steady_clock::now() + options_.report_interval;
  std::unique_lock lock(monitor_mu_);
  while (!monitor_stop_) {
    monitor_cv_.wait_for(lock, tick);
    if (monitor_stop_) break;
    std::vector<std::shared_ptr<Sink>> sinks;
    {
      std::lock_guard sl(sinks_mu_);
      sinks = sinks_;
    }
    for (const auto& s : sinks) s->notify_if_stalled();
    if (std::chrono::steady_clock::now() < next_report) continue;
    next_report = std::chrono::steady_clock::now() + options_.report_interval;
    std::map<const Sink*, std::pair<uint64_t, uint64_t>> now;
    for (const auto& s : sinks) {
      const auto counts = std::make_pair(s->dropped(), s->errors());
      const auto before =
          seen.count(s.get()) ? seen[s.get()] : std::make_pair(uint64_t{0}, uint64_t{0});
      now[s.get()] = counts;
      if (counts.first > before.first || counts.second > before.second)
        report(*s, counts.first - before.first, counts.second - before.second);
    }
    seen = std::move(now);
  }
}

// One line to every emperor logger but the one reported on. Pushed from the monitor thread:
// Sink::push is thread-safe and the emperor's route never changes after create().
void Pipeline::report(Sink& sink, uint64_t dropped, uint64_t errors) {
  const auto secs = std::chrono::duration<double>(options_.report_interval).count();
  std::string msg = "logger '" + sink.spec().name + "' (" + sink.target() + ")";
  if (!sink.owner().empty()) msg += " of vassal '" + sink.owner() + "'";
  msg += ": dropped " + std::to_string(dropped) + " lines in the last " +
         std::to_string(static_cast<long long>(secs < 1 ? 1 : secs)) + " s (" +
         std::to_string(sink.dropped()) + " in total)";
  if (errors > 0) {
    msg += ", " + std::to_string(errors) + " write errors";
    const auto last = sink.last_error();
    if (!last.empty()) msg += ", last: " + last;
  }
  for (const auto& t : emperor_.targets) {
    if (t.sink == &sink) continue;
    Record r;
    r.time = std::chrono::system_clock::now();
    r.vassal = "emperor";  // like the emperor's other lines (${vassal}, "v" in json)
    r.stream = Stream::Emperor;
    r.pid = static_cast<int>(::getpid());
    r.level = 4;
    r.msg = msg;
    t.sink->push(std::move(r), t.chain.get());
  }
}

}  // namespace emp::logs
