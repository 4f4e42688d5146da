"""Listening sockets: bound by the vassal master in the jail before the privilege drop (port 80
for uid nobody), passed to every worker on fds 3.. with LISTEN_FDS, LISTEN_PID (the worker's
own pid), LISTEN_FDNAMES; chmod-socket/chown-socket on unix sockets; the listen queue of TCP
and unix sockets in the heartbeat; binding errors name the address, the reason and the SOCKET
step."""

import os
import stat
import subprocess

from harness import Test
from workers_util import Standalone, children, environ, ini, load, server, wait_until


def ns_pid(host_pid):
    with open(f"/proc/{host_pid}/status") as f:
        for line in f:
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    raise AssertionError("no NSpid")


def socket_inode(pid, fd):
    return os.readlink(f"/proc/{pid}/fd/{fd}")


with Test("sockets: socket activation, ports below 1024, unix sockets, errors") as t:
    ipv6 = os.path.exists("/proc/sys/net/ipv6")
    path = t.path("app.sock")
    sockets = ["127.0.0.1:80"] + (["[::1]:8443"] if ipv6 else []) + [path]
    v = Standalone(t, "sock", ini(command=server(), processes=3, socket=sockets, uid="nobody",
                                  gid="nogroup", chmod_socket="660", chown_socket="nobody:nogroup",
                                  reload_mercy=2))
    beat = v.wait_beat(lambda b: len(b["workers"]) == 3, what="three workers")
    master = v.master()
    workers = wait_until(lambda: len(children(master)) == 3 and children(master), 10, "workers")
    names = ":".join(["127.0.0.1_80"] + (["[__1]_8443"] if ipv6 else []) + [path])
    inodes = None
    slots = set()
    for w in workers:
        env = environ(w)
        t.check_eq(env.get("LISTEN_FDS"), str(len(sockets)), f"LISTEN_FDS of {w}")
        t.check_eq(env.get("LISTEN_PID"), str(ns_pid(w)), f"LISTEN_PID of {w} is its own pid")
        t.check_eq(env.get("LISTEN_FDNAMES"), names, f"LISTEN_FDNAMES of {w}")
        t.check(env.get("NOTIFY_SOCKET", "").startswith("@emperor/sock/"), f"NOTIFY_SOCKET: {env}")
        slots.add(env["EMPEROR_WORKER"])
        t.check_eq(os.stat(f"/proc/{w}").st_uid, 65534, "workers run as nobody")
        mine = [socket_inode(w, 3 + i) for i in range(len(sockets))]
        t.check(all(m.startswith("socket:") for m in mine), f"fds 3.. are sockets: {mine}")
        t.check(inodes is None or mine == inodes, "every worker shares the same sockets")
        inodes = mine
        t.check(not os.path.exists(f"/proc/{w}/fd/{3 + len(sockets)}") or
                not os.readlink(f"/proc/{w}/fd/{3 + len(sockets)}").startswith("socket:"),
                "no other socket leaks into the workers")
    t.check_eq(slots, {"1", "2", "3"}, "EMPEROR_WORKER slots")

    # port 80, served by uid nobody, reached inside the vassal's own network namespace
    r = load(t, master, "127.0.0.1:80", 60, concurrency=6)
    t.check_eq((r["ok"], r["failed"]), (60, 0), f"connections to port 80: {r}")
    t.check_eq(len(r["pids"]), 3, f"all three workers accept: {r['pids']}")

    st = os.stat(path)
    t.check_eq(stat.S_IMODE(st.st_mode), 0o660, "chmod-socket")
    t.check_eq((st.st_uid, st.st_gid), (65534, 65534), "chown-socket")
    beat = v.last()
    t.check_eq(beat["thunder_lock"], "wake-one", "thunder lock mode")
    t.check_eq([(s["fd"], s["name"]) for s in beat["sockets"]],
               [(3 + i, n) for i, n in enumerate(names.split(":"))], "sockets in the heartbeat")
    t.check_eq(beat["sockets"][0]["address"], "127.0.0.1:80", "bound address")

    # the listen queues, as the kernel counts them: TCP_INFO for [::1]:8443, sock_diag for
    # the unix socket. The test server accepts on fd 3 only, so held connections stay queued.
    clients = ("import socket, sys, time\n"
               f"held = [socket.create_connection(('::1', 8443)) for _ in range({2 if ipv6 else 0})]\n"
               "for _ in range(3):\n"
               "    u = socket.socket(socket.AF_UNIX); u.connect(sys.argv[1]); held.append(u)\n"
               "print('held', flush=True); time.sleep(30)\n")
    holder = t.spawn(["nsenter", f"--net=/proc/{master}/ns/net", "python3", "-c", clients, path],
                     stdout=subprocess.PIPE, text=True)
    t.check_eq(holder.stdout.readline().strip(), "held", "clients connected")
    want = 3 + (2 if ipv6 else 0)
    v.wait_beat(lambda b: b.get("backlog") == want, what=f"backlog {want} (tcp and unix queues)")
    holder.kill()
    t.check_eq(v.stop(), 0, "exit status after SIGTERM")

    # binding failures: the SOCKET step, the address, the reason; exit status 1
    for address, reason in [(t.path("missing", "app.sock"), "No such file or directory"),
                            ("192.0.2.1:8000", "Cannot assign requested address")]:
        bad = t.write("bad.ini", ini(command="exec sleep 100", socket=address))
        r = t.run([t.bin("vassal"), bad], check=False, timeout=30)
        t.check_eq(r.returncode, 1, f"exit status when '{address}' cannot be bound")
        t.check_in(f"SOCKET failed: bind '{address}': {reason}", r.stderr, "the error")
    bad = t.write("bad.ini", ini(command="exec sleep 100", socket=path, chown_socket="nosuchuser"))
    r = t.run([t.bin("vassal"), bad], check=False, timeout=30)
    t.check_eq(r.returncode, 1, "exit status for an unknown chown-socket user")
    t.check_in("SOCKET failed: chown-socket 'nosuchuser': unknown user 'nosuchuser'", r.stderr,
               "the error")
