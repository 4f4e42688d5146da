"""The router survives 100 vassals attaching and detaching in a loop (with socket peers
coming and going) while traffic flows, closes every fd it was handed, and a vassal
killed mid-transfer closes only that peer."""

import os
import subprocess
import time

from harness import Test, wait_for
from routerlib import SocketPeer, Topology, configure, frame, icmp_echo, nettool, ping, tcp_transfer


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def driver_pid(d):
    # ip netns exec execs the driver: the spawned pid is the driver itself.
    return d.proc.pid


with Test("tuntap router: 100 vassals attach/detach under traffic; a vassal killed mid-transfer") as t:
    topo = Topology(t)
    d = topo.driver
    e = topo.ens
    a, a_id = topo.vassal("a", 2)
    churn = t.netns("tt-churn")
    fds_before = fd_count(driver_pid(d))

    # Background traffic through a for the whole loop.
    sink = subprocess.Popen(nettool(t, a, "tcp-sink", "10.77.0.2", 5320, 60), stdout=subprocess.PIPE, text=True)
    t.defer(lambda: sink.poll() is None and sink.kill())
    wait_for(lambda: sink.stdout.readline().strip() == "ready", what="tcp sink")
    source = subprocess.Popen(nettool(t, e, "tcp-source", "10.77.0.2", 5320, 400 << 20, 60),
                              stdout=subprocess.PIPE, text=True)
    t.defer(lambda: source.poll() is None and source.kill())

    for i in range(100):
        pid = d.attach(f"c{i}", churn, f"c{i}", topo.socket, [f"10.77.1.{i + 1}/32", f"fd77:1::{i + 1}/128"])
        if i % 10 == 0:
            peer = SocketPeer(topo.socket)
            # The same address each time: a closed peer's learned address is free again.
            peer.send(frame(icmp_echo("10.77.0.200", "10.77.0.1")))
            t.check(peer.recv_frame() is not None, "socket peer served during churn")
            peer.close()
        if i % 25 == 0:
            # A fresh one in its own namespace, with traffic through it.
            ns = t.netns("tt-churnping")
            pid2 = d.attach(f"p{i}", ns, "p0", topo.socket, ["10.77.0.150/24"])
            configure(t, ns, "p0", ["10.77.0.150/24"])
            t.check(ping(t, ns, "10.77.0.1", count=2), f"churn vassal p{i} reaches emperor0")
            d.detach(pid2)
        d.detach(pid)

    out, _ = source.communicate(timeout=90)
    t.check(source.returncode == 0, "background TCP through vassal a survived the churn")
    sink.wait(timeout=30)
    t.check(ping(t, a, "10.77.0.1"), "vassal a still routed")
    peers = d.router()["peers"]
    t.check_eq([p["id"] for p in peers], [a_id], "only vassal a is attached after the loop")
    # Every handed-over fd is closed once the grace period has passed: the devices vanish.
    wait_for(lambda: t.run(["ip", "-n", churn, "-o", "link"]).stdout.count("\n") == 1, timeout=10,
             what="every churned tun device to be gone")
    wait_for(lambda: fd_count(driver_pid(d)) <= fds_before, timeout=10,
             what=f"the router's fd count back to {fds_before}")
    t.check_eq([ev for ev in d.events() if "vassal" in ev["peer"]], [], "no vassal closed with an event")

    # A vassal killed mid-transfer: its namespace (and tun) vanish under the router.
    k = t.netns("tt-killed")
    k_id = d.attach("killed", k, "v0", topo.socket, ["10.77.0.9/24"])
    configure(t, k, "v0", ["10.77.0.9/24"])
    ksink = subprocess.Popen(nettool(t, k, "tcp-sink", "10.77.0.9", 5321, 30), stdout=subprocess.PIPE, text=True)
    wait_for(lambda: ksink.stdout.readline().strip() == "ready", what="tcp sink in the doomed vassal")
    ksource = subprocess.Popen(nettool(t, e, "tcp-source", "10.77.0.9", 5321, 2 << 30, 20),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.defer(lambda: ksource.poll() is None and ksource.kill())
    time.sleep(0.7)
    ksink.kill()
    ksink.wait()
    subprocess.run(["ip", "netns", "del", k], check=True)
    # The router's own fd keeps the dead vassal's namespace (and device) alive until the
    # emperor detaches it: nothing to close before that, and nobody else may notice.
    t.check(ping(t, a, "10.77.0.1"), "vassal a unaffected while the dead vassal is attached")
    fds_with_k = fd_count(driver_pid(d))
    d.detach(k_id)  # what the emperor does when it reaps the vassal
    t.check(all(p["id"] != k_id for p in d.router()["peers"]), "the killed vassal's peer is gone")
    wait_for(lambda: fd_count(driver_pid(d)) < fds_with_k, timeout=10,
             what="the killed vassal's tun fds to be closed")
    ksource.kill()
    t.check(ping(t, a, "10.77.0.1"), "vassal a unaffected by the killed vassal")
    tcp_transfer(t, e, "10.77.0.1", a, 4 << 20, port=5322)
    t.check(d.alive(), "router driver alive")
