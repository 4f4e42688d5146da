"""A vassal with tuntap-device-mode = uwsgi whose router closes the connection fails
visibly: its master exits, the emperor shows the vassal failed with a last_error naming
the router's socket (a fake uWSGI router in Python stands in for the real one)."""

import os
import socket

from harness import Emperor, Test

with Test("tuntap router: a uwsgi-mode vassal fails when its router goes away") as t:
    ens = t.netns("tt-bridge-loss")
    sock = t.path("fake-uwsgi-router.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    t.defer(srv.close)
    srv.bind(sock)
    srv.listen(4)
    srv.settimeout(20)
    conf = t.write("emperor.ini", "[emperor]\nemperor-use-clone = ipc,uts,pid,net\n")
    emp = Emperor(t, config=conf, netns=ens)
    emp.wait_ready()
    t.write(os.path.join(emp.vassals_dir, "u.ini"), f"""[uwsgi]
tuntap-device = u0 {sock}
tuntap-device-mode = uwsgi
net-address = 10.89.0.2/24
command = exec sleep 1000
reload-mercy = 2
""")
    conn, _ = srv.accept()
    t.defer(conn.close)
    emp.wait_state("u", "running", timeout=20)
    t.check(emp.vassal("u")["last_error"] is None, "no error while the router is there")

    conn.close()  # the router goes away
    v = emp.wait_state("u", "failed", timeout=20)
    t.check_eq(v["last_error"], f"NETNS: tuntap bridge: uwsgi router '{sock}' closed the connection",
               "the failed vassal's last_error")
    t.check(v["pid"] is None, f"the vassal's master exited: {v}")
    t.check_in(f"uwsgi router '{sock}' closed the connection", emp.output(), "the emperor's log")
