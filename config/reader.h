// The three file formats, each read into the same flat list of entries (key, values,
// line). Everything after reading (includes, placeholders, key lookup) is shared.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace emp::config {

struct Entry {
  std::string key;
  std::vector<std::string> values;  // one per item of a TOML/JSON array, else one
  int line = 0;
};

struct ReadError {
  int line = 0;
  std::string message;
};

struct ReadResult {
  std::vector<Entry> entries;
  std::vector<ReadError> errors;
};

// INI: only the entries of the named sections are returned.
ReadResult read_ini(std::string_view text, const std::vector<std::string>& sections);
ReadResult read_toml(std::string_view text, const std::string& path);
ReadResult read_json(std::string_view text);

}  // namespace emp::config
