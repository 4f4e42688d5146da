"""Routing through the router: ping and TCP vassal<->emperor0 and vassal<->vassal, over
IPv4 and IPv6; an unknown destination is dropped and counted; stats show it all."""

from harness import Test
from routerlib import Topology, drops, ping, tcp_transfer

with Test("tuntap router: routing v4/v6, vassal<->emperor0 and vassal<->vassal") as t:
    topo = Topology(t)
    a, a_id = topo.vassal("a", 2)
    b, b_id = topo.vassal("b", 3)
    e = topo.ens

    for src, dst in ((a, "10.77.0.1"), (e, "10.77.0.2"), (a, "10.77.0.3"), (b, "10.77.0.2"),
                     (a, "fd77::1"), (e, "fd77::2"), (a, "fd77::3")):
        t.check(ping(t, src, dst), f"ping {dst} from {src}")

    mb = 16 << 20
    tcp_transfer(t, e, "10.77.0.1", a, mb, port=5301)       # vassal -> emperor0 (TSO pass-through)
    tcp_transfer(t, a, "10.77.0.2", e, mb, port=5302)       # emperor0 -> vassal
    tcp_transfer(t, b, "10.77.0.3", a, mb, port=5303)       # vassal -> vassal, direct
    tcp_transfer(t, e, "fd77::1", b, mb, port=5304)         # IPv6
    tcp_transfer(t, a, "fd77::2", b, mb, port=5305)         # IPv6 vassal -> vassal

    # Nobody owns 10.77.0.50: the router drops what emperor0 sends there, and counts it.
    before = drops(topo.driver.router(), "no_route")
    t.check(not ping(t, e, "10.77.0.50", count=2), "ping to an unknown vassal address must fail")
    r = topo.driver.router()
    t.check(drops(r, "no_route") >= before + 2, f"no_route drops counted: {r['drops']}")

    peers = {p["id"]: p for p in r["peers"]}
    t.check_eq(sorted(peers), sorted([a_id, b_id]), "peer ids in stats")
    pa = peers[a_id]
    t.check_eq(pa["kind"], "vassal", "peer kind")
    t.check_eq(pa["vassal"], "a", "peer vassal name")
    t.check_eq(sorted(pa["addresses"]), ["10.77.0.2", "fd77::2"], "declared addresses")
    t.check(pa["rx_bytes"] > mb and pa["tx_bytes"] > mb, f"peer byte counters: {pa}")
    t.check(r["rx_packets"] > 0 and r["tx_packets"] > 0, "router device counters")
    t.check(topo.driver.events() == [], "no peer closed")

    # A vassal device without vnet headers: super-packets toward it are cut in software.
    c, c_id = topo.vassal("c", 4, vnet=False, queues=1)
    tcp_transfer(t, c, "10.77.0.4", e, 8 << 20, port=5306)   # emperor0 (TSO) -> plain tun
    tcp_transfer(t, c, "10.77.0.4", a, 8 << 20, port=5307)   # vnet vassal -> plain tun
    tcp_transfer(t, e, "10.77.0.1", c, 4 << 20, port=5308)   # plain tun -> emperor0
    pc = topo.driver.peer(c_id)
    t.check_eq(pc["vnet_hdr"], False, "vassal c has no vnet header")
    t.check(pc["tx_packets"] > (8 << 20) // 1500, f"segments written to c: {pc}")
    t.check_eq(drops(pc, "segmentation"), 0, "no segmentation failures")

    # A vassal whose link is down refuses writes: counted, never a teardown.
    t.run(["ip", "-n", b, "link", "set", "v0", "down"])
    t.check(not ping(t, e, "10.77.0.3", count=2), "nothing reaches a downed vassal")
    t.run(["ip", "-n", b, "link", "set", "v0", "up"])
    t.run(["ip", "-n", b, "addr", "replace", "fd77::3/64", "dev", "v0", "nodad"])
    t.check(ping(t, e, "10.77.0.3"), "the vassal is reachable again once its link is up")
    t.check(any(p["id"] == b_id for p in topo.driver.router()["peers"]), "b still attached")
    t.check_eq(topo.driver.events(), [], "no peer closed")
