// TOML vassal files: the keys at top level; values are strings, integers, floats,
// booleans or arrays of those. toml++ is used header-only with exceptions off.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0
// toml++ 3.3.0 (Debian 12) asserts on some malformed input ("[\nk": a table header broken by
// a newline) where the code right after the assertion reports a proper parse error. We want
// that error, not an abort, so its internal assertions are off (found by tests/fuzz/fuzz_toml).
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "config/reader.h"

namespace emp::config {
namespace {

int line_of(const toml::source_region& r) { return static_cast<int>(r.begin.line); }

// A scalar as the text the key parsers take; false when the node is not a scalar.
bool scalar_text(const toml::node& node, std::string* text) {
  if (auto s = node.as_string()) {
    *text = s->get();
    return true;
  }
  if (auto i = node.as_integer()) {
    *text = std::to_string(i->get());
    return true;
  }
  if (auto f = node.as_floating_point()) {
    std::ostringstream os;
    os << f->get();
    *text = os.str();
    return true;
  }
  if (auto b = node.as_boolean()) {
    *text = b->get() ? "true" : "false";
    return true;
  }
  return false;
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "a value";
  }
}

}  // namespace

ReadResult read_toml(std::string_view text, const std::string& path) {
  ReadResult out;
  toml::parse_result parsed = toml::parse(text, path);
  if (!parsed) {
    const auto& err = parsed.error();
    out.errors.push_back({line_of(err.source()), std::string(err.description())});
    return out;
  }
  const toml::table& table = parsed.table();
  // toml++ keeps keys sorted; includes and placeholders need document order.
  std::vector<std::pair<const toml::key*, const toml::node*>> items;
  for (const auto& [key, node] : table) items.emplace_back(&key, &node);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    const auto& ra = a.first->source().begin;
    const auto& rb = b.first->source().begin;
    return ra.line != rb.line ? ra.line < rb.line : ra.column < rb.column;
  });
  for (const auto& [key, node] : items) {
    const int line = line_of(key->source());
    Entry e{std::string(key->str()), {}, line};
    if (node->is_table()) {
      out.errors.push_back({line, "'" + e.key + "' is a table; keys go at the top level of the file (no [section])"});
      continue;
    }
    std::string text_value;
    if (auto arr = node->as_array()) {
      bool bad = false;
      for (const auto& item : *arr) {
        if (!scalar_text(item, &text_value)) {
          out.errors.push_back({line, "'" + e.key + "' holds " + type_name(item) +
                                          " inside its array; only strings, numbers and booleans"});
          bad = true;
          break;
        }
        e.values.push_back(text_value);
      }
      if (bad) continue;
      if (e.values.empty()) {
        out.errors.push_back({line, "'" + e.key + "' is an empty array"});
        continue;
      }
    } else if (scalar_text(*node, &text_value)) {
      e.values.push_back(text_value);
    } else {
      out.errors.push_back({line, "'" + e.key + "' is " + type_name(*node) +
                                      "; expected a string, number, boolean or array"});
      continue;
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace emp::config
