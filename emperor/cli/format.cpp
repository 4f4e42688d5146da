#include "emperor/cli/format.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace emp::cli {
namespace {

std::string paint(const Style& s, const std::string& text, const char* code) {
  if (!s.color) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

const char* state_color(const std::string& state) {
  if (state == "running") return "32";
  if (state == "failed") return "31";
  if (state == "stopped") return "2";
  return "33";
}

std::string str(const nlohmann::json& j, const char* key, const std::string& fallback = "-") {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (j[key].is_string()) return j[key].get<std::string>();
  return j[key].dump();
}

}  // namespace

Style Style::for_stdout() {
  Style s;
  s.headers = ::isatty(STDOUT_FILENO) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  s.color = s.headers && !(no_color && *no_color);
  return s;
}

std::string human_duration(int64_t s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else if (s < 86400) std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s % 3600 / 60));
  else std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(s / 86400), static_cast<long long>(s % 86400 / 3600));
  return buf;
}

std::string human_bytes(uint64_t b) {
  static constexpr const char* kUnits[] = {"B", "K", "M", "G", "T"};
  double v = static_cast<double>(b);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(b));
  else std::snprintf(buf, sizeof buf, "%.1f%s", v, kUnits[u]);
  return buf;
}

std::string status_table(const nlohmann::json& vassals, const Style& style) {
  std::vector<std::vector<std::string>> rows;
  if (style.headers) rows.push_back({"NAME", "STATE", "PID", "UPTIME", "RESTARTS", "WORKERS", "RSS", "LAST ERROR"});
  for (const auto& v : vassals) {
    const auto workers = str(v, "workers", "0") + "/" + str(v, "workers_target", "-");
    const auto uptime = v.contains("uptime_seconds") && v["uptime_seconds"].is_number()
                            ? human_duration(v["uptime_seconds"].get<int64_t>())
                            : "-";
    std::string error = str(v, "last_error", "");
    if (error.size() > 60) error = error.substr(0, 57) + "...";
    rows.push_back({str(v, "name"), str(v, "state"), str(v, "pid"), uptime, str(v, "restarts", "0"),
                    workers, human_bytes(v.value("rss_bytes", uint64_t{0})), error});
  }
  std::vector<size_t> width(8, 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows[r].size(); ++i) {
      std::string cell = rows[r][i];
      std::string padded = i + 1 == rows[r].size() ? cell : cell + std::string(width[i] - cell.size() + 2, ' ');
      if (i == 1 && !(style.headers && r == 0)) {
        padded = paint(style, cell, state_color(cell)) + std::string(width[i] - cell.size() + 2, ' ');
      }
      line += padded;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string status_block(const nlohmann::json& v, const Style& style) {
  const std::string state = str(v, "state");
  std::string out = paint(style, "●", state_color(state)) + " " + str(v, "name") + " - " +
                    paint(style, state, state_color(state)) + " since " + str(v, "since");
  if (v.contains("uptime_seconds") && v["uptime_seconds"].is_number())
    out += " (up " + human_duration(v["uptime_seconds"].get<int64_t>()) + ")";
  out += "\n";
  auto field = [&](const char* label, const std::string& value) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%12s: ", label);
    out += buf + value + "\n";
  };
  field("File", str(v, "file"));
  field("PID", str(v, "pid"));
  std::string ns;
  for (const auto& n : v.value("namespaces", nlohmann::json::array())) ns += (ns.empty() ? "" : ",") + n.get<std::string>();
  field("Namespaces", ns.empty() ? "none" : ns);
  field("Hostname", str(v, "hostname"));
  field("Workers", str(v, "workers", "0") + "/" + str(v, "workers_target") + ", rss " +
                       human_bytes(v.value("rss_bytes", uint64_t{0})));
  const auto details = v.value("worker_details", nlohmann::json::array());
  for (size_t i = 0; i < details.size(); ++i) {
    const auto& w = details[i];
    std::string line = std::string(14, ' ') + (i + 1 == details.size() ? "└─" : "├─") + str(w, "pid") +
                       " " + str(w, "state", "running") + " rss " + human_bytes(w.value("rss_bytes", uint64_t{0})) +
                       " pss " + human_bytes(w.value("pss_bytes", uint64_t{0})) + " since " + str(w, "since");
    if (w.value("respawns", uint64_t{0}) > 0) line += " respawns " + str(w, "respawns");
    if (!str(w, "status", "").empty()) line += " \"" + str(w, "status") + "\"";
    if (!str(w, "last_watchdog", "").empty()) line += " watchdog " + str(w, "last_watchdog");
    out += line + "\n";
  }
  if (!str(v, "cheaper_algo", "").empty()) {
    std::string pool = "cheaper " + str(v, "cheaper_algo");
    if (v.contains("backlog") && v["backlog"].is_number()) pool += ", backlog " + str(v, "backlog");
    if (!str(v, "last_decision", "").empty()) pool += "; last: " + str(v, "last_decision");
    field("Pool", pool);
  }
  for (const auto& s : v.value("sockets", nlohmann::json::array()))
    field("Socket", "fd " + str(s, "fd") + " " + str(s, "address") + " (" + str(s, "name") + ")");
  if (!str(v, "thunder_lock", "").empty()) field("Thunder lock", str(v, "thunder_lock"));
  if (!str(v, "notify_socket", "").empty()) field("Notify", str(v, "notify_socket"));
  field("Restarts", str(v, "restarts", "0") + ", reloads " + str(v, "reloads", "0"));
  if (v.contains("last_exit") && v["last_exit"].is_object()) {
    const auto& e = v["last_exit"];
    field("Last exit", e["signal"].is_null() ? "exit status " + str(e, "code") : "killed by signal " + str(e, "signal"));
  }
  if (!str(v, "last_worker_exit", "").empty()) field("Last worker", str(v, "last_worker_exit"));
  if (!str(v, "setup_step", "").empty()) field("Setup step", str(v, "setup_step"));
  if (!str(v, "last_error", "").empty()) field("Last error", paint(style, str(v, "last_error"), "31"));
  return out;
}

std::string status_routers(const nlohmann::json& routers, const Style& style) {
  if (!routers.is_array() || routers.empty()) return "";
  std::string out = "\n";
  for (const auto& r : routers) {
    std::string line = "router " + str(r, "device") + " on " + str(r, "socket") + ": ";
    if (r.value("served", true)) {
      line += paint(style, "serving", "32");
    } else {
      line += paint(style, "NOT SERVED (" + str(r, "error", "its device failed") + ")", "31");
    }
    size_t vassals = 0, sockets = 0;
    for (const auto& p : r.value("peers", nlohmann::json::array())) (p.value("kind", "") == "socket" ? sockets : vassals)++;
    const size_t peers = vassals + sockets;
    line += ", " + std::to_string(peers) + (peers == 1 ? " peer" : " peers") + " (" + std::to_string(vassals) +
            (vassals == 1 ? " vassal, " : " vassals, ") + std::to_string(sockets) + (sockets == 1 ? " socket)" : " sockets)");
    line += ", rx " + str(r, "rx_packets", "0") + " packets " + human_bytes(r.value("rx_bytes", uint64_t{0}));
    line += ", tx " + str(r, "tx_packets", "0") + " packets " + human_bytes(r.value("tx_bytes", uint64_t{0}));
    const auto drops = r.value("drops", nlohmann::json::object());
    if (drops.empty()) {
      line += ", no drops";
    } else {
      line += ", drops";
      for (const auto& [reason, count] : drops.items()) line += " " + reason + " " + count.dump();
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace emp::cli
