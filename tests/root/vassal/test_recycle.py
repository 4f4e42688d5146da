"""Recycling: max-worker-lifetime and reload-on-rss replace workers gracefully, one per
decision, and a recycle does not count as a crash (respawns stays 0)."""

import re

from harness import Test
from workers_util import Standalone, ini, server, serving


with Test("recycling: max-worker-lifetime and reload-on-rss, one worker per decision") as t:
    v = Standalone(t, "life", ini(command=server(), socket="127.0.0.1:8000", processes=2,
                                  max_worker_lifetime=2, reload_mercy=2, worker_reload_mercy=2))
    first = v.wait_beat(lambda b: len(b["workers"]) == 2, what="two workers")
    old = {w["pid"] for w in first["workers"]}
    v.wait_log("recycled: ran 2s, max-worker-lifetime is 2s", count=2, timeout=15)
    beat = v.wait_beat(lambda b: len(serving(b)) == 2 and not old & {w["pid"] for w in b["workers"]},
                       what="both replaced")
    t.check(all(w["respawns"] == 0 for w in beat["workers"]), "a recycle is not a crash")
    recycles = [line for line in v.output().splitlines() if "recycled:" in line]
    t.check(len(recycles) >= 2, f"recycles logged: {recycles}")
    v.stop()

    v = Standalone(t, "rss", ini(command=server("--alloc-mb", 30), socket="127.0.0.1:8000",
                                 processes=1, reload_on_rss="20M", reload_mercy=2,
                                 worker_reload_mercy=2))
    v.wait_log("recycled: rss", count=2, timeout=15)
    t.check(re.search(r"worker 1 \(pid \d+\) recycled: rss [\d.]+M > reload-on-rss 20\.0M", v.output()),
            "the reason names the limit")
    v.stop()
