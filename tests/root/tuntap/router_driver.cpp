// A stand-in for the emperor while its integration is written: drives a tuntap::Router
// (and UwsgiBridges) from JSON lines on stdin, one JSON answer per line on stdout.
// Vassal devices are opened inside the named network namespaces the test created.
//   {"cmd":"start","threads":2,"routers":[{"device":"emperor0","socket":"/x.sock",
//        "firewall_in":["deny ..."],"firewall_out":[]}]}
//   {"cmd":"attach","vassal":"a","netns":"NAME","device":"tun0","socket":"/x.sock",
//        "addresses":["10.0.0.2/24"],"firewall_in":[],"firewall_out":[],"queues":2,"vnet":true}
//   {"cmd":"reserve","reservations":[{"vassal":"a","socket":"/x.sock","addresses":["10.0.0.2/24"]}]}
//   {"cmd":"detach","id":3}   {"cmd":"stats"}   {"cmd":"peer","id":3}   {"cmd":"events"}
//   {"cmd":"bridge","netns":"NAME","device":"tun0","socket":"/x.sock"}  {"cmd":"bridges"}
//   {"cmd":"quit"}
#include <fcntl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "config/firewall_rule.h"
#include "sys/tun.h"
#include "tuntap/router.h"
#include "tuntap/uwsgi_bridge.h"

