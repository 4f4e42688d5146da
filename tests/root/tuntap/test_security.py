"""Anti-spoofing, address hijack refused (vassal and socket peers), peer credentials
recorded, IPv6 link-scope control traffic dropped quietly and counted."""

import os

from harness import Test, wait_for
from routerlib import SocketPeer, Topology, drops, frame, icmp_echo, ip, ping, wait_event

with Test("tuntap router: anti-spoofing, hijack refused, SO_PEERCRED, IPv6 control traffic") as t:
    topo = Topology(t)
    d = topo.driver
    a, a_id = topo.vassal("a", 2)

    # A source the vassal did not declare: the router drops it and counts it.
    ip(t, a, "addr", "add", "10.77.0.99/32", "dev", "v0")
    t.check(not ping(t, a, "10.77.0.1", count=3, source="10.77.0.99"), "spoofed ping must not get through")
    t.check(drops(d.peer(a_id), "spoofed") >= 3, f"spoofed drops: {d.peer(a_id)['drops']}")
    t.check(ping(t, a, "10.77.0.1"), "the vassal's own address still works")

    # Another vassal declaring a's address is refused; a keeps it.
    other = t.netns("tt-hijack")
    r = d.call(expect_ok=False, cmd="attach", vassal="thief", netns=other, device="v0",
               socket=topo.socket, addresses=["10.77.0.2/24"])
    t.check(not r["ok"], "attaching with an address in use must fail")
    t.check_eq(r["error"], "attach vassal 'thief': address 10.77.0.2 is in use by vassal 'a'",
               "hijack refusal message")
    t.check(ping(t, a, "10.77.0.1"), "the first owner is never evicted")

    # A socket peer learns its first routable source; one claiming a's address is closed.
    good = SocketPeer(topo.socket)
    good.send(frame(icmp_echo("10.77.0.50", "10.77.0.1")))
    reply = good.recv_frame()
    t.check(reply is not None and reply[20] == 0, "echo reply to the learning socket peer")
    peers = d.router()["peers"]
    sp = [p for p in peers if p["kind"] == "socket"]
    t.check_eq(len(sp), 1, "one socket peer")
    t.check_eq(sp[0]["addresses"], ["10.77.0.50"], "learned address")
    t.check_eq(sp[0]["pid"], os.getpid(), "SO_PEERCRED pid recorded")
    t.check_eq(sp[0]["uid"], os.getuid(), "SO_PEERCRED uid recorded")
    # Later packets from another source are spoofed, not re-learned.
    good.send(frame(icmp_echo("10.77.0.51", "10.77.0.1")))
    wait_for(lambda: drops([p for p in d.router()["peers"] if p["kind"] == "socket"][0], "spoofed") == 1,
             what="the socket peer's spoofed drop")

    thief = SocketPeer(topo.socket)
    thief.send(frame(icmp_echo("10.77.0.2", "10.77.0.1")))
    t.check(thief.closed_by_router(), "a socket peer claiming a vassal's address is closed")
    wait_event(t, d, "address 10.77.0.2 is in use by vassal 'a': refused")
    thief2 = SocketPeer(topo.socket)
    thief2.send(frame(icmp_echo("10.77.0.50", "10.77.0.1")))
    t.check(thief2.closed_by_router(), "a socket peer claiming another socket peer's address is closed")
    t.check(ping(t, a, "10.77.0.1") and ping(t, topo.ens, "10.77.0.50", count=1) is not None,
            "owners unaffected")
    good.send(frame(icmp_echo("10.77.0.50", "10.77.0.1", seq=2)))
    t.check(good.recv_frame() is not None, "the first socket peer keeps its address")

    # IPv6 link-scope control traffic (RS, MLD, ND) never reaches anyone and is counted:
    # toggling the link makes the vassal's kernel send some.
    before = drops(d.peer(a_id), "link_scope")
    ip(t, a, "link", "set", "v0", "down")
    ip(t, a, "link", "set", "v0", "up")
    ip(t, a, "addr", "replace", "fd77::2/64", "dev", "v0", "nodad")  # link down flushed it
    ip(t, a, "addr", "add", "fd77::abcd/64", "dev", "v0")  # DAD + MLD for a new address
    ping(t, a, "ff02::1%v0", count=1)  # all-nodes multicast: link scope, never forwarded
    wait_for(lambda: drops(d.peer(a_id), "link_scope") > before, timeout=10,
             what="link-scope drops counted")
    t.check(ping(t, a, "fd77::1", source="fd77::2"), "IPv6 still routed after control traffic")
    t.check_eq([e for e in d.events() if "vassal 'a'" in e["peer"]], [], "the vassal was never closed")
