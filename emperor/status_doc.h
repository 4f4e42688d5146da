// The status document: what `emperor status --json` prints and status.json holds
// (schema in docs/status.md). Built from the records, no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "emperor/record.h"

namespace emp::emperor {

struct EmperorInfo {
  int pid = 0;
  std::string version;
  std::string vassals_dir;
  std::string runtime_dir;
  int64_t started_unix_ms = 0;
  std::string status_file_mode;  // "o_tmpfile" or "named-temp"
  bool vassals_dir_present = true;
};

std::string iso_time(int64_t unix_ms);  // "2026-11-25T14:08:29.123Z"

// `net`: the router's view of the vassal's device (null without one).
nlohmann::json vassal_json(const Record& r, int64_t now_unix_ms, nlohmann::json net = {});
// `routers`: the router's stats (null without a router); `net_of`: a vassal's `net`.
nlohmann::json status_json(const EmperorInfo& info,
                           const std::map<std::string, std::unique_ptr<Record>>& records,
                           int64_t now_unix_ms, nlohmann::json routers = {},
                           const std::function<nlohmann::json(const Record&)>& net_of = {});

}  // namespace emp::emperor
