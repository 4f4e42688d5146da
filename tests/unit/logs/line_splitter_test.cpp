#include "logs/line_splitter.h"

#include <doctest/doctest.h>

using emp::logs::Line;
using emp::logs::LineSplitter;

namespace {

std::vector<Line> feed_all(LineSplitter& s, std::initializer_list<std::string_view> chunks) {
  std::vector<Line> out;
  for (auto c : chunks) s.feed(c, out);
  return out;
}

std::vector<std::string> texts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

}  // namespace

TEST_CASE("whole lines in one chunk") {
  LineSplitter s;
  auto lines = feed_all(s, {"one\ntwo\nthree\n"});
  CHECK(texts(lines) == std::vector<std::string>{"one", "two", "three"});
  for (const auto& l : lines) CHECK_FALSE(l.continued);
  CHECK(s.pending() == 0);
  CHECK_FALSE(s.flush().has_value());
}

TEST_CASE("a line spread over several chunks") {
  LineSplitter s;
  auto lines = feed_all(s, {"hel", "lo wo", "rld\nnext", "\n"});
  CHECK(texts(lines) == std::vector<std::string>{"hello world", "next"});
}

TEST_CASE("one byte at a time") {
  LineSplitter s;
  std::vector<Line> out;
  for (char c : std::string("ab\r\n\ncd\n")) s.feed(std::string_view(&c, 1), out);
  CHECK(texts(out) == std::vector<std::string>{"ab", "", "cd"});
}

TEST_CASE("empty lines are records too") {
  LineSplitter s;
  CHECK(texts(feed_all(s, {"\n\n\n"})) == std::vector<std::string>{"", "", ""});
  CHECK(texts(feed_all(s, {"a\n\nb\n"})) == std::vector<std::string>{"a", "", "b"});
}

TEST_CASE("CRLF loses its CR, also when split between chunks") {
  LineSplitter s;
  CHECK(texts(feed_all(s, {"dos\r\nline\r", "\n"})) == std::vector<std::string>{"dos", "line"});
  CHECK(texts(feed_all(s, {"\r\n"})) == std::vector<std::string>{""});
}

TEST_CASE("a CR that does not end the line is kept") {
  LineSplitter s;
  CHECK(texts(feed_all(s, {"progress 10%\rprogress 20%\n"})) ==
        std::vector<std::string>{"progress 10%\rprogress 20%"});
  CHECK(texts(feed_all(s, {"a\r\r\n"})) == std::vector<std::string>{"a\r"});
}

TEST_CASE("NUL bytes and binary junk pass through") {
  LineSplitter s;
  auto lines = feed_all(s, {std::string_view("a\0b\xff\n", 5)});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text == std::string("a\0b\xff", 4));
}

TEST_CASE("partial last line is flushed when the stream ends") {
  LineSplitter s;
  auto lines = feed_all(s, {"done\nno newline at the end"});
  CHECK(texts(lines) == std::vector<std::string>{"done"});
  CHECK(s.pending() == 21);
  CHECK(s.flush() == std::optional<std::string>("no newline at the end"));
  CHECK_FALSE(s.flush().has_value());
  CHECK(s.pending() == 0);
}

TEST_CASE("a long line is cut into marked pieces, none dropped") {
  LineSplitter s(10);
  auto lines = feed_all(s, {"0123456789abcdefghijKLMNO\nshort\n"});
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].text == "0123456789");
  CHECK(lines[0].continued);
  CHECK(lines[1].text == "abcdefghij");
  CHECK(lines[1].continued);
  CHECK(lines[2].text == "KLMNO");
  CHECK_FALSE(lines[2].continued);
  CHECK(lines[3].text == "short");
  CHECK_FALSE(lines[3].continued);
}

TEST_CASE("a long line arriving in chunks is cut as it comes, before its newline") {
  LineSplitter s(10);
  std::vector<Line> out;
  s.feed("0123456789ab", out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].text == "0123456789");
  CHECK(out[0].continued);
  CHECK(s.pending() == 2);
  s.feed("cdefghijklmnop", out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].text == "abcdefghij");
  s.feed("\n", out);
  REQUIRE(out.size() == 3);
  CHECK(out[2].text == "klmnop");
  CHECK_FALSE(out[2].continued);
}

TEST_CASE("pieces put back together give the line") {
  LineSplitter s(7);
  std::string line;
  for (int i = 0; i < 100; ++i) line += static_cast<char>('a' + i % 26);
  std::vector<Line> out;
  s.feed(line.substr(0, 33), out);
  s.feed(line.substr(33) + "\n", out);
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].text.size() <= 7);
    CHECK(out[i].continued == (i + 1 < out.size()));
    joined += out[i].text;
  }
  CHECK(joined == line);
}

TEST_CASE("exactly max_line bytes is not cut, with LF or CRLF") {
  LineSplitter s(10);
  auto lines = feed_all(s, {"0123456789\n0123456789\r\n"});
  CHECK(texts(lines) == std::vector<std::string>{"0123456789", "0123456789"});
  std::vector<Line> out;
  s.feed("0123456789\r", out);  // the CR may be half of a CRLF
  CHECK(out.empty());
  s.feed("\n", out);
  CHECK(texts(out) == std::vector<std::string>{"0123456789"});
}

TEST_CASE("max_line + 1 bytes is cut") {
  LineSplitter s(10);
  auto lines = feed_all(s, {"0123456789X\n"});
  CHECK(texts(lines) == std::vector<std::string>{"0123456789", "X"});
  CHECK(lines[0].continued);
}

TEST_CASE("a cut never splits a UTF-8 sequence") {
  LineSplitter s(10);
  // 8 ASCII bytes, then a 4-byte emoji straddling byte 10, then more.
  auto lines = feed_all(s, {"abcdefgh\xF0\x9F\x98\x80xyz\n"});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "abcdefgh");
  CHECK(lines[1].text == "\xF0\x9F\x98\x80xyz");
}

TEST_CASE("a stream of continuation bytes only is still cut at max_line") {
  LineSplitter s(10);
  auto lines = feed_all(s, {std::string(25, '\x80') + "\n"});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text.size() == 10);
  CHECK(lines[1].text.size() == 10);
  CHECK(lines[2].text.size() == 5);
}

TEST_CASE("a tiny max_line is raised to 4") {
  LineSplitter s(0);
  auto lines = feed_all(s, {"abcdefghij\n"});
  CHECK(texts(lines) == std::vector<std::string>{"abcd", "efgh", "ij"});
}

TEST_CASE("the default limit is 16 KiB") {
  LineSplitter s;
  auto lines = feed_all(s, {std::string(16384, 'x') + "\n" + std::string(16385, 'y') + "\n"});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].text.size() == 16384);
  CHECK_FALSE(lines[0].continued);
  CHECK(lines[1].text.size() == 16384);
  CHECK(lines[1].continued);
  CHECK(lines[2].text == "y");
}
