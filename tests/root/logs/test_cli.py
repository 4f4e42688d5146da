"""`emperor logs NAME [-f] [-n N] [--since TIME] [--json]`, --stats, --reopen and SIGUSR2
(logrotate), a vassal's own logto, and the stream of each line."""

import json
import os
import signal
import subprocess
import time

from harness import Emperor, Test, wait_for
from logs_util import emperor_ini, logger_stats, read_lines, vassal_script, wait_drained, wait_ring_line

with Test("emperor logs: tail, json, follow, since, reopen, a vassal's own logto") as t:
    log = t.path("all.log")
    own = t.path("own.log")
    config = emperor_ini(t, f"logto = {log}", "log-encoder = format ${vassal} ${stream}: ${msg}",
                         "log-ring-lines = 50")
    e = Emperor(t, config=config)
    e.wait_ready()
    t.write(os.path.join(e.vassals_dir, "tick.ini"), vassal_script(t, "tick", """
i=0
while [ $i -lt 100 ]; do echo "first $i"; i=$((i+1)); done
echo "to stderr" >&2
printf 'no newline yet'
sleep 0.3
echo ' now it has one'
i=0
while [ $i -lt 300 ]; do echo "tick $i"; i=$((i+1)); sleep 0.03; done
echo "tock"
"""))
    t.write(os.path.join(e.vassals_dir, "own.ini"),
            vassal_script(t, "own", "echo private line") + f"logto = {own}\n")
    wait_for(lambda: os.path.exists(own) and b"private line\n" in open(own, "rb").read(),
             timeout=20, what="the vassal's own logto")
    wait_ring_line(e, "tick", lambda line: line.startswith("tick "), timeout=20)

    # -n: the last lines, as printed (no encoder); the ring holds log-ring-lines = 50.
    p = e.cli("logs", "tick", "-n", "1000")
    lines = p.stdout.splitlines()
    t.check_eq(p.returncode, 0, "exit code")
    t.check(len(lines) <= 50, f"the ring keeps 50 lines, got {len(lines)}")
    t.check_in("to stderr", lines, "stderr line in the ring")
    t.check_in("no newline yet now it has one", lines, "a line written in two parts")
    t.check_eq(len(e.cli("logs", "tick", "-n", "2").stdout.splitlines()), 2, "-n 2")

    # --json: one object per line, with the stream of each.
    objs = [json.loads(l) for l in e.cli("logs", "tick", "--json", "-n", "1000").stdout.splitlines()]
    t.check(all(set(o) >= {"time", "vassal", "stream", "pid", "msg"} for o in objs), f"fields: {objs[:2]}")
    err = [o for o in objs if o["msg"] == "to stderr"]
    t.check(err and err[0]["stream"] == "stderr" and err[0]["vassal"] == "tick", f"stderr record: {err}")
    t.check(all(o["stream"] == "stdout" for o in objs if o["msg"].startswith("tick ")), "stdout records")
    # a worker's line carries the worker's host pid (the vassal's is for the master's lines)
    v = e.vassal("tick")
    t.check_eq(objs[-1]["pid"], v["worker_details"][0]["pid"], "pid of the records: the worker's")
    t.check(objs[-1]["pid"] != v["pid"], "not the vassal's")

    # --since: an age, a time in the future.
    t.check(len(e.cli("logs", "tick", "--since", "1h").stdout.splitlines()) > 10, "--since 1h")
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    t.check_eq(e.cli("logs", "tick", "--since", future).stdout, "", "--since the future")

    # -f: new lines as they come.
    f = subprocess.Popen([t.bin("emperor"), "logs", "tick", "-f", "-n", "0", "--runtime-dir",
                          e.runtime_dir], stdout=subprocess.PIPE, text=True)
    t.defer(f.kill)
    got = [f.stdout.readline().rstrip("\n") for _ in range(3)]
    t.check(all(g.startswith("tick ") for g in got), f"followed lines: {got}")
    t.check(int(got[1].split()[1]) == int(got[0].split()[1]) + 1, f"followed in order: {got}")
    f.kill()

    t.check_eq(e.cli("logs", "nosuch").returncode, 4, "unknown vassal")

    # logrotate: rename, then --reopen; and once more with SIGUSR2.
    os.rename(log, log + ".1")
    t.check_eq(e.cli("logs", "--reopen").returncode, 0, "--reopen")
    wait_for(lambda: os.path.exists(log) and b"tick " in open(log, "rb").read(), timeout=10,
             what="lines in the reopened file")
    os.rename(log, log + ".2")
    os.kill(e.proc.pid, signal.SIGUSR2)
    wait_for(lambda: os.path.exists(log) and b"tick " in open(log, "rb").read(), timeout=10,
             what="lines in the file reopened on SIGUSR2")
    wait_ring_line(e, "tick", "tock", timeout=60)
    wait_drained(e)
    # No line lost across the two rotations: every tick is in one of the three files.
    ticks = set()
    for path in (log + ".1", log + ".2", log):
        for raw in read_lines(path):
            if raw.startswith(b"tick stdout: tick "):
                ticks.add(int(raw.split()[-1]))
    t.check_eq(ticks, set(range(300)), "ticks across the rotated files")
    t.check(b"private line" not in open(log + ".1", "rb").read(), "a vassal's own logto keeps its lines")

    stats = e.cli("logs", "--stats")
    t.check_eq(stats.returncode, 0, "--stats")
    loggers = json.loads(stats.stdout)["loggers"]
    t.check({(l["vassal"], l["target"]) for l in loggers} >= {("", log), ("own", own)},
            f"--stats lists both loggers: {loggers}")
