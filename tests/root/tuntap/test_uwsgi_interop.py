"""Wire compatibility with Debian's uWSGI 2.0 TunTap plugin, both ways: a real uWSGI
instance with `tuntap-device` attaches to our router's socket, and our UwsgiBridge
attaches to a real uWSGI `tuntap-router`."""

import os
import shutil
import subprocess

from harness import Test, skip, wait_for
from routerlib import Topology, configure, ip, ping, tcp_transfer

UWSGI = os.environ.get("UWSGI", "/usr/bin/uwsgi-core")
PLUGINS = "/usr/lib/uwsgi/plugins"


def start_uwsgi(t, ns, name, lines):
    ini = t.write(f"{name}.ini", "[uwsgi]\n" + "\n".join(
        [f"plugins-dir = {PLUGINS}", "plugin = tuntap", "master = true", "die-on-term = true",
         "processes = 1", f"socket = 127.0.0.1:{3031}"] + lines) + "\n")
    log = open(t.path(f"{name}.log"), "w")
    t.defer(log.close)
    proc = t.spawn(t.in_netns(ns, [UWSGI, "--ini", ini]), stdout=log, stderr=subprocess.STDOUT)
    return proc


def uwsgi_log(t, name):
    with open(t.path(f"{name}.log")) as f:
        return f.read()[-3000:]


with Test("tuntap router: interop with uWSGI 2.0's TunTap plugin, both directions") as t:
    if not (shutil.which(UWSGI) and os.path.exists(os.path.join(PLUGINS, "tuntap_plugin.so"))):
        skip("uwsgi-core with tuntap_plugin.so is not installed")
    topo = Topology(t)
    d = topo.driver
    e = topo.ens

    # 1. A uWSGI vassal attaches to our router. uWSGI 2.0.21 only creates the device in
    #    its post-jail phase (jailed = true), must drop privileges, and dies if an IPv6
    #    packet reaches a uWSGI router; ours would drop those, but keep the config uWSGI's.
    v = t.netns("tt-uwsgi-vassal")
    start_uwsgi(t, v, "vassal", [
        "jailed = true",
        f"tuntap-device = uwsgi0 {topo.socket}",
        "exec-as-root = sysctl -q -w net.ipv6.conf.all.disable_ipv6=1",
        "exec-as-root = ip link set lo up",
        "exec-as-root = ip addr replace 10.77.0.30/24 dev uwsgi0",
        "exec-as-root = ip link set uwsgi0 up",
        "uid = nobody", "gid = nogroup"])
    try:
        wait_for(lambda: "10.77.0.30" in t.run(["ip", "-n", v, "addr"], check=False).stdout, timeout=15,
                 what="uWSGI vassal's uwsgi0 address")
    except Exception:
        raise AssertionError(f"uWSGI vassal did not come up:\n{uwsgi_log(t, 'vassal')}")
    wait_for(lambda: ping(t, v, "10.77.0.1", count=1), timeout=10, what="uWSGI vassal pinging emperor0")
    peer = [p for p in d.router()["peers"] if p["kind"] == "socket"]
    t.check_eq(len(peer), 1, "the uWSGI vassal is a socket peer")
    t.check_eq(peer[0]["addresses"], ["10.77.0.30"], "its address learned")
    tcp_transfer(t, e, "10.77.0.1", v, 2 << 20, port=5330)   # uWSGI vassal -> emperor0
    tcp_transfer(t, v, "10.77.0.30", e, 8 << 20, port=5331)  # emperor0 -> uWSGI vassal (segmented)
    t.check(ping(t, v, "10.77.0.1"), "uWSGI vassal still attached after bulk emperor->vassal TCP")

    # 2. Our bridge attaches to a uWSGI TunTap router.
    r = t.netns("tt-uwsgi-router")
    usock = t.path("uwsgi-router.sock")
    start_uwsgi(t, r, "router", [f"tuntap-router = uemp0 {usock}"])
    try:
        wait_for(lambda: os.path.exists(usock) and
                 "uemp0" in t.run(["ip", "-n", r, "link"], check=False).stdout, timeout=15,
                 what="uWSGI router device and socket")
    except Exception:
        raise AssertionError(f"uWSGI router did not come up:\n{uwsgi_log(t, 'router')}")
    t.run(["ip", "netns", "exec", r, "sysctl", "-q", "-w", "net.ipv6.conf.uemp0.disable_ipv6=1"])
    configure(t, r, "uemp0", ["10.79.0.1/24"])
    b = t.netns("tt-bridge")
    d.bridge(b, "u0", usock)
    configure(t, b, "u0", ["10.79.0.2/24"])
    wait_for(lambda: ping(t, b, "10.79.0.1", count=1), timeout=10, what="bridge pinging the uWSGI router")
    t.check(ping(t, r, "10.79.0.2"), "uWSGI router side pings our bridged vassal")
    tcp_transfer(t, r, "10.79.0.1", b, 2 << 20, port=5332)   # our vassal -> uWSGI router
    tcp_transfer(t, b, "10.79.0.2", r, 1 << 20, port=5333)   # uWSGI router -> our vassal
    stats = list(d.bridges().values())[0]
    t.check("error" not in stats, f"bridge healthy: {stats}")
    t.check(stats["drops"]["link_scope"] >= 0 and stats["to_router_packets"] > 100, f"bridge stats: {stats}")
