// The log pipeline: records from the emperor's main thread, encoded and written by one writer
// thread per logger behind a bounded queue, so a slow logger drops (and says so) instead of
// stalling the emperor or other vassals.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/log_spec.h"
#include "logs/record.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::logs {

class EncoderChain;
class Sink;

struct PipelineOptions {
  std::string syslog_socket = "/dev/log";  // tests point it at a socket of their own
  int stderr_fd = 2;
  size_t queue_records = 65536;   // per logger: records waiting or being written
  size_t queue_bytes = 64 << 20;  // per logger: their message bytes
  // A backlogged logger that wrote nothing for this long is stalled: it drops lines rather
  // than holding back the vassals that feed it (see congested()).
  std::chrono::milliseconds stall_timeout{1000};
  // How often a logger that dropped lines or failed is reported to the emperor's other loggers.
  std::chrono::milliseconds report_interval{10'000};
  // How long the destructor (and a removed vassal's loggers) may take to write what is queued.
  std::chrono::milliseconds shutdown_timeout{2'000};
};

class Pipeline {
 public:
  // The emperor's encoders and loggers (EmperorSpec log_encoder/logger/logto; logto is the
  // logger `file:PATH` named "file"); no logger at all: stderr. Opens every file now, so a bad
  // path is an error here rather than a silent drop later.
  static Result<std::unique_ptr<Pipeline>> create(
      const std::vector<config::LogEncoderSpec>& encoders,
      const std::vector<config::LoggerSpec>& loggers, std::optional<std::string> logto,
      std::string hostname, PipelineOptions options = {});

  // A vassal's own encoders and loggers, replacing what it had. With loggers of its own, its
  // lines go to those only, through its encoders. With encoders but no loggers, they go to the
  // emperor's loggers through the vassal's encoders instead of the emperor's. With neither,
  // through the emperor's encoders to the emperor's loggers. Unchanged loggers are kept open.
  Result<void> configure_vassal(const std::string& name,
                                const std::vector<config::LogEncoderSpec>& encoders,
                                const std::vector<config::LoggerSpec>& loggers,
                                std::optional<std::string> logto);
  // The vassal's own loggers write what they hold (within shutdown_timeout) and close, in the
  // background; its later lines (e.g. the partial last one) go the emperor's way.
  void remove_vassal(const std::string& name);

  // From the emperor's single main thread. Never blocks: a full logger queue drops the record
  // for that logger (counted) and the others still get it. Records of Stream::Emperor always
  // go to the emperor's loggers; the others by their vassal name.
  void submit(Record&& r);

  // Backpressure for capture. True while a logger this vassal's lines go to ("" for the
  // emperor's own) has half its queue used and is still writing. The emperor then stops
  // reading the vassal's pipe, so a flood slows the vassal down instead of losing lines; it
  // reads again when wake_fd() becomes readable. A stalled logger never counts (it drops and
  // reports instead), so a blocked logger never holds vassals up for more than stall_timeout.
  bool congested(const std::string& vassal) const;
  // An eventfd (EFD_NONBLOCK), readable when a logger that congested() reported drained below
  // a quarter of its queue or stalled: read it to reset, then ask congested() again.
  int wake_fd() const { return wake_.get(); }

  // Reopens every file logger (after logrotate renamed the files) and reconnects syslog ones.
  // Every logger is tried; the first error is returned.
  Result<void> reopen();

  // {"submitted": N, "loggers": [{"vassal", "logger", "type", "target", "received",
  // "written", "dropped", "queued", "errors", "bytes", "last_error"?}...]}
  nlohmann::json stats() const;

  ~Pipeline();  // writes what is queued (within shutdown_timeout) and stops the writers
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

 private:
  struct Target {
    Sink* sink = nullptr;
    std::shared_ptr<EncoderChain> chain;
  };
  struct Route {
    std::vector<Target> targets;
    std::vector<std::shared_ptr<Sink>> own;  // the vassal's own loggers, if any
    std::vector<config::LoggerSpec> own_specs;
  };

  Pipeline(std::string hostname, PipelineOptions options);
  Result<std::shared_ptr<Sink>> open_sink(const config::LoggerSpec& spec, const std::string& owner);
  void retire_route(Route& route, const std::vector<std::shared_ptr<Sink>>& kept);
  void reap();
  void monitor();
  void report(Sink& sink, uint64_t dropped, uint64_t errors);
  const Route& route_of(const std::string& vassal) const;

  const std::string hostname_;
  const PipelineOptions options_;
  sys::UniqueFd wake_;
  Route emperor_;  // fixed once create() returns: the monitor thread reads it unlocked
  std::unordered_map<std::string, Route> vassals_;  // main thread only
  uint64_t submitted_ = 0;

  // Every live logger, including removed vassals' ones still draining.
  mutable std::mutex sinks_mu_;
  std::vector<std::shared_ptr<Sink>> sinks_;

  std::mutex monitor_mu_;
  std::condition_variable monitor_cv_;
  bool monitor_stop_ = false;
  std::thread monitor_;
};

}  // namespace emp::logs
