// The client side of the control socket: connect, send one request, read JSON lines.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::cli {

// --runtime-dir, else $EMPEROR_RUNTIME_DIR, else /run/emperor.
std::string runtime_dir_of(const std::optional<std::string>& flag);

class Client {
 public:
  // Errors read: no emperor at '/run/emperor/emperor.sock': No such file or directory
  static Result<Client> connect(const std::string& runtime_dir);
  Result<void> send(const nlohmann::json& request);
  // The next line as JSON; an error on EOF or timeout.
  Result<nlohmann::json> read(std::chrono::milliseconds timeout);

 private:
  explicit Client(sys::UniqueFd fd) : fd_(std::move(fd)) {}
  sys::UniqueFd fd_;
  std::string buffer_;
};

// Exit codes shared by the client verbs.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotRunning = 3;
inline constexpr int kExitUnknown = 4;  // unknown vassal, or no emperor reachable

}  // namespace emp::cli
