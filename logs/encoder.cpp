#include "logs/encoder.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <ctime>

#include <nlohmann/json.hpp>

#include "logs/deflate.h"
#include "logs/json_escape.h"

namespace emp::logs {
namespace {

using config::EncoderKind;
using Kind = config::TemplatePart::Kind;

struct Piece {
  Kind kind = Kind::Literal;
  std::string text;
  bool quote = false;  // json: the variable stands outside a string, so it is emitted as one
  int64_t cached_second = INT64_MIN;
  std::string cached;  // strftime: the text for cached_second
};

// Drops every trailing newline from out[base..] and puts exactly one back.
void fold_newlines(std::string& out, size_t base) {
  size_t end = out.size();
  while (end > base && out[end - 1] == '\n') --end;
  out.resize(end);
  out += '\n';
}

std::string_view without_newline(std::string_view m) {
  if (!m.empty() && m.back() == '\n') m.remove_suffix(1);
  return m;
}

void append_number(std::string& out, int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

// Marks each variable of a json template that sits outside a JSON string in the template text.
void mark_quoting(std::vector<Piece>& pieces) {
  bool in_string = false;
  bool escaped = false;
  for (auto& p : pieces) {
    if (p.kind != Kind::Literal) {
      p.quote = !in_string;
      escaped = false;
      continue;
    }
    for (char c : p.text) {
      if (!in_string) {
        in_string = c == '"';
      } else if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    }
  }
}

Record sample_record() {
  Record r;
  r.time = std::chrono::system_clock::time_point(std::chrono::microseconds(1'704'164'645'678'901));
  r.vassal = "web";
  r.stream = Stream::Stderr;
  r.pid = 1234;
  r.level = 3;
  r.msg = "sample \"line\"\t\x01\\ \xff";
  return r;
}

}  // namespace

struct EncoderChain::Step {
  EncoderKind kind = EncoderKind::Nl;
  std::string text;  // prefix/suffix
  std::vector<Piece> pieces;
  std::unique_ptr<Deflater> deflater;
};

EncoderChain::EncoderChain() = default;
EncoderChain::EncoderChain(EncoderChain&&) noexcept = default;
EncoderChain& EncoderChain::operator=(EncoderChain&&) noexcept = default;
EncoderChain::~EncoderChain() = default;

Result<EncoderChain> EncoderChain::build(const std::vector<config::LogEncoderSpec>& specs,
                                         std::string_view logger_name, std::string hostname) {
  EncoderChain chain;
  chain.hostname_ = std::move(hostname);
  for (const auto& spec : specs) {
    if (spec.logger && *spec.logger != logger_name) continue;
    Step step;
    step.kind = spec.kind;
    switch (spec.kind) {
      case EncoderKind::Prefix:
      case EncoderKind::Suffix:
        step.text = spec.args;
        break;
      case EncoderKind::Nl:
        break;
      case EncoderKind::Format:
      case EncoderKind::Json:
        for (const auto& part : spec.parts) {
          Piece piece;
          piece.kind = part.kind;
          piece.text = part.text;
          step.pieces.push_back(std::move(piece));
        }
        if (spec.kind == EncoderKind::Json) mark_quoting(step.pieces);
        break;
      case EncoderKind::Gzip:
        step.deflater = std::make_unique<Deflater>(Deflater::Framing::Gzip);
        break;
      case EncoderKind::Compress:
        step.deflater = std::make_unique<Deflater>(Deflater::Framing::Zlib);
        break;
    }
    if (spec.kind == EncoderKind::Json) {
      // Checked with a hostile line; shown with a plain one, which reads better.
      Record sample = sample_record();
      std::string out;
      chain.render(step, sample, sample.msg, out);
      if (!nlohmann::json::accept(out)) {
        sample.msg = "hello";
        out.clear();
        chain.render(step, sample, sample.msg, out);
        return fail("invalid log-encoder '" + spec.text +
                    "': the template does not yield valid JSON, e.g. " + out);
      }
    }
    chain.steps_.push_back(std::move(step));
  }
  return chain;
}

bool EncoderChain::binary() const {
  return !steps_.empty() &&
         (steps_.back().kind == EncoderKind::Gzip || steps_.back().kind == EncoderKind::Compress);
}

size_t EncoderChain::size() const {
  return steps_.size();
}

void EncoderChain::render(Step& step, const Record& r, std::string_view msg, std::string& out) {
  const bool json = step.kind == EncoderKind::Json;
  const auto put = [&](std::string_view v, bool quote) {
    if (!json) {
      out += v;
      return;
    }
    if (quote) out += '"';
    append_json_escaped(out, v);
    if (quote) out += '"';
  };
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(r.time.time_since_epoch()).count();
  for (auto& p : step.pieces) {
    switch (p.kind) {
      case Kind::Literal:
        out += p.text;
        break;
      case Kind::Msg:
        put(msg, p.quote);
        break;
      case Kind::MsgNl:
        if (json) {
          if (p.quote) out += '"';
          append_json_escaped(out, msg);
          out += "\\n";
          if (p.quote) out += '"';
        } else {
          out += msg;
          out += '\n';
        }
        break;
      case Kind::Unix:
        append_number(out, floor_div(micros, 1'000'000));
        break;
      case Kind::Millis:
        append_number(out, floor_div(micros, 1'000));
        break;
      case Kind::Micros:
        append_number(out, micros);
        break;
      case Kind::Strftime: {
        const int64_t second = floor_div(micros, 1'000'000);
        if (second != p.cached_second) {
          const auto t = static_cast<time_t>(second);
          std::tm tm{};
          localtime_r(&t, &tm);
          char buf[256];
          // 0 means empty or too long; both print nothing, as in uWSGI.
          const size_t n = std::strftime(buf, sizeof buf, p.text.c_str(), &tm);
          p.cached.assign(buf, n);
          p.cached_second = second;
        }
        put(p.cached, p.quote);
        break;
      }
      case Kind::Vassal:
        put(r.vassal, p.quote);
        break;
      case Kind::Stream:
        put(stream_name(r.stream), p.quote);
        break;
      case Kind::Pid:
        append_number(out, r.pid);
        break;
      case Kind::Hostname:
        put(hostname_, p.quote);
        break;
      case Kind::Level:
        put(level_name(r.level), p.quote);
        break;
      case Kind::Continued:
        // The same word inside a JSON string and, outside one, a JSON boolean.
        out += r.continued ? "true" : "false";
        break;
      case Kind::ContinuedMark:
        put(r.continued ? kContinuedMark : std::string_view(), p.quote);
        break;
    }
  }
}

void EncoderChain::encode(const Record& r, std::string& out) {
  const size_t base = out.size();
  if (steps_.empty()) {
    out += r.msg;
    fold_newlines(out, base);
    return;
  }
  std::string_view cur = r.msg;
  bool binary_so_far = false;
  int turn = 0;
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& s = steps_[i];
    const bool last = i + 1 == steps_.size();
    std::string& dst = last ? out : scratch_[turn];
    const size_t start = last ? base : 0;
    if (!last) dst.clear();
    switch (s.kind) {
      case EncoderKind::Prefix:
        dst += s.text;
        dst += cur;
        break;
      case EncoderKind::Suffix:
        dst += cur;
        dst += s.text;
        break;
      case EncoderKind::Nl:
        dst += cur;
        if (binary_so_far || cur.empty() || cur.back() != '\n') dst += '\n';
        break;
      case EncoderKind::Format:
      case EncoderKind::Json:
        render(s, r, without_newline(cur), dst);
        break;
      case EncoderKind::Gzip:
      case EncoderKind::Compress: {
        std::string_view in = cur;
        if (!binary_so_far) {
          scratch_[2].assign(cur);
          fold_newlines(scratch_[2], 0);
          in = scratch_[2];
        }
        // Only an out-of-memory zlib fails here; the line is then kept uncompressed.
        if (!s.deflater->compress(in, dst)) dst += in;
        binary_so_far = true;
        break;
      }
    }
    cur = std::string_view(dst).substr(start);
    turn ^= 1;
  }
  const EncoderKind last = steps_.back().kind;
  if (last == EncoderKind::Gzip || last == EncoderKind::Compress) return;
  if (binary_so_far) {
    if (last != EncoderKind::Nl) out += '\n';
    return;
  }
  fold_newlines(out, base);
}

Result<void> check_encoders(const std::vector<config::LogEncoderSpec>& specs,
                            const std::vector<std::string>& logger_names) {
  for (const auto& e : specs) {
    if (e.logger &&
        std::find(logger_names.begin(), logger_names.end(), *e.logger) == logger_names.end())
      return fail("log-encoder '" + e.text + "' names logger '" + *e.logger +
                  "', which is not defined");
    EMP_TRY(auto chain, EncoderChain::build({e}, e.logger.value_or(""), "host"));
  }
  return ok();
}

Result<std::string> encode_once(const std::vector<config::LogEncoderSpec>& specs,
                                std::string_view logger_name, const Record& r,
                                std::string_view hostname) {
  EMP_TRY(auto chain, EncoderChain::build(specs, logger_name, std::string(hostname)));
  std::string out;
  chain.encode(r, out);
  return out;
}

}  // namespace emp::logs
