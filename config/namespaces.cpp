#include "config/namespaces.h"

#include "config/text.h"

namespace emp::config {

const char* namespace_name(Namespace ns) {
  switch (ns) {
    case Namespace::Ipc: return "ipc";
    case Namespace::Uts: return "uts";
    case Namespace::Mount: return "mount";
    case Namespace::Pid: return "pid";
    case Namespace::Net: return "net";
    case Namespace::Cgroup: return "cgroup";
  }
  return "?";
}

Result<Namespace> parse_namespace(std::string_view name) {
  if (name == "fs" || name == "mnt") return Namespace::Mount;
  for (auto ns : kAllNamespaces)
    if (name == namespace_name(ns)) return ns;
  return fail("unknown namespace '" + std::string(name) +
              "' (expected ipc, uts, fs|mount|mnt, pid, net or cgroup)");
}

std::vector<Namespace> NamespaceSet::members() const {
  std::vector<Namespace> out;
  for (auto ns : kAllNamespaces)
    if (has(ns)) out.push_back(ns);
  return out;
}

std::string NamespaceSet::to_string() const {
  std::string out;
  for (auto ns : members()) {
    if (!out.empty()) out += ",";
    out += namespace_name(ns);
  }
  return out.empty() ? "none" : out;
}

Result<NamespaceSet> parse_namespace_list(std::string_view list) {
  NamespaceSet set;
  for (auto item : split_list(list)) {
    if (item == "none") continue;
    EMP_TRY(Namespace ns, parse_namespace(item));
    set.add(ns);
  }
  return set;
}

}  // namespace emp::config
