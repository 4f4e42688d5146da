// The TunTap router inside the emperor: started with the daemon, fed the vassals' tun
// devices as they arrive over their channels, its events logged.
#include <arpa/inet.h>
#include <fcntl.h>

#include "config/command_line.h"
#include "emperor/daemon.h"
#include "netns/apply.h"
#include "sys/child.h"
#include "sys/netlink.h"

namespace emp::emperor {
namespace {
constexpr std::chrono::seconds kExecAsRootTimeout{60};

// The net-address of every loaded native-mode vassal file: a socket peer must not learn a
// restarting vassal's address and lock it out. (A tuntap-device-mode = uwsgi vassal is a
// socket peer itself and learns its address: reserving it would refuse it.)
void reserve_declared(tuntap::Router& router, const std::map<std::string, std::unique_ptr<Record>>& records) {
  std::vector<tuntap::AddressReservation> all;
  for (const auto& [name, r] : records) {
    if (!r->spec || !r->spec->tuntap_device || r->spec->net_address.empty()) continue;
    if (r->spec->tuntap_device_mode.value_or(config::TuntapMode::Native) != config::TuntapMode::Native) continue;
    all.push_back({name, r->spec->tuntap_device->socket, r->spec->net_address});
  }
  router.reserve(std::move(all));
}
}  // namespace

Result<void> Daemon::start_router() {
  const auto& cfg = options_.config;
  if (cfg.tuntap_router.empty()) return ok();
  std::vector<tuntap::RouterDeviceSpec> devices;
  for (const auto& r : cfg.tuntap_router) {
    tuntap::RouterDeviceSpec d{r.device, r.socket, cfg.tuntap_router_firewall_in, cfg.tuntap_router_firewall_out, {}};
    // Reserved from the first packet on, before netlink applies them below.
    for (const auto& a : cfg.tuntap_router_address)
      if ((a.device.empty() ? cfg.tuntap_router.front().device : a.device) == r.device) d.addresses.push_back(a.address);
    devices.push_back(std::move(d));
  }
  EMP_TRY(router_, tuntap::Router::start(std::move(devices)).context("start the tuntap router"));
  if (!cfg.tuntap_router_address.empty()) {
    EMP_TRY(auto route, sys::RouteSocket::open());
    for (const auto& a : cfg.tuntap_router_address) {
      netns::Op op;
      op.kind = netns::OpKind::AddAddress;
      op.link = a.device.empty() ? cfg.tuntap_router.front().device : a.device;
      op.address = a.address;
      EMP_CHECK(netns::apply(route, op).context("tuntap-router-address " + a.address.to_string()));
    }
  }
  for (const auto& r : cfg.tuntap_router)
    log("tuntap router " + r.device + " listening on " + r.socket + " (" +
        std::to_string(router_->threads()) + " threads)");
  return ok();
}

Result<void> Daemon::run_exec_as_root() {
  for (const auto& hook : options_.config.exec_as_root) {
    sys::SpawnOptions o;
    o.argv = config::command_argv(hook.args.front());
    o.search_path = true;
    EMP_TRY(auto result, sys::run_and_capture(o, kExecAsRootTimeout));
    std::string output = result.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    if (result.timed_out || !result.status.success())
      return fail("exec-as-root '" + hook.args.front() + "': " +
                  (result.timed_out ? std::string("timed out") : result.status.to_string()) +
                  (output.empty() ? "" : ": " + output));
    log("exec-as-root '" + hook.args.front() + "' done" + (output.empty() ? "" : ": " + output));
  }
  return ok();
}

void Daemon::attach_tun(Record& r, const std::string& device, std::vector<sys::UniqueFd> fds) {
  auto refuse = [&](const std::string& why) {
    r.fatal = "NETNS: tun device '" + device + "': " + why;
    r.last_error = *r.fatal;
    log_error(r.name + ": " + r.last_error);
    // Without its network the vassal would only half work: it fails, visibly.
    if (r.has_process()) (void)r.process->signal(SIGKILL);
  };
  if (!r.spec || !r.spec->tuntap_device) return refuse("the vassal has no tuntap-device");
  if (!router_) return refuse("no tuntap-router in the emperor's config");
  tuntap::VassalAttachment a;
  a.vassal = r.name;
  a.router_socket = r.spec->tuntap_device->socket;
  // Held until refuse() has sent SIGKILL: a refused attachment closes the queues, the tun
  // device vanishes with the last one, and the vassal must not get to report that ("find
  // link 'v0': No such device") in place of the refusal.
  sys::UniqueFd hold(fds.empty() ? -1 : ::fcntl(fds.front().get(), F_DUPFD_CLOEXEC, 0));
  a.queues = std::move(fds);
  a.addresses = r.spec->net_address;
  a.firewall_in = r.spec->tuntap_firewall_in;
  a.firewall_out = r.spec->tuntap_firewall_out;
  reserve_declared(*router_, records_);
  auto peer = router_->attach(std::move(a));
  if (!peer) return refuse(peer.error().message);
  r.router_peer = *peer;
  status_dirty_ = true;
}

void Daemon::on_router_events() {
  for (const auto& ev : router_->take_events()) log_warning("router: " + ev.peer + ": " + ev.message);
  reserve_declared(*router_, records_);
}

}  // namespace emp::emperor
