"""The router's own addresses and subnet: no peer may claim an address of emperor0 (socket
peers are closed, vassals refused), nor a loopback/multicast one; a loaded vassal file's
net-address is reserved for it; unowned addresses in emperor0's subnet are no_route drops;
a frame cut short by EOF is malformed; a deleted router device shows as no longer served."""

import socket
import struct

from harness import Test, wait_for
from routerlib import SocketPeer, Topology, drops, frame, icmp_echo, ip, ping, wait_event


def udp6(src, dst, payload=b"emperor"):
    """An IPv6 UDP datagram (the router checks headers, not transport checksums)."""
    udp = struct.pack("!HHHH", 4000, 4001, 8 + len(payload), 0) + payload
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64, socket.inet_pton(socket.AF_INET6, src),
                      socket.inet_pton(socket.AF_INET6, dst))
    return hdr + udp


with Test("tuntap router: its own addresses, its subnet, reservations, mid-frame EOF, a lost device") as t:
    topo = Topology(t)  # emperor0 gets 10.77.0.1/24 and fd77::1/64 after the router started
    d = topo.driver
    wait_for(lambda: sorted(d.router()["addresses"]) == ["10.77.0.1/24", "fd77::1/64"],
             what=f"emperor0's addresses read by the router: {d.router()}")
    a, a_id = topo.vassal("a", 2)

    # A socket peer whose first packet comes from the router's own address is refused.
    for src, pkt in (("10.77.0.1", icmp_echo("10.77.0.1", "10.77.0.2")),
                     ("fd77::1", udp6("fd77::1", "fd77::2"))):
        thief = SocketPeer(topo.socket)
        thief.send(frame(pkt))
        t.check(thief.closed_by_router(), f"a socket peer claiming the router's {src} is closed")
        wait_event(t, d, f"address {src} is the router's own (an address of device 'emperor0'): refused")
        thief.close()
    t.check(ping(t, a, "10.77.0.1") and ping(t, a, "fd77::1"), "the router's addresses still lead to emperor0")
    t.check_eq(sorted(p["kind"] for p in d.router()["peers"]), ["vassal"], "no socket peer kept")

    # ... and so is a vassal declaring it, with a clear error.
    other = t.netns("tt-thief")
    for addr in ("10.77.0.1/24", "fd77::1/64"):
        r = d.call(expect_ok=False, cmd="attach", vassal="thief", netns=other, device="v0",
                   socket=topo.socket, addresses=[addr])
        bare = addr.split("/")[0]
        t.check_eq(r.get("error"), f"attach vassal 'thief': address {bare} is the router's own "
                   "(an address of device 'emperor0')", "a vassal declaring the router's address")

    # An address put on emperor0 later is the router's too (the netlink watch, or the
    # re-read at learning time).
    ip(t, topo.ens, "addr", "add", "10.77.0.254/24", "dev", "emperor0")
    late = SocketPeer(topo.socket)
    late.send(frame(icmp_echo("10.77.0.254", "10.77.0.2")))
    t.check(late.closed_by_router(), "a socket peer claiming an address added later is closed")
    wait_event(t, d, "address 10.77.0.254 is the router's own")
    t.check(ping(t, a, "10.77.0.254"), "the added address is reached on emperor0")

    # Loopback and multicast sources are never learned; such addresses are never declared.
    for src, reason in (("127.0.0.1", "a loopback address"), ("224.0.0.9", "a multicast address")):
        lo = SocketPeer(topo.socket)
        lo.send(frame(icmp_echo(src, "10.77.0.1")))
        t.check(lo.closed_by_router(), f"a socket peer sending from {src} is closed")
        wait_event(t, d, f"address {src} is {reason}: refused")
        lo.close()
    lo6 = SocketPeer(topo.socket)
    lo6.send(frame(udp6("::1", "fd77::1")))
    t.check(lo6.closed_by_router(), "a socket peer sending from ::1 is closed")
    wait_event(t, d, "address ::1 is a loopback address: refused")
    r = d.call(expect_ok=False, cmd="attach", vassal="lo", netns=other, device="v1",
               socket=topo.socket, addresses=["127.0.0.2/8"])
    t.check_eq(r.get("error"), "attach vassal 'lo': address 127.0.0.2 is a loopback address",
               "a vassal declaring a loopback address")

    # Inside emperor0's subnet an address nobody owns is a counted no_route drop (the host
    # would drop it unseen); outside it, traffic still leaves through emperor0.
    before_router, before_a = drops(d.router(), "no_route"), drops(d.peer(a_id), "no_route")
    t.check(not ping(t, a, "10.77.0.99", count=2, timeout=5), "nobody answers 10.77.0.99")
    t.check(not ping(t, a, "fd77::99", count=2, timeout=5), "nobody answers fd77::99")
    t.check(drops(d.router(), "no_route") >= before_router + 4, f"router no_route drops: {d.router()['drops']}")
    t.check(drops(d.peer(a_id), "no_route") >= before_a + 4, f"a's no_route drops: {d.peer(a_id)['drops']}")

    # A loaded vassal file's net-address is reserved: no socket peer may learn it while
    # that vassal is not attached; the vassal itself attaches.
    d.call(cmd="reserve", reservations=[{"vassal": "r", "socket": topo.socket, "addresses": ["10.77.0.40/24"]}])
    squatter = SocketPeer(topo.socket)
    squatter.send(frame(icmp_echo("10.77.0.40", "10.77.0.1")))
    t.check(squatter.closed_by_router(), "a socket peer claiming a reserved address is closed")
    wait_event(t, d, "address 10.77.0.40 is reserved for vassal 'r' (its net-address): refused")
    rns, r_id = topo.vassal("r", 40, v6=False)
    t.check(ping(t, rns, "10.77.0.1"), "the vassal the address is reserved for attaches and routes")
    fine = SocketPeer(topo.socket)
    fine.send(frame(icmp_echo("10.77.0.41", "10.77.0.1")))
    t.check(fine.recv_frame() is not None, "an unreserved address is still learned")
    fine.close()

    # A frame cut short by EOF: named as such, counted as malformed.
    before = drops(d.router(), "malformed")
    cut = SocketPeer(topo.socket)
    cut.send(frame(icmp_echo("10.77.0.42", "10.77.0.1"))[:14])
    cut.s.shutdown(socket.SHUT_WR)
    wait_event(t, d, "closed the connection mid-frame (14 bytes of an incomplete frame)")
    t.check_eq(drops(d.router(), "malformed"), before + 1, "the cut frame counted as malformed")
    cut.close()
    clean = SocketPeer(topo.socket)
    clean.close()
    seen = wait_event(t, d, "closed the connection")
    t.check(not any("mid-frame" in e["message"] for e in seen), f"a clean close is just closed: {seen}")

    # The router device deleted under the router: the router says it is no longer served.
    t.check(d.router()["served"] is True and d.router()["error"] is None, "served before")
    ip(t, topo.ens, "link", "del", "emperor0")
    wait_for(lambda: d.router()["served"] is False, timeout=10, what=f"router marked not served: {d.router()}")
    t.check("read:" in d.router()["error"], f"the error says why: {d.router()['error']}")
    wait_event(t, d, "queue no longer served")
    t.check(d.alive(), "the router process survives its device")
