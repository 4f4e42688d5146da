// Loading a vassal file or the emperor's config: read (INI, TOML or JSON by extension),
// expand includes, magic variables, placeholders and $(ENV), set and validate every key.
// All file and environment access goes through LoadEnv, so this stays testable in memory.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/emperor_spec.h"
#include "config/key_table.h"
#include "config/vassal_spec.h"
#include "sys/result.h"

namespace emp::config {

struct LoadEnv {
  // The whole file; errors name the path ("open 'x.ini': No such file or directory").
  std::function<Result<std::string>(const std::string& path)> read_file;
  // A canonical name for cycle detection (realpath on a real filesystem).
  std::function<std::string(const std::string& path)> canonical;
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  NameCheck names;
};

inline constexpr size_t kMaxConfigBytes = 1 << 20;
inline constexpr int kMaxIncludeDepth = 16;

template <class Spec>
struct Loaded {
  std::optional<Spec> spec;  // set when there are no errors
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return spec.has_value(); }
};

Loaded<VassalSpec> load_vassal(const std::string& path, const LoadEnv& env);
Loaded<EmperorSpec> load_emperor(const std::string& path, const LoadEnv& env);

// NAME of "dir/NAME.ext", validated against ^[A-Za-z0-9][A-Za-z0-9_.@-]*$.
Result<std::string> vassal_name_of(std::string_view path);
Result<SourceFormat> format_of(std::string_view path);
// Two files with the same NAME and different extensions: one error per extra file.
std::vector<Diagnostic> name_conflicts(const std::vector<std::string>& paths);

}  // namespace emp::config
