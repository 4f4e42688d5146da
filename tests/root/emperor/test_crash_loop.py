"""A vassal whose process dies young goes to exponential backoff; the others keep running;
the emperor stays idle meanwhile; `emperor restart` bypasses the backoff. A worker crash
loop is handled by the vassal itself, with its own backoff."""

import os
import signal
import time

from emperor_util import cpu_seconds, vassal_ini, wait_field
from harness import Emperor, Test, wait_for

with Test("crash loops back off and stay contained") as t:
    cfg = t.write("emperor.ini", "[emperor]\nemperor-throttle = 300\nemperor-max-throttle = 2000\n")
    e = Emperor(t, config=cfg)
    e.wait_ready()
    d = e.vassals_dir
    t.write(os.path.join(d, "steady.ini"), vassal_ini("exec sleep 1000"))
    steady = e.wait_state("steady", "running")

    # the vassal process itself dies again and again: kill its master as soon as it runs
    t.write(os.path.join(d, "crashy.ini"), vassal_ini("exec sleep 1000"))
    for round in range(4):
        v = e.wait_state("crashy", "running", timeout=15)
        os.kill(v["pid"], signal.SIGKILL)
        wait_field(e, "crashy", "state", lambda s: s in ("backoff", "starting"), what="backoff after a kill")
    v = e.vassal("crashy")
    t.check_in("killed by signal 9", v["last_error"], "the death is reported")
    t.check_in("next start in", e.output(), "the backoff delay is logged")
    delays = [int(l.split("next start in ")[1].split(" ms")[0]) for l in e.output().splitlines() if "crashy: died young" in l]
    t.check(len(delays) >= 4, f"four young deaths logged: {delays}")
    t.check(delays[0] <= 360 and delays[1] >= 480 and delays[3] >= 1600, f"delays double (+-20%): {delays}")

    # restart bypasses the backoff
    e.wait_state("crashy", "running", timeout=15)
    os.kill(e.vassal("crashy")["pid"], signal.SIGKILL)
    wait_field(e, "crashy", "state", lambda s: s == "backoff")
    began = time.monotonic()
    p = e.cli("restart", "crashy")
    t.check_eq(p.returncode, 0, f"restart from backoff: {p.stderr}")
    t.check(time.monotonic() - began < 1.5, "restart did not wait for the backoff")

    # a worker crash loop: the vassal master respawns with backoff, the emperor sees it run
    t.write(os.path.join(d, "flaky.ini"), vassal_ini("echo dying; exit 1"))
    e.wait_state("flaky", "running")
    time.sleep(1.0)
    cpu_before = cpu_seconds(e.proc.pid)
    time.sleep(3.0)
    used = cpu_seconds(e.proc.pid) - cpu_before
    t.check(used < 0.3, f"the emperor used {used:.2f}s of CPU in 3s while a worker crash-loops")
    v = e.vassal("flaky")
    t.check(("worker 1" in (v["last_worker_exit"] or "")) and "exit status 1" in v["last_worker_exit"],
            f"last worker exit reported: {v['last_worker_exit']}")
    t.check(e.output().count("[flaky] dying") < 20, "worker respawns are throttled")

    v = e.vassal("steady")
    t.check_eq((v["state"], v["pid"], v["restarts"]), ("running", steady["pid"], 0), "the steady vassal")
