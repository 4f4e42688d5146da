// Cuts one byte stream (one vassal's stdout or stderr) into lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace emp::logs {

struct Line {
  std::string text;        // without "\n" or "\r\n"
  bool continued = false;  // a piece of a longer line: the next Line continues it
};

// Pure. Lines longer than max_line bytes are cut into pieces of at most max_line bytes (never
// inside a UTF-8 sequence when the stream is UTF-8); every piece but the last is marked
// continued, so nothing is dropped and the line can be put back together.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line = 16384);

  // Appends every line completed by `bytes` to lines_out.
  void feed(std::string_view bytes, std::vector<Line>& lines_out);
  // The partial last line (no newline yet), for when the stream ends; empties the splitter.
  std::optional<std::string> flush();

  size_t pending() const { return pending_.size(); }

 private:
  void cut_long(std::vector<Line>& lines_out);

  size_t max_line_;
  std::string pending_;
};

}  // namespace emp::logs
