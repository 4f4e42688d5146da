#include "config/validate.h"

#include <algorithm>
#include <map>
#include <set>

namespace emp::config {
namespace {

class Checker {
 public:
  Checker(const KeyWhere& where, const std::string& top) : where_(where), top_(top) {}

  // Reports at the later of the two keys' lines: the one that made the pair conflict.
  void error(std::initializer_list<const char*> keys, std::string message) {
    Location at{top_, 0};
    for (const char* key : keys) {
      auto it = where_.find(key);
      if (it != where_.end() && (at.line == 0 || it->second.line > at.line)) at = it->second;
    }
    out_.push_back({Diagnostic::Severity::Error, at.file, at.line, std::move(message)});
  }
  bool set(const char* key) const { return where_.count(key) > 0; }
  std::vector<Diagnostic> take() { return std::move(out_); }

 private:
  const KeyWhere& where_;
  const std::string& top_;
  std::vector<Diagnostic> out_;
};

std::string n(uint64_t v) { return std::to_string(v); }

}  // namespace

std::string format_size(uint64_t bytes) {
  static constexpr std::pair<uint64_t, const char*> kUnits[] = {
      {1ull << 40, "T"}, {1ull << 30, "G"}, {1ull << 20, "M"}, {1ull << 10, "K"}};
  for (auto [factor, unit] : kUnits)
    if (bytes >= factor && bytes % factor == 0) return n(bytes / factor) + unit;
  return n(bytes) + " bytes";
}

// An encoder's `:LOGGER` names one of the loggers (logto is the logger named "file").
template <typename Encoders>
void check_encoder_loggers(Checker& c, const Encoders& encoders, const std::vector<LoggerSpec>& loggers,
                           const std::optional<std::string>& logto, const char* otherwise) {
  std::set<std::string> names;
  for (const auto& l : loggers) names.insert(l.name);
  if (logto) names.insert("file");
  for (const auto& e : encoders)
    if (e.logger && !names.count(*e.logger))
      c.error({"log-encoder"},
              "log-encoder '" + e.text + "' names logger '" + *e.logger + "', " + otherwise);
}

// Two loggers writing the same place (`logger = stderr` twice, one file twice, `logto` and a
// `file:` of the same path) would write every line twice: refused rather than guessed at.
void check_duplicate_loggers(Checker& c, const std::vector<LoggerSpec>& loggers,
                             const std::optional<std::string>& logto) {
  auto target = [](const LoggerSpec& l) {
    switch (l.kind) {
      case LoggerSpec::Kind::File:
        return "file:" + l.path;
      case LoggerSpec::Kind::Stderr:
        return std::string("stderr");
      case LoggerSpec::Kind::Syslog:
        return "syslog:" + l.ident + "," + std::to_string(l.facility) + "," +
               (l.priority ? std::to_string(*l.priority) : "");
    }
    return std::string();
  };
  std::map<std::string, std::string> seen;  // target -> the logger's text
  for (const auto& l : loggers) {
    auto [it, fresh] = seen.emplace(target(l), l.text);
    if (!fresh)
      c.error({"logger"}, "logger '" + l.text + "' writes where logger '" + it->second +
                              "' does: every line would be written twice");
  }
  if (logto && seen.count("file:" + *logto))
    c.error({"logto", "logger"}, "logto '" + *logto + "' and logger '" + seen["file:" + *logto] +
                                     "' write the same file: every line would be written twice");
}

std::vector<Diagnostic> validate(const VassalSpec& s, const KeyWhere& where,
                                 const std::set<std::string>& rejected, const std::string& top_file) {
  Checker c(where, top_file);
  if (!s.command && !rejected.count("command")) c.error({}, "no 'command': a vassal needs a command for its workers to run");
  if (s.pivot_root && s.chroot) c.error({"pivot-root", "chroot"}, "'pivot-root' and 'chroot' cannot both be set");
  if (s.pivot_root_keep_old && !s.pivot_root)
    c.error({"pivot-root-keep-old"}, "'pivot-root-keep-old' needs 'pivot-root'");

  const uint64_t processes = s.processes.value_or(kDefaultProcesses);
  if (s.cheaper && *s.cheaper >= processes)
    c.error({"cheaper", "processes"}, "cheaper (" + n(*s.cheaper) + ") must be less than processes (" +
                                          n(processes) + ")");
  if (s.cheaper_initial) {
    const uint64_t low = s.cheaper.value_or(1);
    if (*s.cheaper_initial < low || *s.cheaper_initial > processes)
      c.error({"cheaper-initial", "cheaper", "processes"},
              "cheaper-initial (" + n(*s.cheaper_initial) + ") must be between cheaper (" + n(low) +
                  ") and processes (" + n(processes) + ")");
  }
  for (const char* key : {"cheaper-initial", "cheaper-step", "cheaper-algo", "cheaper-overload"})
    if (c.set(key) && !s.cheaper) c.error({key}, std::string("'") + key + "' needs 'cheaper'");
  if (s.cheaper_rss_limit_soft && s.cheaper_rss_limit_hard &&
      *s.cheaper_rss_limit_hard <= *s.cheaper_rss_limit_soft)
    c.error({"cheaper-rss-limit-hard", "cheaper-rss-limit-soft"},
            "cheaper-rss-limit-hard (" + format_size(*s.cheaper_rss_limit_hard) +
                ") must be greater than cheaper-rss-limit-soft (" +
                format_size(*s.cheaper_rss_limit_soft) + ")");

  for (const char* key : {"tuntap-device-mode", "net-address", "net-gateway", "net-mtu",
                          "tuntap-firewall-in", "tuntap-firewall-out"})
    if (c.set(key) && !s.tuntap_device)
      c.error({key}, std::string("'") + key + "' needs 'tuntap-device'");
  for (const auto& gw : s.net_gateway) {
    const bool family_has_address = std::any_of(
        s.net_address.begin(), s.net_address.end(),
        [&](const IpPrefix& p) { return p.address.family == gw.family; });
    if (s.tuntap_device && !family_has_address)
      c.error({"net-gateway"}, "net-gateway " + gw.to_string() +
                                   " has no net-address of its family to route from");
  }
  std::set<IpFamily> gateway_families;
  for (const auto& gw : s.net_gateway)
    if (!gateway_families.insert(gw.family).second)
      c.error({"net-gateway"}, "more than one net-gateway for IPv" +
                                   std::to_string(static_cast<int>(gw.family)));

  if (s.seccomp == SeccompMode::Off)
    for (const char* key : {"seccomp-deny", "seccomp-allow", "seccomp-log"})
      if (c.set(key)) c.error({key}, std::string("'") + key + "' has no effect with 'seccomp = off'");

  std::set<std::string> sockets;
  for (const auto& sock : s.socket)
    if (!sockets.insert(sock.text).second) c.error({"socket"}, "socket '" + sock.text + "' is listed twice");
  if ((s.chmod_socket || s.chown_socket) &&
      std::none_of(s.socket.begin(), s.socket.end(),
                   [](const SocketAddress& a) { return a.kind == SocketAddress::Kind::Unix; }))
    c.error({"chmod-socket", "chown-socket"}, "'chmod-socket'/'chown-socket' need a unix 'socket'");

  check_duplicate_loggers(c, s.logger, s.logto);
  // With loggers of its own, a vassal's `:LOGGER` must name one of them (without any, it
  // names the emperor's, which the emperor checks when it configures the vassal's logs).
  if (!s.logger.empty() || s.logto)
    check_encoder_loggers(c, s.log_encoder, s.logger, s.logto, "which this vassal does not define");
  return c.take();
}

std::vector<Diagnostic> validate(const EmperorSpec& s, const KeyWhere& where,
                                 const std::set<std::string>&, const std::string& top_file) {
  Checker c(where, top_file);
  std::set<std::string> devices, sockets;
  for (const auto& r : s.tuntap_router) {
    if (!devices.insert(r.device).second)
      c.error({"tuntap-router"}, "router device '" + r.device + "' is listed twice");
    if (!sockets.insert(r.socket).second)
      c.error({"tuntap-router"}, "router socket '" + r.socket + "' is listed twice");
  }
  for (const char* key : {"tuntap-router-address", "tuntap-router-firewall-in", "tuntap-router-firewall-out"})
    if (c.set(key) && s.tuntap_router.empty())
      c.error({key}, std::string("'") + key + "' needs 'tuntap-router'");
  for (const auto& a : s.tuntap_router_address)
    if (!a.device.empty() && !devices.count(a.device))
      c.error({"tuntap-router-address"}, "no tuntap-router device named '" + a.device + "'");
  if (s.emperor_throttle && s.emperor_max_throttle && *s.emperor_max_throttle < *s.emperor_throttle)
    c.error({"emperor-max-throttle", "emperor-throttle"},
            "emperor-max-throttle must not be less than emperor-throttle");
  check_duplicate_loggers(c, s.logger, s.logto);
  check_encoder_loggers(c, s.log_encoder, s.logger, s.logto, "which is not defined");
  return c.take();
}

}  // namespace emp::config
