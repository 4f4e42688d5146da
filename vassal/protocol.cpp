#include "vassal/protocol.h"

#include <nlohmann/json.hpp>

namespace emp::vassal {
namespace {

using Json = nlohmann::json;

Json namespaces_json(const config::NamespaceSet& set) {
  Json out = Json::array();
  for (auto ns : set.members()) out.push_back(config::namespace_name(ns));
  return out;
}

struct Encoder {
  Json operator()(const StartMessage& m) const {
    Json j{{"type", "start"},
           {"spec", Json::parse(m.spec_json, nullptr, false)},
           {"namespaces", namespaces_json(m.namespaces)},
           {"tun_queues", m.tun_queues}};
    if (m.force_uid) j["force_uid"] = *m.force_uid;
    if (m.force_gid) j["force_gid"] = *m.force_gid;
    if (m.worker_output) j["worker_output"] = true;
    return j;
  }
  Json operator()(const ReloadMessage& m) const {
    return {{"type", "reload"}, {"spec", Json::parse(m.spec_json, nullptr, false)}};
  }
  Json operator()(const StopMessage&) const { return {{"type", "stop"}}; }
  Json operator()(const StepMessage& m) const {
    return {{"type", "step"}, {"step", m.step}, {"what", m.what}};
  }
  Json operator()(const TunMessage& m) const { return {{"type", "tun"}, {"device", m.device}}; }
  Json operator()(const ReadyMessage&) const { return {{"type", "ready"}}; }
  Json operator()(const ReloadedMessage&) const { return {{"type", "reloaded"}}; }
  Json operator()(const HeartbeatMessage& m) const {
    Json workers = Json::array();
    for (const auto& w : m.workers)
      workers.push_back({{"pid", w.pid},
                         {"rss_bytes", w.rss_bytes},
                         {"pss_bytes", w.pss_bytes},
                         {"since_unix_ms", w.since_unix_ms},
                         {"respawns", w.respawns},
                         {"slot", w.slot},
                         {"state", w.state},
                         {"status", w.status},
                         {"watchdog_unix_ms", w.watchdog_unix_ms}});
    Json sockets = Json::array();
    for (const auto& s : m.sockets)
      sockets.push_back({{"fd", s.fd}, {"address", s.address}, {"name", s.name}});
    Json j{{"type", "heartbeat"},
           {"workers", workers},
           {"workers_target", m.workers_target},
           {"last_worker_exit", m.last_worker_exit},
           {"thunder_lock", m.thunder_lock},
           {"sockets", sockets},
           {"cheaper_algo", m.cheaper_algo},
           {"last_decision", m.last_decision},
           {"notify_socket", m.notify_socket}};
    if (m.backlog) j["backlog"] = *m.backlog;
    return j;
  }
  Json operator()(const ErrorMessage& m) const {
    return {{"type", "error"}, {"step", m.step}, {"message", m.message}};
  }
  Json operator()(const WorkerOutputMessage& m) const {
    return {{"type", "worker_output"}, {"pid", m.pid}, {"slot", m.slot}};
  }
  Json operator()(const LogMessage& m) const {
    return {{"type", "log"}, {"level", m.level}, {"text", m.text}};
  }
};

// Field readers that turn a wrong type into an error instead of an exception.
struct Reader {
  const Json& j;
  std::string error;

