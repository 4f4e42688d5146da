"""The firewall through the router: every rule form (host, prefix, any, IPv6, proto,
sport, dport, port range, policy) in the router's in/out chains and in a vassal's own
chains, enforced by the router, with hit counters."""

from harness import Test
from routerlib import Topology, drops, ping, tcp_connects, udp_probe

ROUTER_OUT = [
    "deny 10.77.0.2 10.77.0.1 proto icmp",                 # host -> host, protocol
    "deny 10.77.0.0/24 10.77.0.1 proto tcp dport 6001",    # prefix, dport
    "allow",
]
ROUTER_IN = [
    "deny any 10.77.0.3 proto udp dport 7000-7010",        # any, port range
    "deny fd77::1 fd77::3",                                # IPv6 hosts
    "allow",
]


def hits(chain):
    return {e["rule"]: e["hits"] for e in chain}


with Test("tuntap router: firewall rule forms, router and per-vassal chains, hit counters") as t:
    topo = Topology(t, firewall_in=ROUTER_IN, firewall_out=ROUTER_OUT)
    d = topo.driver
    e = topo.ens
    a, a_id = topo.vassal("a", 2)
    b, b_id = topo.vassal("b", 3, firewall_in=["deny 10.77.0.2 any"],
                          firewall_out=["deny any any proto tcp sport 6100"])
    c, c_id = topo.vassal("c", 4, v6=False, firewall_out=["allow any 10.77.0.1", "deny"])

    # router out: host->host proto icmp
    t.check(not ping(t, a, "10.77.0.1", count=2), "a -> emperor0 ICMP denied by the router's out chain")
    t.check(ping(t, b, "10.77.0.1"), "b -> emperor0 ICMP allowed")
    # router out: prefix + dport
    t.check(not tcp_connects(t, e, "10.77.0.1", a, 6001), "TCP to port 6001 denied")
    t.check(tcp_connects(t, e, "10.77.0.1", a, 6002), "TCP to port 6002 allowed")
    # router in: any + port range
    udp_probe(t, b, "10.77.0.3", e, 7005, expect=False)
    udp_probe(t, b, "10.77.0.3", e, 7011, expect=True)
    # router in: IPv6 host pair
    t.check(not ping(t, e, "fd77::3", count=2), "emperor0 -> fd77::3 denied")
    t.check(ping(t, e, "fd77::2"), "emperor0 -> fd77::2 allowed")
    # b's own in chain (a -> b refused by b's rule, enforced by the router)
    t.check(not ping(t, a, "10.77.0.3", count=2), "a -> b denied by b's own in chain")
    t.check(ping(t, e, "10.77.0.3"), "emperor0 -> b allowed")
    # b's own out chain: sport
    t.check(not tcp_connects(t, e, "10.77.0.1", b, 6200, sport=6100), "b's TCP from sport 6100 denied")
    t.check(tcp_connects(t, e, "10.77.0.1", b, 6201, sport=6101), "b's TCP from sport 6101 allowed")
    # c's own out chain with a deny policy
    t.check(ping(t, c, "10.77.0.1"), "c -> emperor0 allowed")
    t.check(not ping(t, c, "10.77.0.2", count=2), "c -> a denied by c's policy")

    r = d.router()
    out = hits(r["firewall_out"])
    inn = hits(r["firewall_in"])
    t.check(out["deny 10.77.0.2 10.77.0.1 proto icmp"] >= 2, f"router out hits: {out}")
    t.check(out["deny 10.77.0.0/24 10.77.0.1 proto tcp dport 6001"] >= 1, f"router out hits: {out}")
    t.check(out["allow"] > 0, f"router out policy hits: {out}")
    t.check(inn["deny any 10.77.0.3 proto udp dport 7000-7010"] >= 3, f"router in hits: {inn}")
    t.check(inn["deny fd77::1 fd77::3"] >= 2, f"router in hits: {inn}")
    pb = d.peer(b_id)
    t.check(hits(pb["firewall_in"])["deny 10.77.0.2 any"] >= 2, f"b in hits: {pb['firewall_in']}")
    t.check(hits(pb["firewall_out"])["deny any any proto tcp sport 6100"] >= 1, f"b out hits: {pb['firewall_out']}")
    t.check(drops(pb, "firewall_in") >= 2, f"b firewall_in drops: {pb['drops']}")
    pc = d.peer(c_id)
    t.check(hits(pc["firewall_out"])["deny"] >= 2 and hits(pc["firewall_out"])["allow any 10.77.0.1"] >= 3,
            f"c out hits: {pc['firewall_out']}")
    t.check(drops(d.peer(a_id), "firewall_out") >= 2, "a's firewall_out drops counted")
    t.check(drops(r, "firewall_in") >= 3 and drops(r, "firewall_out") >= 4, f"router drops: {r['drops']}")
