#include "emperor/cli/verbs.h"

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
  std::cout << (args->flag("json") ? status.dump(2) + "\n" : status_table(status["vassals"], style));
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

}  // namespace emp::cli
