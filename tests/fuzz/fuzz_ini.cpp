// libFuzzer target: the ini reader and the whole loader behind it must never crash.
// Build: CXX=clang++ meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz
// Run:   ./build-fuzz/tests/fuzz/fuzz_ini -max_total_time=60 tests/corpus/config
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  emp::config::LoadEnv env;
  env.read_file = [&](const std::string& path) -> emp::Result<std::string> {
    if (path == "/f/v.ini") return text;
    return emp::fail("open '" + path + "': No such file or directory");
  };
  env.canonical = [](const std::string& path) { return path; };
  env.getenv = [](const std::string&) { return std::optional<std::string>("x"); };
  auto loaded = emp::config::load_vassal("/f/v.ini", env);
  if (loaded.ok() && !loaded.spec->command) __builtin_trap();  // valid specs are complete
  (void)emp::config::load_emperor("/f/v.ini", env);
  return 0;
}
