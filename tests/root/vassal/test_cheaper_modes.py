"""Cheaper through `vassal FILE`: the spare algorithm (grows when every worker reported
BUSY=1 for cheaper-overload decisions, shrinks while two or more are idle) and the manual one
(SIGTTIN/SIGTTOU to the vassal master size the pool within cheaper..processes)."""

import os
import signal

from harness import Test
from workers_util import Load, Standalone, ini, server, serving

with Test("cheaper spare and manual through vassal FILE") as t:
    v = Standalone(t, "spare", ini(command=server("--notify", "--busy", "--delay-ms", 300),
                                   socket="127.0.0.1:8000", processes=3, cheaper=1,
                                   cheaper_algo="spare", cheaper_overload=1, reload_mercy=2,
                                   worker_reload_mercy=2))
    v.wait_beat(lambda b: len(b["workers"]) == 1 and b["cheaper_algo"] == "spare", what="one worker")
    load = Load(t, v.master(), "127.0.0.1:8000", 100000, concurrency=8, seconds=6)
    v.wait_beat(lambda b: len(serving(b)) == 3, timeout=10, what="three workers, all busy")
    t.check(any(w["state"] == "busy" for b in v.heartbeats() for w in b["workers"]),
            "workers reported BUSY=1")
    r = load.result()
    t.check_eq(r["failed"], 0, f"no failed connection: {r}")
    t.check_in("pool: all 1 workers busy for 1 decisions: +1 (1 -> 2)", v.output(), "spare growth")
    v.wait_beat(lambda b: len(b["workers"]) == 1, timeout=20, what="back to one when idle")
    t.check_in("idle workers for 3 decisions: -1", v.output(), "spare shrink")
    v.stop()

    v = Standalone(t, "manual", ini(command=server(), socket="127.0.0.1:8000", processes=3,
                                    cheaper=1, cheaper_algo="manual", reload_mercy=2,
                                    worker_reload_mercy=2))
    v.wait_beat(lambda b: len(b["workers"]) == 1, what="one worker")
    master = v.master()
    # one at a time: two signals sent at once may arrive as one (standard signals coalesce)
    os.kill(master, signal.SIGTTIN)
    v.wait_beat(lambda b: len(b["workers"]) == 2, what="SIGTTIN: two workers")
    os.kill(master, signal.SIGTTIN)
    v.wait_beat(lambda b: len(b["workers"]) == 3, what="SIGTTIN again: three workers")
    os.kill(master, signal.SIGTTIN)
    v.wait_log("manual +1: not growing, already at processes (3)")
    os.kill(master, signal.SIGTTOU)
    v.wait_beat(lambda b: b["workers_target"] == 2 and len(b["workers"]) == 2, what="SIGTTOU: two")
    t.check_eq(v.stop(), 0, "exit status")
