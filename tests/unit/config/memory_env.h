// An in-memory LoadEnv: files, environment and name checks for loader tests.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "config/loader.h"

namespace emp::config::test {

struct MemoryFs {
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> env;
  LoadEnv load_env() const;
};

// Loads `path` from `fs`, returning all diagnostics as "file:line: error: msg" lines.
std::vector<std::string> messages(const std::vector<Diagnostic>& diags);

}  // namespace emp::config::test

// Readable failures: print message lists one per line.
namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "{";
    for (const auto& s : v) out += "\n  \"" + s + "\"";
    out += "\n}";
    return String(out.c_str());
  }
};
}  // namespace doctest
