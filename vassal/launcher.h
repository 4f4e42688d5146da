// Starting a vassal process: clone into its namespaces and exec the `vassal` binary with
// the channel on fd 3. Shared by the emperor and by `vassal FILE` (standalone mode).
#pragma once

#include <string>

#include "config/namespaces.h"
#include "sys/child.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::vassal {

inline constexpr int kChannelFd = 3;

// The vassal binary, opened once (O_PATH) so a vassal starts the same program even if the
// file is replaced on disk, and from inside any mount namespace.
struct VassalBinary {
  sys::UniqueFd fd;
  std::string path;
};
// Looks next to the running program (installed side by side), then in the build tree
// layout (../vassal/vassal), then $EMPEROR_VASSAL_BINARY when set (it wins).
Result<VassalBinary> find_vassal_binary();

struct LaunchOptions {
  const VassalBinary* binary = nullptr;
  std::string name;                 // shown in argv, for ps
  config::NamespaceSet namespaces;  // cloned into
  int stdout_fd = -1;               // the vassal's stdout and stderr
  int stderr_fd = -1;
};

struct Launched {
  sys::Child process;
  sys::UniqueFd channel;  // SOCK_SEQPACKET, close-on-exec, non-blocking
};

Result<Launched> launch(const LaunchOptions& options);

// CLONE_NEW* flags of a namespace set.
uint64_t clone_flags(const config::NamespaceSet& namespaces);

}  // namespace emp::vassal
