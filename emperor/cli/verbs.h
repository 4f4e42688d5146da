// The client verbs: status, start, stop, restart, reload, events.
#pragma once

#include <string>
#include <vector>

namespace emp::cli {

int run_status(const std::vector<std::string>& argv);
// verb: start, stop, restart or reload
int run_control(const std::string& verb, const std::vector<std::string>& argv);
int run_events(const std::vector<std::string>& argv);
// emperor logs NAME [-f] [-n N] [--since TIME] [--json] | emperor logs --reopen | --stats
int run_logs(const std::vector<std::string>& argv);

}  // namespace emp::cli
