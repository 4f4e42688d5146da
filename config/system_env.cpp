#include "config/system_env.h"

#include <cstdlib>

#include "sys/file_io.h"
#include "sys/names.h"

namespace emp::config {

NameCheck system_name_check() {
  return NameCheck{
      [](std::string_view name) { return sys::capability_number(name).has_value(); },
      [](std::string_view name) { return sys::syscall_number(name).has_value(); }};
}

LoadEnv system_load_env() {
  return LoadEnv{
      [](const std::string& path) { return sys::read_file(path, kMaxConfigBytes); },
      [](const std::string& path) { return sys::canonical_path(path); },
      [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
      },
      system_name_check()};
}

}  // namespace emp::config
