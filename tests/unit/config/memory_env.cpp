#include "tests/unit/config/memory_env.h"

#include "config/system_env.h"

namespace emp::config::test {

LoadEnv MemoryFs::load_env() const {
  LoadEnv e;
  e.canonical = [](const std::string& path) {
    // Lexical normalization is enough for in-memory trees: "a/./b" and "a/x/../b" are "a/b".
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= path.size()) {
      auto end = path.find('/', i);
      if (end == std::string::npos) end = path.size();
      const auto part = path.substr(i, end - i);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      i = end + 1;
    }
    std::string out;
    for (const auto& p : parts) out += "/" + p;
    return out;
  };
  e.read_file = [this, canonical = e.canonical](const std::string& path) -> Result<std::string> {
    auto it = files.find(canonical(path));
    if (it == files.end()) return fail("open '" + path + "': No such file or directory", 2);
    return it->second;
  };
  e.getenv = [this](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  e.names = system_name_check();
  return e;
}

std::vector<std::string> messages(const std::vector<Diagnostic>& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags) out.push_back(d.to_string());
  return out;
}

}  // namespace emp::config::test
