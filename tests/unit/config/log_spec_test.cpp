#include <doctest/doctest.h>

#include "config/log_spec.h"

namespace emp::config {
namespace {

template <class T>
std::string error_of(const Result<T>& r) { return r ? "(no error)" : r.error().message; }

TEST_CASE("log-encoder specs") {
  auto j = parse_log_encoder("json:remote {\"msg\":\"${msg}\",\"t\":${millis},\"d\":\"${strftime:%Y}\"}").value();
  CHECK(j.kind == EncoderKind::Json);
  CHECK(j.logger == "remote");
  REQUIRE(j.parts.size() == 7);
  CHECK(j.parts[1].kind == TemplatePart::Kind::Msg);
  CHECK(j.parts[3].kind == TemplatePart::Kind::Millis);
  CHECK(j.parts[5].kind == TemplatePart::Kind::Strftime);
  CHECK(j.parts[5].text == "%Y");
  CHECK(parse_log_encoder("prefix [web]").value().args == "[web]");
  CHECK(parse_log_encoder("prefix [web] ").value().args == "[web] ");  // kept, as in uWSGI
  CHECK(parse_log_encoder("suffix  !").value().args == " !");
  CHECK(parse_log_encoder("gzip").value().kind == EncoderKind::Gzip);
  CHECK(error_of(parse_log_encoder("format ${mgs}")) ==
        "invalid log-encoder 'format ${mgs}': unknown variable '${mgs}' (known: msg, msgnl, unix, millis, "
        "micros, strftime:FMT, vassal, stream, pid, hostname, level, continued, continued_mark)");
  CHECK(error_of(parse_log_encoder("format ${msg")) ==
        "invalid log-encoder 'format ${msg': unterminated variable '${msg'");
  CHECK(error_of(parse_log_encoder("xml ${msg}")) ==
        "invalid log-encoder 'xml ${msg}': unknown encoder 'xml' (expected prefix, suffix, nl, format, json, gzip or compress)");
  CHECK(error_of(parse_log_encoder("json")) == "invalid log-encoder 'json': json needs a template, e.g. ${msg}");
  CHECK(error_of(parse_log_encoder("json: ${msg}")) == "invalid log-encoder 'json: ${msg}': empty logger name after ':'");
}

TEST_CASE("logger specs") {
  auto f = parse_logger("file:/var/log/web.log").value();
  CHECK(f.kind == LoggerSpec::Kind::File);
  CHECK(f.name == "file");
  auto named = parse_logger("remote syslog:web,local3,err").value();
  CHECK(named.name == "remote");
  CHECK(named.ident == "web");
  CHECK(named.facility == 19);
  CHECK(named.priority == 3);
  auto s = parse_logger("syslog").value();
  CHECK(s.facility == 3);
  CHECK_FALSE(s.priority.has_value());
  CHECK(parse_logger("stderr").value().kind == LoggerSpec::Kind::Stderr);
  CHECK(error_of(parse_logger("file:web.log")) ==
        "invalid logger 'file:web.log': file needs an absolute path, e.g. file:/var/log/x.log");
  CHECK(error_of(parse_logger("syslog:web,local9")) ==
        "invalid logger 'syslog:web,local9': unknown syslog facility 'local9' (expected kern, user, mail, "
        "daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0, local1, local2, local3, "
        "local4, local5, local6, local7)");
  CHECK(error_of(parse_logger("syslog:web,user,loud")) ==
        "invalid logger 'syslog:web,user,loud': unknown syslog priority 'loud' (expected emerg, alert, crit, "
        "err, error, warning, warn, notice, info, debug)");
  CHECK(error_of(parse_logger("redis:host")) ==
        "invalid logger 'redis:host': unknown logger type 'redis' (expected file, syslog or stderr)");
  CHECK(error_of(parse_logger("stderr:x")) == "invalid logger 'stderr:x': stderr takes no argument");
}

}  // namespace
}  // namespace emp::config
