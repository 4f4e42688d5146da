"""SIGKILL the emperor: no process of any vassal survives, and a new emperor starts them
all cleanly on the same runtime dir. SIGTERM: every vassal stops gracefully, exit 0."""

import os
import signal
import subprocess
import time

from emperor_util import processes_matching, vassal_ini
from harness import Emperor, Test, wait_for

with Test("no vassal outlives its emperor") as t:
    marker = f"killtest-{os.getpid()}"
    vassals = t.path("vassals")
    os.makedirs(vassals)
    # a worker that forks a grandchild which ignores SIGTERM, to be sure
    cmd = "trap '' TERM; (trap '' TERM; exec sleep 1000) & exec sleep 1000"
    for i in range(3):
        t.write(os.path.join(vassals, f"v{i}.ini"), vassal_ini(cmd, processes=2, env=f"MARK={marker}"))
    e = Emperor(t, vassals_dir=vassals)
    for i in range(3):
        e.wait_state(f"v{i}", "running")
    wait_for(lambda: len(processes_matching(marker)) >= 12, what="workers and grandchildren")

    e.proc.send_signal(signal.SIGKILL)
    e.proc.wait()
    wait_for(lambda: not processes_matching(marker), timeout=5, what="every vassal process gone")

    t.check(os.path.exists(os.path.join(e.runtime_dir, "emperor.sock")), "a stale socket was left")
    e2 = Emperor(t, vassals_dir=vassals, runtime_dir=e.runtime_dir)
    for i in range(3):
        e2.wait_state(f"v{i}", "running")
    wait_for(lambda: len(processes_matching(marker)) >= 12, what="workers again")

    # graceful shutdown: mercy applies (reload-mercy = 2 s, then SIGKILL), exit status 0
    began = time.monotonic()
    e2.proc.send_signal(signal.SIGTERM)
    code = e2.proc.wait(timeout=30)
    t.check_eq(code, 0, "exit status after SIGTERM")
    t.check(time.monotonic() - began < 10, "shutdown took the mercy, not forever")
    t.check(not processes_matching(marker), "nothing left after SIGTERM")
    t.check_in("all vassals stopped; bye", e2.output(), "shutdown message")
