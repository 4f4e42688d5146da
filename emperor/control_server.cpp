#include "emperor/control_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "sys/unix_socket.h"

namespace emp::emperor {
namespace {
constexpr size_t kMaxRequestLine = 1 << 16;
// A client that reads slower than we write (a stuck `emperor events`) is dropped rather
// than allowed to grow the emperor's memory.
constexpr size_t kMaxQueuedOutput = 16 << 20;
}  // namespace

Result<ControlServer> ControlServer::listen(const std::string& path, sys::Epoll* epoll,
                                            uint64_t token_base) {
  EMP_TRY(auto fd, sys::listen_unix(path, SOCK_STREAM | SOCK_NONBLOCK, 0600));
  EMP_CHECK(epoll->add(fd.get(), EPOLLIN, token_base));
  return ControlServer(std::move(fd), epoll, token_base, path);
}

ControlServer::~ControlServer() {
  if (listener_) ::unlink(path_.c_str());
}

std::vector<ControlServer::Request> ControlServer::on_event(uint64_t token, uint32_t events) {
  std::vector<Request> out;
  if (token == base_) {
    accept_clients();
    return out;
  }
  const uint64_t id = token - base_;
  auto it = clients_.find(id);
  if (it == clients_.end()) return out;
  if (events & EPOLLOUT) flush(id, it->second);
  it = clients_.find(id);
  if (it != clients_.end() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_client(id, it->second, out);
  return out;
}

void ControlServer::accept_clients() {
  for (;;) {
    auto fd = sys::accept_nonblocking(listener_.get());
    if (!fd || !fd->valid()) return;
    const uint64_t id = next_id_++;
    if (!epoll_->add(fd->get(), EPOLLIN, base_ + id)) continue;
    clients_.emplace(id, Client{std::move(*fd), {}, {}, false});
  }
}

void ControlServer::read_client(uint64_t id, Client& c, std::vector<Request>& out) {
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      drop(id);
      return;
    }
    c.in.append(buf, static_cast<size_t>(n));
    if (c.in.size() > kMaxRequestLine && c.in.find('\n') == std::string::npos) {
      drop(id);
      return;
    }
  }
  size_t start = 0;
  for (size_t nl; (nl = c.in.find('\n', start)) != std::string::npos; start = nl + 1) {
    const auto line = std::string_view(c.in).substr(start, nl - start);
    if (line.empty()) continue;
    out.push_back({id, nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false)});
  }
  c.in.erase(0, start);
}

void ControlServer::send(uint64_t client, const nlohmann::json& line) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  auto& c = it->second;
  c.out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  c.out += '\n';
  if (c.out.size() > kMaxQueuedOutput) {
    drop(client);
    return;
  }
  flush(client, c);
}

void ControlServer::broadcast(const nlohmann::json& line) {
  std::erase_if(subscribers_, [&](uint64_t id) { return !clients_.count(id); });
  const auto subscribers = subscribers_;
  for (uint64_t id : subscribers) send(id, line);
}

void ControlServer::close_after_flush(uint64_t client) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  it->second.close_when_flushed = true;
  flush(client, it->second);
}

void ControlServer::flush(uint64_t id, Client& c) {
  while (!c.out.empty()) {
    const ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      drop(id);
      return;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
  if (c.out.empty() && c.close_when_flushed) {
    drop(id);
    return;
  }
  (void)epoll_->modify(c.fd.get(), c.out.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT, base_ + id);
}

void ControlServer::drop(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  epoll_->remove(it->second.fd.get());
  clients_.erase(it);
}

}  // namespace emp::emperor
