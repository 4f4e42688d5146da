#include "tuntap/uwsgi_bridge.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys/unix_socket.h"
#include "tuntap/frame.h"
#include "tuntap/packet.h"

namespace emp::tuntap {
namespace {

constexpr size_t kPacketBuffer = 65536;
constexpr size_t kRxCapacity = 256 * 1024;
constexpr size_t kTxCapacity = 1024 * 1024;
// uWSGI's router reads frames into an 8 KiB buffer without checking: never send more.
constexpr size_t kMaxUwsgiPacket = 8192;

}  // namespace

UwsgiBridge::UwsgiBridge(std::string path, sys::UniqueFd tun, sys::UniqueFd sock)
    : path_(std::move(path)),
      tun_(std::move(tun)),
      sock_(std::move(sock)),
      rx_(std::make_unique<uint8_t[]>(kRxCapacity)),
      tx_(std::make_unique<uint8_t[]>(kTxCapacity)),
      packet_(std::make_unique<uint8_t[]>(kPacketBuffer)) {}

Result<UwsgiBridge> UwsgiBridge::connect(const std::string& socket_path, sys::UniqueFd tun) {
  const std::string what = "connect uwsgi router '" + socket_path + "'";
  EMP_TRY(sys::UniqueFd sock, sys::connect_unix(socket_path, SOCK_STREAM).context(what));
  EMP_CHECK(sys::set_nonblocking(sock.get(), true).context(what));
  EMP_CHECK(sys::set_nonblocking(tun.get(), true).context(what));
  return UwsgiBridge(socket_path, std::move(tun), std::move(sock));
}

Result<void> UwsgiBridge::on_ready(int fd, uint32_t epoll_events) {
  if (fd == sock_.get()) {
    if (epoll_events & EPOLLOUT) EMP_CHECK(flush());
    if (epoll_events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) EMP_CHECK(pump_socket());
    return ok();
  }
  if (fd == tun_.get()) return pump_tun();
  return ok();
}

Result<void> UwsgiBridge::flush() {
  while (tx_len_ > 0) {
    const ssize_t n = ::send(sock_.get(), tx_.get() + tx_head_, tx_len_, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return ok();
      return fail_errno("uwsgi router '" + path_ + "': write");
    }
    tx_head_ += static_cast<size_t>(n);
    tx_len_ -= static_cast<size_t>(n);
  }
  tx_head_ = 0;
  return ok();
}

Result<void> UwsgiBridge::pump_tun() {
  for (;;) {
    const ssize_t n = ::read(tun_.get(), packet_.get(), kPacketBuffer);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      return fail_errno("uwsgi bridge to '" + path_ + "': read its tun device");
    }
    const size_t len = static_cast<size_t>(n);
    auto info = parse_packet({packet_.get(), len});
    if (!info || len > kMaxUwsgiPacket) {
      ++stats_.dropped_malformed;
      continue;
    }
    // uWSGI's router learns a peer's address from its first packet, whatever it is: an
    // IPv6 router solicitation would make it drop us.
    if (is_link_scope(*info)) {
      ++stats_.dropped_link_scope;
      continue;
    }
    const size_t need = kFrameHeaderSize + len;
    if (tx_len_ + need > kTxCapacity) {
      ++stats_.dropped_queue_full;
      continue;
    }
    if (tx_head_ + tx_len_ + need > kTxCapacity) {
      std::memmove(tx_.get(), tx_.get() + tx_head_, tx_len_);
      tx_head_ = 0;
    }
    uint8_t* at = tx_.get() + tx_head_ + tx_len_;
    encode_frame_header(at, FrameKind::Packet, static_cast<uint16_t>(len));
    std::memcpy(at + kFrameHeaderSize, packet_.get(), len);
    tx_len_ += need;
    ++stats_.to_router_packets;
    stats_.to_router_bytes += len;
  }
  return flush();
}

Result<void> UwsgiBridge::pump_socket() {
  for (;;) {
    const ssize_t n = ::recv(sock_.get(), rx_.get() + rx_len_, kRxCapacity - rx_len_, MSG_DONTWAIT);
    if (n == 0) return fail("uwsgi router '" + path_ + "' closed the connection");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return ok();
      return fail_errno("uwsgi router '" + path_ + "': read");
    }
    rx_len_ += static_cast<size_t>(n);
    size_t off = 0;
    for (;;) {
      auto frame = next_frame({rx_.get() + off, rx_len_ - off}, kMaxFramePayload);
      if (!frame) return fail("uwsgi router '" + path_ + "': " + frame.error().message);
      if (!*frame) break;
      const Frame& f = **frame;
      off += f.consumed;
      if (f.kind != FrameKind::Packet) continue;
      if (::write(tun_.get(), f.payload.data(), f.payload.size()) < 0) {
        ++stats_.dropped_device;
        continue;
      }
      ++stats_.from_router_packets;
      stats_.from_router_bytes += f.payload.size();
    }
    std::memmove(rx_.get(), rx_.get() + off, rx_len_ - off);
    rx_len_ -= off;
  }
}

nlohmann::json UwsgiBridge::stats_json() const {
  return {{"to_router_packets", stats_.to_router_packets},
          {"to_router_bytes", stats_.to_router_bytes},
          {"from_router_packets", stats_.from_router_packets},
          {"from_router_bytes", stats_.from_router_bytes},
          {"drops",
           {{"queue_full", stats_.dropped_queue_full},
            {"link_scope", stats_.dropped_link_scope},
            {"malformed", stats_.dropped_malformed},
            {"device_error", stats_.dropped_device}}}};
}

}  // namespace emp::tuntap
