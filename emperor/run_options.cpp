#include "emperor/run_options.h"

#include "config/loader.h"
#include "config/system_env.h"
#include "emperor/cli/args.h"

namespace emp::emperor {

Result<RunOptions> parse_run_options(const std::vector<std::string>& argv) {
  EMP_TRY(auto args, cli::parse_args(argv, {{}, {"config", "vassals", "runtime-dir", "use-clone"}, {}}));
  if (!args.positional.empty()) return fail("unexpected argument '" + args.positional.front() + "'");
  RunOptions o;
  if (auto file = args.option("config")) {
    auto loaded = config::load_emperor(*file, config::system_load_env());
    std::string report;
    for (const auto& d : loaded.diagnostics) report += d.to_string() + "\n";
    if (!loaded.spec) return fail(report + "emperor: the config '" + *file + "' is not valid");
    if (!report.empty()) std::fputs(report.c_str(), stderr);  // warnings only
    o.config = std::move(*loaded.spec);
  }
  const auto& c = o.config;
  if (c.emperor) o.vassals_dir = *c.emperor;
  if (c.runtime_dir) o.runtime_dir = *c.runtime_dir;
  if (c.emperor_use_clone) o.use_clone = *c.emperor_use_clone;
  o.tyrant = c.emperor_tyrant.value_or(false);
  o.throttle.base = c.emperor_throttle.value_or(config::kDefaultThrottle);
  o.throttle.max = c.emperor_max_throttle.value_or(config::kDefaultMaxThrottle);
  if (auto v = args.option("vassals")) o.vassals_dir = *v;
  if (auto r = args.option("runtime-dir")) o.runtime_dir = *r;
  if (auto u = args.option("use-clone")) {
    auto set = config::parse_namespace_list(*u);
    if (!set) return fail("--use-clone: " + set.error().message);
    o.use_clone = *set;
  }
  while (o.vassals_dir.size() > 1 && o.vassals_dir.back() == '/') o.vassals_dir.pop_back();
  while (o.runtime_dir.size() > 1 && o.runtime_dir.back() == '/') o.runtime_dir.pop_back();
  return o;
}

}  // namespace emp::emperor
