#include "logs/json_escape.h"

#include <array>
#include <cstdint>

namespace emp::logs {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// 0: copy as is; 1: needs an escape; 2: starts a multi-byte sequence (or is invalid).
constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<size_t>(c)] = c < 0x20 || c == '"' || c == '\\' || c == 0x7F ? 1
                                : c >= 0x80                                    ? 2
                                                                               : 0;
  return t;
}
constexpr auto kClass = make_classes();

// Length of the well-formed UTF-8 sequence at s[0] (Unicode table 3-7), 0 when ill-formed.
size_t utf8_length(const unsigned char* s, size_t n) {
  const unsigned c = s[0];
  auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return i < n && s[i] >= lo && s[i] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default: {
      constexpr char kHex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, sizeof u);
    }
  }
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view in) {
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n && kClass[s[run]] == 0) ++run;
    out.append(in.data() + i, run - i);
    i = run;
    if (i == n) break;
    if (kClass[s[i]] == 1) {
      append_escape(out, s[i]);
      ++i;
      continue;
    }
    const size_t len = utf8_length(s + i, n - i);
    if (len == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(in.data() + i, len);
      i += len;
    }
  }
}

void append_json_string(std::string& out, std::string_view in) {
  out += '"';
  append_json_escaped(out, in);
  out += '"';
}

}  // namespace emp::logs
