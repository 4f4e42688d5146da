#include "tuntap/router.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "sys/tun.h"
#include "sys/unix_socket.h"
#include "tuntap/counters.h"
#include "tuntap/device_addresses.h"
#include "tuntap/firewall.h"
#include "tuntap/frame.h"
#include "tuntap/gso.h"
#include "tuntap/packet.h"
#include "tuntap/route_table.h"
#include "tuntap/source_guard.h"
#include "tuntap/vnet.h"

namespace emp::tuntap {
namespace {

static_assert(kVnetHeaderSize == sys::kTunVnetHeaderSize);

// A read buffer holds one vnet header and the largest GSO super-packet a tun hands out.
constexpr size_t kReadBufferSize = 160 * 1024;
// Packets a uWSGI socket peer may send in one frame: far above any tun MTU uWSGI uses
// (its own buffer is 8 KiB), far below what would let a peer make us buffer much.
constexpr size_t kMaxSocketPacket = 16384;
constexpr size_t kSocketRxCapacity = 256 * 1024;
// The bounded per-peer queue toward a socket peer: past it, packets are dropped and
// counted (queue_full), and the peer stays.
constexpr size_t kSocketTxCapacity = 2 * 1024 * 1024;
// Reads per ready fd before the thread looks at its other fds: one busy peer must not
// starve the rest.
constexpr int kReadBurst = 64;
constexpr int kMaxEvents = 64;
// After a batch a worker polls a little longer before it sleeps: a reply usually comes
// back within tens of microseconds, and catching it awake saves a wake-up (an IPI, dear
// in a VM) each way. Measured here: yielding while polling loses the wake-up preference
// a sleeping thread has, and was worse than not polling at all under load.
constexpr auto kBusyPoll = std::chrono::microseconds(40);

enum class PortKind : uint8_t { DeviceQueue, TunQueue, Socket, Listener, Wake, Timer, AddressWatch };

struct Device;
struct Peer;

// What an epoll token points at.
struct Port {
  PortKind kind;
  int fd;
  Device* device;
  Peer* peer;
};

enum class PeerKind : uint8_t { Vassal, Socket };

struct Peer {
  uint64_t id = 0;
  Device* device = nullptr;
  PeerKind kind = PeerKind::Vassal;
  std::string vassal;
  sys::PeerCred cred;
  SourceGuard guard;
  Firewall fw_in, fw_out;
  Counters counters;
  std::atomic<bool> closed{false};

  // Vassal: its tun queues, each served by one worker.
  std::vector<sys::UniqueFd> queues;
  bool vnet = false;
  std::vector<std::unique_ptr<Port>> ports;
  std::vector<int> port_worker;

  // Socket: read by its owner worker only; written by any worker under tx_mu.
  sys::UniqueFd sock;
  int owner = 0;
  std::unique_ptr<uint8_t[]> rx;
  size_t rx_len = 0;
  std::mutex tx_mu;
  std::unique_ptr<uint8_t[]> tx;
  size_t tx_head = 0, tx_len = 0;
  bool want_out = false;

  explicit Peer(std::vector<config::IpAddress> declared) : guard(std::move(declared)) {}

  std::string label() const {
    if (kind == PeerKind::Vassal) return "vassal '" + vassal + "'";
    return "socket peer " + std::to_string(id) + " (pid " + std::to_string(cred.pid) + " uid " +
           std::to_string(cred.uid) + ")";
  }
};

// What the forwarding path reads without a lock: published whole, replaced whole,
// reclaimed once every worker has passed a quiescent point.
struct Snapshot {
  RouteTable routes;
  std::vector<Peer*> targets;  // target 0 is the router device itself (nullptr)
};

struct Device {
  RouterDeviceSpec spec;
  std::vector<sys::UniqueFd> queues;
  sys::UniqueFd listener;
  Firewall fw_in, fw_out;
  Counters counters;
  std::atomic<Snapshot*> snapshot{nullptr};
  std::unique_ptr<Snapshot> owned_snapshot;  // the published one, under state_mu
  std::vector<Peer*> peers;                  // under state_mu
  std::vector<std::unique_ptr<Port>> ports;
  // The device's own addresses (spec.addresses and what the kernel says it carries):
  // reserved for the router, their subnets routed nowhere but to peers. Under state_mu.
  std::vector<config::IpPrefix> own;
  // Addresses of loaded vassal files (Router::reserve) -> the vassal. Under state_mu.
  std::unordered_map<config::IpAddress, std::string, IpAddressHash> reserved;
  // Why the device is no longer served (its queue failed, e.g. the device was deleted);
  // empty while it is. Under state_mu.
  std::string lost;
};

struct Worker {
  int index = 0;
  std::thread thread;
  sys::UniqueFd epoll;
  sys::UniqueFd wake;
  sys::UniqueFd timer;  // worker 0 only: retries reclamation
  Port wake_port{PortKind::Wake, -1, nullptr, nullptr};
  Port timer_port{PortKind::Timer, -1, nullptr, nullptr};
  Port watch_port{PortKind::AddressWatch, -1, nullptr, nullptr};  // worker 0 only
  std::atomic<uint64_t> quiescent{0};
  std::unique_ptr<uint8_t[]> buf;
};

struct Retired {
  uint64_t epoch;
  std::unique_ptr<Peer> peer;
  std::unique_ptr<Snapshot> snapshot;
};

const uint8_t kZeroVnet[kVnetHeaderSize] = {};

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

struct Router::Impl {
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<std::unique_ptr<Worker>> workers;

