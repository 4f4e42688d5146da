// Malformed inputs must give errors and never crash: the files in tests/corpus/config and
// inputs generated here (too large to commit).
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <random>

#include "config/system_env.h"
#include "tests/unit/config/memory_env.h"

namespace emp::config {
namespace {

using test::MemoryFs;
using test::messages;

std::vector<std::string> corpus_files() {
  const std::string dir = std::string(EMPEROR_SOURCE_DIR) + "/tests/corpus/config";
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') out.push_back(dir + "/" + e->d_name);
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("every corpus file is rejected with an error that names it") {
  const auto files = corpus_files();
  REQUIRE(files.size() >= 20);
  const auto env = system_load_env();
  for (const auto& f : files) {
    CAPTURE(f);
    auto loaded = load_vassal(f, env);
    CHECK_FALSE(loaded.ok());
    REQUIRE_FALSE(loaded.diagnostics.empty());
    CHECK(loaded.diagnostics.front().file.find("tests/corpus/config/") != std::string::npos);
    // The emperor's reader must survive the same inputs.
    auto as_emperor = load_emperor(f, env);
    if (f.find("/empty.") == std::string::npos) CHECK_FALSE(as_emperor.ok());  // empty: all defaults
  }
}

TEST_CASE("specific corpus messages") {
  const auto env = system_load_env();
  const std::string dir = std::string(EMPEROR_SOURCE_DIR) + "/tests/corpus/config/";
  auto first = [&](const char* name) {
    auto l = load_vassal(dir + name, env);
    return l.diagnostics.empty() ? std::string() : l.diagnostics.front().to_string().substr(dir.size());
  };
  CHECK(first("invalid-utf8.ini") == "invalid-utf8.ini:3: error: invalid UTF-8");
  CHECK(first("overlong-utf8.ini") == "overlong-utf8.ini:3: error: invalid UTF-8");
  CHECK(first("nul-byte.ini") == "nul-byte.ini:1: error: not a text file (NUL byte)");
  CHECK(first("long-line.ini") == "long-line.ini:2: error: line is longer than 65536 bytes");
  CHECK(first("empty.ini") == "empty.ini: error: no [uwsgi] or [vassal] section");
  CHECK(first("corpus-self-include.ini").find("include cycle") != std::string::npos);
  CHECK(first("placeholder-loop.ini") == "placeholder-loop.ini:2: error: 'command': unknown placeholder '%(a)'");
  CHECK(first("overflow.ini") ==
        "overflow.ini:3: error: 'processes': invalid number '99999999999999999999999' (expected a whole "
        "number from 1 to 4096)");
}

TEST_CASE("generated hostile inputs in every format") {
  std::mt19937 rng(12345);
  MemoryFs fs;
  const auto env = fs.load_env();
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const size_t n = rng() % 600;
    for (size_t i = 0; i < n; ++i) {
      // Mostly syntax characters, so the parsers get deep rather than failing at byte one.
      static constexpr char kAlphabet[] = "[]{}=\"',:;#%$()\n\t \\abcxyz0123456789-.";
      text += rng() % 8 == 0 ? static_cast<char>(rng() % 256) : kAlphabet[rng() % (sizeof kAlphabet - 1)];
    }
    for (const char* ext : {".ini", ".toml", ".json"}) {
      const std::string path = std::string("/g/f") + ext;
      fs.files[path] = std::string(ext) == ".ini" ? "[uwsgi]\n" + text : text;
      auto l = load_vassal(path, env);
      if (l.ok()) CHECK(l.spec->command.has_value());  // valid only by chance, and then complete
    }
  }
}

TEST_CASE("files over the size limit are refused before parsing") {
  MemoryFs fs;
  fs.files["/g/big.ini"] = "[uwsgi]\ncommand = x\n" + std::string(kMaxConfigBytes, '#');
  CHECK(messages(load_vassal("/g/big.ini", fs.load_env()).diagnostics) ==
        std::vector<std::string>{"/g/big.ini: error: file is larger than 1048576 bytes"});
}

}  // namespace
}  // namespace emp::config
