#include "emperor/cli/check.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <iostream>

#include "config/loader.h"
#include "config/spec_json.h"
#include "config/system_env.h"
#include "config/vassal_files.h"
#include "emperor/cli/args.h"
#include "logs/encoder.h"

namespace emp::cli {
namespace {

constexpr const char* kUsage =
    "usage: emperor check [--print] [--quiet] FILE|DIR...\n"
    "       emperor check --config FILE [--print] [--quiet]\n";

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The vassal files of a directory, sorted, as the emperor would pick them.
std::vector<std::string> vassal_files_in(const std::string& dir, std::vector<config::Diagnostic>& diags) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    diags.push_back({config::Diagnostic::Severity::Error, dir, 0, std::string("cannot open directory: ") + std::strerror(errno)});
    return out;
  }
  while (const dirent* e = ::readdir(d))
    if (config::is_vassal_file_name(e->d_name)) out.push_back(dir + (dir.back() == '/' ? "" : "/") + e->d_name);
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> logger_names(const std::vector<config::LoggerSpec>& loggers,
                                      const std::optional<std::string>& logto) {
  std::vector<std::string> names;
  for (const auto& l : loggers) names.push_back(l.name);
  if (logto) names.push_back("file");
  return names;
}

// What only the log pipeline can tell: a json template that cannot yield JSON, a
// `:LOGGER` naming no logger. `emperor_loggers` is null when the emperor's config is unknown.
void check_logging(const std::string& file, const std::vector<config::LogEncoderSpec>& encoders,
                   std::vector<std::string> loggers, const std::vector<std::string>* emperor_loggers,
                   std::vector<config::Diagnostic>& diags) {
  std::vector<config::LogEncoderSpec> checked = encoders;
  if (loggers.empty()) {
    if (emperor_loggers) loggers = *emperor_loggers;
    else
      for (auto& e : checked) e.logger.reset();  // scoped to loggers we cannot see from here
  }
  if (auto result = logs::check_encoders(checked, loggers); !result)
    diags.push_back({config::Diagnostic::Severity::Error, file, 0, result.error().message});
}

}  // namespace

int run_check(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"print", "quiet", "help"}, {"config"}, {{'q', "quiet"}}});
  if (!args) {
    std::cerr << "emperor check: " << args.error().message << "\n" << kUsage;
    return 2;
  }
  if (args->flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  const auto config_file = args->option("config");
  if (!config_file && args->positional.empty()) {
    std::cerr << "emperor check: no file given\n" << kUsage;
    return 2;
  }
  const auto env = config::system_load_env();
  std::vector<config::Diagnostic> diags;
  std::vector<std::string> printed;
  size_t files = 0;

  std::optional<std::vector<std::string>> emperor_loggers;
  if (config_file) {
    ++files;
    auto loaded = config::load_emperor(*config_file, env);
    diags.insert(diags.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    if (loaded.spec) {
      emperor_loggers = logger_names(loaded.spec->logger, loaded.spec->logto);
      if (emperor_loggers->empty()) emperor_loggers->push_back("stderr");  // the default logger
      check_logging(*config_file, loaded.spec->log_encoder, *emperor_loggers, nullptr, diags);
      printed.push_back(config::to_json(*loaded.spec, 2));
    }
  }
  std::vector<std::string> paths;
  for (const auto& p : args->positional) {
    if (is_directory(p)) {
      auto in_dir = vassal_files_in(p, diags);
      paths.insert(paths.end(), in_dir.begin(), in_dir.end());
    } else if (::access(p.c_str(), F_OK) != 0) {
      ++files;  // what cannot be found is named first, before its extension is judged
      diags.push_back({config::Diagnostic::Severity::Error, p, 0, std::string("cannot open: ") + std::strerror(errno)});
    } else {
      paths.push_back(p);
    }
  }
  for (const auto& path : paths) {
    ++files;
    auto loaded = config::load_vassal(path, env);
    diags.insert(diags.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
    if (loaded.spec) {
      check_logging(path, loaded.spec->log_encoder, logger_names(loaded.spec->logger, loaded.spec->logto),
                    emperor_loggers ? &*emperor_loggers : nullptr, diags);
      printed.push_back(config::to_json(*loaded.spec, 2));
    }
  }
  const auto conflicts = config::name_conflicts(paths);
  diags.insert(diags.end(), conflicts.begin(), conflicts.end());

  size_t errors = 0, warnings = 0;
  for (const auto& d : diags) {
    (d.severity == config::Diagnostic::Severity::Error ? errors : warnings)++;
    std::cerr << d.to_string() << "\n";
  }
  if (args->flag("print") && errors == 0)
    for (const auto& json : printed) std::cout << json << "\n";
  if (!args->flag("quiet"))
    std::cerr << "checked " << files << (files == 1 ? " file: " : " files: ") << errors
              << (errors == 1 ? " error, " : " errors, ") << warnings
              << (warnings == 1 ? " warning\n" : " warnings\n");
  return errors == 0 ? 0 : 1;
}

}  // namespace emp::cli
