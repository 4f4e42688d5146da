"""A logger that blocks (a FIFO nobody reads) stalls neither the emperor nor other vassals nor
the other logger: its lines are dropped, counted and reported, the others get everything, and
the emperor still stops promptly."""

import os
import time

from harness import Emperor, Test, wait_for
from logs_util import emperor_ini, logger_stats, read_lines, vassal_script, wait_drained, wait_ring_line

N = 100_000

with Test("a blocked logger stalls nothing else") as t:
    fifo = t.path("stuck.fifo")
    log = t.path("main.log")
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # opened, never read
    t.defer(lambda: os.close(reader))
    config = emperor_ini(t, f"logger = stuck file:{fifo}", f"logger = main file:{log}")
    e = Emperor(t, config=config)
    e.wait_ready()
    t.write(os.path.join(e.vassals_dir, "chatty.ini"),
            vassal_script(t, "chatty", f"seq 1 {N}; echo chatty-done"))
    t.write(os.path.join(e.vassals_dir, "quiet.ini"), vassal_script(t, "quiet", """
i=0
while [ $i -lt 40 ]; do echo "quiet $i"; i=$((i+1)); sleep 0.1; done
echo quiet-done
"""))
    # The CLI answers promptly during the flood.
    for _ in range(5):
        t0 = time.monotonic()
        t.check(e.status() is not None, "emperor status during the flood")
        t.check(time.monotonic() - t0 < 3, "emperor status took more than 3 s")
        time.sleep(0.2)
    wait_ring_line(e, "chatty", "chatty-done", timeout=60)
    wait_ring_line(e, "quiet", "quiet-done", timeout=30)
    wait_for(lambda: b"chatty-done" in open(log, "rb").read() and b"quiet-done" in open(log, "rb").read(),
             timeout=30, what="the last lines in the healthy logger's file")
    lines = read_lines(log)
    chatty = [l for l in lines if l.startswith(b"[chatty] ")]
    quiet = [l for l in lines if l.startswith(b"[quiet] ")]
    t.check_eq(len(chatty), N + 1, "chatty's lines in the healthy file")
    t.check_eq(chatty[:3], [b"[chatty] 1", b"[chatty] 2", b"[chatty] 3"], "chatty's first lines")
    t.check_eq(len(quiet), 41, "quiet's lines in the healthy file")
    stuck = logger_stats(e, "stuck")
    main = logger_stats(e, "main")
    t.check(stuck["dropped"] > 0, f"the stuck logger drops: {stuck}")
    t.check_eq(main["dropped"], 0, "the healthy logger drops nothing")
    wait_for(lambda: b"logger 'stuck' (" + fifo.encode() + b"): dropped" in open(log, "rb").read(),
             timeout=20, what="the drop report in the healthy logger")

    t0 = time.monotonic()
    e.proc.terminate()
    e.proc.wait(timeout=20)
    t.check(time.monotonic() - t0 < 10, f"stop took {time.monotonic() - t0:.1f} s with a stuck logger")
