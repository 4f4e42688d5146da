// A seccomp filter built with libseccomp for the native architecture (calls from other
// ABIs are killed, libseccomp's default), then loaded into the calling thread. No policy:
// jail/seccomp_profile says what is denied and why.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sys/result.h"

namespace emp::sys {

struct ScmpDeleter {
  void operator()(void* ctx) const;  // scmp_filter_ctx is a void*
};

enum class SeccompVerdict : uint8_t { Allow, Errno, Log };
struct SeccompAction {
  SeccompVerdict verdict = SeccompVerdict::Allow;
  int error = 0;  // Errno: the errno the call returns
};

class SeccompFilter {
 public:
  static Result<SeccompFilter> create(SeccompAction default_action);

  // Applies action to every call of syscall (a number from syscall_number(); the name is
  // for errors).
  Result<void> add(int syscall, const std::string& name, SeccompAction action);
  // Applies action when all of mask's bits are set in argument `arg` (0-based); rules on
  // one call are or-ed, so callers add one rule per bit to match "any of these bits".
  Result<void> add_when_bits_set(int syscall, const std::string& name, SeccompAction action,
                                 unsigned arg, uint64_t mask);
  // Applies action when (argument `arg` & mask) == value. ioctl's request is an int to the
  // kernel but a full register to seccomp: callers mask it to 32 bits, or a request with
  // high bits set would slip past the rule and still reach the kernel as the same command.
  Result<void> add_when_arg_equals(int syscall, const std::string& name, SeccompAction action,
                                   unsigned arg, uint64_t value, uint64_t mask);
  // Loads the filter into the calling thread (needs no_new_privs or CAP_SYS_ADMIN).
  Result<void> load();

 private:
  explicit SeccompFilter(void* ctx) : ctx_(ctx) {}
  std::unique_ptr<void, ScmpDeleter> ctx_;
};

}  // namespace emp::sys
