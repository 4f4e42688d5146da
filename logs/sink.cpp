#include "logs/sink.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "sys/unix_socket.h"

namespace emp::logs {
namespace {

using config::LoggerSpec;

// One write() carries up to this much: large enough to amortise the syscall, small enough that
// a record's bytes go out soon after it was encoded.
constexpr size_t kFlushBytes = 256 * 1024;
constexpr size_t kMaxDatagramsPerCall = 256;
// A napping writer is woken early once this many records wait.
constexpr size_t kWakeBatch = 128;
constexpr auto kNap = std::chrono::milliseconds(2);
// Per-record queue cost beyond the message bytes, so a flood of empty lines is bounded too.
constexpr size_t kItemOverhead = sizeof(Record) + 16;

size_t item_cost(const Record& r) {
  return r.msg.size() + r.vassal.size() + kItemOverhead;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::thread> start_quiet_thread(std::function<void()> body, const char* what) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  Result<std::thread> result = fail(std::string("start ") + what + ": unknown error");
  try {  // std::thread reports a failed clone as an exception: the third-party boundary
    result = std::thread(std::move(body));
  } catch (const std::system_error& e) {
    result = fail(std::string("start ") + what + ": " + e.what(), e.code().value());
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return result;
}

Sink::Sink(const LoggerSpec& spec, std::string owner, const SinkOptions& options)
    : spec_(spec), owner_(std::move(owner)), options_(options) {
  note_progress();
}

Result<std::unique_ptr<Sink>> Sink::open(const LoggerSpec& spec, std::string owner,
                                         const SinkOptions& options) {
  std::unique_ptr<Sink> sink(new Sink(spec, std::move(owner), options));
  sink->wake_ = sys::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!sink->wake_) return fail_errno("create eventfd for logger '" + spec.name + "'");
  auto fd = sink->open_target(sink->io_);
  if (fd) {
    sink->fd_ = std::move(*fd);
  } else if (spec.kind == LoggerSpec::Kind::Syslog) {
    // syslogd may be restarting or not up yet: keep the logger, count the lines it cannot
    // send, and connect again on the next batch.
    sink->errors_ = 1;
    sink->last_error_ = fd.error().message;
  } else {
    return forward_error(std::move(fd));
  }
  Sink* raw = sink.get();
  EMP_TRY(sink->thread_, start_quiet_thread([raw] { raw->run(); }, "log writer thread"));
  return sink;
}

Sink::~Sink() {
  if (thread_.joinable()) {
    stop(Clock::now());
    join();
  }
}

std::string Sink::target() const {
  switch (spec_.kind) {
    case LoggerSpec::Kind::File:
      return spec_.path;
    case LoggerSpec::Kind::Syslog:
      return options_.syslog_socket;
    case LoggerSpec::Kind::Stderr:
      return "stderr";
  }
  return {};
}

Result<sys::UniqueFd> Sink::open_target(Io& io) const {
  switch (spec_.kind) {
    case LoggerSpec::Kind::File: {
      // O_NONBLOCK only matters for a FIFO: a stalled reader must not pin the writer thread
      // where stop() cannot reach it.
      sys::UniqueFd fd(::open(spec_.path.c_str(),
                              O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
                              0640));
      if (!fd) return fail_errno("open log file '" + spec_.path + "'");
      io = Io::Write;
      return fd;
    }
    case LoggerSpec::Kind::Syslog: {
      EMP_TRY(auto fd, sys::connect_unix(options_.syslog_socket, SOCK_DGRAM));
      io = Io::Send;
      return fd;
    }
    case LoggerSpec::Kind::Stderr: {
      // A fresh open file description of the same pipe/tty/file, so O_NONBLOCK is ours alone
      // and does not change the emperor's (and its children's) stderr.
      const std::string proc = "/proc/self/fd/" + std::to_string(options_.stderr_fd);
      sys::UniqueFd fd(
          ::open(proc.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
      if (fd) {
        io = Io::Write;
        return fd;
      }
      // Sockets (journald's stdout stream) cannot be reopened: share the description and
      // ask for non-blocking sends per call instead.
      fd = sys::UniqueFd(::fcntl(options_.stderr_fd, F_DUPFD_CLOEXEC, 3));
      if (!fd)
        return fail_errno("duplicate stderr (fd " + std::to_string(options_.stderr_fd) + ")");
      struct stat st {};
      io = ::fstat(fd.get(), &st) == 0 && S_ISSOCK(st.st_mode) ? Io::Send : Io::Write;
      return fd;
    }
  }
  return fail("open logger '" + spec_.name + "': unknown kind");
}

bool Sink::push(Record&& r, EncoderChain* chain) {
  const size_t cost = item_cost(r);
  std::unique_lock lock(mu_);
  if (stopping_ || queued_estimate() >= options_.queue_records ||
      backlog_bytes_.load(std::memory_order_relaxed) + cost > options_.queue_bytes) {
    lock.unlock();
    received_.fetch_add(1);
    dropped_.fetch_add(1);
    return false;
  }
  received_.fetch_add(1);
  backlog_bytes_.fetch_add(cost);
  queue_.push_back(Item{std::move(r), chain, nullptr});
  const bool asleep = state_ == State::Asleep;
  const bool wake = asleep || (state_ == State::Napping && queue_.size() >= kWakeBatch);
  if (wake) state_ = State::Busy;
  lock.unlock();
  if (asleep) note_progress();  // an idle writer is not stalled: its clock starts now
  if (wake) cv_.notify_one();
  return true;
}

void Sink::retire(std::shared_ptr<EncoderChain> chain) {
  std::unique_lock lock(mu_);
  if (finished()) return;  // the writer is gone: nothing can still use the chain
  queue_.push_back(Item{Record{}, nullptr, std::move(chain)});
  const bool wake = state_ != State::Busy;
  state_ = State::Busy;
  lock.unlock();
  if (wake) cv_.notify_one();
}

Result<void> Sink::reopen() {
  if (spec_.kind == LoggerSpec::Kind::Stderr) return ok();
  Io io = io_;
  auto fd = open_target(io);
  if (!fd) {
    if (spec_.kind == LoggerSpec::Kind::File)
      return fail("reopen log file '" + spec_.path +
                      "': " + fd.error().message.substr(fd.error().message.rfind(": ") + 2),
                  fd.error().code);
    return forward_error(std::move(fd));
  }
  {
    std::lock_guard lock(mu_);
    reopened_fd_ = std::move(*fd);
  }
  reopen_pending_.store(true, std::memory_order_release);
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
  std::lock_guard lock(mu_);
  if (state_ != State::Busy) {
    state_ = State::Busy;
    cv_.notify_one();
  }
  return ok();
}

void Sink::stop(Clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    deadline_ = deadline;
  }
  stop_flag_.store(true, std::memory_order_release);
  cv_.notify_one();
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
}

void Sink::join() {
  if (thread_.joinable()) thread_.join();
}

uint64_t Sink::queued_estimate() const {
  // Read in this order, a record moving from queued to written is never counted twice.
  const uint64_t done =
      written_.load(std::memory_order_acquire) + dropped_.load(std::memory_order_acquire);
  const uint64_t received = received_.load(std::memory_order_acquire);
  return received > done ? received - done : 0;
}

std::string Sink::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

nlohmann::json Sink::stats() const {
  const std::string last_error = this->last_error();
  const char* kind = spec_.kind == LoggerSpec::Kind::File     ? "file"
                     : spec_.kind == LoggerSpec::Kind::Syslog ? "syslog"
                                                              : "stderr";
  nlohmann::json j = {
      {"vassal", owner_},
      {"logger", spec_.name},
      {"type", kind},
      {"target", target()},
      {"received", received_.load(std::memory_order_relaxed)},
      {"written", written_.load(std::memory_order_relaxed)},
      {"dropped", dropped_.load(std::memory_order_relaxed)},
      {"queued", queued_estimate()},
      {"errors", errors_.load(std::memory_order_relaxed)},
      {"bytes", bytes_.load(std::memory_order_relaxed)},
  };
  if (!last_error.empty()) j["last_error"] = last_error;
  return j;
}

void Sink::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      bool napped = false;
      while (queue_.empty() && !stopping_ && !reopen_pending_.load()) {
        if (!napped) {
          state_ = State::Napping;
          cv_.wait_for(lock, kNap);
          napped = true;
        } else {
          state_ = State::Asleep;
          cv_.wait(lock);
        }
      }
      state_ = State::Busy;
      if (queue_.empty() && stopping_) break;  // everything is written
      batch.swap(queue_);
    }
    take_reopened_fd();  // promptly, so the renamed file is let go even while no line comes
    if (batch.empty()) continue;
    note_progress();
    uint64_t batch_bytes = 0;
    for (const auto& item : batch) batch_bytes += item.retired ? 0 : item_cost(item.record);
    process(batch);
    batch.clear();
    backlog_bytes_.fetch_sub(batch_bytes);
    notify_if_drained();
  }
  finished_.store(true, std::memory_order_release);
}

