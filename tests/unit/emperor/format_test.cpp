#include <doctest/doctest.h>

#include "emperor/cli/args.h"
#include "emperor/cli/format.h"
#include "emperor/status_doc.h"

namespace emp {
namespace {

TEST_CASE("human durations and sizes") {
  CHECK(cli::human_duration(5) == "5s");
  CHECK(cli::human_duration(192) == "3m12s");
  CHECK(cli::human_duration(7500) == "2h05m");
  CHECK(cli::human_duration(3 * 86400 + 4 * 3600) == "3d04h");
  CHECK(cli::human_bytes(512) == "512B");
  CHECK(cli::human_bytes(12900000) == "12.3M");
  CHECK(emperor::iso_time(1764079709123) == "2025-11-25T14:08:29.123Z");
}

TEST_CASE("status table: headers only when asked, colour only when asked") {
  const auto vassals = nlohmann::json::parse(R"([
    {"name": "web", "state": "running", "pid": 10, "uptime_seconds": 65, "restarts": 2,
     "workers": 2, "workers_target": 4, "rss_bytes": 2097152, "last_error": null},
    {"name": "api", "state": "failed", "pid": null, "uptime_seconds": null, "restarts": 0,
     "workers": 0, "workers_target": null, "rss_bytes": 0, "last_error": "EXEC: command 'x' could not run"}])");
  CHECK(cli::status_table(vassals, {}) ==
        "web  running  10  1m05s  2  2/4  2.0M\n"
        "api  failed   -   -      0  0/-  0B    EXEC: command 'x' could not run\n");
  const auto with_headers = cli::status_table(vassals, {false, true});
  CHECK(with_headers.rfind("NAME  STATE    PID  UPTIME  RESTARTS  WORKERS  RSS   LAST ERROR\n", 0) == 0);
  CHECK(cli::status_table(vassals, {true, true}).find("\033[32mrunning\033[0m") != std::string::npos);
}

TEST_CASE("status block: each worker's state and the pool, sockets and thunder lock") {
  const auto v = nlohmann::json::parse(R"J({
    "name": "pool", "state": "running", "since": "2026-11-25T10:00:00.000Z", "pid": 10,
    "workers": 2, "workers_target": 2, "rss_bytes": 2097152,
    "worker_details": [
      {"pid": 11, "state": "ready", "rss_bytes": 1048576, "pss_bytes": 524288,
       "since": "2026-11-25T10:00:01.000Z", "respawns": 0, "status": "serving 3 clients",
       "last_watchdog": "2026-11-25T10:00:05.000Z"},
      {"pid": 12, "state": "busy", "rss_bytes": 1048576, "pss_bytes": 524288,
       "since": "2026-11-25T10:00:02.000Z", "respawns": 4, "status": null, "last_watchdog": null}],
    "cheaper_algo": "backlog", "backlog": 5, "last_decision": "backlog 5 > 3: +1 (1 -> 2)",
    "sockets": [{"fd": 3, "address": "127.0.0.1:8000", "name": "127.0.0.1_8000"}],
    "thunder_lock": "wake-one", "notify_socket": "@emperor-notify-pool"})J");
  const auto text = cli::status_block(v, {});
  CHECK(text.find("├─11 ready rss 1.0M pss 512.0K since 2026-11-25T10:00:01.000Z \"serving 3 clients\" "
                  "watchdog 2026-11-25T10:00:05.000Z\n") != std::string::npos);
  CHECK(text.find("└─12 busy rss 1.0M pss 512.0K since 2026-11-25T10:00:02.000Z respawns 4\n") !=
        std::string::npos);
  CHECK(text.find("Pool: cheaper backlog, backlog 5; last: backlog 5 > 3: +1 (1 -> 2)\n") != std::string::npos);
  CHECK(text.find("Socket: fd 3 127.0.0.1:8000 (127.0.0.1_8000)\n") != std::string::npos);
  CHECK(text.find("Thunder lock: wake-one\n") != std::string::npos);
  CHECK(text.find("Notify: @emperor-notify-pool\n") != std::string::npos);
}

TEST_CASE("argument parsing: flags, values, errors") {
  cli::ArgSpec spec{{"json"}, {"runtime-dir"}, {{'f', "follow"}}};
  spec.flags.insert("follow");
  auto a = cli::parse_args({"web", "--json", "--runtime-dir", "/x", "-f"}, spec);
  REQUIRE(a.has_value());
  CHECK(a->positional == std::vector<std::string>{"web"});
  CHECK(a->flag("json"));
  CHECK(a->flag("follow"));
  CHECK(a->option("runtime-dir") == "/x");
  CHECK(cli::parse_args({"--runtime-dir=/y"}, spec)->option("runtime-dir") == "/y");
  CHECK(cli::parse_args({"--nope"}, spec).error().message == "unknown option '--nope'");
  CHECK(cli::parse_args({"--runtime-dir"}, spec).error().message == "option '--runtime-dir' needs a value");
  CHECK(cli::parse_args({"--json=1"}, spec).error().message == "option '--json' takes no value");
  CHECK(cli::parse_args({"--", "--json"}, spec)->positional == std::vector<std::string>{"--json"});
}

}  // namespace
}  // namespace emp
