#include "logs/record.h"

#include <cstdio>
#include <ctime>

#include "logs/json_escape.h"

namespace emp::logs {
namespace {

constexpr std::string_view kLevels[] = {"emerg",   "alert",  "crit", "error",
                                        "warning", "notice", "info", "debug"};

}  // namespace

std::string_view stream_name(Stream s) {
  switch (s) {
    case Stream::Stdout:
      return "stdout";
    case Stream::Stderr:
      return "stderr";
    case Stream::Emperor:
      return "emperor";
  }
  return "stdout";
}

std::string_view level_name(int level) {
  return kLevels[level < 0 ? 0 : level > 7 ? 7 : level];
}

int default_level(Stream s) {
  return s == Stream::Stderr ? 3 : 6;
}

std::string record_json(const Record& r) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(r.time.time_since_epoch()).count();
  auto secs = static_cast<time_t>(us / 1'000'000);
  auto frac = us % 1'000'000;
  if (frac < 0) {  // before 1970: floor, so the fraction stays positive
    frac += 1'000'000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  std::string out;
  out.reserve(r.msg.size() + r.vassal.size() + 96);
  out += "{\"time\":\"";
  out += stamp;
  out += "\",\"vassal\":";
  append_json_string(out, r.vassal);
  out += ",\"stream\":\"";
  out += stream_name(r.stream);
  out += "\",\"pid\":";
  out += std::to_string(r.pid);
  out += ",\"msg\":";
  append_json_string(out, r.msg);
  if (r.continued) out += ",\"continued\":true";
  out += '}';
  return out;
}

}  // namespace emp::logs