void Sink::process(std::vector<Item>& batch) {
  const bool datagrams = spec_.kind == LoggerSpec::Kind::Syslog;
  const bool prefix = spec_.kind == LoggerSpec::Kind::Stderr;
  out_.clear();
  ends_.clear();
  for (auto& item : batch) {
    if (item.retired) {
      item.retired.reset();  // every record encoded with it is already in out_
      continue;
    }
    const Record& r = item.record;
    if (datagrams) {
      syslog_header_.append(out_, spec_.facility, syslog_severity(spec_, r), r.time,
                            syslog_ident(spec_, r), r.pid);
      item.chain->encode(r, out_);
      // A datagram is its own frame: rsyslog and journald would keep the newline as "#012".
      if (!item.chain->binary() && !out_.empty() && out_.back() == '\n') out_.pop_back();
    } else {
      // journald reads "<N>" at the start of a line on a stream as the line's priority.
      if (prefix && !item.chain->binary()) {
        const int level = r.level < 0 ? 0 : r.level > 7 ? 7 : r.level;
        out_ += '<';
        out_ += static_cast<char>('0' + level);
        out_ += '>';
      }
      item.chain->encode(r, out_);
    }
    ends_.push_back(out_.size());
    if (out_.size() >= kFlushBytes) datagrams ? flush_datagrams() : flush_stream();
  }
  datagrams ? flush_datagrams() : flush_stream();
}

