"""End to end through the real emperor: `tuntap-router` in the emperor's config and
`tuntap-device` + `net-address` in vassal files. The vassals' tun fds reach the router
over their channels; ping and TCP emperor0<->vassal and vassal<->vassal, a vassal's own
firewall, stats under each vassal's `net`, a killed vassal coming back attached; the
router section of `emperor status`, a vassal declaring the router's own address refused,
and a deleted emperor0 shown as no longer served."""

import os
import signal
import subprocess
import sys

from harness import Emperor, Test, wait_for
from routerlib import NETTOOL, drops, nettool

with Test("tuntap router: end to end through the emperor") as t:
    ens = t.netns("tt-emperor")
    sock = t.path("router.sock")
    conf = t.write("emperor.ini", f"""[emperor]
emperor-use-clone = ipc,uts,pid,net
tuntap-router = emperor0 {sock}
tuntap-router-address = 10.88.0.1/24
""")
    emp = Emperor(t, config=conf, netns=ens)
    emp.wait_ready()

    def vassal(name, index, extra=""):
        t.write(os.path.join(emp.vassals_dir, f"{name}.ini"), f"""[uwsgi]
tuntap-device = v0 {sock}
net-address = 10.88.0.{index}/24
command = exec sleep 1000
reload-mercy = 2
{extra}""")

    vassal("a", 2)
    vassal("b", 3, "tuntap-firewall-in = deny any 10.88.0.3 proto icmp\n")
    for name in ("a", "b"):
        emp.wait_state(name, "running", timeout=20)

    def in_vassal(name, argv):
        pid = emp.vassal(name)["pid"]
        return ["nsenter", "-t", str(pid), "-n"] + argv

    def ping_from(argv_prefix, addr, count=3):
        argv = argv_prefix + [sys.executable, NETTOOL, "ping", addr, str(count), ""]
        return subprocess.run(argv, capture_output=True, timeout=20).returncode == 0

    wait_for(lambda: ping_from(["ip", "netns", "exec", ens], "10.88.0.2", 1), timeout=10,
             what=f"emperor0 -> vassal a; log:\n{emp.output()[-2000:]}")
    t.check(ping_from(in_vassal("a", []), "10.88.0.1"), "vassal a -> emperor0")
    t.check(not ping_from(in_vassal("a", []), "10.88.0.3", 2), "b's own in chain denies ICMP from a")

    # TCP emperor0 -> vassal a, checksummed, through the router.
    sink = subprocess.Popen(in_vassal("a", [sys.executable, NETTOOL, "tcp-sink", "10.88.0.2", "5400", "30"]),
                            stdout=subprocess.PIPE, text=True)
    t.defer(lambda: sink.poll() is None and sink.kill())
    wait_for(lambda: sink.stdout.readline().strip() == "ready", what="sink in vassal a")
    src = t.run(nettool(t, ens, "tcp-source", "10.88.0.2", 5400, 16 << 20, 30), timeout=40)
    out, _ = sink.communicate(timeout=30)
    t.check_eq(out.split(), src.stdout.split(), "bytes and digest received by vassal a")

    st = emp.status()
    net_a = emp.vassal("a")["net"]
    t.check(net_a and net_a["kind"] == "vassal" and net_a["addresses"] == ["10.88.0.2"], f"a's net: {net_a}")
    t.check(net_a["tx_bytes"] > 16 << 20, f"a's counters: {net_a}")
    net_b = emp.vassal("b")["net"]
    t.check(drops(net_b, "firewall_in") >= 2, f"b's firewall drops: {net_b}")
    t.check_eq([r["device"] for r in st["routers"]], ["emperor0"], "router in status")

    # A killed vassal is detached, respawned and attached again with its address.
    old = emp.vassal("a")
    os.kill(old["pid"], signal.SIGKILL)
    wait_for(lambda: (emp.vassal("a") or {}).get("pid") not in (None, old["pid"]) and
             emp.vassal("a")["state"] == "running", timeout=20, what="vassal a respawned")
    wait_for(lambda: ping_from(["ip", "netns", "exec", ens], "10.88.0.2", 1), timeout=15,
             what="the respawned vassal a reachable again")
    peers = emp.status()["routers"][0]["peers"]
    t.check_eq(sorted(p["vassal"] for p in peers), ["a", "b"], "one peer per vassal after the respawn")

    # Plain `emperor status` has a router section under the vassal table.
    plain = emp.cli("status").stdout
    t.check_in(f"router emperor0 on {sock}: serving, 2 peers (2 vassals, 0 sockets)", plain,
               "the router line of `emperor status`")
    t.check_eq(emp.status()["routers"][0]["addresses"], ["10.88.0.1/24"], "the router's own address")

    # A vassal declaring the router's own address fails visibly, with the reason.
    vassal("thief", 1)
    emp.wait_state("thief", "failed", timeout=20)
    t.check_in("address 10.88.0.1 is the router's own (an address of device 'emperor0')",
               emp.vassal("thief")["last_error"] or "", "the thief's last_error")
    os.unlink(os.path.join(emp.vassals_dir, "thief.ini"))
    emp.wait_gone("thief", timeout=20)

    # The router device deleted: the router shows as no longer served, in both outputs.
    t.run(["ip", "-n", ens, "link", "del", "emperor0"])
    wait_for(lambda: emp.status()["routers"][0]["served"] is False, timeout=10,
             what="the router marked not served in status --json")
    plain = emp.cli("status")
    t.check_in("router emperor0 on " + sock + ": NOT SERVED (read: ", plain.stdout, "the lost router's line")
    t.check_eq(plain.returncode, 0, "exit status of `emperor status` (vassals all running)")
