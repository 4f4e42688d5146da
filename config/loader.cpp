#include "config/loader.h"

#include <algorithm>
#include <map>
#include <set>

#include "config/reader.h"
#include "config/text.h"
#include "config/validate.h"

namespace emp::config {
namespace {

struct FileCtx {
  std::string path;       // as the loader reached it
  std::string absolute;   // %p
  std::string dir;        // with a trailing '/', as uWSGI's %d
  std::string filename;   // %x
  std::string stem;       // %n
  std::string extension;  // %e, without the dot
};

// %p and %d are absolute, as in uWSGI; `canonical` is the resolved path of `path`.
FileCtx file_ctx(const std::string& path, const std::string& canonical) {
  FileCtx f;
  f.path = path;
  f.absolute = canonical;
  const auto abs_slash = canonical.rfind('/');
  f.dir = abs_slash == std::string::npos ? "/" : canonical.substr(0, abs_slash + 1);
  const auto slash = path.rfind('/');
  f.filename = slash == std::string::npos ? path : path.substr(slash + 1);
  const auto dot = f.filename.rfind('.');
  f.stem = dot == std::string::npos || dot == 0 ? f.filename : f.filename.substr(0, dot);
  f.extension = dot == std::string::npos || dot == 0 ? "" : f.filename.substr(dot + 1);
  return f;
}

std::string last_dir_component(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  const auto slash = d.rfind('/');
  return slash == std::string::npos ? d : d.substr(slash + 1);
}

std::string scalar_of(const Json& j) {
  if (j.is_array()) return j.empty() ? std::string() : scalar_of(j.back());
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

bool is_include_key(std::string_view key) { return key == "ini" || key == "toml" || key == "json"; }

SourceFormat include_format(std::string_view key) {
  if (key == "toml") return SourceFormat::Toml;
  if (key == "json") return SourceFormat::Json;
  return SourceFormat::Ini;
}

template <class Spec>
constexpr bool kIsVassal = std::is_same_v<Spec, VassalSpec>;

template <class Spec>
class Loader {
 public:
  Loader(const LoadEnv& env, std::vector<std::string> ini_sections)
      : env_(env), ini_sections_(std::move(ini_sections)) {}

  Loaded<Spec> run(const std::string& path, SourceFormat format) {
    top_ = path;
    spec_.source = Source{path, format};
    load(path, format, std::nullopt, 0, nullptr, 0);
    const bool strict = spec_.strict.value_or(true);
    for (auto& d : unknown_) {
      d.severity = strict ? Diagnostic::Severity::Error : Diagnostic::Severity::Warning;
      diags_.push_back(std::move(d));
    }
    // After a file could not be read, "missing key" complaints would only be noise.
    if (!read_failed_) {
      auto more = validate(spec_, where_, rejected_, path);
      diags_.insert(diags_.end(), more.begin(), more.end());
    }
    // Most readable in file order, then line order; includes keep their place.
    std::vector<std::string> files;
    auto rank = [&](const std::string& f) {
      auto it = std::find(files.begin(), files.end(), f);
      if (it == files.end()) {
        files.push_back(f);
        return files.size() - 1;
      }
      return static_cast<size_t>(it - files.begin());
    };
    for (const auto& d : diags_) rank(d.file);
    std::stable_sort(diags_.begin(), diags_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      const auto ra = rank(a.file), rb = rank(b.file);
      return ra != rb ? ra < rb : a.line < b.line;
    });
    Loaded<Spec> out;
    out.diagnostics = std::move(diags_);
    if (!has_errors(out.diagnostics)) out.spec = std::move(spec_);
    return out;
  }

  Spec& spec() { return spec_; }

 private:
  void error(const std::string& file, int line, std::string message) {
    diags_.push_back({Diagnostic::Severity::Error, file, line, std::move(message)});
  }

  // Loads one file; `from`/`from_line` name the include line that led here, if any.
  void load(const std::string& path, SourceFormat format, std::optional<std::string> section,
            int depth, const FileCtx* from, int from_line) {
    auto report = [&](const std::string& message) {
      read_failed_ = true;
      if (from) error(from->path, from_line, "include '" + path + "': " + message);
      else error(path, 0, message);
    };
    if (depth > kMaxIncludeDepth) {
      report("includes nest deeper than " + std::to_string(kMaxIncludeDepth) + " levels");
      return;
    }
    const std::string canonical = env_.canonical(path);
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end()) {
      std::string chain;
      for (const auto& s : stack_) chain += s + " -> ";
      report("include cycle: " + chain + canonical);
      return;
    }
    auto text = env_.read_file(path);
    if (!text) {
      report(text.error().message);
      return;
    }
    // A UTF-8 byte order mark (Windows editors write one) is not part of the first line.
    if (text->starts_with("\xEF\xBB\xBF")) text->erase(0, 3);
    if (!check_text(path, *text)) {
      read_failed_ = true;
      return;
    }

    ReadResult read;
    switch (format) {
      case SourceFormat::Ini: {
        auto sections = section ? std::vector<std::string>{*section} : ini_sections_;
        read = read_ini(*text, sections);
        break;
      }
      case SourceFormat::Toml: read = read_toml(*text, path); break;
      case SourceFormat::Json: read = read_json(*text); break;
    }
    for (const auto& e : read.errors) error(path, e.line, e.message);
    read_failed_ = read_failed_ || !read.errors.empty();

    stack_.push_back(canonical);
    const FileCtx ctx = file_ctx(path, canonical);
    for (const auto& entry : read.entries) apply(entry, ctx, depth);
    stack_.pop_back();
  }