namespace {

using emp::Result;
using emp::fail;
using emp::fail_errno;
using nlohmann::json;
namespace sys = emp::sys;
namespace tuntap = emp::tuntap;

struct Driver {
  std::unique_ptr<tuntap::Router> router;
  std::map<int, std::unique_ptr<tuntap::UwsgiBridge>> bridges;
  std::map<int, std::string> bridge_errors;
  int next_bridge = 1;
  int epoll = -1;
  sys::UniqueFd home_ns;
};

Result<std::vector<emp::config::FirewallRule>> rules(const json& j, const char* key) {
  std::vector<emp::config::FirewallRule> out;
  if (!j.contains(key)) return out;
  for (const auto& text : j[key]) {
    EMP_TRY(auto r, emp::config::parse_firewall_rule(text.get<std::string>()));
    out.push_back(std::move(r));
  }
  return out;
}

// Opens a tun device inside network namespace `netns` (a name under /run/netns).
Result<std::vector<sys::UniqueFd>> open_in(Driver& d, const std::string& netns, const sys::TunOptions& o) {
  sys::UniqueFd ns(::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return fail_errno("open netns '" + netns + "'");
  if (::setns(ns.get(), CLONE_NEWNET) != 0) return fail_errno("setns '" + netns + "'");
  auto fds = sys::open_tun(o);
  auto up = sys::set_link_up(o.name);
  if (::setns(d.home_ns.get(), CLONE_NEWNET) != 0) return fail_errno("setns back");
  if (!fds) return fds;
  if (!up) return emp::forward_error(std::move(up));
  return fds;
}

Result<json> handle(Driver& d, const json& req) {
  const std::string cmd = req.value("cmd", "");
  if (cmd == "start") {
    std::vector<tuntap::RouterDeviceSpec> specs;
    for (const auto& r : req["routers"]) {
      tuntap::RouterDeviceSpec s;
      s.device = r["device"];
      s.socket = r["socket"];
      EMP_TRY(s.firewall_in, rules(r, "firewall_in"));
      EMP_TRY(s.firewall_out, rules(r, "firewall_out"));
      specs.push_back(std::move(s));
    }
    EMP_TRY(d.router, tuntap::Router::start(std::move(specs), req.value("threads", 0)));
    return json{{"threads", d.router->threads()}};
  }
  if (!d.router && cmd != "bridge" && cmd != "bridges" && cmd != "quit") return fail("router not started");
  if (cmd == "attach") {
    tuntap::VassalAttachment a;
    a.vassal = req["vassal"];
    a.router_socket = req["socket"];
    for (const auto& text : req.value("addresses", json::array())) {
      EMP_TRY(auto p, emp::config::parse_ip_prefix(text.get<std::string>()));
      a.addresses.push_back(p);
    }
    EMP_TRY(a.firewall_in, rules(req, "firewall_in"));
    EMP_TRY(a.firewall_out, rules(req, "firewall_out"));
    sys::TunOptions o;
    o.name = req["device"];
    o.queues = req.value("queues", d.router->threads());
    o.vnet_hdr = req.value("vnet", true);
    o.mtu = req.value("mtu", 0);
    EMP_TRY(a.queues, open_in(d, req["netns"], o));
    EMP_TRY(const uint64_t id, d.router->attach(std::move(a)));
    return json{{"id", id}};
  }
  if (cmd == "reserve") {  // {"cmd":"reserve","reservations":[{"vassal":"a","socket":S,"addresses":[...]}]}
    std::vector<tuntap::AddressReservation> all;
    for (const auto& r : req["reservations"]) {
      tuntap::AddressReservation res{r["vassal"], r["socket"], {}};
      for (const auto& text : r["addresses"]) {
        EMP_TRY(auto p, emp::config::parse_ip_prefix(text.get<std::string>()));
        res.addresses.push_back(p);
      }
      all.push_back(std::move(res));
    }
    d.router->reserve(std::move(all));
    return json::object();
  }
  if (cmd == "detach") {
    d.router->detach(req["id"]);
    return json::object();
  }
  if (cmd == "stats") return json{{"stats", d.router->stats()}};
  if (cmd == "peer") return json{{"peer", d.router->peer_stats(req["id"])}};
  if (cmd == "events") {
    auto list = json::array();
    for (const auto& e : d.router->take_events()) list.push_back({{"peer", e.peer}, {"message", e.message}});
    return json{{"events", list}};
  }
  if (cmd == "bridge") {
    sys::TunOptions o;
    o.name = req["device"];
    o.vnet_hdr = false;
    o.mtu = req.value("mtu", 0);
    EMP_TRY(auto fds, open_in(d, req["netns"], o));
    EMP_TRY(auto b, tuntap::UwsgiBridge::connect(req["socket"], std::move(fds[0])));
    const int id = d.next_bridge++;
    auto owned = std::make_unique<tuntap::UwsgiBridge>(std::move(b));
    for (int fd : owned->fds()) {
      epoll_event ev{};
      ev.events = tuntap::UwsgiBridge::kEpollEvents;
      ev.data.u64 = static_cast<uint64_t>(id) << 32 | static_cast<uint32_t>(fd);
      ::epoll_ctl(d.epoll, EPOLL_CTL_ADD, fd, &ev);
    }
    d.bridges[id] = std::move(owned);
    return json{{"bridge", id}};
  }
  if (cmd == "bridges") {
    json out = json::object();
    for (const auto& [id, b] : d.bridges) out[std::to_string(id)] = b->stats_json();
    for (const auto& [id, e] : d.bridge_errors) out[std::to_string(id)] = {{"error", e}};
    return json{{"bridges", out}};
  }
  return fail("unknown command '" + cmd + "'");
}

}  // namespace

int main() {
  Driver d;
  d.home_ns = sys::UniqueFd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  d.epoll = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  ::epoll_ctl(d.epoll, EPOLL_CTL_ADD, 0, &ev);
  std::string pending;
  for (;;) {
    epoll_event ready[16];
    const int n = ::epoll_wait(d.epoll, ready, 16, -1);
    for (int i = 0; i < n; ++i) {
      const uint64_t token = ready[i].data.u64;
      if (token != 0) {
        const int id = static_cast<int>(token >> 32);
        const int fd = static_cast<int>(token & 0xffffffff);
        auto it = d.bridges.find(id);
        if (it == d.bridges.end()) continue;
        auto r = it->second->on_ready(fd, ready[i].events);
        if (!r) {
          d.bridge_errors[id] = r.error().message;
          for (int f : it->second->fds()) ::epoll_ctl(d.epoll, EPOLL_CTL_DEL, f, nullptr);
          d.bridges.erase(it);
        }
        continue;
      }
      char buf[65536];
      const ssize_t got = ::read(0, buf, sizeof buf);
      if (got <= 0) return 0;
      pending.append(buf, static_cast<size_t>(got));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line.empty()) continue;
        json answer;
        try {
          const json req = json::parse(line);
          if (req.value("cmd", "") == "quit") {
            d.router.reset();
            std::cout << json{{"ok", true}}.dump() << std::endl;
            return 0;
          }
          auto r = handle(d, req);
          if (r) {
            answer = *r;
            answer["ok"] = true;
          } else {
            answer = {{"ok", false}, {"error", r.error().message}};
          }
        } catch (const std::exception& e) {
          answer = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
        }
        std::cout << answer.dump() << std::endl;
      }
    }
  }
}