  mutable std::mutex state_mu;
  std::unordered_map<uint64_t, std::unique_ptr<Peer>> peers;
  uint64_t next_peer_id = 1;
  unsigned next_owner = 0;
  std::atomic<uint64_t> epoch{1};
  std::vector<Retired> retired;
  std::atomic<bool> have_retired{false};

  std::mutex events_mu;
  std::vector<RouterEvent> events;
  sys::UniqueFd event_fd;
  sys::UniqueFd address_watch;

  std::atomic<bool> stopping{false};

  // Threads are joined by ~Router before this runs (or never started when start failed
  // half-way): only files are left to tidy.
  ~Impl() {
    for (auto& d : devices)
      if (d->listener) ::unlink(d->spec.socket.c_str());
  }

  // --- setup -----------------------------------------------------------------------

  Result<void> add_to_worker(Worker& w, int fd, uint32_t events_mask, Port* port) {
    epoll_event ev{};
    ev.events = events_mask;
    ev.data.ptr = port;
    if (::epoll_ctl(w.epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      return fail_errno("epoll_ctl add fd " + std::to_string(fd));
    return ok();
  }

  void kick_all() {
    const uint64_t one = 1;
    for (auto& w : workers) [[maybe_unused]] auto n = ::write(w->wake.get(), &one, sizeof one);
  }

  void push_event(std::string peer, std::string message) {
    {
      std::lock_guard lock(events_mu);
      events.push_back({std::move(peer), std::move(message)});
    }
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(event_fd.get(), &one, sizeof one);
  }

  // --- state changes (state_mu held) -------------------------------------------------

  Result<void> publish(Device& d) {
    auto snap = std::make_unique<Snapshot>();
    snap->targets.push_back(nullptr);
    // Whatever no peer owns leaves through the router device: the emperor's side routes it.
    EMP_CHECK(snap->routes.add_prefix({config::IpAddress{config::IpFamily::V4, {}}, 0}, 0));
    EMP_CHECK(snap->routes.add_prefix({config::IpAddress{config::IpFamily::V6, {}}, 0}, 0));
    for (Peer* p : d.peers) {
      const auto target = static_cast<RouteTable::Target>(snap->targets.size());
      snap->targets.push_back(p);
      for (const auto& a : p->guard.addresses()) EMP_CHECK(snap->routes.add_host(a, target));
    }
    snap->routes.add_device_routes(d.own, 0);
    d.snapshot.store(snap.get(), std::memory_order_release);
    retire(nullptr, std::move(d.owned_snapshot));
    d.owned_snapshot = std::move(snap);
    return ok();
  }

  void retire(std::unique_ptr<Peer> peer, std::unique_ptr<Snapshot> snap) {
    if (!peer && !snap) return;
    const uint64_t tag = epoch.fetch_add(1) + 1;
    retired.push_back({tag, std::move(peer), std::move(snap)});
    have_retired.store(true);
    kick_all();
  }

  // Frees what no worker can still be looking at: each worker records the epoch it saw
  // at the top of its loop, before it waits for events.
  void reclaim_locked() {
    uint64_t oldest = UINT64_MAX;
    for (auto& w : workers) oldest = std::min(oldest, w->quiescent.load());
    std::erase_if(retired, [&](const Retired& r) { return r.epoch <= oldest; });
    have_retired.store(!retired.empty());
    if (!retired.empty()) {
      kick_all();
      arm_timer();
    }
  }

  void arm_timer() {
    itimerspec its{};
    its.it_value.tv_nsec = 20 * 1000 * 1000;
    ::timerfd_settime(workers[0]->timer.get(), 0, &its, nullptr);
  }

  // Unhooks a peer from epoll and routing; its memory and fds go after a grace period.
  void close_locked(Peer* p, const std::string& reason, bool with_event) {
    if (p->closed.exchange(true)) return;
    for (size_t i = 0; i < p->ports.size(); ++i)
      ::epoll_ctl(workers[static_cast<size_t>(p->port_worker[i])]->epoll.get(), EPOLL_CTL_DEL,
                  p->ports[i]->fd, nullptr);
    Device& d = *p->device;
    std::erase(d.peers, p);
    [[maybe_unused]] auto published = publish(d);  // removing routes cannot fail
    if (with_event) push_event(p->label(), reason);
    auto it = peers.find(p->id);
    if (it != peers.end()) {
      retire(std::move(it->second), nullptr);
      peers.erase(it);
    }
    kick_all();
  }

  void close_peer(Peer* p, const std::string& reason) {
    std::lock_guard lock(state_mu);
    close_locked(p, reason, true);
  }

  // Re-reads the device's own addresses (the configured ones stay); true when they changed.
  bool refresh_own_locked(Device& d) {
    auto read = read_device_addresses(d.spec.device);
    if (!read) return false;  // the device is gone: keep what we knew
    std::vector<config::IpPrefix> own = d.spec.addresses;
    for (const auto& a : *read)
      if (std::find(own.begin(), own.end(), a) == own.end()) own.push_back(a);
    if (own == d.own) return false;
    d.own = std::move(own);
    return true;
  }

  void refresh_and_publish_locked(Device& d) {
    if (refresh_own_locked(d)) [[maybe_unused]] auto published = publish(d);
  }

  // Why `address` cannot become a peer's on `d`, or empty. `learning`: a peer found it as
  // its first source (reservations of loaded vassal files apply); otherwise it declared it.
  std::string refusal_locked(const Device& d, const config::IpAddress& address, bool learning) {
    const std::string a = address.to_string();
    if (auto why = unusable_peer_address(address); !why.empty()) return "address " + a + " is " + std::string(why);
    for (const auto& own : d.own)
      if (own.address == address)
        return "address " + a + " is the router's own (an address of device '" + d.spec.device + "')";
    const Snapshot* snap = d.owned_snapshot.get();
    if (auto owner = snap->routes.host(address)) {
      const Peer* holder = snap->targets[*owner];
      return "address " + a + " is in use by " +
             (holder ? holder->label() : "router '" + d.spec.device + "'");
    }
    if (learning)
      if (auto it = d.reserved.find(address); it != d.reserved.end())
        return "address " + a + " is reserved for vassal '" + it->second + "' (its net-address)";
    return {};
  }

  // A learning peer's first routable source: claimed unless it is the router's, someone
  // owns or reserved it, or no peer may have it (loopback...). A refusal closes the peer.
  SourceGuard::Verdict learn(Peer* p, const config::IpAddress& src) {
    std::unique_lock lock(state_mu);
    if (p->closed.load()) return SourceGuard::Verdict::Spoofed;
    const auto again = p->guard.check(src);
    if (again != SourceGuard::Verdict::Learn) return again;
    // An address just put on the device must count: learning is rare, a re-read cheap.
    refresh_and_publish_locked(*p->device);
    if (auto why = refusal_locked(*p->device, src, true); !why.empty()) {
      close_locked(p, why + ": refused", true);
      return SourceGuard::Verdict::Spoofed;
    }
    p->guard.learn(src);
    [[maybe_unused]] auto published = publish(*p->device);
    return SourceGuard::Verdict::Allowed;
  }

  // --- the forwarding path ------------------------------------------------------------

  void drop(Device& d, Counters* c, Drop why) {
    d.counters.drop(why);
    if (c) c->drop(why);
  }

  // Writes one packet to a tun endpoint. `vh` describes it when it came with a vnet
  // header, which then sits in the kVnetHeaderSize bytes before `pkt`.
  bool write_tun(Worker& w, const std::vector<sys::UniqueFd>& fds, bool dest_vnet,
                 const VnetHeader* vh, uint8_t* pkt, size_t len, const PacketInfo& info,
                 Device& d, Counters& dest) {
    const int fd = fds[static_cast<size_t>(w.index) % fds.size()].get();
    if (dest_vnet) {
      ssize_t n;
      if (vh) {
        n = ::write(fd, pkt - kVnetHeaderSize, len + kVnetHeaderSize);
      } else {
        iovec iov[2] = {{const_cast<uint8_t*>(kZeroVnet), kVnetHeaderSize}, {pkt, len}};
        n = ::writev(fd, iov, 2);
      }
      if (n < 0) {
        drop(d, &dest, Drop::DeviceError);
        return false;
      }
      dest.sent(len);
      return true;
    }
    if (vh && vh->is_gso()) {
      auto plan = plan_segments({pkt, len}, *vh, info);
      if (!plan || plan->header_len + plan->segment_payload > kReadBufferSize) {
        drop(d, &dest, Drop::Segmentation);
        return false;
      }
      uint8_t* out = w.buf.get() + kReadBufferSize;
      for (size_t i = 0; i < plan->count; ++i) {
        const size_t n = build_segment(*plan, {pkt, len}, i, out);
        if (::write(fd, out, n) < 0) {
          drop(d, &dest, Drop::DeviceError);
          continue;
        }
        dest.sent(n);
      }
      return true;
    }
    if (vh && vh->needs_csum() && !complete_checksum({pkt, len}, *vh)) {
      drop(d, &dest, Drop::Segmentation);
      return false;
    }
    if (::write(fd, pkt, len) < 0) {
      drop(d, &dest, Drop::DeviceError);
      return false;
    }
    dest.sent(len);
    return true;
  }

  void set_want_out(Peer* p, bool on) {
    if (p->want_out == on) return;
    p->want_out = on;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0u);
    ev.data.ptr = p->ports[0].get();
    ::epoll_ctl(workers[static_cast<size_t>(p->owner)]->epoll.get(), EPOLL_CTL_MOD, p->sock.get(), &ev);
  }

  // Writes queued bytes until the socket is full. tx_mu held. Returns an errno to close
  // the peer with, or 0.
  int flush_locked(Peer* p) {
    while (p->tx_len > 0) {
      const ssize_t n = ::send(p->sock.get(), p->tx.get() + p->tx_head, p->tx_len, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        return errno;
      }
      p->tx_head += static_cast<size_t>(n);
      p->tx_len -= static_cast<size_t>(n);
    }
    if (p->tx_len == 0) p->tx_head = 0;
    set_want_out(p, p->tx_len > 0);
    return 0;
  }

  // Room for `bytes` at the tail of the queue, compacting when that makes room.
  uint8_t* reserve_locked(Peer* p, size_t bytes) {
    if (p->tx_len + bytes > kSocketTxCapacity) return nullptr;
    if (p->tx_head + p->tx_len + bytes > kSocketTxCapacity) {
      std::memmove(p->tx.get(), p->tx.get() + p->tx_head, p->tx_len);
      p->tx_head = 0;
    }
    return p->tx.get() + p->tx_head + p->tx_len;
  }

  void write_socket(Peer* p, const VnetHeader* vh, uint8_t* pkt, size_t len, const PacketInfo& info,
                    Device& d) {
    int error = 0;
    {
      std::lock_guard lock(p->tx_mu);
      if (p->closed.load(std::memory_order_relaxed)) return;
      if (vh && vh->is_gso()) {
        auto plan = plan_segments({pkt, len}, *vh, info);
        if (!plan || plan->header_len + plan->segment_payload > kMaxFramePayload) {
          drop(d, &p->counters, Drop::Segmentation);
          return;
        }
        for (size_t i = 0; i < plan->count; ++i) {
          uint8_t* at = reserve_locked(p, kFrameHeaderSize + plan->header_len + plan->segment_payload);
          if (!at) {
            drop(d, &p->counters, Drop::QueueFull);
            continue;
          }
          const size_t n = build_segment(*plan, {pkt, len}, i, at + kFrameHeaderSize);
          encode_frame_header(at, FrameKind::Packet, static_cast<uint16_t>(n));
          p->tx_len += kFrameHeaderSize + n;
          p->counters.sent(n);
        }
      } else {
        if (vh && vh->needs_csum() && !complete_checksum({pkt, len}, *vh)) {
          drop(d, &p->counters, Drop::Segmentation);
          return;
        }
        if (len > kMaxFramePayload) {
          drop(d, &p->counters, Drop::Segmentation);
          return;
        }
        uint8_t* at = reserve_locked(p, kFrameHeaderSize + len);
        if (!at) {
          drop(d, &p->counters, Drop::QueueFull);
          return;
        }
        encode_frame_header(at, FrameKind::Packet, static_cast<uint16_t>(len));
        std::memcpy(at + kFrameHeaderSize, pkt, len);
        p->tx_len += kFrameHeaderSize + len;
        p->counters.sent(len);
      }
      error = flush_locked(p);
    }
    if (error) close_peer(p, "write: " + errno_text(error));
  }

  // One packet read from `from` (nullptr: the router device). Returns false when the
  // sender must be closed (a socket peer that sent garbage); `fault` says why.
  bool forward(Worker& w, Device& d, Peer* from, const VnetHeader* vh, uint8_t* pkt, size_t len,
               std::string* fault) {
    Counters* src_counters = from ? &from->counters : nullptr;
    auto parsed = parse_packet({pkt, len});
    if (!parsed) {
      drop(d, src_counters, Drop::Malformed);
      if (fault) *fault = "malformed packet: " + parsed.error().message;
      return false;
    }
    const PacketInfo& info = *parsed;
    if (is_link_scope(info)) {
      drop(d, src_counters, Drop::LinkScope);
      return true;
    }
    if (from) {
      auto verdict = from->guard.check(info.src);
      if (verdict == SourceGuard::Verdict::Learn) verdict = learn(from, info.src);
      if (verdict != SourceGuard::Verdict::Allowed) {
        drop(d, src_counters, Drop::Spoofed);
        return true;
      }
      if (!d.fw_out.allows(info) || !from->fw_out.allows(info)) {
        drop(d, src_counters, Drop::FirewallOut);
        return true;
      }
    }
    const Snapshot* snap = d.snapshot.load(std::memory_order_acquire);
    const auto target = snap->routes.lookup(info.dst);
    // Inside the router device's own subnet, an address no peer owns: the host would drop
    // it unseen, so it is dropped (and counted) here.
    const bool routed = target && *target != RouteTable::kNoPeer;
    Peer* to = routed ? snap->targets[*target] : nullptr;
    if (!routed || (!to && !from) || to == from || (to && to->closed.load(std::memory_order_relaxed))) {
      drop(d, src_counters, Drop::NoRoute);
      return true;
    }
    if (!to) {
      write_tun(w, d.queues, true, vh, pkt, len, info, d, d.counters);
      return true;
    }
    if (!d.fw_in.allows(info) || !to->fw_in.allows(info)) {
      drop(d, &to->counters, Drop::FirewallIn);
      return true;
    }
    if (to->kind == PeerKind::Socket)
      write_socket(to, vh, pkt, len, info, d);
    else
      write_tun(w, to->queues, to->vnet, vh, pkt, len, info, d, to->counters);
    return true;
  }

  // --- event handlers ------------------------------------------------------------------

  // A tun queue (router device or vassal) is readable: packets until EAGAIN or the burst.
  void read_tun(Worker& w, Port& port) {
    Device& d = *port.device;
    Peer* from = port.peer;
    const bool vnet = from ? from->vnet : true;
    const size_t hdr = vnet ? kVnetHeaderSize : 0;
    uint8_t* buf = w.buf.get();
    for (int i = 0; i < kReadBurst; ++i) {
      if (from && from->closed.load(std::memory_order_relaxed)) return;
      const ssize_t n = ::read(port.fd, buf, kReadBufferSize);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        const int e = errno;
        if (from) {
          close_peer(from, "read its device: " + errno_text(e));
        } else {
          // The router device itself failed (deleted under us): stop polling that queue
          // rather than spin on it, and say so.
          drop(d, nullptr, Drop::DeviceError);
          ::epoll_ctl(w.epoll.get(), EPOLL_CTL_DEL, port.fd, nullptr);
          {
            std::lock_guard lock(state_mu);
            if (d.lost.empty()) d.lost = "read: " + errno_text(e);
          }
          push_event("router '" + d.spec.device + "'", "read: " + errno_text(e) + ": queue no longer served");
        }
        return;
      }
      if (static_cast<size_t>(n) <= hdr) {
        drop(d, from ? &from->counters : nullptr, Drop::Malformed);
        continue;
      }
      VnetHeader vh;
      if (vnet) vh = read_vnet_header(buf);
      const size_t len = static_cast<size_t>(n) - hdr;
      (from ? from->counters : d.counters).received(len);
      forward(w, d, from, vnet ? &vh : nullptr, buf + hdr, len, nullptr);
    }
  }

