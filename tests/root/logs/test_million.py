"""A vassal printing a million lines as fast as it can loses none to a file logger (with the
json encoder), and the emperor stays responsive meanwhile."""

import json
import os
import time

from harness import Emperor, Test
from logs_util import emperor_ini, logger_stats, vassal_script, wait_drained, wait_ring_line

N = 1_000_000

with Test("a million lines from one vassal reach the file, none lost") as t:
    log = t.path("all.log")
    config = emperor_ini(t, f"logto = {log}",
                         'log-encoder = json {"v":"${vassal}","s":"${stream}","m":"${msg}"}')
    e = Emperor(t, config=config)
    e.wait_ready()
    started = time.monotonic()
    t.write(os.path.join(e.vassals_dir, "big.ini"), vassal_script(t, "big", f"seq 1 {N}"))
    # The emperor answers while the flood goes on.
    e.wait_state("big", "running", timeout=20)
    wait_ring_line(e, "big", str(N), timeout=120)
    stats = wait_drained(e, timeout=120)
    elapsed = time.monotonic() - started
    s = logger_stats(e, "file")
    t.check_eq(s["dropped"], 0, "dropped lines")
    t.check_eq(s["errors"], 0, "write errors")

    expected = 1
    with open(log, "rb") as f:
        for raw in f:
            rec = json.loads(raw)
            if rec["v"] != "big":
                continue
            t.check_eq(rec["s"], "stdout", "stream")
            if rec["m"] != str(expected):
                t.check(False, f"line {expected} missing or out of order: got {rec['m']!r}")
            expected += 1
    t.check_eq(expected - 1, N, "lines of the vassal in the file")
    print(f"{N} lines in {elapsed:.1f} s (from the file drop to the last line written)")
