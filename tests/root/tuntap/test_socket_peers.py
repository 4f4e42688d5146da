"""uWSGI-framed socket peers: garbage closes that one peer with a reason and touches
nobody else; a peer that stops reading gets counted drops, never a teardown, and stalls
nobody; super-packets toward a socket peer are segmented in software, correctly."""

import subprocess
import time

from harness import Test, wait_for
from routerlib import (SocketPeer, Topology, configure, drops, frame, icmp_echo, nettool, ping,
                       tcp_transfer, wait_event)

GARBAGE = [
    (frame(b"x" * 20, modifier1=5), "invalid frame header: modifier1 is 5 (expected 0)"),
    (frame(b"x" * 20, modifier2=7), "invalid frame header: modifier2 is 7 (expected 0 for a packet or 1 for rules)"),
    (frame(b"", length=20000), "invalid frame header: length 20000 exceeds the limit of 16384"),
    (frame(b""), "invalid frame header: empty frame"),
    (frame(b"\x45\x00\x00"), "malformed packet: truncated IPv4 header: 3 bytes"),
    (frame(b"\x10not an IP packet at all"), "malformed packet: not an IP packet: version 1"),
    (frame(icmp_echo("10.77.0.60", "10.77.0.1")[:-4] + b"\x00" * 8),
     "malformed packet: IPv4 total length 47 does not match the 51 bytes received"),
    (frame(b"\x60" + b"\x00" * 20), "malformed packet: truncated IPv6 header: 21 bytes"),
]

with Test("tuntap router: socket peers: garbage, backpressure, software segmentation") as t:
    topo = Topology(t)
    d = topo.driver
    e = topo.ens
    a, a_id = topo.vassal("a", 2)

    # Garbage: each bad peer is closed with its reason; a keeps working throughout.
    for data, reason in GARBAGE:
        bad = SocketPeer(topo.socket)
        bad.send(data)
        t.check(bad.closed_by_router(), f"router closes the peer that sent {data[:8]!r}")
        wait_event(t, d, reason)
        bad.close()
    half = SocketPeer(topo.socket)
    half.send(b"\x00\x10")  # half a header, then gone
    half.close()
    wait_event(t, d, "closed the connection")
    t.check(ping(t, a, "10.77.0.1"), "the vassal is untouched by the garbage")
    t.check_eq([p["kind"] for p in d.router()["peers"]], ["vassal"], "only the vassal is left")

    # A rules block (what uWSGI vassals may send) is ignored and counted, not fatal.
    rules = SocketPeer(topo.socket)
    rules.send(frame(b"\x00" * 16, modifier2=1) + frame(icmp_echo("10.77.0.61", "10.77.0.1")))
    t.check(rules.recv_frame() is not None, "the peer that sent rules is still served")
    sp = [p for p in d.router()["peers"] if p["kind"] == "socket"][0]
    t.check_eq(drops(sp, "rules_block"), 1, "rules block counted")
    rules.close()

    # Backpressure: a peer that never reads. Flood it from emperor0; its queue fills,
    # drops are counted, it is not torn down, and the vassal's TCP is not stalled.
    slow = SocketPeer(topo.socket)
    slow.send(frame(icmp_echo("10.77.0.62", "10.77.0.1")))
    wait_for(lambda: any(p.get("addresses") == ["10.77.0.62"] for p in d.router()["peers"]),
             what="the slow peer's address learned")
    flood = subprocess.Popen(nettool(t, e, "udp-flood", "10.77.0.62", 9999, 40000, 1400),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t.defer(lambda: flood.poll() is None and flood.kill())
    tcp_transfer(t, a, "10.77.0.2", e, 8 << 20, port=5310)
    flood.wait(timeout=60)
    slow_stats = [p for p in d.router()["peers"] if p.get("addresses") == ["10.77.0.62"]]
    t.check(len(slow_stats) == 1, "the slow peer is still attached")
    t.check(drops(slow_stats[0], "queue_full") > 0, f"queue_full drops counted: {slow_stats[0]['drops']}")
    t.check(not any("10.77.0.62" in ev["peer"] or "pid" in ev["peer"] and "write" in ev["message"]
                    for ev in d.events()), "no teardown of the slow peer")
    got = 0
    slow.s.settimeout(2)
    try:
        while got < 100:
            if slow.recv_frame() is None:
                break
            got += 1
    except OSError:
        pass
    t.check(got >= 100, f"the slow peer reads its queued packets later ({got})")
    slow.close()

    # Software segmentation: a vassal attached through a UwsgiBridge (plain tun, uWSGI
    # framing) receives emperor0's TSO super-packets cut to MTU size, checksums right.
    s = t.netns("tt-bridge")
    d.bridge(s, "u0", topo.socket)
    configure(t, s, "u0", ["10.77.0.20/24"])
    t.check(ping(t, s, "10.77.0.1"), "bridged vassal reaches emperor0")
    tcp_transfer(t, s, "10.77.0.20", e, 8 << 20, port=5311)   # emperor0 -> socket peer (segmented)
    tcp_transfer(t, e, "10.77.0.1", s, 8 << 20, port=5312)    # socket peer -> emperor0
    tcp_transfer(t, s, "10.77.0.20", a, 4 << 20, port=5313)   # vassal (vnet) -> socket peer
    bridge = list(d.bridges().values())[0]
    t.check("error" not in bridge, f"bridge healthy: {bridge}")
    t.check(bridge["from_router_packets"] > (8 << 20) // 1500, f"segments delivered: {bridge}")
    sp = [p for p in d.router()["peers"] if p.get("addresses") == ["10.77.0.20"]][0]
    t.check_eq(drops(sp, "segmentation"), 0, "no segmentation failures")