  void read_socket(Worker& w, Peer* p) {
    if (p->closed.load(std::memory_order_relaxed)) return;
    const ssize_t n = ::recv(p->sock.get(), p->rx.get() + p->rx_len, kSocketRxCapacity - p->rx_len, MSG_DONTWAIT);
    if (n == 0) {
      if (p->rx_len == 0) {
        close_peer(p, "closed the connection");
        return;
      }
      // A frame cut short is garbage, however it ended.
      drop(*p->device, &p->counters, Drop::Malformed);
      close_peer(p, "closed the connection mid-frame (" + std::to_string(p->rx_len) +
                        " bytes of an incomplete frame)");
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      close_peer(p, "read: " + errno_text(errno));
      return;
    }
    p->rx_len += static_cast<size_t>(n);
    size_t off = 0;
    Device& d = *p->device;
    while (!p->closed.load(std::memory_order_relaxed)) {
      auto frame = next_frame({p->rx.get() + off, p->rx_len - off}, kMaxSocketPacket);
      if (!frame) {
        d.counters.drop(Drop::Malformed);
        p->counters.drop(Drop::Malformed);
        close_peer(p, frame.error().message);
        return;
      }
      if (!*frame) break;
      const Frame& f = **frame;
      uint8_t* payload = p->rx.get() + off + kFrameHeaderSize;
      off += f.consumed;
      if (f.kind == FrameKind::Rules) {
        drop(d, &p->counters, Drop::RulesBlock);
        continue;
      }
      p->counters.received(f.payload.size());
      std::string fault;
      if (!forward(w, d, p, nullptr, payload, f.payload.size(), &fault)) {
        close_peer(p, fault);
        return;
      }
    }
    if (off > 0) {
      std::memmove(p->rx.get(), p->rx.get() + off, p->rx_len - off);
      p->rx_len -= off;
    }
  }

