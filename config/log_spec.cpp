#include "config/log_spec.h"

#include "config/text.h"

namespace emp::config {
namespace {

struct VarName {
  std::string_view name;
  TemplatePart::Kind kind;
};
constexpr VarName kVars[] = {
    {"msg", TemplatePart::Kind::Msg},       {"msgnl", TemplatePart::Kind::MsgNl},
    {"unix", TemplatePart::Kind::Unix},     {"millis", TemplatePart::Kind::Millis},
    {"micros", TemplatePart::Kind::Micros}, {"vassal", TemplatePart::Kind::Vassal},
    {"stream", TemplatePart::Kind::Stream}, {"pid", TemplatePart::Kind::Pid},
    {"hostname", TemplatePart::Kind::Hostname}, {"level", TemplatePart::Kind::Level},
    {"continued", TemplatePart::Kind::Continued},
    {"continued_mark", TemplatePart::Kind::ContinuedMark},
};
// Drops the single separator (a space or a tab) before an argument.
std::string_view ltrim_one(std::string_view s) {
  if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

constexpr std::string_view kKnownVars =
    "msg, msgnl, unix, millis, micros, strftime:FMT, vassal, stream, pid, hostname, level, "
    "continued, continued_mark";

constexpr std::pair<std::string_view, EncoderKind> kEncoders[] = {
    {"prefix", EncoderKind::Prefix}, {"suffix", EncoderKind::Suffix},
    {"nl", EncoderKind::Nl},         {"format", EncoderKind::Format},
    {"json", EncoderKind::Json},     {"gzip", EncoderKind::Gzip},
    {"compress", EncoderKind::Compress}};

constexpr std::pair<std::string_view, int> kFacilities[] = {
    {"kern", 0},    {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
    {"syslog", 5},  {"lpr", 6},     {"news", 7},    {"uucp", 8},    {"cron", 9},
    {"authpriv", 10}, {"ftp", 11},  {"local0", 16}, {"local1", 17}, {"local2", 18},
    {"local3", 19}, {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
constexpr std::pair<std::string_view, int> kPriorities[] = {
    {"emerg", 0},  {"alert", 1},  {"crit", 2}, {"err", 3},  {"error", 3},
    {"warning", 4}, {"warn", 4}, {"notice", 5}, {"info", 6}, {"debug", 7}};

template <size_t N>
Result<int> lookup(std::string_view word, const std::pair<std::string_view, int> (&table)[N],
                   const char* what) {
  for (const auto& [name, value] : table)
    if (name == word) return value;
  std::string known;
  for (const auto& [name, value] : table) known += (known.empty() ? "" : ", ") + std::string(name);
  return fail("unknown syslog " + std::string(what) + " '" + std::string(word) + "' (expected " +
              known + ")");
}

}  // namespace

Result<std::vector<TemplatePart>> parse_log_template(std::string_view text) {
  std::vector<TemplatePart> parts;
  auto literal = [&](std::string_view s) {
    if (s.empty()) return;
    if (!parts.empty() && parts.back().kind == TemplatePart::Kind::Literal)
      parts.back().text += s;
    else
      parts.push_back({TemplatePart::Kind::Literal, std::string(s)});
  };
  size_t i = 0;
  while (i < text.size()) {
    const auto start = text.find("${", i);
    if (start == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, start - i));
    const auto end = text.find('}', start);
    if (end == std::string_view::npos)
      return fail("unterminated variable '" + std::string(text.substr(start)) + "'");
    const auto name = text.substr(start + 2, end - start - 2);
    if (name.substr(0, 9) == "strftime:") {
      parts.push_back({TemplatePart::Kind::Strftime, std::string(name.substr(9))});
    } else {
      const VarName* found = nullptr;
      for (const auto& v : kVars)
        if (v.name == name) found = &v;
      if (!found)
        return fail("unknown variable '${" + std::string(name) + "}' (known: " +
                    std::string(kKnownVars) + ")");
      parts.push_back({found->kind, {}});
    }
    i = end + 1;
  }
  return parts;
}

const char* encoder_name(EncoderKind k) {
  for (const auto& [name, kind] : kEncoders)
    if (kind == k) return name.data();
  return "?";
}

Result<LogEncoderSpec> parse_log_encoder(std::string_view text) {
  LogEncoderSpec e;
  e.text = std::string(text);
  auto s = trim(text);
  const auto space = s.find_first_of(" \t");
  auto head = s.substr(0, space);
  // prefix/suffix keep their text as written after the one separating space (uWSGI keeps a
  // trailing space in "prefix [web] "); templates are trimmed.
  const bool literal = head.substr(0, 6) == "prefix" || head.substr(0, 6) == "suffix";
  if (space == std::string_view::npos) e.args.clear();
  else if (literal) e.args = std::string(ltrim_one(text.substr(text.find(head) + head.size())));
  else e.args = std::string(trim(s.substr(space)));
  const auto colon = head.find(':');
  if (colon != std::string_view::npos) {
    e.logger = std::string(head.substr(colon + 1));
    head = head.substr(0, colon);
    if (e.logger->empty()) return fail("invalid log-encoder '" + std::string(s) + "': empty logger name after ':'");
  }
  bool known = false;
  for (const auto& [name, kind] : kEncoders)
    if (name == head) {
      e.kind = kind;
      known = true;
    }
  if (!known)
    return fail("invalid log-encoder '" + std::string(s) + "': unknown encoder '" +
                std::string(head) + "' (expected prefix, suffix, nl, format, json, gzip or compress)");
  if (e.kind == EncoderKind::Format || e.kind == EncoderKind::Json) {
    if (e.args.empty())
      return fail("invalid log-encoder '" + std::string(s) + "': " + encoder_name(e.kind) +
                  " needs a template, e.g. ${msg}");
    auto parts = parse_log_template(e.args);
    if (!parts) return fail("invalid log-encoder '" + std::string(s) + "': " + parts.error().message);
    e.parts = std::move(*parts);
  }
  return e;
}

Result<LoggerSpec> parse_logger(std::string_view text) {
  LoggerSpec l;
  l.text = std::string(text);
  auto s = trim(text);
  const auto err = [&](const std::string& why) {
    return fail("invalid logger '" + std::string(s) + "': " + why);
  };
  auto words = split_words(s);
  if (words.empty()) return err("empty value");
  std::string_view body = s;
  if (words.size() >= 2 && words[0].find(':') == std::string_view::npos &&
      words[0] != "stderr" && words[0] != "syslog") {
    l.name = std::string(words[0]);
    body = trim(s.substr(words[0].size()));
  }
  const auto colon = body.find(':');
  const auto type = body.substr(0, colon);
  const auto arg = colon == std::string_view::npos ? std::string_view{} : body.substr(colon + 1);
  if (type == "file") {
    l.kind = LoggerSpec::Kind::File;
    if (arg.empty() || arg.front() != '/') return err("file needs an absolute path, e.g. file:/var/log/x.log");
    l.path = std::string(arg);
  } else if (type == "syslog") {
    l.kind = LoggerSpec::Kind::Syslog;
    auto fields = std::vector<std::string_view>{};
    size_t i = 0;
    while (colon != std::string_view::npos && i <= arg.size()) {
      auto comma = arg.find(',', i);
      if (comma == std::string_view::npos) comma = arg.size();
      fields.push_back(arg.substr(i, comma - i));
      i = comma + 1;
    }
    if (fields.size() > 3) return err("expected syslog[:IDENT[,FACILITY[,PRIORITY]]]");
    if (!fields.empty()) l.ident = std::string(fields[0]);
    if (fields.size() >= 2) {
      auto f = lookup(fields[1], kFacilities, "facility");
      if (!f) return err(f.error().message);
      l.facility = *f;
    }
    if (fields.size() == 3) {
      auto p = lookup(fields[2], kPriorities, "priority");
      if (!p) return err(p.error().message);
      l.priority = *p;
    }
  } else if (type == "stderr") {
    l.kind = LoggerSpec::Kind::Stderr;
    if (!arg.empty()) return err("stderr takes no argument");
  } else {
    return err("unknown logger type '" + std::string(type) + "' (expected file, syslog or stderr)");
  }
  if (l.name.empty()) l.name = std::string(type);
  return l;
}

}  // namespace emp::config
