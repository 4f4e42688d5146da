// Capability sets through libcap: bounding, permitted/effective/inheritable, ambient, and
// the prctl bits around them (keep-caps across setuid, no_new_privs). No policy: jail/apply
// decides which capabilities stay and in which order things happen.
#pragma once

#include <cstdint>
#include <memory>

#include "sys/result.h"

struct _cap_struct;

namespace emp::sys {

struct CapDeleter {
  void operator()(_cap_struct* c) const;
};
using CapPtr = std::unique_ptr<_cap_struct, CapDeleter>;

// Capabilities as a bit mask: bit N is capability number N.
using CapMask = uint64_t;

// The highest capability number the running kernel knows (40 on Linux 5.9+).
int last_capability();

// Drops every capability in [0, last_capability()] that is not in keep from the bounding
// set (needs CAP_SETPCAP in the effective set).
Result<void> drop_bounding(CapMask keep);
// Sets permitted, effective and inheritable to exactly `caps`.
Result<void> set_process_caps(CapMask caps);
// Clears the ambient set, then raises each capability of `caps` (each must already be
// permitted and inheritable).
Result<void> set_ambient(CapMask caps);
// PR_SET_KEEPCAPS: keep permitted capabilities across a setuid away from 0.
Result<void> set_keep_caps(bool keep);
// PR_SET_NO_NEW_PRIVS: execve never grants more (setuid bits and file caps are ignored).
Result<void> set_no_new_privs();

struct CapSets {
  CapMask effective = 0, permitted = 0, inheritable = 0, bounding = 0, ambient = 0;
};
// The calling thread's sets, as the kernel reports them.
Result<CapSets> current_caps();

}  // namespace emp::sys
