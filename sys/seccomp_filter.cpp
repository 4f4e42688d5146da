#include "sys/seccomp_filter.h"

#include <seccomp.h>

namespace emp::sys {
namespace {

uint32_t raw(SeccompAction a) {
  switch (a.verdict) {
    case SeccompVerdict::Allow: return SCMP_ACT_ALLOW;
    case SeccompVerdict::Errno: return SCMP_ACT_ERRNO(static_cast<uint16_t>(a.error));
    case SeccompVerdict::Log: return SCMP_ACT_LOG;
  }
  return SCMP_ACT_KILL_PROCESS;
}

// libseccomp returns -errno.
Unexpected scmp_fail(const std::string& what, int rc) { return fail_errno(what, -rc); }

}  // namespace

void ScmpDeleter::operator()(void* ctx) const { ::seccomp_release(ctx); }

Result<SeccompFilter> SeccompFilter::create(SeccompAction default_action) {
  scmp_filter_ctx ctx = ::seccomp_init(raw(default_action));
  if (!ctx) return fail("create seccomp filter: libseccomp refused", EINVAL);
  SeccompFilter f(ctx);
  // We set no_new_privs ourselves, as its own step with its own error.
  const int rc = ::seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) return scmp_fail("create seccomp filter", rc);
  return f;
}

Result<void> SeccompFilter::add(int syscall, const std::string& name, SeccompAction action) {
  const int rc = ::seccomp_rule_add(ctx_.get(), raw(action), syscall, 0);
  if (rc < 0) return scmp_fail("add seccomp rule for '" + name + "'", rc);
  return ok();
}

Result<void> SeccompFilter::add_when_bits_set(int syscall, const std::string& name,
                                              SeccompAction action, unsigned arg, uint64_t mask) {
  const scmp_arg_cmp cmp{arg, SCMP_CMP_MASKED_EQ, mask, mask};
  const int rc = ::seccomp_rule_add_array(ctx_.get(), raw(action), syscall, 1, &cmp);
  if (rc < 0) return scmp_fail("add seccomp rule for '" + name + "'", rc);
  return ok();
}

Result<void> SeccompFilter::add_when_arg_equals(int syscall, const std::string& name,
                                                SeccompAction action, unsigned arg,
                                                uint64_t value, uint64_t mask) {
  const scmp_arg_cmp cmp{arg, SCMP_CMP_MASKED_EQ, mask, value};
  const int rc = ::seccomp_rule_add_array(ctx_.get(), raw(action), syscall, 1, &cmp);
  if (rc < 0) return scmp_fail("add seccomp rule for '" + name + "'", rc);
  return ok();
}

Result<void> SeccompFilter::load() {
  const int rc = ::seccomp_load(ctx_.get());
  if (rc < 0) return scmp_fail("load seccomp filter", rc);
  return ok();
}

}  // namespace emp::sys
