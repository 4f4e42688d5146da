"""reload-lazy = chain through `vassal FILE` (SIGHUP): one worker at a time, each old worker
retired only once its replacement sent READY=1, so no heartbeat during the reload shows fewer
ready workers than processes, and a load running through the socket loses no connection."""

import signal

from harness import Test
from workers_util import Load, Standalone, ini, server, serving, wait_until

COMMON = dict(socket="127.0.0.1:8000", processes=3, reload_mercy=2, worker_reload_mercy=5)

with Test("chain reload: one at a time, never fewer ready workers, no connection lost") as t:
    v = Standalone(t, "chain", ini(command=server("--notify", "--ready-delay-ms", 300, "--delay-ms", 10),
                                   reload_lazy="chain", **COMMON))
    v.wait_beat(lambda b: sum(w["state"] == "ready" for w in b["workers"]) == 3, what="3 ready")
    old = {w["pid"] for w in v.last()["workers"]}
    load = Load(t, v.master(), "127.0.0.1:8000", 1000000, concurrency=8, seconds=6)
    wait_until(lambda: len(v.heartbeats()) > 0, 5, "heartbeats")
    start = len(v.heartbeats())
    v.proc.send_signal(signal.SIGHUP)  # standalone: SIGHUP reloads the vassal's workers
    v.wait_log("reload done", timeout=20)
    during = v.heartbeats()[start:]
    new = {w["pid"] for w in serving(v.last())}
    t.check_eq(len(new), 3, "three workers after the reload")
    t.check(not (old & new), f"every worker replaced: old {old} new {new}")
    for b in during:
        ready = [w for w in b["workers"] if w["state"] == "ready"]
        t.check(len(ready) >= 3, f"never fewer than 3 ready workers during the chain: {b['workers']}")
    r = load.result()
    t.check_eq(r["failed"], 0, f"no connection lost: {r}")
    t.check(len(r["pids"]) >= 6, f"old and new workers served: {r['pids']}")
    out = v.output()
    t.check_in("chain-reloading 3 workers", out, "the reload mode is logged")
    t.check_eq(out.count("retired: replaced by the reload"), 3, "each old worker retired once")
    v.stop()