  void socket_writable(Peer* p) {
    int error = 0;
    {
      std::lock_guard lock(p->tx_mu);
      if (p->closed.load()) return;
      error = flush_locked(p);
    }
    if (error) close_peer(p, "write: " + errno_text(error));
  }

  void accept_peers(Device& d) {
    for (;;) {
      auto conn = sys::accept_nonblocking(d.listener.get());
      if (!conn || !conn->valid()) return;
      auto cred = sys::peer_cred(conn->get());
      std::lock_guard lock(state_mu);
      auto p = std::make_unique<Peer>(std::vector<config::IpAddress>{});
      p->id = next_peer_id++;
      p->device = &d;
      p->kind = PeerKind::Socket;
      if (cred) p->cred = *cred;
      p->sock = std::move(*conn);
      p->rx = std::make_unique<uint8_t[]>(kSocketRxCapacity);
      p->tx = std::make_unique<uint8_t[]>(kSocketTxCapacity);
      p->owner = static_cast<int>(next_owner++ % workers.size());
      p->ports.push_back(std::make_unique<Port>(Port{PortKind::Socket, p->sock.get(), &d, p.get()}));
      p->port_worker.push_back(p->owner);
      if (!add_to_worker(*workers[static_cast<size_t>(p->owner)], p->sock.get(), EPOLLIN | EPOLLRDHUP,
                         p->ports[0].get()))
        continue;
      d.peers.push_back(p.get());
      peers.emplace(p->id, std::move(p));
    }
  }

