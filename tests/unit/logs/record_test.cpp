#include "logs/record.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "logs/syslog_format.h"

using namespace emp::logs;
using namespace std::chrono;

namespace {

emp::config::LoggerSpec logger(const std::string& text) {
  auto l = emp::config::parse_logger(text);
  REQUIRE(l.has_value());
  return *l;
}

}  // namespace

TEST_CASE("stream and level names") {
  CHECK(stream_name(Stream::Stdout) == "stdout");
  CHECK(stream_name(Stream::Stderr) == "stderr");
  CHECK(stream_name(Stream::Emperor) == "emperor");
  CHECK(level_name(0) == "emerg");
  CHECK(level_name(3) == "error");
  CHECK(level_name(4) == "warning");
  CHECK(level_name(6) == "info");
  CHECK(level_name(7) == "debug");
  CHECK(level_name(-5) == "emerg");
  CHECK(level_name(42) == "debug");
  CHECK(default_level(Stream::Stdout) == 6);
  CHECK(default_level(Stream::Stderr) == 3);
  CHECK(default_level(Stream::Emperor) == 6);
}

TEST_CASE("record_json: one object with time, vassal, stream, pid, msg") {
  Record r;
  r.time = system_clock::time_point(microseconds(1'704'164'645'678'901));
  r.vassal = "web";
  r.stream = Stream::Stderr;
  r.pid = 42;
  r.msg = "boom \"x\"";
  CHECK(
      record_json(r) ==
      R"({"time":"2024-01-02T03:04:05.678901Z","vassal":"web","stream":"stderr","pid":42,"msg":"boom \"x\""})");
  r.continued = true;
  CHECK(record_json(r).find(R"(,"continued":true})") != std::string::npos);
}

TEST_CASE("record_json is valid JSON whatever msg holds") {
  Record r;
  r.msg = std::string("\x00\x01\xff\xc0\x80\n\t\"\\", 9);
  r.vassal = "v\xff";
  const auto j = nlohmann::json::parse(record_json(r));
  CHECK(j["msg"].get<std::string>() ==
        std::string("\x00\x01\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n\t\"\\", 15));
  CHECK(j["time"] == "1970-01-01T00:00:00.000000Z");
  CHECK(j["stream"] == "stdout");
  CHECK(j["pid"] == 0);
}

TEST_CASE("record_json before 1970 keeps a positive fraction") {
  Record r;
  r.time = system_clock::time_point(microseconds(-1));
  CHECK(nlohmann::json::parse(record_json(r))["time"] == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("syslog: a priority is given only with three fields") {
  CHECK_FALSE(logger("syslog").priority.has_value());
  CHECK_FALSE(logger("syslog:app").priority.has_value());
  CHECK_FALSE(logger("syslog:app,local0").priority.has_value());
  CHECK(logger("syslog:app,local0,err").priority == 3);
  CHECK(logger("remote syslog:app,local0,debug").priority == 7);
  CHECK(logger("syslog:,user,info").priority == 6);
}

TEST_CASE("syslog: severity is the logger's when given, else the record's") {
  Record out;
  out.level = 6;
  Record err;
  err.level = 3;
  CHECK(syslog_severity(logger("syslog"), out) == 6);
  CHECK(syslog_severity(logger("syslog"), err) == 3);
  CHECK(syslog_severity(logger("syslog:app,local3,warning"), out) == 4);
  CHECK(syslog_severity(logger("syslog:app,local3,warning"), err) == 4);
  Record odd;
  odd.level = 99;
  CHECK(syslog_severity(logger("syslog"), odd) == 7);
}

TEST_CASE("syslog: ident is the logger's, the vassal's or emperor") {
  Record r;
  CHECK(syslog_ident(logger("syslog"), r) == "emperor");
  r.vassal = "web";
  CHECK(syslog_ident(logger("syslog"), r) == "web");
  CHECK(syslog_ident(logger("syslog:myapp"), r) == "myapp");
}

TEST_CASE("syslog header: <PRI>, RFC 3164 timestamp, ident[pid]") {
  setenv("TZ", "UTC", 1);
  tzset();
  SyslogHeader h;
  std::string out;
  const auto t = system_clock::time_point(seconds(1'704'164'645));  // 2024-01-02 03:04:05 UTC
  h.append(out, 16, 3, t, "web", 77);                               // local0.err = 16*8+3
  CHECK(out == "<131>Jan  2 03:04:05 web[77]: ");
  out.clear();
  h.append(out, 3, 6, t + seconds(86400 * 10), "emperor", 0);  // daemon.info, no pid
  CHECK(out == "<30>Jan 12 03:04:05 emperor: ");
}
