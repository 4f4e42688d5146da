"""A command without `exec`: the program is a child of the worker's shell. Its notifications
are attributed through its parent, and its memory counts as the worker's."""

from harness import Test
from workers_util import Standalone, ini, tool

with Test("readiness and memory of a command without exec") as t:
    # no `exec`: the server is a child of the worker's shell. Its notifications are found
    # through its parent, and its memory counts as the worker's. It binds its own socket
    # (LISTEN_PID would name the shell, not it).
    v = Standalone(t, "noexec", ini(command=f"{tool('worker-server')} --listen 127.0.0.1:9000 "
                                            "--notify --alloc-mb 30; true", reload_mercy=2))
    beat = v.wait_beat(lambda b: b["workers"] and b["workers"][0]["state"] == "ready" and
                       b["workers"][0]["rss_bytes"] > 30 << 20, what="ready, with its child's memory")
    t.check_eq(beat["thunder_lock"], "none", "no sockets, no thunder lock")
    r = t.run(["nsenter", f"--net=/proc/{v.master()}/ns/net", tool("load-gen"), "--tcp",
               "127.0.0.1:9000", "--count", "3"]).stdout
    t.check_in('"ok":3', r, "the server started by a shell serves")
    t.check_eq(v.stop(), 0, "exit status")