  void run(Worker& w) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    epoll_event ready[kMaxEvents];
    bool busy = false;
    while (!stopping.load(std::memory_order_relaxed)) {
      w.quiescent.store(epoch.load());
      if (have_retired.load(std::memory_order_relaxed)) {
        std::unique_lock lock(state_mu, std::try_to_lock);
        if (lock.owns_lock()) reclaim_locked();
      }
      int n = ::epoll_wait(w.epoll.get(), ready, kMaxEvents, 0);
      if (n == 0 && busy) {
        const auto until = std::chrono::steady_clock::now() + kBusyPoll;
        while (n == 0 && std::chrono::steady_clock::now() < until)
          n = ::epoll_wait(w.epoll.get(), ready, kMaxEvents, 0);
      }
      if (n == 0) n = ::epoll_wait(w.epoll.get(), ready, kMaxEvents, -1);
      busy = false;
      for (int i = 0; i < n; ++i) {
        Port& port = *static_cast<Port*>(ready[i].data.ptr);
        const uint32_t ev = ready[i].events;
        switch (port.kind) {
          case PortKind::Wake:
          case PortKind::Timer: {
            uint64_t value;
            [[maybe_unused]] auto r = ::read(port.fd, &value, sizeof value);
            break;
          }
          case PortKind::Listener:
            accept_peers(*port.device);
            break;
          case PortKind::AddressWatch: {
            drain_address_watch(port.fd);
            std::lock_guard lock(state_mu);
            for (auto& d : devices) refresh_and_publish_locked(*d);
            break;
          }
          case PortKind::DeviceQueue:
          case PortKind::TunQueue:
            read_tun(w, port);
            busy = true;
            break;
          case PortKind::Socket:
            if (ev & EPOLLOUT) socket_writable(port.peer);
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) read_socket(w, port.peer);
            break;
        }
      }
    }
  }

