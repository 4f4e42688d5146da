"""Cheaper mode through the emperor: under a bounded load (inside the vassal's own network
namespace) the pool grows from `cheaper` to `processes` on the listen backlog, shrinks back
when idle, and the emperor's status shows workers, workers_target and backlog; the decisions
are logged with their reason."""

import os

from harness import Emperor, Test
from workers_util import Load, ini, server, wait_field, wait_until

with Test("cheaper backlog through the emperor: grow under load, shrink when idle") as t:
    e = Emperor(t)
    e.wait_ready()
    t.write(os.path.join(e.vassals_dir, "pool.ini"),
            ini(command=server("--delay-ms", 100), socket="127.0.0.1:8000", processes=4, cheaper=1,
                reload_mercy=2, worker_reload_mercy=2))
    e.wait_state("pool", "running")
    v = wait_field(e, "pool", "workers", lambda n: n == 1, what="one worker")
    t.check_eq(v["workers_target"], 1, "starts at cheaper-initial = cheaper")
    # 10 connections a second per worker; 20 in flight keep the queue long
    load = Load(t, v["pid"], "127.0.0.1:8000", 100000, concurrency=20, seconds=12)
    seen_backlog = []

    def grown():
        s = e.vassal("pool")
        if s and s["backlog"] is not None:
            seen_backlog.append(s["backlog"])
        return s and s["workers"] == 4 and s["workers_target"] == 4
    wait_until(grown, 10, "four workers under load")
    t.check(max(seen_backlog) > 3, f"the backlog was visible and above cheaper-overload: {seen_backlog}")
    r = load.result()
    t.check_eq(r["failed"], 0, f"no failed connection: {r}")
    t.check_eq(len(r["pids"]) >= 4, True, f"four workers served: {r['pids']}")
    v = wait_field(e, "pool", "workers_target", lambda n: n == 1, timeout=20,
                   what="back to one worker when idle")
    wait_field(e, "pool", "workers", lambda n: n == 1, timeout=5, what="one worker left")
    log = e.output()
    t.check_in("pool: backlog", log, "growth is logged with its reason")
    t.check_in("> 3: +1 (1 -> 2)", log, "first step")
    t.check_in("pool: backlog 0 for 3 decisions: -1 (4 -> 3)", log, "shrink with its reason")
    t.check_in("worker 4 (pid", log, "the retired worker is named")
