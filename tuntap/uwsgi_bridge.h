// The vassal side of `tuntap-device-mode = uwsgi`: the vassal's tun device (plain, no
// vnet header) joined to a router's unix socket with uWSGI's framing, so our vassal can
// attach to a uWSGI TunTap router (or to ours). Single-threaded and never blocking: the
// vassal master adds fds() to its epoll with kEpollEvents (edge-triggered) and calls
// on_ready for each event.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::tuntap {

class UwsgiBridge {
 public:
  static constexpr uint32_t kEpollEvents = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;

  // Connects to `socket_path` (blocking connect, then non-blocking I/O).
  static Result<UwsgiBridge> connect(const std::string& socket_path, sys::UniqueFd tun);

  std::vector<int> fds() const { return {tun_.get(), sock_.get()}; }
  // Pumps both directions as far as possible. An error means the bridge is finished
  // (the router closed the connection or sent garbage); the message says why.
  Result<void> on_ready(int fd, uint32_t epoll_events);

  struct Stats {
    uint64_t to_router_packets = 0, to_router_bytes = 0;
    uint64_t from_router_packets = 0, from_router_bytes = 0;
    uint64_t dropped_queue_full = 0;  // the socket could not keep up
    uint64_t dropped_link_scope = 0;  // RS/MLD/ND a uWSGI router would choke on
    uint64_t dropped_malformed = 0;
    uint64_t dropped_device = 0;      // the tun refused a packet
  };
  const Stats& stats() const { return stats_; }
  nlohmann::json stats_json() const;

 private:
  UwsgiBridge(std::string path, sys::UniqueFd tun, sys::UniqueFd sock);
  Result<void> pump_tun();
  Result<void> pump_socket();
  Result<void> flush();

  std::string path_;
  sys::UniqueFd tun_, sock_;
  std::unique_ptr<uint8_t[]> rx_, tx_, packet_;
  size_t rx_len_ = 0, tx_head_ = 0, tx_len_ = 0;
  Stats stats_;
};

}  // namespace emp::tuntap
