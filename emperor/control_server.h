// The control socket: <runtime-dir>/emperor.sock, mode 0600, one JSON object per line each
// way (protocol in docs/cli.md). This class frames lines and buffers output; the daemon
// decides what the requests mean.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sys/epoll.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::emperor {

class ControlServer {
 public:
  // Client tokens are token_base + client id; the listener uses token_base.
  static Result<ControlServer> listen(const std::string& path, sys::Epoll* epoll, uint64_t token_base);

  ControlServer(ControlServer&&) noexcept = default;
  ControlServer& operator=(ControlServer&&) noexcept = default;
  ~ControlServer();  // removes the socket file

  bool owns(uint64_t token) const { return token >= base_ && token < base_ + (1ull << 32); }

  struct Request {
    uint64_t client;
    nlohmann::json body;  // a discarded value when the line was not JSON
  };
  // Handles an epoll event on one of our tokens; complete request lines come back.
  std::vector<Request> on_event(uint64_t token, uint32_t events);

  void send(uint64_t client, const nlohmann::json& line);
  void subscribe(uint64_t client) { subscribers_.push_back(client); }
  void broadcast(const nlohmann::json& line);
  bool connected(uint64_t client) const { return clients_.count(client) > 0; }
  // Closes once the queued output has been written.
  void close_after_flush(uint64_t client);

 private:
  struct Client {
    sys::UniqueFd fd;
    std::string in;
    std::string out;
    bool close_when_flushed = false;
  };
  ControlServer(sys::UniqueFd listener, sys::Epoll* epoll, uint64_t base, std::string path)
      : listener_(std::move(listener)), epoll_(epoll), base_(base), path_(std::move(path)) {}
  void accept_clients();
  void read_client(uint64_t id, Client& c, std::vector<Request>& out);
  void flush(uint64_t id, Client& c);
  void drop(uint64_t id);

  sys::UniqueFd listener_;
  sys::Epoll* epoll_;
  uint64_t base_;
  std::string path_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Client> clients_;
  std::vector<uint64_t> subscribers_;
};

}  // namespace emp::emperor
