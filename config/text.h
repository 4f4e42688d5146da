// Small string helpers for the config language.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace emp::config {

std::string_view trim(std::string_view s);
// Splits on runs of spaces and tabs.
std::vector<std::string_view> split_words(std::string_view s);
// Splits a list value on commas and/or white space ("ipc, uts net"); empty items dropped.
std::vector<std::string_view> split_list(std::string_view s);
// Edit distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// True when s is valid UTF-8; on false, *bad_offset is the first offending byte.
bool valid_utf8(std::string_view s, size_t* bad_offset = nullptr);
// Printable form of a value for error messages: control bytes escaped, long values cut.
std::string quote_for_message(std::string_view s);

}  // namespace emp::config
