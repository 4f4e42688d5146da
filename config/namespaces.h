// Linux namespace kinds as named in vassal files, and a small set of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sys/result.h"

namespace emp::config {

enum class Namespace : uint8_t { Ipc, Uts, Mount, Pid, Net, Cgroup };
inline constexpr Namespace kAllNamespaces[] = {Namespace::Ipc, Namespace::Uts, Namespace::Mount,
                                               Namespace::Pid, Namespace::Net, Namespace::Cgroup};

// Canonical names: ipc uts mount pid net cgroup.
const char* namespace_name(Namespace ns);
// Accepts the canonical names and uWSGI's aliases (fs and mnt for mount).
Result<Namespace> parse_namespace(std::string_view name);

class NamespaceSet {
 public:
  void add(Namespace ns) { bits_ |= bit(ns); }
  void add(const NamespaceSet& other) { bits_ |= other.bits_; }
  bool has(Namespace ns) const { return (bits_ & bit(ns)) != 0; }
  bool empty() const { return bits_ == 0; }
  std::vector<Namespace> members() const;
  std::string to_string() const;  // "ipc,uts,mount" or "none"
  friend bool operator==(const NamespaceSet&, const NamespaceSet&) = default;

 private:
  static uint8_t bit(Namespace ns) { return static_cast<uint8_t>(1u << static_cast<unsigned>(ns)); }
  uint8_t bits_ = 0;
};

// "ipc,uts net" or "none" (the empty set), as in emperor-use-clone and --use-clone.
Result<NamespaceSet> parse_namespace_list(std::string_view list);

}  // namespace emp::config
