// One logger's writer: a bounded queue filled by the emperor's main thread and a thread that
// encodes and writes. Internal to the pipeline.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/log_spec.h"
#include "logs/encoder.h"
#include "logs/record.h"
#include "logs/syslog_format.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::logs {

struct SinkOptions {
  std::string syslog_socket = "/dev/log";
  int stderr_fd = 2;
  // At most this many records and message bytes wait or are being written; past that, push()
  // drops (counted). Past half of either the sink is backlogged (see backlogged()).
  size_t queue_records = 65536;
  size_t queue_bytes = 64 << 20;
  // A backlogged sink that wrote nothing for this long is stalled: it drops instead of
  // holding back the vassals that feed it.
  std::chrono::milliseconds stall_timeout{1000};
  int notify_fd = -1;  // eventfd written when a backlogged sink drains under a quarter
};

class Sink {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens the file/socket/stderr and starts the writer thread. owner: the vassal, "" for the
  // emperor's own loggers.
  static Result<std::unique_ptr<Sink>> open(const config::LoggerSpec& spec, std::string owner,
                                            const SinkOptions& options);
  ~Sink();  // stops at once (dropping what is queued) if stop() was not called, then joins
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Never blocks beyond a short mutex. False: the queue was full and the record is dropped.
  // `chain` must outlive the record's passage through the queue (see retire).
  bool push(Record&& r, EncoderChain* chain);
  // Keeps `chain` alive until the writer has passed every record queued before this call.
  void retire(std::shared_ptr<EncoderChain> chain);
  // True while at least half the queue is used and the writer is still making progress; it
  // then writes options.notify_fd once the backlog is under a quarter (or the sink stalls).
  bool backlogged();
  bool stalled() const;
  // Called by the pipeline's monitor: a sink that stalled while someone waited on its
  // backlog writes notify_fd, so the waiter checks again and stops waiting on it.
  void notify_if_stalled();

  // file: opens the path again (after logrotate renamed it); syslog: reconnects.
  Result<void> reopen();

  // Asks the writer to write what is queued and exit, giving up at `deadline`.
  void stop(Clock::time_point deadline);
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  void join();

  const config::LoggerSpec& spec() const { return spec_; }
  const std::string& owner() const { return owner_; }
  std::string target() const;  // path, socket path or "stderr"
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  std::string last_error() const;
  // Records received and neither written nor dropped yet (queued or being written).
  uint64_t queued_estimate() const;
  nlohmann::json stats() const;

 private:
  enum class Io : uint8_t { Write, Send };
  struct Item {
    Record record;
    EncoderChain* chain = nullptr;
    std::shared_ptr<EncoderChain> retired;  // set on a retire marker
  };

  Sink(const config::LoggerSpec& spec, std::string owner, const SinkOptions& options);
  Result<sys::UniqueFd> open_target(Io& io) const;
  void run();
  void process(std::vector<Item>& batch);
  void flush_stream();
  void flush_datagrams();
  bool wait_writable();  // false: stopping and the deadline passed
  void take_reopened_fd();
  void fail_io(const std::string& what, const std::string& reason, size_t records);
  void note_progress();
  bool over(uint64_t records, uint64_t bytes) const;
  bool drained() const;
  void notify_if_drained();
  void notify();
  std::string shutdown_reason() const;

  const config::LoggerSpec spec_;
  const std::string owner_;
  const SinkOptions options_;

  // Writer-thread state.
  sys::UniqueFd fd_;
  Io io_ = Io::Write;
  sys::UniqueFd wake_;  // eventfd: stop or reopen while the writer waits for POLLOUT
  std::string out_;
  std::vector<size_t> ends_;  // end offset of each record in out_
  SyslogHeader syslog_header_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Item> queue_;
  // Busy: encoding/writing. Napping: just ran dry; wakes by itself after kNap unless a push
  // brings a batch's worth first. Asleep: was dry a whole nap; the next push wakes it at once.
  // A flood thus costs one wakeup per batch, and a lone line after a quiet spell no delay.
  enum class State : uint8_t { Busy, Napping, Asleep } state_ = State::Busy;
  bool stopping_ = false;
  Clock::time_point deadline_{};
  sys::UniqueFd reopened_fd_;
  std::string last_error_;
  std::atomic<bool> reopen_pending_{false};
  std::atomic<bool> stop_flag_{false};
  std::atomic<bool> finished_{false};

  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> errors_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> backlog_bytes_{0};  // message bytes received, not yet written or dropped
  std::atomic<bool> waited_on_{false};      // backlogged() said yes; notify when that ends
  std::atomic<int64_t> last_progress_{0};   // steady clock, ns: batch taken or bytes written
};

// Starts a thread with every signal blocked, so process-directed signals (SIGTERM, SIGCHLD,
// SIGPIPE...) reach the emperor's main thread and its signalfd, never a log writer.
Result<std::thread> start_quiet_thread(std::function<void()> body, const char* what);

}  // namespace emp::logs
