#include "netns/plan.h"

#include <algorithm>

namespace emp::netns {
namespace {

Op op(OpKind kind, const std::string& link) {
  Op o;
  o.kind = kind;
  o.link = link;
  return o;
}

}  // namespace

const char* op_name(OpKind k) {
  switch (k) {
    case OpKind::LinkUp: return "link-up";
    case OpKind::CreateTun: return "create-tun";
    case OpKind::SetMtu: return "set-mtu";
    case OpKind::AddAddress: return "add-address";
    case OpKind::AddDefaultRoute: return "add-default-route";
  }
  return "?";
}

std::vector<Op> plan(const config::VassalSpec& spec, bool own_namespace) {
  std::vector<Op> ops;
  if (spec.net_loopback.value_or(own_namespace)) ops.push_back(op(OpKind::LinkUp, "lo"));
  if (!spec.tuntap_device) return ops;

  const std::string& dev = spec.tuntap_device->device;
  ops.push_back(op(OpKind::CreateTun, dev));
  Op mtu = op(OpKind::SetMtu, dev);
  mtu.mtu = static_cast<uint32_t>(spec.net_mtu.value_or(kDefaultMtu));
  ops.push_back(mtu);
  for (const auto& prefix : spec.net_address) {
    Op a = op(OpKind::AddAddress, dev);
    a.address = prefix;
    ops.push_back(a);
  }
  // Routes need the link up; addresses do not, and adding them first means the link
  // comes up complete (no window where it answers without its address).
  ops.push_back(op(OpKind::LinkUp, dev));
  for (const auto& gw : spec.net_gateway) {
    Op r = op(OpKind::AddDefaultRoute, dev);
    r.gateway = gw;
    r.onlink = std::none_of(spec.net_address.begin(), spec.net_address.end(),
                            [&](const config::IpPrefix& p) {
                              return p.address.family == gw.family && p.contains(gw);
                            });
    ops.push_back(r);
  }
  return ops;
}

std::string describe(const Op& op) {
  std::string s = std::string(op_name(op.kind)) + " " + op.link;
  switch (op.kind) {
    case OpKind::SetMtu: s += " " + std::to_string(op.mtu); break;
    case OpKind::AddAddress:
      if (op.address)
        s += " " + op.address->address.to_string() + "/" + std::to_string(op.address->length);
      break;
    case OpKind::AddDefaultRoute:
      if (op.gateway) s += " via " + op.gateway->to_string();
      if (op.onlink) s += " onlink";
      break;
    case OpKind::LinkUp:
    case OpKind::CreateTun: break;
  }
  return s;
}

}  // namespace emp::netns
