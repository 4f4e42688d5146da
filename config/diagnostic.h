// A message about a config file, printed in the style of compilers:
//   web.ini:12: error: unknown key 'hostnam'; did you mean 'hostname'?
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace emp::config {

struct Diagnostic {
  enum class Severity : uint8_t { Error, Warning };
  Severity severity = Severity::Error;
  std::string file;
  int line = 0;  // 0: about the file as a whole
  std::string message;

  std::string to_string() const;
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

bool has_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace emp::config
