"""The readiness protocol on NOTIFY_SOCKET: READY=1 and STATUS= reach the heartbeat (and so
`emperor status`); a worker that sent WATCHDOG=1 and then stays silent longer than
worker-watchdog is replaced; the sender is identified by its kernel-checked pid, including a
child of the worker's shell (a command without `exec`), and a datagram from a process that is
not a worker changes nothing."""

import time

from harness import Test
from workers_util import Standalone, ini, server, wait_until

with Test("readiness: READY=1, STATUS=, watchdog") as t:
    v = Standalone(t, "ready", ini(command=server("--notify", "--watchdog-ms", 200,
                                                  "--watchdog-for-ms", 1500),
                                   socket="127.0.0.1:8000", processes=2, worker_watchdog=1,
                                   reload_mercy=2, worker_reload_mercy=2))
    beat = v.wait_beat(lambda b: len(b["workers"]) == 2 and
                       all(w["state"] == "ready" for w in b["workers"]), what="two ready workers")
    t.check(all(w["status"] == "serving 127.0.0.1:8000" for w in beat["workers"]),
            f"STATUS= text: {beat['workers']}")
    t.check(beat["notify_socket"].startswith("@emperor/ready/"), "NOTIFY_SOCKET in the heartbeat")
    v.wait_beat(lambda b: all(w["watchdog_unix_ms"] > 0 for w in b["workers"]), what="WATCHDOG=1")
    first = {w["pid"] for w in beat["workers"]}
    # 1.5s of keep-alives, then silence: replaced after 1s more
    v.wait_log("replaced: no WATCHDOG=1 for", count=2, timeout=10)
    v.wait_beat(lambda b: len(b["workers"]) == 2 and not first & {w["pid"] for w in b["workers"]}
                and all(w["state"] == "ready" for w in b["workers"]), what="two new ready workers")
    t.check_in("(worker-watchdog 1.0s)", v.output(), "the reason names the setting")

    # a forged notification from a process that is not a worker, in the same network
    # namespace (where the abstract socket lives): ignored
    address = v.last()["notify_socket"]
    t.run(["nsenter", f"--net=/proc/{v.master()}/ns/net", "python3", "-c",
           "import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); "
           f"s.sendto(b'STATUS=forged\\nSTOPPING=1', '\\0' + {address[1:]!r})"])
    wait_until(lambda: len(v.heartbeats()) > 2, 5, "more heartbeats")
    time.sleep(1.5)
    t.check(all(w["status"] != "forged" for b in v.heartbeats() for w in b["workers"]),
            "a datagram from a non-worker changes nothing")
    t.check_eq(v.stop(), 0, "exit status")
