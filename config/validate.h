// Checks that span several keys (cheaper < processes, hard > soft RSS limit...). Each
// error points at the line of the key that completed the conflict.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostic.h"
#include "config/emperor_spec.h"
#include "config/vassal_spec.h"

namespace emp::config {

struct Location {
  std::string file;
  int line = 0;
};
using KeyWhere = std::map<std::string, Location>;  // key name -> where it was last set

// `where`: keys set successfully; `rejected`: keys whose value was an error (already
// reported), so that no "missing key" complaint follows an error about that key.
std::vector<Diagnostic> validate(const VassalSpec& spec, const KeyWhere& where,
                                 const std::set<std::string>& rejected, const std::string& top_file);
std::vector<Diagnostic> validate(const EmperorSpec& spec, const KeyWhere& where,
                                 const std::set<std::string>& rejected, const std::string& top_file);

// "256M" when exact, else bytes: for messages.
std::string format_size(uint64_t bytes);

}  // namespace emp::config