  bool check_text(const std::string& path, const std::string& text) {
    if (text.size() > kMaxConfigBytes) {
      error(path, 0, "file is larger than " + std::to_string(kMaxConfigBytes) + " bytes");
      return false;
    }
    const auto line_of = [&](size_t offset) {
      return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
    };
    if (const auto nul = text.find('\0'); nul != std::string::npos) {
      error(path, line_of(nul), "not a text file (NUL byte)");
      return false;
    }
    size_t bad = 0;
    if (!valid_utf8(text, &bad)) {
      error(path, line_of(bad), "invalid UTF-8");
      return false;
    }
    return true;
  }

  void apply(const Entry& entry, const FileCtx& ctx, int depth) {
    const auto& key = entry.key;
    for (const auto& raw : entry.values) {
      auto value = expand(raw, ctx);
      if (!value) {
        error(ctx.path, entry.line, "'" + key + "': " + value.error().message);
        rejected_.insert(key);
        continue;
      }
      if (key == "set-placeholder" || key == "set-ph") {
        const auto eq = value->find('=');
        if (eq == std::string::npos || eq == 0) {
          error(ctx.path, entry.line, "'" + key + "': expected NAME=VALUE, got '" + quote_for_message(*value) + "'");
          continue;
        }
        placeholders_[value->substr(0, eq)] = value->substr(eq + 1);
        continue;
      }
      if (is_include_key(key)) {
        include(*value, include_format(key), ctx, entry.line, depth);
        continue;
      }
      const auto* def = find_key<Spec>(key);
      if (!def) {
        unknown(key, ctx.path, entry.line);
        break;  // one message per key, however many values it has
      }
      auto set = def->set(spec_, *value, env_.names);
      if (set) where_[std::string(def->name)] = Location{ctx.path, entry.line};
      else {
        error(ctx.path, entry.line, "'" + key + "': " + set.error().message);
        rejected_.insert(std::string(def->name));
      }
    }
  }

  void include(const std::string& target, SourceFormat format, const FileCtx& ctx, int line,
               int depth) {
    std::string path = target;
    std::optional<std::string> section;
    // uWSGI's "ini = file.ini:section"
    if (format == SourceFormat::Ini) {
      const auto colon = path.rfind(':');
      if (colon != std::string::npos && path.find('/', colon) == std::string::npos) {
        section = path.substr(colon + 1);
        path.resize(colon);
      }
    }
    if (path.empty()) {
      error(ctx.path, line, "empty include path");
      return;
    }
    if (path.front() != '/') {
      const auto slash = ctx.path.rfind('/');
      path = (slash == std::string::npos ? "" : ctx.path.substr(0, slash + 1)) + path;
    }
    load(path, format, section, depth + 1, &ctx, line);
  }

  void unknown(const std::string& key, const std::string& file, int line) {
    std::string message;
    if constexpr (kIsVassal<Spec>) {
      if (find_key<EmperorSpec>(key))
        message = "'" + key + "' is an emperor setting; put it in the emperor's config (emperor run --config FILE)";
    } else {
      if (find_key<VassalSpec>(key))
        message = "'" + key + "' is a vassal setting; put it in a vassal file";
    }
    if (message.empty()) message = uwsgi_replaced_key_hint(key);
    if (message.empty() && is_uwsgi_app_server_key(key))
      message = "'" + key + "' belongs to uWSGI's application server; Emperor runs your "
                "application with 'command' (e.g. command = uwsgi --ini app.ini)";
    if (message.empty()) {
      message = "unknown key '" + quote_for_message(key) + "'";
      std::string_view best;
      size_t best_distance = 3;
      for (const auto& def : keys_of<Spec>()) {
        const size_t d = edit_distance(key, def.name);
        if (d < best_distance && d <= std::max<size_t>(1, def.name.size() / 3)) {
          best = def.name;
          best_distance = d;
        }
      }
      if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
    }
    unknown_.push_back({Diagnostic::Severity::Error, file, line, message});
  }

