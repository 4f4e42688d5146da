// The TunTap router: a userspace packet switch inside the emperor between its router
// devices (emperor0...) and the vassals' own tun devices (handed over by fd), plus
// uWSGI-framed peers on each router's unix socket. Routing, firewall, anti-spoofing,
// backpressure and counters: see docs/router.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/firewall_rule.h"
#include "config/ip_address.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::tuntap {

// One `tuntap-router = DEV SOCKET` of the emperor's config.
struct RouterDeviceSpec {
  std::string device, socket;
  std::vector<config::FirewallRule> firewall_in, firewall_out;  // tuntap-router-firewall-in/out
  // Its tuntap-router-address values: the router's own from the start, before they are
  // applied. Whatever else the device carries is read from the kernel (device_addresses.h).
  std::vector<config::IpPrefix> addresses;
};

// Addresses a loaded vassal file declares (net-address) for the router on `router_socket`:
// no socket peer may learn one, even while that vassal is down or restarting.
struct AddressReservation {
  std::string vassal;
  std::string router_socket;
  std::vector<config::IpPrefix> addresses;
};

// A vassal's own device, handed over by the emperor.
struct VassalAttachment {
  std::string vassal;                 // name, for stats and events
  std::string router_socket;          // the SOCKET of its `tuntap-device = DEV SOCKET`
  std::vector<sys::UniqueFd> queues;  // its tun fds (open_tun, vnet_hdr)
  std::vector<config::IpPrefix> addresses;                     // net-address: only these sources
  std::vector<config::FirewallRule> firewall_in, firewall_out;  // the vassal file's own rules
};

struct RouterEvent {
  std::string peer;
  std::string message;
};

class Router {
 public:
  // Creates each router device (in the caller's netns) with one queue per thread, brings
  // it up and listens on its socket (mode 0600). threads = 0: one per CPU.
  static Result<std::unique_ptr<Router>> start(std::vector<RouterDeviceSpec> devices, int threads = 0);

  // Errors: unknown router socket, no queues, not a tun fd, address in use, an address of
  // the router device itself, a loopback/multicast/unspecified address...
  Result<uint64_t> attach(VassalAttachment attachment);
  // Safe while traffic flows; the peer's fds are closed once no thread can touch them.
  // An unknown or already closed id is ignored.
  void detach(uint64_t peer_id);
  // Replaces every reservation. A reservation never evicts a peer that owns the address.
  void reserve(std::vector<AddressReservation> reservations);

  // {"routers":[{device, socket, threads, served, error, addresses, rx/tx packets and
  //  bytes, drops, firewall_in, firewall_out, peers:[...]}]} (docs/router.md). Thread-safe.
  nlohmann::json stats() const;
  // The peer object of one peer (as in stats()), or null when it is gone.
  nlohmann::json peer_stats(uint64_t peer_id) const;

  // Readable (eventfd) while events are queued; take_events() drains it.
  int event_fd() const;
  std::vector<RouterEvent> take_events();

  // How many router threads run: open a vassal's device with this many queues.
  int threads() const;

  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  struct Impl;

 private:
  explicit Router(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace emp::tuntap
