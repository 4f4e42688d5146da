// JSON string escaping that always yields valid JSON text, whatever the input bytes.
#pragma once

#include <string>
#include <string_view>

namespace emp::logs {

// Appends `in` escaped for the inside of a JSON string (no quotes added): '"' and '\\'
// escaped, control characters as \n \r \t \b \f or \u00XX, DEL as \u007f, and every byte that
// is not part of a well-formed UTF-8 sequence (overlong forms, surrogates, > U+10FFFF,
// truncated sequences) replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view in);

// Appends `in` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view in);

}  // namespace emp::logs