  // --- stats ---------------------------------------------------------------------------

  static nlohmann::json chain_json(const Firewall& fw) {
    auto out = nlohmann::json::array();
    for (const auto& e : fw.stats()) out.push_back({{"rule", e.rule}, {"hits", e.hits}});
    return out;
  }

  static nlohmann::json peer_json(const Peer& p) {
    nlohmann::json j;
    j["id"] = p.id;
    j["kind"] = p.kind == PeerKind::Vassal ? "vassal" : "socket";
    if (p.kind == PeerKind::Vassal) {
      j["vassal"] = p.vassal;
      j["queues"] = p.queues.size();
      j["vnet_hdr"] = p.vnet;
    } else {
      j["pid"] = p.cred.pid;
      j["uid"] = p.cred.uid;
      j["gid"] = p.cred.gid;
    }
    auto addresses = nlohmann::json::array();
    for (const auto& a : p.guard.addresses()) addresses.push_back(a.to_string());
    j["addresses"] = addresses;
    j["learned"] = p.guard.learning();
    p.counters.to_json(j);
    j["firewall_in"] = chain_json(p.fw_in);
    j["firewall_out"] = chain_json(p.fw_out);
    return j;
  }
};

Router::Router(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Router>> Router::start(std::vector<RouterDeviceSpec> specs, int threads) {
  auto impl = std::make_unique<Impl>();
  int count = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  count = std::clamp(count, 1, 64);
  impl->event_fd = sys::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!impl->event_fd) return fail_errno("start router: eventfd");
  for (int i = 0; i < count; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    w->epoll = sys::UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
    if (!w->epoll) return fail_errno("start router: epoll_create1");
    w->wake = sys::UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!w->wake) return fail_errno("start router: eventfd");
    w->wake_port.fd = w->wake.get();
    EMP_CHECK(impl->add_to_worker(*w, w->wake.get(), EPOLLIN, &w->wake_port).context("start router"));
    if (i == 0) {
      w->timer = sys::UniqueFd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
      if (!w->timer) return fail_errno("start router: timerfd_create");
      w->timer_port.fd = w->timer.get();
      EMP_CHECK(impl->add_to_worker(*w, w->timer.get(), EPOLLIN, &w->timer_port).context("start router"));
      // Addresses put on (or taken off) a router device after start, e.g. by exec-as-root.
      EMP_TRY(impl->address_watch, open_address_watch().context("start router"));
      w->watch_port.fd = impl->address_watch.get();
      EMP_CHECK(impl->add_to_worker(*w, w->watch_port.fd, EPOLLIN, &w->watch_port).context("start router"));
    }
    // Room for a read packet and, after it, one software segment.
    w->buf = std::make_unique<uint8_t[]>(2 * kReadBufferSize);
    impl->workers.push_back(std::move(w));
  }
  for (auto& spec : specs) {
    const std::string what = "start router '" + spec.device + "'";
    auto d = std::make_unique<Device>();
    for (const auto& other : impl->devices)
      if (other->spec.socket == spec.socket || other->spec.device == spec.device)
        return fail(what + ": device or socket used twice");
    d->spec = std::move(spec);
    d->fw_in = Firewall::compile(d->spec.firewall_in);
    d->fw_out = Firewall::compile(d->spec.firewall_out);
    impl->devices.push_back(std::move(d));
    Device& dev = *impl->devices.back();
    EMP_TRY(dev.queues, sys::open_tun({dev.spec.device, count, true, 0}).context(what));
    EMP_CHECK(sys::set_link_up(dev.spec.device).context(what));
    EMP_TRY(dev.listener, sys::listen_unix(dev.spec.socket, SOCK_STREAM | SOCK_NONBLOCK, 0600).context(what));
    for (const auto& a : dev.spec.addresses)
      if (auto why = unusable_peer_address(a.address); !why.empty())
        return fail(what + ": address " + a.address.to_string() + " is " + std::string(why));
    {
      std::lock_guard lock(impl->state_mu);
      dev.own = dev.spec.addresses;
      impl->refresh_own_locked(dev);
      EMP_CHECK(impl->publish(dev).context(what));
    }
    for (size_t q = 0; q < dev.queues.size(); ++q) {
      dev.ports.push_back(std::make_unique<Port>(Port{PortKind::DeviceQueue, dev.queues[q].get(), &dev, nullptr}));
      EMP_CHECK(impl->add_to_worker(*impl->workers[q], dev.queues[q].get(), EPOLLIN, dev.ports.back().get())
                    .context(what));
    }
    dev.ports.push_back(std::make_unique<Port>(Port{PortKind::Listener, dev.listener.get(), &dev, nullptr}));
    EMP_CHECK(impl->add_to_worker(*impl->workers[0], dev.listener.get(), EPOLLIN, dev.ports.back().get())
                  .context(what));
  }
  Impl* raw = impl.get();
  for (auto& w : impl->workers) {
    Worker* wp = w.get();
    w->thread = std::thread([raw, wp] { raw->run(*wp); });
  }
  return std::unique_ptr<Router>(new Router(std::move(impl)));
}

