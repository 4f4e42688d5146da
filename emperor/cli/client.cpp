#include "emperor/cli/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "config/emperor_spec.h"
#include "sys/unix_socket.h"

namespace emp::cli {

std::string runtime_dir_of(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  if (const char* env = std::getenv("EMPEROR_RUNTIME_DIR"); env && *env) return env;
  return config::kDefaultRuntimeDir;
}

Result<Client> Client::connect(const std::string& runtime_dir) {
  const std::string path = runtime_dir + "/emperor.sock";
  auto fd = sys::connect_unix(path, SOCK_STREAM);
  if (!fd) return fail("no emperor at '" + path + "': " + std::string(std::strerror(fd.error().code)));
  return Client(std::move(*fd));
}

Result<void> Client::send(const nlohmann::json& request) {
  const std::string line = request.dump() + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::send(fd_.get(), line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("send to the emperor");
    done += static_cast<size_t>(n);
  }
  return ok();
}

Result<nlohmann::json> Client::read(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto j = nlohmann::json::parse(buffer_.substr(0, nl), nullptr, false);
      buffer_.erase(0, nl + 1);
      if (j.is_discarded()) return fail("the emperor sent a malformed reply");
      return j;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (timeout.count() >= 0 && left.count() <= 0) return fail("no reply from the emperor in time", ETIMEDOUT);
    pollfd p{fd_.get(), POLLIN, 0};
    const int r = ::poll(&p, 1, timeout.count() < 0 ? -1 : static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail_errno("poll");
    if (r == 0) continue;
    char buf[65536];
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read from the emperor");
    if (n == 0) return fail("the emperor closed the connection");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace emp::cli
