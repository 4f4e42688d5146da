#include "logs/json_escape.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>

using emp::logs::append_json_escaped;
using emp::logs::append_json_string;

namespace {

std::string esc(std::string_view in) {
  std::string out;
  append_json_escaped(out, in);
  return out;
}

std::string parsed(std::string_view in) {
  std::string out;
  append_json_string(out, in);
  return nlohmann::json::parse(out).get<std::string>();
}

}  // namespace

TEST_CASE("plain ASCII is copied as is") {
  CHECK(esc("hello world 123 {}[]:,") == "hello world 123 {}[]:,");
  CHECK(esc("") == "");
}

TEST_CASE("quotes, backslashes and named control characters") {
  CHECK(esc("a\"b") == "a\\\"b");
  CHECK(esc("a\\b") == "a\\\\b");
  CHECK(esc("\n\r\t\b\f") == "\\n\\r\\t\\b\\f");
}

TEST_CASE("other control characters and DEL as \\u00XX") {
  CHECK(esc(std::string("\x00", 1)) == "\\u0000");
  CHECK(esc("\x01\x1f") == "\\u0001\\u001f");
  CHECK(esc("\x1b[31mred") == "\\u001b[31mred");
  CHECK(esc("\x7f") == "\\u007f");
}

TEST_CASE("every control character round-trips through a JSON parser") {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all += static_cast<char>(c);
  all += '\x7f';
  CHECK(parsed(all) == all);
}

TEST_CASE("well-formed UTF-8 is kept") {
  CHECK(esc("caf\xC3\xA9") == "caf\xC3\xA9");            // 2 bytes
  CHECK(esc("\xE2\x82\xAC") == "\xE2\x82\xAC");          // euro, 3 bytes
  CHECK(esc("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");  // emoji, 4 bytes
  CHECK(esc("\xF4\x8F\xBF\xBF") == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  CHECK(esc("\xE2\x80\xA8") == "\xE2\x80\xA8");          // U+2028 is valid JSON
}

TEST_CASE("ill-formed UTF-8 becomes U+FFFD, one per bad byte") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(esc("\x80") == r);                          // lone continuation byte
  CHECK(esc("\xFF") == r);                          // never valid
  CHECK(esc("\xC0\x80") == r + r);                  // overlong NUL
  CHECK(esc("\xC1\xBF") == r + r);                  // overlong
  CHECK(esc("\xE0\x80\x80") == r + r + r);          // overlong 3-byte
  CHECK(esc("\xED\xA0\x80") == r + r + r);          // UTF-16 surrogate
  CHECK(esc("\xF4\x90\x80\x80") == r + r + r + r);  // above U+10FFFF
  CHECK(esc("\xF5\x80") == r + r);
  CHECK(esc("a\xE2\x82") == "a" + r + r);        // truncated at the end
  CHECK(esc("\xE2\x82z") == r + r + "z");        // truncated in the middle
  CHECK(esc("\xC3\xA9\xA9") == "\xC3\xA9" + r);  // one continuation too many
}

TEST_CASE("random bytes always give a string a JSON parser accepts") {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string in(rng() % 64, '\0');
    for (auto& c : in) c = static_cast<char>(rng() & 0xFF);
    std::string out;
    append_json_string(out, in);
    INFO("round " << round);
    REQUIRE(nlohmann::json::accept(out));
    // Valid UTF-8 input comes back byte for byte.
  }
}

TEST_CASE("valid text comes back unchanged through a parser") {
  const std::string s =
      "line with \"quotes\", \\ backslash, tab\t, caf\xC3\xA9 and \xF0\x9F\x98\x80";
  CHECK(parsed(s) == s);
}
