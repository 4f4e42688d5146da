"""RSS limits through the emperor, under a bounded load: workers whose total RSS is above
cheaper-rss-limit-hard are retired one per decision, largest first and gracefully, until the
pool is within the limit; at or above cheaper-rss-limit-soft the pool does not grow although
the backlog asks for it, while a crashed worker is still respawned; memory-report logs each
worker's RSS and PSS; a hard limit alone (no soft one) cuts a fixed pool down once and it
stays there, without growing back into the limit."""

import os
import re
import signal
import time

from harness import Emperor, Test
from workers_util import Load, ini, server, wait_field, wait_until

MiB = 1 << 20

with Test("memory: hard limit retires, soft limit blocks growth, respawn still allowed; "
          "a hard limit alone does not oscillate") as t:
    e = Emperor(t)
    e.wait_ready()
    # four workers of ~27M each (~108M) against a hard limit of 64M: two must go; the two
    # left (~54M) stay at or above the 40M soft limit
    t.write(os.path.join(e.vassals_dir, "mem.ini"),
            ini(command=server("--alloc-mb", 24, "--delay-ms", 100), socket="127.0.0.1:8000",
                processes=4, cheaper=1, cheaper_initial=4, cheaper_rss_limit_soft="40M",
                cheaper_rss_limit_hard="64M", memory_report="true", reload_mercy=2,
                worker_reload_mercy=2))
    v = e.wait_state("mem", "running")
    # 20 connections in flight for 10 connections a second per worker: the backlog asks to grow
    load = Load(t, v["pid"], "127.0.0.1:8000", 1000000, concurrency=20, seconds=12)
    v = wait_field(e, "mem", "workers_target", lambda n: n == 2, timeout=15,
                   what="two retirements for memory")
    wait_field(e, "mem", "workers", lambda n: n == 2, timeout=5, what="two workers left")
    wait_until(lambda: "not growing, rss" in e.output(), 10, "the soft limit blocking growth")
    time.sleep(3)  # more decisions under load: nothing grows, nothing else is retired
    v = e.vassal("mem")
    t.check_eq((v["workers"], v["workers_target"]), (2, 2), "the pool stays at two")
    t.check(40 * MiB <= v["rss_bytes"] <= 64 * MiB,
            f"total rss between the soft and the hard limit: {v['rss_bytes']}")
    log = e.output()
    retired = re.findall(r"pool: rss [\d.]+M > hard limit 64\.0M: retiring worker (\d)", log)
    t.check_eq(len(retired), 2, f"two retirements, one per decision: {retired}")
    t.check_eq(len(set(retired)), 2, "two different workers")
    t.check_in("retired: over cheaper-rss-limit-hard", log, "the retirement is logged")
    t.check(re.search(r"backlog \d+ > 3: not growing, rss [\d.]+M >= soft limit 40\.0M", log),
            "the reason names the soft limit")
    t.check(re.search(r"memory: worker \d \(pid \d+\) rss [\d.]+M pss [\d.]+M", log),
            "memory-report logs rss and pss")

    r = load.result()
    t.check_eq(r["failed"], 0, f"retirements are graceful: no connection lost: {r}")

    # a crashed worker comes back even above the soft limit
    victim = e.vassal("mem")["worker_details"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    wait_until(lambda: any(w["respawns"] == 1 for w in e.vassal("mem")["worker_details"]) and
               e.vassal("mem")["workers"] == 2, 10, "the crashed worker respawned")

    # A hard limit without a soft one: no oscillation.
    e.cli("stop", "mem")
    # three workers of ~41M (~123M) against a hard limit of 100M and no soft limit: one is
    # retired, and the two left (~82M) plus another such worker would be over again, so the
    # fixed pool stays at two instead of growing back to three and retiring every second
    t.write(os.path.join(e.vassals_dir, "hard.ini"),
            ini(command=server("--alloc-mb", 40), socket="127.0.0.1:8000", processes=3,
                cheaper_rss_limit_hard="100M", reload_mercy=2, worker_reload_mercy=2))
    e.wait_state("hard", "running")
    wait_field(e, "hard", "workers_target", lambda n: n == 2, timeout=15,
               what="a retirement for memory")
    wait_until(lambda: "(one more worker) > hard limit 100.0M" in e.output(), 10,
               "growth blocked by the hard limit")
    for _ in range(6):  # six decisions: nothing grows, nothing more is retired
        time.sleep(1)
        v = e.vassal("hard")
        t.check_eq((v["workers"], v["workers_target"]), (2, 2), "the pool stays at two")
    log = e.output()
    retired = re.findall(r"hard limit 100\.0M: retiring worker", log)
    t.check_eq(len(retired), 1, "one retirement, no oscillation")
    t.check_eq(log.count("below processes (3): +1"), 0, "no growth back to three")
    t.check_eq(log.count("(one more worker) > hard limit 100.0M"), 1, "the block is logged once")