void Sink::note_progress() {
  last_progress_.store(now_ns(), std::memory_order_relaxed);
}

bool Sink::over(uint64_t records, uint64_t bytes) const {
  return queued_estimate() >= records || backlog_bytes_.load() >= bytes;
}

bool Sink::stalled() const {
  return queued_estimate() > 0 && now_ns() - last_progress_.load(std::memory_order_relaxed) >
                                      std::chrono::nanoseconds(options_.stall_timeout).count();
}

// The waiter sets waited_on_ before its second look at the counters and the writer updates the
// counters before it looks at waited_on_ (both seq_cst), so one of them always sees the other:
// either the waiter sees the drained backlog, or the writer sees the flag and notifies.
bool Sink::backlogged() {
  const uint64_t high_r = std::max<uint64_t>(1, options_.queue_records / 2);
  const uint64_t high_b = std::max<uint64_t>(1, options_.queue_bytes / 2);
  if (!over(high_r, high_b) || stalled()) return false;
  waited_on_.store(true);
  return !drained();
}

bool Sink::drained() const {
  const uint64_t bytes = backlog_bytes_.load();  // first: it orders the counters after it
  return bytes <= options_.queue_bytes / 4 && queued_estimate() <= options_.queue_records / 4;
}

void Sink::notify() {
  if (options_.notify_fd < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(options_.notify_fd, &one, sizeof one);
}

void Sink::notify_if_drained() {
  if (waited_on_.load() && drained() && waited_on_.exchange(false)) notify();
}

void Sink::notify_if_stalled() {
  if (waited_on_.load() && stalled() && waited_on_.exchange(false)) notify();
}

void Sink::take_reopened_fd() {
  if (!reopen_pending_.exchange(false, std::memory_order_acq_rel)) return;
  std::lock_guard lock(mu_);
  if (reopened_fd_) fd_ = std::move(reopened_fd_);
}

void Sink::fail_io(const std::string& what, const std::string& reason, size_t records) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  dropped_.fetch_add(records);
  std::lock_guard lock(mu_);
  last_error_ = what + " '" + target() + "': " + reason;
}

std::string Sink::shutdown_reason() const {
  return "gave up at shutdown, the " +
         std::string(spec_.kind == LoggerSpec::Kind::Syslog ? "socket" : "file") +
         " accepted nothing more before the deadline";
}

