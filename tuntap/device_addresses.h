// The router device's own addresses, read from the kernel: the router reserves them (no
// peer may learn or declare one) and treats their subnets as its own (docs/router.md).
#pragma once

#include <string>
#include <vector>

#include "config/ip_address.h"
#include "sys/result.h"
#include "sys/unique_fd.h"

namespace emp::tuntap {

// The IPv4 and IPv6 addresses of `device` in the caller's network namespace, with their
// prefix lengths (getifaddrs: one netlink dump). Link-local addresses are left out: the
// router never forwards link-scope traffic. A device without addresses gives none.
Result<std::vector<config::IpPrefix>> read_device_addresses(const std::string& device);

// A non-blocking netlink socket that turns readable when an address is added or removed
// anywhere in the caller's network namespace (RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR).
Result<sys::UniqueFd> open_address_watch();
// Reads and discards what the watch has queued (a lost notification, ENOBUFS, is fine:
// the reader re-reads every device's addresses anyway).
void drain_address_watch(int fd);

}  // namespace emp::tuntap
