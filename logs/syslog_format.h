// RFC 3164 framing for the syslog logger, as glibc's syslog(3) writes it to /dev/log.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/log_spec.h"
#include "logs/record.h"

namespace emp::logs {

// The severity a record is sent with: the logger's priority when one was given (uWSGI 1.9.16's
// fixed custom priority), otherwise the record's own level (stderr lines as err...).
int syslog_severity(const config::LoggerSpec& spec, const Record& r);

// The ident: the logger's, else the vassal's name, else "emperor".
std::string_view syslog_ident(const config::LoggerSpec& spec, const Record& r);

// Appends "<PRI>Mmm dd hh:mm:ss IDENT[PID]: " (local time; no pid part when pid <= 0).
// Pure but caches the last second's timestamp: one formatter per sink writer.
class SyslogHeader {
 public:
  void append(std::string& out, int facility, int severity, std::chrono::system_clock::time_point t,
              std::string_view ident, int pid);

 private:
  int64_t cached_second_ = INT64_MIN;
  char stamp_[16] = {};  // "Mmm dd hh:mm:ss"
};

}  // namespace emp::logs