Result<uint64_t> Router::attach(VassalAttachment a) {
  Impl& m = *impl_;
  const std::string what = "attach vassal '" + a.vassal + "'";
  Device* device = nullptr;
  for (auto& d : m.devices)
    if (d->spec.socket == a.router_socket) device = d.get();
  if (!device) return fail(what + ": no router listens on socket '" + a.router_socket + "'");
  if (a.queues.empty()) return fail(what + ": no tun queue given");
  bool vnet = false;
  for (size_t i = 0; i < a.queues.size(); ++i) {
    EMP_TRY(const auto info, sys::tun_info(a.queues[i].get()).context(what));
    if (info.vnet_hdr && info.vnet_hdr_size != static_cast<int>(kVnetHeaderSize))
      return fail(what + ": tun '" + info.name + "' has a " + std::to_string(info.vnet_hdr_size) +
                  "-byte vnet header (the router needs " + std::to_string(kVnetHeaderSize) + ")");
    if (i > 0 && info.vnet_hdr != vnet) return fail(what + ": queues disagree on vnet headers");
    vnet = info.vnet_hdr;
    EMP_CHECK(sys::set_nonblocking(a.queues[i].get(), true).context(what));
  }
  std::vector<config::IpAddress> declared;
  for (const auto& p : a.addresses) {
    if (std::find(declared.begin(), declared.end(), p.address) != declared.end())
      return fail(what + ": address " + p.address.to_string() + " given twice");
    declared.push_back(p.address);
  }

  std::lock_guard lock(m.state_mu);
  m.refresh_and_publish_locked(*device);
  for (const auto& addr : declared)
    if (auto why = m.refusal_locked(*device, addr, false); !why.empty()) return fail(what + ": " + why);
  auto p = std::make_unique<Peer>(std::move(declared));
  p->id = m.next_peer_id++;
  p->device = device;
  p->kind = PeerKind::Vassal;
  p->vassal = a.vassal;
  p->fw_in = Firewall::compile(a.firewall_in);
  p->fw_out = Firewall::compile(a.firewall_out);
  p->queues = std::move(a.queues);
  p->vnet = vnet;
  const size_t workers = m.workers.size();
  for (size_t i = 0; i < p->queues.size(); ++i) {
    // Queue i is read by worker i, and worker w writes to queue w: tun steers a flow's
    // packets to the queue its last packet was written from, so both directions of a
    // flow stay on one worker.
    const int w = static_cast<int>(i % workers);
    p->ports.push_back(std::make_unique<Port>(Port{PortKind::TunQueue, p->queues[i].get(), device, p.get()}));
    p->port_worker.push_back(w);
  }
  device->peers.push_back(p.get());
  if (auto r = m.publish(*device); !r) {
    std::erase(device->peers, p.get());
    return fail(what + ": " + r.error().message);
  }
  for (size_t i = 0; i < p->ports.size(); ++i) {
    auto added = m.add_to_worker(*m.workers[static_cast<size_t>(p->port_worker[i])], p->ports[i]->fd,
                                 EPOLLIN, p->ports[i].get());
    if (!added) {
      for (size_t j = 0; j < i; ++j)
        ::epoll_ctl(m.workers[static_cast<size_t>(p->port_worker[j])]->epoll.get(), EPOLL_CTL_DEL,
                    p->ports[j]->fd, nullptr);
      std::erase(device->peers, p.get());
      [[maybe_unused]] auto republished = m.publish(*device);
      m.retire(std::move(p), nullptr);
      m.kick_all();
      return fail(what + ": " + added.error().message);
    }
  }
  const uint64_t id = p->id;
  m.peers.emplace(id, std::move(p));
  return id;
}

