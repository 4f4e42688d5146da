#include "config/emperor_spec.h"

namespace emp::config {

NamespaceSet default_use_clone() {
  NamespaceSet set;
  for (auto ns : {Namespace::Ipc, Namespace::Uts, Namespace::Mount, Namespace::Pid, Namespace::Net})
    set.add(ns);
  return set;
}

}  // namespace emp::config
