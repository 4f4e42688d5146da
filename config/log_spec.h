// log-encoder and logger values (uWSGI 1.9.16 syntax), parsed and validated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/result.h"

namespace emp::config {

// One piece of a format/json template: literal text or a ${variable}.
struct TemplatePart {
  enum class Kind : uint8_t {
    Literal,   // text
    Msg,       // ${msg}: the line without its newline
    MsgNl,     // ${msgnl}: the line with a newline
    Unix,      // ${unix}: seconds since the epoch
    Millis,    // ${millis}
    Micros,    // ${micros}
    Strftime,  // ${strftime:FMT}: text holds FMT
    Vassal,    // ${vassal}
    Stream,    // ${stream}: stdout, stderr or emperor
    Pid,       // ${pid}
    Hostname,  // ${hostname}
    Level,     // ${level}: info for stdout, error for stderr, the emperor's own level
    Continued,      // ${continued}: "true" for a piece of a split long line, else "false"
    ContinuedMark,  // ${continued_mark}: " [continued]" for such a piece, else ""
  };
  Kind kind = Kind::Literal;
  std::string text;
  friend bool operator==(const TemplatePart&, const TemplatePart&) = default;
};

// Errors read: unknown variable '${mgs}' (known: msg, msgnl, ...)
Result<std::vector<TemplatePart>> parse_log_template(std::string_view text);

enum class EncoderKind : uint8_t { Prefix, Suffix, Nl, Format, Json, Gzip, Compress };
const char* encoder_name(EncoderKind k);

// log-encoder = NAME[:LOGGER] ARGS
struct LogEncoderSpec {
  EncoderKind kind = EncoderKind::Format;
  std::optional<std::string> logger;  // applies to this logger only
  std::string args;                   // prefix/suffix text, or the template text
  std::vector<TemplatePart> parts;    // format/json
  std::string text;                   // as written
  friend bool operator==(const LogEncoderSpec&, const LogEncoderSpec&) = default;
};
Result<LogEncoderSpec> parse_log_encoder(std::string_view text);

// logger = [NAME ]file:PATH | syslog[:IDENT[,FACILITY[,PRIORITY]]] | stderr
struct LoggerSpec {
  enum class Kind : uint8_t { File, Syslog, Stderr } kind = Kind::Stderr;
  std::string name;   // defaults to the kind's name: file, syslog, stderr
  std::string path;   // file
  std::string ident;  // syslog; empty: the vassal's name
  int facility = 3;   // syslog facility number (RFC 5424), default daemon
  std::optional<int> priority;  // syslog severity; unset: each line's own (info, err for stderr)
  std::string text;   // as written
  friend bool operator==(const LoggerSpec&, const LoggerSpec&) = default;
};
Result<LoggerSpec> parse_logger(std::string_view text);

}  // namespace emp::config
