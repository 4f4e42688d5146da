"""Reloads through the emperor's `reload` verb under load: chained (one at a time) and all at
once; neither loses a connection, since the socket and its queue belong to the master."""

import os
import time

from harness import Emperor, Test
from workers_util import Load, ini, server, wait_until

COMMON = dict(socket="127.0.0.1:8000", processes=3, reload_mercy=2, worker_reload_mercy=5)

with Test("reload through the emperor, chained and all at once, under load") as t:
    e = Emperor(t)
    e.wait_ready()
    path = os.path.join(e.vassals_dir, "web.ini")
    t.write(path, ini(command=server("--notify", "--ready-delay-ms", 200, "--delay-ms", 10),
                      reload_lazy="chain", **COMMON))
    v = e.wait_state("web", "running")
    for mode in ("chain", "all"):
        if mode == "all":
            t.write(path, ini(command=server("--notify", "--delay-ms", 10), reload_lazy="all", **COMMON))
            wait_until(lambda: e.vassal("web")["reloads"] == 2, 15, "reload after the edit")
        before = {w["pid"] for w in e.vassal("web")["worker_details"]}
        load = Load(t, v["pid"], "127.0.0.1:8000", 1000000, concurrency=8, seconds=4)
        time.sleep(0.5)  # the load is running when the reload starts
        p = e.cli("reload", "web", timeout=30)
        t.check_eq(p.returncode, 0, f"emperor reload ({mode}): {p.stdout} {p.stderr}")
        r = load.result()
        t.check_eq(r["failed"], 0, f"{mode} reload under load loses no connection: {r}")
        after = {w["pid"] for w in e.vassal("web")["worker_details"]}
        t.check(not (before & after), f"{mode}: all workers replaced: {before} -> {after}")