  std::string str(const char* key) {
    if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
    error = std::string("field '") + key + "' missing or not a string";
    return {};
  }
  // Fields added after the first release: absent is the default, a wrong type an error.
  std::string optional_str(const char* key) {
    if (!j.contains(key)) return {};
    return str(key);
  }
  template <class T>
  T optional_number(const char* key) {
    if (!j.contains(key)) return T{};
    return number<T>(key);
  }
  template <class T>
  T number(const char* key) {
    if (j.contains(key) && j[key].is_number()) return j[key].get<T>();
    error = std::string("field '") + key + "' missing or not a number";
    return T{};
  }
  std::string object_text(const char* key) {
    if (j.contains(key) && j[key].is_object()) return j[key].dump();
    error = std::string("field '") + key + "' missing or not an object";
    return {};
  }
};

Result<Message> decode_json(const Json& j) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return fail("channel: malformed message: no type");
  const auto type = j["type"].get<std::string>();
  Reader r{j, {}};
  Message m;
  if (type == "start") {
    StartMessage s;
    s.spec_json = r.object_text("spec");
    if (j.contains("namespaces") && j["namespaces"].is_array()) {
      for (const auto& n : j["namespaces"]) {
        if (!n.is_string()) return fail("channel: malformed message: namespace is not a string");
        auto ns = config::parse_namespace(n.get<std::string>());
        if (!ns) return fail("channel: malformed message: " + ns.error().message);
        s.namespaces.add(*ns);
      }
    }
    if (j.contains("force_uid")) s.force_uid = r.number<uint32_t>("force_uid");
    if (j.contains("force_gid")) s.force_gid = r.number<uint32_t>("force_gid");
    if (j.contains("tun_queues")) s.tun_queues = r.number<int>("tun_queues");
    if (j.contains("worker_output")) {
      if (!j["worker_output"].is_boolean())
        return fail("channel: malformed message: worker_output is not a boolean");
      s.worker_output = j["worker_output"].get<bool>();
    }
    if (s.tun_queues < 1 || s.tun_queues > 64)
      return fail("channel: malformed message: tun_queues out of range");
    m = std::move(s);
  } else if (type == "reload") {
    m = ReloadMessage{r.object_text("spec")};
  } else if (type == "stop") {
    m = StopMessage{};
  } else if (type == "step") {
    m = StepMessage{r.str("step"), r.str("what")};
  } else if (type == "tun") {
    m = TunMessage{r.str("device")};
  } else if (type == "ready") {
    m = ReadyMessage{};
  } else if (type == "reloaded") {
    m = ReloadedMessage{};
  } else if (type == "heartbeat") {
    HeartbeatMessage h;
    if (!j.contains("workers") || !j["workers"].is_array())
      return fail("channel: malformed message: heartbeat without workers");
    for (const auto& w : j["workers"]) {
      Reader wr{w, {}};
      WorkerInfo info{wr.number<int>("pid"),
                      wr.number<uint64_t>("rss_bytes"),
                      wr.number<uint64_t>("pss_bytes"),
                      wr.number<int64_t>("since_unix_ms"),
                      wr.number<uint64_t>("respawns"),
                      wr.optional_number<uint64_t>("slot"),
                      wr.optional_str("state"),
                      wr.optional_str("status"),
                      wr.optional_number<int64_t>("watchdog_unix_ms")};
      if (!wr.error.empty()) return fail("channel: malformed message: worker " + wr.error);
      h.workers.push_back(info);
    }
    if (j.contains("sockets")) {
      if (!j["sockets"].is_array())
        return fail("channel: malformed message: sockets is not an array");
      for (const auto& s : j["sockets"]) {
        Reader sr{s, {}};
        SocketInfo info{sr.number<int>("fd"), sr.str("address"), sr.str("name")};
        if (!sr.error.empty()) return fail("channel: malformed message: socket " + sr.error);
        h.sockets.push_back(info);
      }
    }
    h.workers_target = r.number<uint64_t>("workers_target");
    if (j.contains("backlog")) h.backlog = r.number<uint64_t>("backlog");
    h.last_worker_exit = r.str("last_worker_exit");
    h.thunder_lock = r.optional_str("thunder_lock");
    h.cheaper_algo = r.optional_str("cheaper_algo");
    h.last_decision = r.optional_str("last_decision");
    h.notify_socket = r.optional_str("notify_socket");
    m = std::move(h);
  } else if (type == "error") {
    m = ErrorMessage{r.str("step"), r.str("message")};
  } else if (type == "worker_output") {
    m = WorkerOutputMessage{r.number<int>("pid"), r.number<uint64_t>("slot")};
  } else if (type == "log") {
    const int level = r.number<int>("level");
    if (r.error.empty() && (level < 0 || level > 7))
      return fail("channel: malformed message: log level out of range");
    m = LogMessage{level, r.str("text")};
  } else {
    return fail("channel: malformed message: unknown type '" + type + "'");
  }
  if (!r.error.empty()) return fail("channel: malformed message '" + type + "': " + r.error);
  return m;
}

}  // namespace

std::string encode(const Message& m) {
  return std::visit(Encoder{}, m).dump();
}

Result<Message> decode(std::string_view text) {
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail("channel: malformed message: not JSON");
  return decode_json(j);
}

}  // namespace emp::vassal
