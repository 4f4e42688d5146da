#include "emperor/status_doc.h"

#include <ctime>

namespace emp::emperor {

using Json = nlohmann::json;

std::string iso_time(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(unix_ms % 1000));
  return out;
}

Json vassal_json(const Record& r, int64_t now_unix_ms, Json net) {
  Json v;
  v["name"] = r.name;
  v["file"] = r.file.path;
  v["state"] = state_name(r.state);
  v["pid"] = r.has_process() ? Json(r.process->pid()) : Json();
  v["since"] = iso_time(r.since_unix_ms);
  v["uptime_seconds"] = r.has_process() && r.started_unix_ms > 0
                            ? Json((now_unix_ms - r.started_unix_ms) / 1000)
                            : Json();
  v["restarts"] = r.restarts();
  v["reloads"] = r.reloads;
  v["last_exit"] = r.last_exit ? Json{{"code", r.last_exit->signal ? Json() : Json(r.last_exit->code)},
                                      {"signal", r.last_exit->signal ? Json(r.last_exit->signal) : Json()}}
                               : Json();
  v["last_error"] = r.last_error.empty() ? Json() : Json(r.last_error);
  Json ns = Json::array();
  for (auto n : r.namespaces.members()) ns.push_back(config::namespace_name(n));
  v["namespaces"] = ns;
  v["hostname"] = r.spec && r.spec->hostname ? Json(*r.spec->hostname) : Json();
  const bool live = r.has_process() && r.ready;
  v["workers"] = live ? r.heartbeat.workers.size() : 0;
  v["workers_target"] = live ? Json(r.heartbeat.workers_target) : Json();
  Json details = Json::array();
  uint64_t rss = 0;
  if (live) {
    for (const auto& w : r.heartbeat.workers) {
      auto host = r.host_pids.find(w.pid);
      details.push_back({{"pid", host != r.host_pids.end() ? Json(host->second) : Json()},
                         {"pid_in_vassal", w.pid},
                         {"rss_bytes", w.rss_bytes},
                         {"pss_bytes", w.pss_bytes},
                         {"since", iso_time(w.since_unix_ms)},
                         {"respawns", w.respawns},
                         {"slot", w.slot},
                         {"state", w.state},
                         {"status", w.status.empty() ? Json() : Json(w.status)},
                         {"last_watchdog", w.watchdog_unix_ms ? Json(iso_time(w.watchdog_unix_ms)) : Json()}});
      rss += w.rss_bytes;
    }
  }
  v["worker_details"] = details;
  v["rss_bytes"] = rss;
  v["backlog"] = live && r.heartbeat.backlog ? Json(*r.heartbeat.backlog) : Json();
  v["cheaper_algo"] = live && !r.heartbeat.cheaper_algo.empty() ? Json(r.heartbeat.cheaper_algo) : Json();
  v["last_decision"] = live && !r.heartbeat.last_decision.empty() ? Json(r.heartbeat.last_decision) : Json();
  v["thunder_lock"] = live && !r.heartbeat.thunder_lock.empty() ? Json(r.heartbeat.thunder_lock) : Json();
  v["notify_socket"] = live && !r.heartbeat.notify_socket.empty() ? Json(r.heartbeat.notify_socket) : Json();
  Json sockets = Json::array();
  if (live)
    for (const auto& s : r.heartbeat.sockets)
      sockets.push_back({{"fd", s.fd}, {"address", s.address}, {"name", s.name}});
  v["sockets"] = std::move(sockets);
  v["last_worker_exit"] = r.heartbeat.last_worker_exit.empty() ? Json() : Json(r.heartbeat.last_worker_exit);
  v["setup_step"] = r.state == State::Starting && !r.setup_step.empty() ? Json(r.setup_step) : Json();
  v["net"] = std::move(net);
  return v;
}

Json status_json(const EmperorInfo& info, const std::map<std::string, std::unique_ptr<Record>>& records,
                 int64_t now_unix_ms, Json routers, const std::function<Json(const Record&)>& net_of) {
  Json doc;
  doc["emperor"] = {{"pid", info.pid},
                    {"version", info.version},
                    {"vassals_dir", info.vassals_dir},
                    {"vassals_dir_present", info.vassals_dir_present},
                    {"runtime_dir", info.runtime_dir},
                    {"started_at", iso_time(info.started_unix_ms)},
                    {"status_file_mode", info.status_file_mode}};
  Json list = Json::array();
  for (const auto& [name, r] : records) list.push_back(vassal_json(*r, now_unix_ms, net_of ? net_of(*r) : Json()));
  doc["vassals"] = list;
  doc["routers"] = routers.is_object() && routers.contains("routers") ? routers["routers"] : Json::array();
  return doc;
}

}  // namespace emp::emperor
