#include "netns/plan.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using emp::config::VassalSpec;
using Lines = std::vector<std::string>;

namespace {

Lines lines(const VassalSpec& s, bool own) {
  Lines out;
  for (const auto& op : emp::netns::plan(s, own)) out.push_back(emp::netns::describe(op));
  return out;
}

VassalSpec with_device() {
  VassalSpec s;
  s.tuntap_device = emp::config::TuntapEndpoint{"uwsgi0", "/run/router.sock"};
  return s;
}

}  // namespace

TEST_CASE("loopback: up in a namespace of its own, unless net-loopback = false") {
  VassalSpec s;
  CHECK(lines(s, true) == Lines{"link-up lo"});
  CHECK(lines(s, false).empty());
  s.net_loopback = false;
  CHECK(lines(s, true).empty());
  s.net_loopback = true;
  CHECK(lines(s, true) == Lines{"link-up lo"});
}

TEST_CASE("a device: created, MTU, addresses, up, then routes") {
  auto s = with_device();
  s.net_address = {*emp::config::parse_ip_prefix("10.0.0.2/24"),
                   *emp::config::parse_ip_prefix("fd00::2/64")};
  s.net_gateway = {*emp::config::parse_ip_address("10.0.0.1"),
                   *emp::config::parse_ip_address("fd00::1")};
  s.net_mtu = 9000;
  CHECK(lines(s, true) == Lines{"link-up lo", "create-tun uwsgi0", "set-mtu uwsgi0 9000",
                                "add-address uwsgi0 10.0.0.2/24", "add-address uwsgi0 fd00::2/64",
                                "link-up uwsgi0", "add-default-route uwsgi0 via 10.0.0.1",
                                "add-default-route uwsgi0 via fd00::1"});
}

TEST_CASE("default MTU and a device without addresses") {
  CHECK(lines(with_device(), true) ==
        Lines{"link-up lo", "create-tun uwsgi0", "set-mtu uwsgi0 1500", "link-up uwsgi0"});
}

TEST_CASE("a gateway outside every prefix of its family is on-link") {
  auto s = with_device();
  s.net_address = {*emp::config::parse_ip_prefix("10.0.0.2/32"),
                   *emp::config::parse_ip_prefix("fd00::2/64")};
  s.net_gateway = {*emp::config::parse_ip_address("10.0.0.1"),
                   *emp::config::parse_ip_address("fd00::1")};
  auto ops = emp::netns::plan(s, false);
  REQUIRE(ops.size() == 7);
  CHECK(emp::netns::describe(ops[5]) == "add-default-route uwsgi0 via 10.0.0.1 onlink");
  CHECK(ops[5].onlink);
  CHECK(emp::netns::describe(ops[6]) == "add-default-route uwsgi0 via fd00::1");
  CHECK_FALSE(ops[6].onlink);
  // An IPv4 prefix never makes an IPv6 gateway reachable, and the other way round.
  s.net_address = {*emp::config::parse_ip_prefix("0.0.0.0/0")};
  s.net_gateway = {*emp::config::parse_ip_address("fd00::1")};
  CHECK(emp::netns::plan(s, false).back().onlink);
}

TEST_CASE("op names") {
  CHECK(std::string(emp::netns::op_name(emp::netns::OpKind::LinkUp)) == "link-up");
  CHECK(std::string(emp::netns::op_name(emp::netns::OpKind::CreateTun)) == "create-tun");
  CHECK(std::string(emp::netns::op_name(emp::netns::OpKind::SetMtu)) == "set-mtu");
  CHECK(std::string(emp::netns::op_name(emp::netns::OpKind::AddAddress)) == "add-address");
  CHECK(std::string(emp::netns::op_name(emp::netns::OpKind::AddDefaultRoute)) == "add-default-route");
}
