"""A vassal printing a million lines quickly loses none to a file logger: the emperor reads
its pipe no faster than the logger writes (backpressure), never drops."""

import os

from emperor_util import vassal_ini
from harness import Emperor, Test, wait_for

N = 1_000_000

with Test("a million lines, none lost") as t:
    logfile = t.path("flood.log")
    cfg = t.write("emperor.ini", f"[emperor]\nlogger = file:{logfile}\n")
    e = Emperor(t, config=cfg)
    e.wait_ready()
    t.write(os.path.join(e.vassals_dir, "flood.ini"), vassal_ini(
        f"seq 1 {N}; exec sleep 1000"))
    e.wait_state("flood", "running")

    def lines_written():
        try:
            with open(logfile, "rb") as f:
                return f.read().count(b"\n[flood] ")
        except OSError:
            return 0
    wait_for(lambda: lines_written() >= N, timeout=120, interval=0.5, what=f"{N} lines in the file")
    with open(logfile) as f:
        numbers = [int(l.split("] ", 1)[1]) for l in f if l.startswith("[flood] ")]
    t.check_eq(len(numbers), N, "line count")
    t.check(numbers == list(range(1, N + 1)), "every line, in order")
    p = e.cli("logs", "--stats")
    t.check('"dropped": 0' in p.stdout, f"no drops: {p.stdout}")
