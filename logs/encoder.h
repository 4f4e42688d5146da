// Log encoders (uWSGI 1.9.16's log-encoder): what a logger does to a line before writing it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/log_spec.h"
#include "logs/record.h"
#include "sys/result.h"

namespace emp::logs {

// ${continued_mark} of a piece of a split long line (LineSplitter): the default encoders end
// with it, so a cut line shows where it goes on.
inline constexpr std::string_view kContinuedMark = " [continued]";
// The emperor's encoder when its config has no log-encoder: whose line it is, and the mark.
inline constexpr std::string_view kDefaultEmperorEncoder =
    "format [${vassal}] ${msg}${continued_mark}";

// The encoders one logger applies, compiled from a log-encoder list: the unscoped ones and the
// ones scoped to this logger (`NAME:LOGGER`), in order. Each takes the previous one's output
// as its ${msg}; the first gets the record's msg.
//
// Newlines: the record a stream sink writes ends with exactly one "\n" (trailing newlines are
// folded into one; `nl` is accepted and never doubles it), unless the chain ends in gzip or
// compress, whose output is written as is. The input of gzip/compress gets the same newline,
// so `gzip -d` on a file of gzip members gives back the lines.
//
// json: string values are escaped (control characters, quotes, invalid UTF-8 replaced by
// U+FFFD) and a variable written outside a JSON string is emitted as a complete value (a
// quoted string, or a number for unix/millis/micros/pid), so the output is valid JSON whenever
// the template's own text is; build() checks that on a sample record.
//
// Pure but stateful (scratch buffers, zlib streams, strftime cache): one chain per sink writer.
class EncoderChain {
 public:
  static Result<EncoderChain> build(const std::vector<config::LogEncoderSpec>& specs,
                                    std::string_view logger_name, std::string hostname);
  EncoderChain(EncoderChain&&) noexcept;
  EncoderChain& operator=(EncoderChain&&) noexcept;
  ~EncoderChain();

  // Appends the record, encoded and newline-terminated as described above, to out.
  void encode(const Record& r, std::string& out);

  // The chain ends in gzip or compress: records are binary and carry no added newline.
  bool binary() const;
  size_t size() const;

 private:
  struct Step;
  EncoderChain();
  void render(Step& step, const Record& r, std::string_view msg, std::string& out);

  std::vector<Step> steps_;
  std::string hostname_;
  std::string scratch_[3];
};

// Checks a log-encoder list against the loggers it will feed: every `:LOGGER` names one of
// `logger_names`, and every json template yields valid JSON. Errors read
// "log-encoder 'json:file {...}': ...".
Result<void> check_encoders(const std::vector<config::LogEncoderSpec>& specs,
                            const std::vector<std::string>& logger_names);

// One-shot encoding, for tests and tools: the chain for `logger_name` applied to one record.
Result<std::string> encode_once(const std::vector<config::LogEncoderSpec>& specs,
                                std::string_view logger_name, const Record& r,
                                std::string_view hostname);

}  // namespace emp::logs
