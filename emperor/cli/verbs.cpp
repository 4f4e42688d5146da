#include "emperor/cli/verbs.h"

#include <ctime>
#include <iostream>

#include "emperor/cli/args.h"
#include "emperor/cli/client.h"
#include "emperor/cli/format.h"

namespace emp::cli {
namespace {

using Json = nlohmann::json;
constexpr std::chrono::milliseconds kReplyTimeout{10'000};

// One request, one reply; exit codes for "no emperor" and "unknown vassal" are shared.
struct Exchange {
  Result<Json> reply;
  int exit_code;
};

Exchange ask(const std::string& runtime_dir, const Json& request, std::chrono::milliseconds timeout) {
  auto client = Client::connect(runtime_dir);
  if (!client) return {forward_error(std::move(client)), kExitUnknown};
  if (auto sent = client->send(request); !sent) return {forward_error(std::move(sent)), kExitUnknown};
  auto reply = client->read(timeout);
  if (!reply) return {forward_error(std::move(reply)), kExitUnknown};
  if (!reply->value("ok", false)) {
    const auto code = reply->value("code", "");
    return {std::move(reply), code == "unknown" ? kExitUnknown : code == "usage" ? kExitUsage : kExitFailed};
  }
  return {std::move(reply), kExitOk};
}

int report_error(const char* verb, const Exchange& e) {
  if (!e.reply) std::cerr << "emperor " << verb << ": " << e.reply.error().message << "\n";
  else std::cerr << "emperor " << verb << ": " << e.reply->value("error", "failed") << "\n";
  return e.exit_code;
}

}  // namespace

int run_status(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"json"}, {"runtime-dir"}, {}});
  if (!args || args->positional.size() > 1) {
    std::cerr << "emperor status: " << (args ? "too many arguments" : args.error().message)
              << "\nusage: emperor status [NAME] [--json] [--runtime-dir DIR]\n";
    return kExitUsage;
  }
  const auto dir = runtime_dir_of(args->option("runtime-dir"));
  Json request{{"cmd", "status"}};
  if (!args->positional.empty()) request["name"] = args->positional[0];
  auto e = ask(dir, request, kReplyTimeout);
  if (e.exit_code != kExitOk) return report_error("status", e);
  const auto style = Style::for_stdout();
  if (!args->positional.empty()) {
    const auto& v = (*e.reply)["vassal"];
    std::cout << (args->flag("json") ? v.dump(2) + "\n" : status_block(v, style));
    return v.value("state", "") == "running" ? kExitOk : kExitNotRunning;
  }
  const auto& status = (*e.reply)["status"];
  std::cout << (args->flag("json") ? status.dump(2) + "\n"
                                    : status_table(status["vassals"], style) +
                                          status_routers(status.value("routers", Json::array()), style));
  for (const auto& v : status["vassals"])
    if (v.value("state", "") != "running") return kExitNotRunning;
  return kExitOk;
}

int run_control(const std::string& verb, const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"json", "no-wait"}, {"runtime-dir", "timeout"}, {}});
  if (!args || args->positional.size() != 1) {
    std::cerr << "emperor " << verb << ": " << (args ? "needs exactly one vassal name" : args.error().message)
              << "\nusage: emperor " << verb << " NAME [--timeout SECONDS] [--runtime-dir DIR]\n";
    return kExitUsage;
  }
  int64_t timeout_s = 60;
  if (auto t = args->option("timeout")) timeout_s = std::atoll(t->c_str());
  if (timeout_s <= 0) {
    std::cerr << "emperor " << verb << ": --timeout must be a positive number of seconds\n";
    return kExitUsage;
  }
  const Json request{{"cmd", verb}, {"name", args->positional[0]}, {"timeout_ms", timeout_s * 1000}};
  auto e = ask(runtime_dir_of(args->option("runtime-dir")), request,
               std::chrono::milliseconds(timeout_s * 1000 + 5'000));
  if (e.exit_code != kExitOk) return report_error(verb.c_str(), e);
  if (args->flag("json")) std::cout << e.reply->dump(2) << "\n";
  else std::cout << e.reply->value("message", "done") << "\n";
  return kExitOk;
}

int run_events(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"json"}, {"runtime-dir"}, {}});
  if (!args || !args->positional.empty()) {
    std::cerr << "usage: emperor events [--json] [--runtime-dir DIR]\n";
    return kExitUsage;
  }
  auto client = Client::connect(runtime_dir_of(args->option("runtime-dir")));
  if (!client) {
    std::cerr << "emperor events: " << client.error().message << "\n";
    return kExitUnknown;
  }
  if (auto sent = client->send(Json{{"cmd", "events"}}); !sent) {
    std::cerr << "emperor events: " << sent.error().message << "\n";
    return kExitUnknown;
  }
  for (bool first = true;; first = false) {
    auto line = client->read(std::chrono::milliseconds(-1));
    if (!line) {
      std::cerr << "emperor events: " << line.error().message << "\n";
      return kExitFailed;
    }
    if (first) continue;  // the subscription's acknowledgement
    if (args->flag("json")) {
      std::cout << line->dump() << std::endl;
    } else {
      std::cout << line->value("time", "") << " " << line->value("vassal", "") << ": "
                << line->value("from", "") << " -> " << line->value("to", "");
      if (line->contains("reason")) std::cout << " (" << (*line)["reason"].get<std::string>() << ")";
      if (line->contains("error")) std::cout << ": " << (*line)["error"].get<std::string>();
      std::cout << std::endl;
    }
  }
}

