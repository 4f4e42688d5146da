// The log pipeline inside the emperor: vassal output cut into lines, kept in a ring per
// vassal for `emperor logs`, and handed to the pipeline's writer threads. A congested logger
// pauses reading the vassal's pipe, so a flood slows the vassal instead of losing lines.
#include <sys/epoll.h>
#include <unistd.h>

#include <iostream>

#include "emperor/daemon.h"
#include "logs/encoder.h"
#include "logs/record.h"

namespace emp::emperor {
namespace {


std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// The default for an emperor without log-encoder: the vassal's name before each line, so an
// operator reading the emperor's stderr (or journal) knows whose line it is, and " [continued]"
// after each piece of a line cut for length but the last.
std::vector<config::LogEncoderSpec> encoders_or_default(const std::vector<config::LogEncoderSpec>& given) {
  if (!given.empty()) return given;
  auto prefixed = config::parse_log_encoder(logs::kDefaultEmperorEncoder);
  return {*prefixed};
}

std::optional<std::chrono::system_clock::time_point> since_of(const nlohmann::json& body) {
  if (!body.contains("since_ms") || !body["since_ms"].is_number_integer()) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(body["since_ms"].get<int64_t>()));
}

}  // namespace

Result<void> Daemon::start_logs() {
  const auto& c = options_.config;
  EMP_TRY(pipeline_, logs::Pipeline::create(encoders_or_default(c.log_encoder), c.logger, c.logto, hostname())
                         .context("start the log pipeline"));
  return epoll_->add(pipeline_->wake_fd(), EPOLLIN, 4);
}

void Daemon::configure_logs(Record& r) {
  if (!r.ring)
    r.ring = std::make_unique<logs::Ring>(options_.config.log_ring_lines.value_or(config::kDefaultLogRingLines));
  if (!pipeline_ || !r.spec) return;
  std::string key;
  for (const auto& e : r.spec->log_encoder) key += "e:" + e.text + "\n";
  for (const auto& l : r.spec->logger) key += "l:" + l.text + "\n";
  if (r.spec->logto) key += "t:" + *r.spec->logto;
  if (key == r.log_config && r.log_error.empty()) return;
  auto configured = pipeline_->configure_vassal(r.name, r.spec->log_encoder, r.spec->logger, r.spec->logto);
  if (!configured) {
    // Its lines keep going the emperor's way (or its loggers as they were); the operator
    // learns why, in the log at error level and in status, and every start tries again.
    r.log_error = "logging: " + configured.error().message;
    r.last_error = r.log_error;
    status_dirty_ = true;
    log_error(r.name + ": " + r.log_error);
    return;
  }
  if (!r.log_error.empty() && r.last_error == r.log_error) r.last_error.clear();
  r.log_error.clear();
  r.log_config = key;
}

void Daemon::emit_line(Record& r, bool is_stderr, logs::Line line, int pid, std::optional<int> level) {
  // The last line a worker or the setup printed (not the master's own reports) explains an
  // EXEC failure best.
  if (is_stderr && !line.continued && !level) r.last_stderr = line.text;
  logs::Record rec;
  rec.time = std::chrono::system_clock::now();
  rec.vassal = r.name;
  rec.stream = is_stderr ? logs::Stream::Stderr : logs::Stream::Stdout;
  rec.pid = pid ? pid : r.has_process() ? r.process->pid() : 0;
  rec.level = level.value_or(logs::default_level(rec.stream));
  rec.msg = std::move(line.text);
  rec.continued = line.continued;
  if (!r.ring) configure_logs(r);
  r.ring->push(rec);
  auto [first, last] = log_followers_.equal_range(r.name);
  if (first != last) {
    const auto json = nlohmann::json::parse(logs::record_json(rec), nullptr, false);
    for (auto it = first; it != last; ++it) control_->send(it->second, json);
  }
  if (pipeline_) pipeline_->submit(std::move(rec));
  else std::cerr << "[" << r.name << "] " << rec.msg << "\n";
}

void Daemon::pause_output(Record& r, OutputStream& s, uint64_t subtoken) {
  if (!pipeline_ || s.paused || !pipeline_->congested(r.name)) return;
  s.paused = true;
  (void)epoll_->modify(s.fd.get(), 0, kVassalTokens | (r.id << 3) | subtoken);
}

void Daemon::on_logs_wake() {
  uint64_t ignored;
  while (::read(pipeline_->wake_fd(), &ignored, sizeof ignored) > 0) {
  }
  for (auto& [name, r] : records_) {
    if (pipeline_->congested(name)) continue;
    auto resume = [&](OutputStream& s, uint64_t subtoken) {
      if (!s.paused || !s.fd) return;
      s.paused = false;
      (void)epoll_->modify(s.fd.get(), EPOLLIN, kVassalTokens | (r->id << 3) | subtoken);
      on_output(*r, s, subtoken);
    };
    resume(r->out, kKindStdout);
    resume(r->err, kKindStderr);
    for (auto it = r->worker_output.begin(); it != r->worker_output.end();) {
      resume(it->second, (it->first << 32) | kKindWorkerOutput);
      if (!it->second.fd)
        it = r->worker_output.erase(it);  // it reached EOF
      else
        ++it;
    }
  }
}

void Daemon::on_logs_request(uint64_t client, const nlohmann::json& body) {
  using Json = nlohmann::json;
  if (body.value("reopen", false)) {
    auto reopened = pipeline_->reopen();
    if (!reopened) return control_->send(client, Json{{"ok", false}, {"error", reopened.error().message}, {"code", "error"}});
    log("log files reopened");
    return control_->send(client, Json{{"ok", true}});
  }
  if (body.value("stats", false)) return control_->send(client, Json{{"ok", true}, {"stats", pipeline_->stats()}});
  const std::string name = body.value("name", "");
  auto it = records_.find(name);
  if (it == records_.end())
    return control_->send(client, Json{{"ok", false}, {"error", "unknown vassal '" + name + "'"}, {"code", "unknown"}});
  Record& r = *it->second;
  if (!r.ring) configure_logs(r);
  const int64_t lines = body.value("lines", int64_t{10});
  control_->send(client, Json{{"ok", true}});
  for (const auto& rec : r.ring->tail(lines < 0 ? r.ring->capacity() : static_cast<size_t>(lines), since_of(body)))
    control_->send(client, Json::parse(logs::record_json(rec), nullptr, false));
  if (body.value("follow", false)) {
    log_followers_.emplace(name, client);
  } else {
    control_->send(client, Json{{"end", true}});
    control_->close_after_flush(client);
  }
}

}  // namespace emp::emperor
