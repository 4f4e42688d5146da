"""What the router refuses, and says so: a socket another router listens on, a device name
too long, an unknown router socket, an address given twice. A failed start leaves no
device and no socket file behind, and never removes another router's socket."""

import os

from harness import Test
from routerlib import RouterDriver, Topology

with Test("tuntap router: refusals at start and attach") as t:
    topo = Topology(t)
    other_ns = t.netns("tt-second")
    # A second router on the same socket path: refused; the first keeps its socket.
    d2 = RouterDriver(t, other_ns, [{"device": "emperor9", "socket": t.path("other.sock")}])
    r = d2.call(expect_ok=False, cmd="start", routers=[{"device": "emperor8", "socket": topo.socket}])
    t.check(not r["ok"], "a second router on a live socket must fail")
    t.check_eq(r["error"], f"start router 'emperor8': bind '{topo.socket}': another process is listening there",
               "socket in use message")
    t.check(os.path.exists(topo.socket), "the first router's socket file is still there")
    links = t.run(["ip", "-n", other_ns, "-o", "link"]).stdout
    t.check("emperor8" not in links, f"the failed start left no device: {links}")

    r = d2.call(expect_ok=False, cmd="start", routers=[{"device": "x" * 16, "socket": t.path("x.sock")}])
    t.check_eq(r["error"], "start router '" + "x" * 16 + "': open tun '" + "x" * 16 +
               "': the name must have 1..15 characters", "long device name message")
    t.check(not os.path.exists(t.path("x.sock")), "no socket file left by a failed start")

    d = topo.driver
    ns = t.netns("tt-refused")
    r = d.call(expect_ok=False, cmd="attach", vassal="v", netns=ns, device="v0", socket="/nonexistent.sock",
               addresses=["10.77.0.5/24"])
    t.check_eq(r["error"], "attach vassal 'v': no router listens on socket '/nonexistent.sock'", "unknown socket")
    r = d.call(expect_ok=False, cmd="attach", vassal="v", netns=ns, device="v1", socket=topo.socket,
               addresses=["10.77.0.5/24", "10.77.0.5/32"])
    t.check_eq(r["error"], "attach vassal 'v': address 10.77.0.5 given twice", "duplicate address")
    t.check_eq(d.router()["peers"], [], "nothing attached by refused attaches")