  Result<std::string> expand(std::string_view v, const FileCtx& ctx) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      const char c = v[i];
      // "$$(" is a literal "$(": shell command substitution in commands and hooks.
      if (c == '$' && v.substr(i, 3) == "$$(") {
        out += "$(";
        i += 2;
        continue;
      }
      if (c == '$' && i + 1 < v.size() && v[i + 1] == '(') {
        const auto close = v.find(')', i + 2);
        if (close == std::string_view::npos) return fail("unterminated '$(' in '" + quote_for_message(v) + "'");
        const std::string name(v.substr(i + 2, close - i - 2));
        if (!env_.getenv)
          return fail("'$(" + name + ")': environment variables are not available to this file");
        auto value = env_.getenv(name);
        if (!value) return fail("environment variable '" + name + "' is not set");
        out += *value;
        i = close;
        continue;
      }
      if (c != '%') {
        out += c;
        continue;
      }
      if (i + 1 >= v.size()) return fail("lone '%' at the end of '" + quote_for_message(v) + "' (write %% for a literal %)");
      const char m = v[++i];
      switch (m) {
        case '%': out += '%'; break;
        case 'n': out += ctx.stem; break;
        case 'p': out += ctx.absolute; break;
        case 'd': out += ctx.dir; break;
        case 'x': out += ctx.filename; break;
        case 'e': out += ctx.extension; break;
        case 'c': out += last_dir_component(ctx.dir); break;
        case 'o': out += env_.canonical(top_); break;
        case '(': {
          const auto close = v.find(')', i + 1);
          if (close == std::string_view::npos) return fail("unterminated '%(' in '" + quote_for_message(v) + "'");
          const std::string name(v.substr(i + 1, close - i - 1));
          auto value = placeholder(name);
          if (!value) return fail("unknown placeholder '%(" + name + ")'");
          out += *value;
          i = close;
          break;
        }
        default:
          return fail(std::string("unknown magic variable '%") + m + "' (write %% for a literal %)");
      }
    }
    return out;
  }

  // set-placeholder values first; then, as uWSGI does, the value of an already-set key.
  std::optional<std::string> placeholder(const std::string& name) {
    if (auto it = placeholders_.find(name); it != placeholders_.end()) return it->second;
    if (const auto* def = find_key<Spec>(name)) {
      const Json j = def->get(spec_);
      if (!j.is_null()) return scalar_of(j);
    }
    return std::nullopt;
  }

  const LoadEnv& env_;
  std::vector<std::string> ini_sections_;
  Spec spec_;
  std::string top_;
  std::vector<Diagnostic> diags_;
  std::vector<Diagnostic> unknown_;
  std::map<std::string, std::string> placeholders_;
  std::vector<std::string> stack_;
  KeyWhere where_;
  std::set<std::string> rejected_;
  bool read_failed_ = false;
};

// [A-Za-z0-9][A-Za-z0-9_.@-]*, checked by hand: std::regex would build the locale machinery
// in every process that reads a vassal file (~1 ms at each start of `vassal FILE`).
bool valid_vassal_name(std::string_view name) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || !alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return alnum(c) || c == '_' || c == '.' || c == '@' || c == '-';
  });
}

}  // namespace

Result<SourceFormat> format_of(std::string_view path) {
  const auto slash = path.rfind('/');
  const auto file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = file.rfind('.');
  const auto ext = dot == std::string_view::npos ? std::string_view{} : file.substr(dot);
  if (ext == ".ini") return SourceFormat::Ini;
  if (ext == ".toml") return SourceFormat::Toml;
  if (ext == ".json") return SourceFormat::Json;
  return fail("unsupported file extension '" + std::string(ext) + "' (expected .ini, .toml or .json)");
}

Result<std::string> vassal_name_of(std::string_view path) {
  EMP_CHECK(format_of(path));
  const auto slash = path.rfind('/');
  const auto file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::string name(file.substr(0, file.rfind('.')));
  if (!valid_vassal_name(name))
    return fail("invalid vassal name '" + quote_for_message(name) +
                "' (letters, digits and _ . @ -, starting with a letter or digit)");
  return name;
}

Loaded<VassalSpec> load_vassal(const std::string& path, const LoadEnv& env) {
  auto format = format_of(path);
  auto name = vassal_name_of(path);
  if (!format || !name) {
    Loaded<VassalSpec> out;
    out.diagnostics.push_back({Diagnostic::Severity::Error, path, 0,
                               !format ? format.error().message : name.error().message});
    return out;
  }
  Loader<VassalSpec> loader(env, {"uwsgi", "vassal"});
  loader.spec().name = *name;
  return loader.run(path, *format);
}

Loaded<EmperorSpec> load_emperor(const std::string& path, const LoadEnv& env) {
  auto format = format_of(path);
  if (!format) {
    Loaded<EmperorSpec> out;
    out.diagnostics.push_back({Diagnostic::Severity::Error, path, 0, format.error().message});
    return out;
  }
  Loader<EmperorSpec> loader(env, {"uwsgi", "emperor"});
  return loader.run(path, *format);
}

std::vector<Diagnostic> name_conflicts(const std::vector<std::string>& paths) {
  std::vector<Diagnostic> out;
  std::map<std::string, std::string> first_by_name;
  for (const auto& p : paths) {
    auto name = vassal_name_of(p);
    if (!name) continue;
    auto [it, inserted] = first_by_name.emplace(*name, p);
    if (!inserted)
      out.push_back({Diagnostic::Severity::Error, p, 0,
                     "vassal '" + *name + "' is also defined by '" + it->second +
                         "'; one name, one file"});
  }
  return out;
}

}  // namespace emp::config