bool Sink::wait_writable() {
  for (;;) {
    int timeout = -1;
    if (stop_flag_.load(std::memory_order_acquire)) {
      Clock::time_point deadline;
      {
        std::lock_guard lock(mu_);
        deadline = deadline_;
      }
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      timeout = static_cast<int>(std::min<long long>(left, 60'000));
    }
    pollfd fds[2] = {{fd_.get(), POLLOUT, 0}, {wake_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) return false;
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      [[maybe_unused]] auto r = ::read(wake_.get(), &v, sizeof v);
    }
    if (reopen_pending_.load(std::memory_order_acquire)) return true;  // try the new fd
    if (fds[0].revents) return true;  // writable, or an error the next write reports
  }
}

void Sink::flush_stream() {
  size_t done = 0;     // bytes of out_ written
  size_t records = 0;  // records of ends_ completely written
  const auto settle = [&] {
    const size_t before = records;
    while (records < ends_.size() && ends_[records] <= done) ++records;
    written_.fetch_add(records - before);
  };
  while (done < out_.size()) {
    take_reopened_fd();
    const char* p = out_.data() + done;
    const size_t len = out_.size() - done;
    const ssize_t n = io_ == Io::Send ? ::send(fd_.get(), p, len, MSG_DONTWAIT | MSG_NOSIGNAL)
                                      : ::write(fd_.get(), p, len);
    if (n > 0) {
      done += static_cast<size_t>(n);
      bytes_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      note_progress();
      continue;
    }
    const int code = n < 0 ? errno : EIO;
    if (code == EINTR) continue;
    settle();
    if (code == EAGAIN || code == EWOULDBLOCK) {
      if (wait_writable()) continue;
      // A record cut by the deadline counts as dropped even though its start went out.
      fail_io("write", shutdown_reason(), ends_.size() - records);
    } else {
      fail_io("write", std::strerror(code), ends_.size() - records);
    }
    records = ends_.size();
    break;
  }
  settle();
  out_.clear();
  ends_.clear();
}

void Sink::flush_datagrams() {
  size_t next = 0;  // first record neither sent nor dropped
  bool reconnected = false;
  mmsghdr msgs[kMaxDatagramsPerCall];
  iovec iov[kMaxDatagramsPerCall];
  const auto give_up = [&](const std::string& what, const std::string& reason) {
    fail_io(what, reason, ends_.size() - next);
    next = ends_.size();
  };
  while (next < ends_.size()) {
    take_reopened_fd();
    if (!fd_) {
      if (reconnected) {
        give_up("send", "not connected");
        break;
      }
      reconnected = true;
      Io io = io_;
      auto fd = open_target(io);
      if (!fd) {
        errors_.fetch_add(1, std::memory_order_relaxed);
        dropped_.fetch_add(ends_.size() - next);
        std::lock_guard lock(mu_);
        last_error_ = fd.error().message;
        break;
      }
      fd_ = std::move(*fd);
    }
    const size_t count = std::min(kMaxDatagramsPerCall, ends_.size() - next);
    for (size_t i = 0; i < count; ++i) {
      const size_t k = next + i;
      const size_t b = k == 0 ? 0 : ends_[k - 1];
      iov[i] = {out_.data() + b, ends_[k] - b};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n =
        ::sendmmsg(fd_.get(), msgs, static_cast<unsigned>(count), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      for (size_t i = 0; i < static_cast<size_t>(n); ++i)
        bytes_.fetch_add(msgs[i].msg_len, std::memory_order_relaxed);
      written_.fetch_add(static_cast<uint64_t>(n));
      next += static_cast<size_t>(n);
      note_progress();
      continue;
    }
    const int code = n < 0 ? errno : EIO;
    if (code == EINTR) continue;
    if (code == EAGAIN || code == EWOULDBLOCK) {
      if (wait_writable()) continue;
      give_up("send", shutdown_reason());
      break;
    }
    if (code == EMSGSIZE) {  // this record alone is too large for the socket: skip it
      fail_io("send", std::strerror(code), 1);
      ++next;
      continue;
    }
    if ((code == ECONNREFUSED || code == ENOTCONN || code == ENOENT || code == EPIPE) &&
        !reconnected) {
      fd_.reset();  // syslogd restarted: its socket is a new one
      continue;
    }
    give_up("send", std::strerror(code));
  }
  out_.clear();
  ends_.clear();
}

}  // namespace emp::logs