namespace {

// --since: an ISO 8601 UTC time ("2026-11-25T14:08:29Z"), unix seconds, or an age ("90s",
// "10m", "2h", "1d") before now. Returns unix milliseconds.
std::optional<int64_t> parse_since(const std::string& text) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  const std::string unit(end);
  if (end != text.c_str() && number >= 0) {
    if (unit.empty()) return static_cast<int64_t>(number * 1000);
    static const std::pair<const char*, int64_t> kUnits[] = {{"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
    for (auto [u, ms] : kUnits)
      if (unit == u) return now_ms - static_cast<int64_t>(number * static_cast<double>(ms));
  }
  std::tm tm{};
  const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) rest = ::strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!rest || (*rest && *rest != 'Z' && *rest != '.')) return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm)) * 1000;
}

}  // namespace

int run_logs(const std::vector<std::string>& argv) {
  constexpr const char* kUsage =
      "usage: emperor logs NAME [-f] [-n LINES] [--since TIME] [--json] [--runtime-dir DIR]\n"
      "       emperor logs --reopen | --stats\n"
      "TIME: 2026-11-25T14:00:00Z, unix seconds, or an age: 90s, 10m, 2h, 1d\n";
  auto args = parse_args(argv, {{"follow", "json", "reopen", "stats"}, {"lines", "since", "runtime-dir"},
                                {{'f', "follow"}, {'n', "lines"}}});
  const bool admin = args && (args->flag("reopen") || args->flag("stats"));
  if (!args || (admin ? !args->positional.empty() : args->positional.size() != 1)) {
    std::cerr << "emperor logs: " << (args ? "needs exactly one vassal name" : args.error().message) << "\n" << kUsage;
    return kExitUsage;
  }
  Json request{{"cmd", "logs"}};
  if (args->flag("reopen")) request["reopen"] = true;
  if (args->flag("stats")) request["stats"] = true;
  if (!admin) {
    request["name"] = args->positional[0];
    request["follow"] = args->flag("follow");
    if (auto n = args->option("lines")) {
      char* end = nullptr;
      const long lines = std::strtol(n->c_str(), &end, 10);
      if (*end || lines < 0) {
        std::cerr << "emperor logs: -n takes a number of lines\n" << kUsage;
        return kExitUsage;
      }
      request["lines"] = lines;
    }
    if (auto since = args->option("since")) {
      auto ms = parse_since(*since);
      if (!ms) {
        std::cerr << "emperor logs: cannot read --since '" << *since << "'\n" << kUsage;
        return kExitUsage;
      }
      request["since_ms"] = *ms;
      if (!args->option("lines")) request["lines"] = -1;  // everything since then
    }
  }
  auto client = Client::connect(runtime_dir_of(args->option("runtime-dir")));
  if (!client) {
    std::cerr << "emperor logs: " << client.error().message << "\n";
    return kExitUnknown;
  }
  if (auto sent = client->send(request); !sent) {
    std::cerr << "emperor logs: " << sent.error().message << "\n";
    return kExitUnknown;
  }
  auto first = client->read(kReplyTimeout);
  if (!first) {
    std::cerr << "emperor logs: " << first.error().message << "\n";
    return kExitUnknown;
  }
  if (!first->value("ok", false)) {
    std::cerr << "emperor logs: " << first->value("error", "failed") << "\n";
    return first->value("code", "") == "unknown" ? kExitUnknown : kExitFailed;
  }
  if (admin) {
    if (first->contains("stats")) std::cout << (*first)["stats"].dump(2) << "\n";
    return kExitOk;
  }
  for (;;) {
    auto line = client->read(std::chrono::milliseconds(-1));
    if (!line) {
      std::cerr << "emperor logs: " << line.error().message << "\n";
      return kExitFailed;
    }
    if (line->contains("end")) return kExitOk;
    if (args->flag("json")) {
      std::cout << line->dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    } else {
      std::cout << line->value("msg", "");
      if (!line->value("continued", false)) std::cout << "\n";
    }
    if (args->flag("follow")) std::cout.flush();
  }
}

}  // namespace emp::cli
