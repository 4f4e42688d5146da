#include "logs/line_splitter.h"

#include <algorithm>
#include <cstring>

namespace emp::logs {
namespace {

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Where to cut `s` (longer than max) so the piece holds at most max bytes: before a UTF-8
// sequence that would straddle the cut, when there is one within the last 3 bytes.
size_t cut_point(std::string_view s, size_t max) {
  size_t cut = max;
  for (size_t back = 0; back < 3 && cut > 1 && is_continuation(s[cut]); ++back) --cut;
  return is_continuation(s[cut]) ? max : cut;
}

void push_line(std::vector<Line>& out, std::string_view text, bool continued) {
  if (!continued && !text.empty() && text.back() == '\r') text.remove_suffix(1);
  out.push_back(Line{std::string(text), continued});
}

}  // namespace

// Four bytes at least, so a cut can always step back over a UTF-8 sequence.
LineSplitter::LineSplitter(size_t max_line) : max_line_(std::max<size_t>(max_line, 4)) {}

void LineSplitter::feed(std::string_view bytes, std::vector<Line>& lines_out) {
  while (!bytes.empty()) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (nl == nullptr) {
      pending_.append(bytes);
      cut_long(lines_out);
      return;
    }
    const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - bytes.data());
    if (pending_.empty()) {
      std::string_view line = bytes.substr(0, len);
      while (line.size() > max_line_ && !(line.size() == max_line_ + 1 && line.back() == '\r')) {
        const size_t cut = cut_point(line, max_line_);
        push_line(lines_out, line.substr(0, cut), true);
        line.remove_prefix(cut);
      }
      push_line(lines_out, line, false);
    } else {
      pending_.append(bytes.data(), len);
      cut_long(lines_out);
      push_line(lines_out, pending_, false);
      pending_.clear();
    }
    bytes.remove_prefix(len + 1);
  }
}

// A '\r' at the very end may be half of a "\r\n" still to come: it does not count, so a line
// of exactly max_line bytes ending in CRLF is never cut.
void LineSplitter::cut_long(std::vector<Line>& lines_out) {
  size_t start = 0;
  auto rest = [&] { return std::string_view(pending_).substr(start); };
  while (rest().size() > max_line_ && !(rest().size() == max_line_ + 1 && rest().back() == '\r')) {
    const size_t cut = cut_point(rest(), max_line_);
    push_line(lines_out, rest().substr(0, cut), true);
    start += cut;
  }
  if (start > 0) pending_.erase(0, start);
}

std::optional<std::string> LineSplitter::flush() {
  if (pending_.empty()) return std::nullopt;
  std::string out = std::move(pending_);
  pending_.clear();
  return out;
}

}  // namespace emp::logs
