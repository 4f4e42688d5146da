#include "emperor/cli/args.h"

namespace emp::cli {

Result<Args> parse_args(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args out;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name;
    std::optional<std::string> inline_value;
    if (a.rfind("--", 0) == 0) {
      name = a.substr(2);
      if (const auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else if (a.size() == 2 && spec.shorts.count(a[1])) {
      name = spec.shorts.at(a[1]);
    } else {
      return fail("unknown option '" + a + "'");
    }
    if (spec.flags.count(name)) {
      if (inline_value) return fail("option '--" + name + "' takes no value");
      out.flags.insert(name);
    } else if (spec.with_value.count(name)) {
      if (inline_value) {
        out.options[name] = *inline_value;
      } else {
        if (i + 1 >= argv.size()) return fail("option '--" + name + "' needs a value");
        out.options[name] = argv[++i];
      }
    } else {
      return fail("unknown option '" + a + "'");
    }
  }
  return out;
}

}  // namespace emp::cli
