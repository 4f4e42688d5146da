// One log line as a vassal (or the emperor) printed it, before any encoder.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace emp::logs {

enum class Stream : uint8_t { Stdout, Stderr, Emperor };

struct Record {
  std::chrono::system_clock::time_point time;
  std::string vassal;  // "" for the emperor's own messages
  Stream stream = Stream::Stdout;
  int pid = 0;
  std::string msg;         // without its newline
  bool continued = false;  // a piece of a longer line; the next record of the stream goes on
  int level = 6;           // syslog severity: 6 info (stdout), 3 err (stderr)...
};

// "stdout", "stderr", "emperor".
std::string_view stream_name(Stream s);
// The severity's name: emerg, alert, crit, error, warning, notice, info, debug (clamped to 0..7).
std::string_view level_name(int level);
// The severity a stream's lines get by default: stderr 3 (error), anything else 6 (info).
int default_level(Stream s);

// One JSON object on one line (no newline) for `emperor logs --json`: time (RFC 3339, UTC,
// microseconds), vassal, stream, pid, msg, and continued when true. Always valid JSON, whatever
// bytes msg holds (invalid UTF-8 is replaced by U+FFFD).
std::string record_json(const Record& r);

}  // namespace emp::logs
