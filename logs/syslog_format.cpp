#include "logs/syslog_format.h"

#include <charconv>
#include <climits>
#include <cstdio>
#include <ctime>

namespace emp::logs {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

}  // namespace

int syslog_severity(const config::LoggerSpec& spec, const Record& r) {
  if (spec.priority) return *spec.priority;
  return r.level < 0 ? 0 : r.level > 7 ? 7 : r.level;
}

std::string_view syslog_ident(const config::LoggerSpec& spec, const Record& r) {
  if (!spec.ident.empty()) return spec.ident;
  if (!r.vassal.empty()) return r.vassal;
  return "emperor";
}

void SyslogHeader::append(std::string& out, int facility, int severity,
                          std::chrono::system_clock::time_point t, std::string_view ident,
                          int pid) {
  const int64_t second = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  if (second != cached_second_) {
    const auto tt = static_cast<time_t>(second);
    std::tm tm{};
    localtime_r(&tt, &tm);
    // RFC 3164 4.1.2: English month, day padded with a space, no year.
    std::snprintf(stamp_, sizeof stamp_, "%s %2d %02d:%02d:%02d", kMonths[tm.tm_mon % 12],
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second_ = second;
  }
  out += '<';
  append_int(out, facility * 8 + severity);
  out += '>';
  out += stamp_;
  out += ' ';
  out += ident;
  if (pid > 0) {
    out += '[';
    append_int(out, pid);
    out += ']';
  }
  out += ": ";
}

}  // namespace emp::logs
