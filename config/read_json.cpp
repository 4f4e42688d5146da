// JSON vassal files: one top-level object; values are strings, numbers, booleans or
// arrays of those. Parsed with nlohmann's SAX interface, which reports errors without
// throwing; a small scanner finds the line of each top-level key, which SAX does not give.
#include <nlohmann/json.hpp>

#include "config/reader.h"

namespace emp::config {
namespace {

// Lines of the top-level keys, in document order. Only trusted once nlohmann accepted
// the text, so it can stay simple.
std::vector<int> top_level_key_lines(std::string_view text) {
  std::vector<int> lines;
  int line = 1, depth = 0;
  bool expect_key = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (c == '"') {
      const int start_line = line;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (depth == 1 && expect_key) lines.push_back(start_line);
      expect_key = false;
    } else if (c == '{' || c == '[') {
      ++depth;
      expect_key = c == '{' && depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
  }
  return lines;
}

int line_at(std::string_view text, size_t byte) {
  int line = 1;
  for (size_t i = 0; i < byte && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

class Handler : public nlohmann::json_sax<nlohmann::json> {
 public:
  Handler(ReadResult& out, std::vector<int> key_lines)
      : out_(out), key_lines_(std::move(key_lines)) {}

  bool null() override { return reject("null"); }
  bool boolean(bool v) override { return value(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return value(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& raw) override { return value(raw); }
  bool string(string_t& v) override { return value(v); }
  bool binary(binary_t&) override { return reject("binary data"); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (!skipping()) {
      reject("an object");
      skip_to_ = depth_;
    }
    ++depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return not_an_object();
    if (!skipping() && depth_ == 2) {
      reject("an array inside an array");
      skip_to_ = depth_;
    }
    ++depth_;
    return true;
  }
  bool end_object() override { return close(); }
  bool end_array() override {
    if (!skipping() && depth_ == 2 && !rejected_) {
      if (current_.values.empty()) error("'" + current_.key + "' is an empty array");
      else out_.entries.push_back(current_);
    }
    return close();
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      const int line = next_key_ < key_lines_.size() ? key_lines_[next_key_] : 0;
      ++next_key_;
      current_ = Entry{k, {}, line};
      rejected_ = false;
    }
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    syntax_error_ = true;
    position_ = position;
    message_ = ex.what();
    return false;
  }

  bool syntax_error() const { return syntax_error_; }
  size_t position() const { return position_; }
  const std::string& message() const { return message_; }

 private:
  bool skipping() const { return skip_to_ > 0; }
  bool close() {
    --depth_;
    if (depth_ == skip_to_) skip_to_ = 0;
    return true;
  }
  bool value(std::string v) {
    if (depth_ == 0) return not_an_object();
    if (skipping() || rejected_) return true;
    current_.values.push_back(std::move(v));
    if (depth_ == 1) out_.entries.push_back(current_);
    return true;
  }
  bool reject(const std::string& what) {
    if (depth_ == 0) return not_an_object();
    if (!skipping() && !rejected_)
      error("'" + current_.key + "' is " + what + "; expected a string, number, boolean or array");
    rejected_ = true;
    return true;
  }
  bool not_an_object() {
    out_.errors.push_back({1, "the file must hold one JSON object with the keys at top level"});
    return false;
  }
  void error(std::string message) { out_.errors.push_back({current_.line, std::move(message)}); }

  ReadResult& out_;
  std::vector<int> key_lines_;
  size_t next_key_ = 0;
  Entry current_;
  int depth_ = 0;
  int skip_to_ = 0;
  bool rejected_ = false;  // the current key's value was refused: report it once  // while > 0: inside a rejected value; skipping ends back at this depth
  bool syntax_error_ = false;
  size_t position_ = 0;
  std::string message_;
};

}  // namespace

ReadResult read_json(std::string_view text) {
  ReadResult out;
  Handler handler(out, top_level_key_lines(text));
  nlohmann::json::sax_parse(text.begin(), text.end(), &handler);
  if (handler.syntax_error() && out.errors.empty()) {
    std::string msg = handler.message();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag; keep its explanation.
    if (const auto bracket = msg.find("] "); bracket != std::string::npos) msg = msg.substr(bracket + 2);
    // ...and its "parse error at line N, ": the diagnostic carries the line already.
    if (msg.rfind("parse error at line ", 0) == 0)
      if (const auto comma = msg.find(", "); comma != std::string::npos) msg = msg.substr(comma + 2);
    const size_t at = handler.position() > 0 ? handler.position() - 1 : 0;
    return ReadResult{{}, {{line_at(text, at), msg}}};
  }
  return out;
}

}  // namespace emp::config