void Router::reserve(std::vector<AddressReservation> reservations) {
  Impl& m = *impl_;
  std::lock_guard lock(m.state_mu);
  for (auto& d : m.devices) {
    d->reserved.clear();
    for (const auto& r : reservations)
      if (r.router_socket == d->spec.socket)
        for (const auto& a : r.addresses) d->reserved.emplace(a.address, r.vassal);  // first file wins
  }
}

void Router::detach(uint64_t peer_id) {
  Impl& m = *impl_;
  std::lock_guard lock(m.state_mu);
  auto it = m.peers.find(peer_id);
  if (it == m.peers.end()) return;
  m.close_locked(it->second.get(), "detached", false);
}

nlohmann::json Router::stats() const {
  const Impl& m = *impl_;
  std::lock_guard lock(m.state_mu);
  auto routers = nlohmann::json::array();
  for (const auto& d : m.devices) {
    nlohmann::json r;
    r["device"] = d->spec.device;
    r["socket"] = d->spec.socket;
    r["threads"] = m.workers.size();
    r["served"] = d->lost.empty();
    r["error"] = d->lost.empty() ? nlohmann::json() : nlohmann::json(d->lost);
    auto own = nlohmann::json::array();
    for (const auto& a : d->own) own.push_back(a.to_string());
    r["addresses"] = std::move(own);
    d->counters.to_json(r);
    r["firewall_in"] = Impl::chain_json(d->fw_in);
    r["firewall_out"] = Impl::chain_json(d->fw_out);
    auto peers = nlohmann::json::array();
    for (const Peer* p : d->peers) peers.push_back(Impl::peer_json(*p));
    r["peers"] = std::move(peers);
    routers.push_back(std::move(r));
  }
  return {{"routers", std::move(routers)}};
}

nlohmann::json Router::peer_stats(uint64_t peer_id) const {
  const Impl& m = *impl_;
  std::lock_guard lock(m.state_mu);
  auto it = m.peers.find(peer_id);
  if (it == m.peers.end()) return nullptr;
  return Impl::peer_json(*it->second);
}

int Router::event_fd() const { return impl_->event_fd.get(); }

std::vector<RouterEvent> Router::take_events() {
  uint64_t value;
  [[maybe_unused]] auto n = ::read(impl_->event_fd.get(), &value, sizeof value);
  std::lock_guard lock(impl_->events_mu);
  return std::exchange(impl_->events, {});
}

int Router::threads() const { return static_cast<int>(impl_->workers.size()); }

Router::~Router() {
  Impl& m = *impl_;
  m.stopping.store(true);
  m.kick_all();
  for (auto& w : m.workers)
    if (w->thread.joinable()) w->thread.join();
}

}  // namespace emp::tuntap
