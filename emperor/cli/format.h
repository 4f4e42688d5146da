// Human output of the CLI: tables and blocks, colour only on a terminal without NO_COLOR.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace emp::cli {

struct Style {
  bool color = false;
  bool headers = false;
  static Style for_stdout();  // a terminal gets headers; colour unless NO_COLOR is set
};

std::string human_duration(int64_t seconds);  // "45s", "3m12s", "2h05m", "3d04h"
std::string human_bytes(uint64_t bytes);      // "512B", "12.3M"
std::string status_table(const nlohmann::json& vassals, const Style& style);
std::string status_block(const nlohmann::json& vassal, const Style& style);
// The router section under the table: after a blank line, one line per router of the
// status document's "routers" (empty without routers), e.g.
// "router emperor0 on /run/emperor/router.sock: serving, 2 peers (1 vassal, 1 socket),
//  rx 120 packets 9.0K, tx 80 packets 6.1K, drops no_route 2 link_scope 6";
// a router whose device is no longer served reads "NOT SERVED (read: ...)".
std::string status_routers(const nlohmann::json& routers, const Style& style);

}  // namespace emp::cli
