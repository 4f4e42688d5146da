// uWSGI's INI dialect: [section] headers, "key = value" lines, '#' and ';' comment lines.
// Values keep inner spaces and are not unquoted (uWSGI does not unquote either).
#include <algorithm>

#include "config/reader.h"
#include "config/text.h"

namespace emp::config {
namespace {
constexpr size_t kMaxLine = 65536;

std::string section_list(const std::vector<std::string>& sections) {
  std::string out;
  for (size_t i = 0; i < sections.size(); ++i) {
    if (i > 0) out += i + 1 == sections.size() ? " or " : ", ";
    out += "[" + sections[i] + "]";
  }
  return out;
}
}  // namespace

ReadResult read_ini(std::string_view text, const std::vector<std::string>& sections) {
  ReadResult out;
  std::vector<ReadError> outside;  // keys before any section header
  bool in_section = false, seen_any_header = false, seen_wanted = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (raw.size() > kMaxLine) {
      out.errors.push_back({line_no, "line is longer than " + std::to_string(kMaxLine) + " bytes"});
      continue;
    }
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        out.errors.push_back({line_no, "unterminated section header '" + quote_for_message(line) + "'"});
        in_section = false;
        continue;
      }
      const auto name = trim(line.substr(1, line.size() - 2));
      seen_any_header = true;
      in_section = std::find(sections.begin(), sections.end(), name) != sections.end();
      seen_wanted = seen_wanted || in_section;
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      if (in_section || !seen_any_header)
        out.errors.push_back({line_no, "expected 'key = value', got '" + quote_for_message(line) + "'"});
      continue;
    }
    const auto key = trim(line.substr(0, eq));
    if (key.empty()) {
      out.errors.push_back({line_no, "missing key before '='"});
      continue;
    }
    if (!seen_any_header) {
      outside.push_back({line_no, "key '" + quote_for_message(key) + "' is outside any section (put it under " +
                                      section_list(sections) + ")"});
      continue;
    }
    if (!in_section) continue;  // other sections belong to the application (e.g. paste)
    out.entries.push_back({std::string(key), {std::string(trim(line.substr(eq + 1)))}, line_no});
  }
  if (!seen_wanted) {
    out.errors.insert(out.errors.begin(), {0, "no " + section_list(sections) + " section"});
  } else {
    out.errors.insert(out.errors.end(), outside.begin(), outside.end());
  }
  return out;
}

}  // namespace emp::config
