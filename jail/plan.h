// The jail as a list of plain ops (bubblewrap's setup ops are the model): spec + context in,
// ops out, no syscalls. jail/apply runs the list; unit tests assert on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/hook.h"
#include "config/namespaces.h"
#include "config/vassal_spec.h"
#include "jail/capabilities.h"
#include "jail/seccomp_profile.h"
#include "netns/plan.h"

namespace emp::jail {

// What a setup failure names. The emperor shows it in `emperor status NAME`.
enum class Step : uint8_t {
  Namespace, Mount, PivotRoot, Hook, Hostname, Netns, Caps, Seccomp, Identity, Exec
};
const char* step_name(Step s);  // "NAMESPACE", "MOUNT", "PIVOT_ROOT", "HOOK", ...

struct JailContext {
  config::NamespaceSet namespaces;               // what the vassal was cloned into
  std::optional<uint32_t> force_uid, force_gid;  // emperor-tyrant: the file owner's ids win
};

enum class OpKind : uint8_t {
  Refuse,           // the spec cannot be applied in this context: `data` says why
  NewSession,       // setsid(): no controlling terminal for hooks and workers (TIOCSTI)
  ResolveIdentity,  // users and groups to numbers, from the host's databases
  CompileSeccomp,   // build the filter early: a name libseccomp rejects changes nothing
  MakePrivate,      // object: "/", propagation made private, recursively
  RunHook,          // hook (phase in `target`): an action or a /bin/sh -c command
  CheckRoot,        // object: NEW_ROOT (or the chroot) must be a directory
  BindSelf,         // object: NEW_ROOT onto itself, recursive, unless already a mount point
  MakeDir,          // object: a mount point, made (mode 0755) when missing
  MountTmpfs,       // object: target; data: options; flags: config::MountFlag bits
  BindDevice,       // object: the node in the new /dev; target: the host's device
  MountDevpts,      // object: target; data: options; flags
  Symlink,          // object: the link; target: what it points to
  PivotRoot,        // object: NEW_ROOT; target: OLD_ROOT (relative); keep_old
  Chroot,           // object: the new root
  MountProc,        // object: "/proc"; flags
  ProtectProc,      // object: a /proc path or /sys bound read-only onto itself, recursively
                    // (skipped when absent)
  SetHostname,      // object: the name
  Network,          // net: one netns op
  BeforeDrop,       // the vassal's callback (it binds its sockets here)
  DropBounding,     // caps: the bounding set keeps only these
  KeepCaps,         // permitted capabilities survive the setuid that follows
  SetGroups,        // from the resolved identity
  SetGid,
  SetUid,
  SetCaps,          // caps: permitted = effective = inheritable
  SetAmbient,       // caps: raised in the ambient set, so exec'd workers keep them
  NoNewPrivs,
  LoadSeccomp,
};
const char* op_name(OpKind k);  // "make-private", "bind-self", ...

struct Op {
  Step step = Step::Namespace;
  OpKind kind = OpKind::Refuse;
  std::string object;  // the path, name or command it acts on: errors and progress name it
  std::string target;
  std::string data;
  uint32_t flags = 0;  // config::MountFlag bits
  bool keep_old = false;
  CapMask caps = 0;
  config::Hook hook;
  netns::Op net;
};

// Who the vassal becomes; empty strings and no groups leave the process as it is.
struct IdentityPlan {
  std::optional<std::string> user;   // name or number
  std::optional<std::string> group;  // name or number; default: the primary group of user
  std::vector<std::string> extra_groups;
  bool init_groups = false;  // the user's groups from the group database
  bool changes() const { return user || group || !extra_groups.empty(); }
  friend bool operator==(const IdentityPlan&, const IdentityPlan&) = default;
};

struct Plan {
  std::vector<Op> ops;
  IdentityPlan identity;
  std::optional<SeccompPlan> seccomp;
  CapMask caps = 0;
};

Plan plan(const config::VassalSpec& spec, const JailContext& context);

// One line per op for progress, logs and tests: "MOUNT bind-device /r/dev/null <- /dev/null".
std::string describe(const Op& op);
std::vector<std::string> describe(const Plan& plan);

// The hook phases in the order they run: their keys' names.
inline constexpr const char* kPreJail = "pre-jail";
inline constexpr const char* kPostJail = "post-jail";
inline constexpr const char* kAsRoot = "as-root";
inline constexpr const char* kAsUser = "as-user";

}  // namespace emp::jail
