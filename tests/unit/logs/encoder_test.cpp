#include "logs/encoder.h"

#include <doctest/doctest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "logs/deflate.h"

using namespace emp::logs;
using namespace std::chrono;
using emp::config::LogEncoderSpec;

namespace {

std::vector<LogEncoderSpec> encoders(std::initializer_list<const char*> texts) {
  std::vector<LogEncoderSpec> out;
  for (const char* t : texts) {
    auto e = emp::config::parse_log_encoder(t);
    REQUIRE_MESSAGE(e.has_value(), t);
    out.push_back(*e);
  }
  return out;
}

Record sample(std::string msg = "hello") {
  Record r;
  r.time = system_clock::time_point(
      microseconds(1'704'164'645'678'901));  // 2024-01-02 03:04:05.678901 UTC
  r.vassal = "web";
  r.stream = Stream::Stdout;
  r.pid = 4242;
  r.level = 6;
  r.msg = std::move(msg);
  return r;
}

std::string enc(std::initializer_list<const char*> texts, const Record& r = sample(),
                std::string_view logger = "file") {
  auto out = encode_once(encoders(texts), logger, r, "box");
  REQUIRE(out.has_value());
  return *out;
}

std::string error_of(std::initializer_list<const char*> texts) {
  auto chain = EncoderChain::build(encoders(texts), "file", "box");
  REQUIRE_FALSE(chain.has_value());
  return chain.error().message;
}

struct Utc {
  Utc() {
    setenv("TZ", "UTC", 1);
    tzset();
  }
} utc;

}  // namespace

TEST_CASE("no encoder: the line and one newline") {
  CHECK(enc({}) == "hello\n");
  CHECK(enc({}, sample("")) == "\n");
}

TEST_CASE("prefix and suffix") {
  CHECK(enc({"prefix [web]"}) == "[web]hello\n");
  CHECK(enc({"suffix <end>"}) == "hello<end>\n");
  CHECK(enc({"prefix A", "prefix B", "suffix C"}) == "BAhelloC\n");
}

TEST_CASE("nl never doubles the newline") {
  CHECK(enc({"nl"}) == "hello\n");
  CHECK(enc({"nl", "nl", "nl"}) == "hello\n");
  CHECK(enc({"format ${msgnl}"}) == "hello\n");
  CHECK(enc({"format ${msgnl}", "nl"}) == "hello\n");
  CHECK(enc({"nl", "prefix >"}) == ">hello\n");
  CHECK(enc({"nl", "suffix !"}) == "hello\n!\n");  // suffix after nl: the user asked for it
  CHECK(enc({"nl"}, sample("")) == "\n");
}

TEST_CASE("trailing newlines fold into exactly one") {
  Record r = sample("ends with newlines\n\n\n");
  CHECK(enc({}, r) == "ends with newlines\n");
  CHECK(enc({"format ${msgnl}${msgnl}"}) == "hello\nhello\n");
}

TEST_CASE("format: every variable") {
  Record r = sample("the line");
  CHECK(enc({"format ${msg}"}, r) == "the line\n");
  CHECK(enc({"format [${msgnl}]"}, r) == "[the line\n]\n");
  CHECK(enc({"format ${unix}"}, r) == "1704164645\n");
  CHECK(enc({"format ${millis}"}, r) == "1704164645678\n");
  CHECK(enc({"format ${micros}"}, r) == "1704164645678901\n");
  CHECK(enc({"format ${strftime:%Y-%m-%d %H:%M:%S}"}, r) == "2024-01-02 03:04:05\n");
  CHECK(enc({"format ${vassal}"}, r) == "web\n");
  CHECK(enc({"format ${stream}"}, r) == "stdout\n");
  CHECK(enc({"format ${pid}"}, r) == "4242\n");
  CHECK(enc({"format ${hostname}"}, r) == "box\n");
  CHECK(enc({"format ${level}"}, r) == "info\n");
  r.stream = Stream::Stderr;
  r.level = 3;
  CHECK(enc({"format ${stream} ${level}"}, r) == "stderr error\n");
  r.stream = Stream::Emperor;
  r.vassal = "";
  CHECK(enc({"format <${vassal}> ${stream}"}, r) == "<> emperor\n");
}

TEST_CASE("continued pieces: ${continued}, ${continued_mark} and the emperor's default") {
  Record r = sample("piece");
  CHECK(enc({"format ${continued}|${msg}${continued_mark}"}, r) == "false|piece\n");
  r.continued = true;
  CHECK(enc({"format ${continued}|${msg}${continued_mark}"}, r) == "true|piece [continued]\n");
  // json: a boolean outside a string, the word inside one; the mark is a string
  CHECK(enc({"json {\"c\":${continued},\"w\":\"${continued}\",\"m\":${continued_mark}}"}, r) ==
        "{\"c\":true,\"w\":\"true\",\"m\":\" [continued]\"}\n");
  r.continued = false;
  CHECK(enc({"json {\"c\":${continued},\"m\":${continued_mark}}"}, r) ==
        "{\"c\":false,\"m\":\"\"}\n");
  // the emperor's default encoder (emperor/daemon_logs.cpp) marks every piece but the last
  const std::string dflt(kDefaultEmperorEncoder);
  r.continued = true;
  CHECK(enc({dflt.c_str()}, r) == "[web] piece [continued]\n");
  r.continued = false;
  CHECK(enc({dflt.c_str()}, r) == "[web] piece\n");
  CHECK(kContinuedMark == " [continued]");
}

TEST_CASE("format: a template mixing text and variables") {
  CHECK(enc({"format ${hostname}/${vassal}[${pid}] ${level}: ${msg}"}) ==
        "box/web[4242] info: hello\n");
}

TEST_CASE("format: strftime that prints nothing or too much gives nothing") {
  CHECK(enc({"format [${strftime:}]"}) == "[]\n");
  std::string big = "format [${strftime:" + std::string(300, 'x') + "}]";
  CHECK(enc({big.c_str()}) == "[]\n");
}

TEST_CASE("format: the strftime cache follows the record's second") {
  auto chain = EncoderChain::build(encoders({"format ${strftime:%S}"}), "file", "box");
  REQUIRE(chain.has_value());
  std::string out;
  Record r = sample();
  chain->encode(r, out);
  r.time += seconds(1);
  chain->encode(r, out);
  r.time -= seconds(3);
  chain->encode(r, out);
  CHECK(out == "05\n06\n03\n");
}

TEST_CASE("times before 1970 round down") {
  Record r = sample();
  r.time = system_clock::time_point(microseconds(-1500));
  CHECK(enc({"format ${unix} ${millis} ${micros}"}, r) == "-1 -2 -1500\n");
}

TEST_CASE("json: the uWSGI style template") {
  const auto out = enc({R"(json {"unix":${unix},"msg":"${msg}"})"});
  CHECK(out == "{\"unix\":1704164645,\"msg\":\"hello\"}\n");
}

TEST_CASE("json: every variable, inside strings") {
  const auto out = enc(
      {R"(json {"msg":"${msg}","msgnl":"${msgnl}","t":"${strftime:%H:%M}","v":"${vassal}","s":"${stream}","p":"${pid}","h":"${hostname}","l":"${level}","u":"${unix}","ms":"${millis}","us":"${micros}"})"});
  const auto j = nlohmann::json::parse(out);
  CHECK(j["msg"] == "hello");
  CHECK(j["msgnl"] == "hello\n");
  CHECK(j["t"] == "03:04");
  CHECK(j["v"] == "web");
  CHECK(j["s"] == "stdout");
  CHECK(j["p"] == "4242");
  CHECK(j["h"] == "box");
  CHECK(j["l"] == "info");
  CHECK(j["u"] == "1704164645");
  CHECK(j["ms"] == "1704164645678");
  CHECK(j["us"] == "1704164645678901");
}

TEST_CASE("json: variables outside strings become complete values") {
  const auto out = enc(
      {R"(json {"msg":${msg},"msgnl":${msgnl},"t":${strftime:%H},"v":${vassal},"s":${stream},"p":${pid},"h":${hostname},"l":${level},"u":${unix},"ms":${millis},"us":${micros}})"});
  CHECK(out ==
        "{\"msg\":\"hello\",\"msgnl\":\"hello\\n\",\"t\":\"03\",\"v\":\"web\",\"s\":\"stdout\","
        "\"p\":4242,\"h\":\"box\",\"l\":\"info\",\"u\":1704164645,\"ms\":1704164645678,"
        "\"us\":1704164645678901}\n");
  CHECK(nlohmann::json::accept(out));
}

TEST_CASE("json: control characters, quotes and backslashes are escaped") {
  std::string msg = "tab\there \"quoted\" back\\slash bell\x07 esc\x1b nul";
  msg += '\0';
  const auto out = enc({R"(json {"msg":"${msg}"})"}, sample(msg));
  CHECK(out.back() == '\n');
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(nlohmann::json::parse(out)["msg"].get<std::string>() == msg);
}

TEST_CASE("json: invalid UTF-8 is replaced and the result parses") {
  const std::string msg = "caf\xC3\xA9 bad:\xFF\xC0\x80 cut:\xE2\x82";
  const auto out = enc({R"(json {"msg":"${msg}","v":"${vassal}"})"}, sample(msg));
  const auto j = nlohmann::json::parse(out);
  CHECK(j["msg"].get<std::string>() ==
        "caf\xC3\xA9 bad:\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD cut:\xEF\xBF\xBD\xEF\xBF\xBD");
  Record r = sample();
  r.vassal = "\xFF";
  CHECK(nlohmann::json::accept(enc({R"(json {"v":"${vassal}"})"}, r)));
}

TEST_CASE("json: escaped quotes in the template do not confuse the string tracking") {
  const auto out = enc({R"(json {"a \"b\" \\":"${msg}","c":${msg}})"});
  const auto j = nlohmann::json::parse(out);
  CHECK(j["a \"b\" \\"] == "hello");
  CHECK(j["c"] == "hello");
}

TEST_CASE("json: a template that cannot yield JSON is refused") {
  CHECK(error_of({"json ${msg} and more"}) ==
        "invalid log-encoder 'json ${msg} and more': the template does not yield valid JSON, "
        "e.g. \"hello\" and more");
  CHECK(error_of({R"(json {"msg":"${msg}")"}) ==
        "invalid log-encoder 'json {\"msg\":\"${msg}\"': the template does not yield valid "
        "JSON, e.g. {\"msg\":\"hello\"");
  CHECK(error_of({R"(json {msg: ${msg}})"}).find("does not yield valid JSON") != std::string::npos);
}

TEST_CASE("json: a lone variable is a JSON string") {
  CHECK(enc({"json ${msg}"}) == "\"hello\"\n");
  CHECK(enc({"json ${pid}"}) == "4242\n");
}

TEST_CASE("chains run in order, each on the previous output") {
  CHECK(enc({"prefix [web] ", "json {\"msg\":\"${msg}\"}"}) == "{\"msg\":\"[web] hello\"}\n");
  CHECK(enc({"json {\"msg\":\"${msg}\"}", "prefix X"}) == "X{\"msg\":\"hello\"}\n");
  CHECK(enc({"format a${msg}", "format b${msg}", "format c${msg}"}) == "cbahello\n");
  // json of json escapes the inner object once more.
  const auto twice = enc({"json {\"m\":\"${msg}\"}", "json {\"outer\":\"${msg}\"}"});
  CHECK(nlohmann::json::parse(twice)["outer"] == "{\"m\":\"hello\"}");
}

TEST_CASE(":LOGGER scoping: an encoder applies to its logger only") {
  const auto specs = encoders(
      {"prefix all:", "prefix:file F:", "suffix:syslog !S", "json:net {\"m\":\"${msg}\"}"});
  auto out = encode_once(specs, "file", sample(), "box");
  CHECK(*out == "F:all:hello\n");
  out = encode_once(specs, "syslog", sample(), "box");
  CHECK(*out == "all:hello!S\n");
  out = encode_once(specs, "net", sample(), "box");
  CHECK(*out == "{\"m\":\"all:hello\"}\n");
  out = encode_once(specs, "stderr", sample(), "box");
  CHECK(*out == "all:hello\n");
}

TEST_CASE("gzip: each record a gzip member that gzip -d reads back") {
  auto chain = EncoderChain::build(encoders({"format ${vassal}: ${msg}", "gzip"}), "file", "box");
  REQUIRE(chain.has_value());
  CHECK(chain->binary());
  std::string file;
  for (int i = 0; i < 50; ++i) chain->encode(sample("line " + std::to_string(i)), file);
  CHECK(static_cast<unsigned char>(file[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(file[1]) == 0x8b);
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += "web: line " + std::to_string(i) + "\n";

  std::string inflated;
  REQUIRE(inflate_all(file, inflated));
  CHECK(inflated == expected);

  char path[] = "/tmp/emp-logs-gzip-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size()));
  close(fd);
  const std::string cmd = std::string("gzip -dc < ") + path;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string from_gzip;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) from_gzip.append(buf, n);
  CHECK(pclose(p) == 0);
  unlink(path);
  CHECK(from_gzip == expected);
}

TEST_CASE("gzip: the compressed line gets one newline, nl inside is not doubled") {
  std::string a, b;
  REQUIRE(inflate_all(enc({"gzip"}), a));
  CHECK(a == "hello\n");
  REQUIRE(inflate_all(enc({"nl", "gzip"}), b));
  CHECK(b == "hello\n");
  std::string c;
  REQUIRE(inflate_all(enc({"gzip"}, sample("x\n\n")), c));
  CHECK(c == "x\n");
}

TEST_CASE("compress: a zlib stream per record") {
  const auto out = enc({"json {\"m\":\"${msg}\"}", "compress"});
  CHECK(static_cast<unsigned char>(out[0]) == 0x78);  // zlib header, deflate with 32K window
  std::string back;
  REQUIRE(inflate_all(out, back));
  CHECK(back == "{\"m\":\"hello\"}\n");
}

TEST_CASE("binary output: nothing appended unless asked, nl after gzip always appends") {
  const auto gz = enc({"gzip"});
  CHECK(enc({"gzip", "nl"}) == gz + "\n");
  CHECK(enc({"gzip", "nl", "nl"}) == gz + "\n\n");
  CHECK(enc({"gzip", "prefix P"}) == "P" + gz + "\n");
  auto chain = EncoderChain::build(encoders({"gzip", "nl"}), "file", "box");
  CHECK_FALSE(chain->binary());
}

TEST_CASE("inflate_all refuses corrupt or truncated input") {
  std::string out;
  const auto gz = enc({"gzip"});
  CHECK_FALSE(inflate_all(gz.substr(0, gz.size() - 3), out));
  CHECK_FALSE(inflate_all("not compressed at all", out));
}

TEST_CASE("check_encoders: :LOGGER must name a logger") {
  auto r = check_encoders(encoders({"prefix:sys x"}), {"file", "stderr"});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "log-encoder 'prefix:sys x' names logger 'sys', which is not defined");
  CHECK(check_encoders(encoders({"prefix:file x", "nl"}), {"file"}).has_value());
}

TEST_CASE("check_encoders: json templates are checked even when scoped") {
  auto r = check_encoders(encoders({"json:file oops ${msg}"}), {"file"});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.rfind(
            "invalid log-encoder 'json:file oops ${msg}': the template does not yield valid JSON",
            0) == 0);
}

TEST_CASE("a chain appends to what out already holds") {
  auto chain = EncoderChain::build(encoders({"prefix >"}), "file", "box");
  std::string out = "kept|";
  chain->encode(sample("a\n\n"), out);
  CHECK(out == "kept|>a\n");
}

TEST_CASE("edge values: empty prefix, empty line, nl with stray arguments") {
  CHECK(enc({"prefix"}) == "hello\n");
  CHECK(enc({"suffix"}, sample("")) == "\n");
  CHECK(enc({"nl whatever"}) == "hello\n");
  CHECK(enc({"json {\"m\":\"${msg}\"}"}, sample("")) == "{\"m\":\"\"}\n");
  CHECK(enc({"format ${msg}"}, sample("")) == "\n");
}

TEST_CASE("a 16 KiB line of hostile bytes still gives one valid JSON record") {
  std::string msg;
  for (int i = 0; i < 16384; ++i) msg += static_cast<char>((i * 37) & 0xFF);
  const auto out = enc({"json {\"msg\":${msg},\"v\":${vassal}}"}, sample(msg));
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(nlohmann::json::accept(out));
}
