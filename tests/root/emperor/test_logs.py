"""The log pipeline through the real emperor: `emperor logs` (-n, --json, -f, --since), a
vassal's own file logger with an encoder, interleaved vassals never mixed within a line,
logrotate with SIGUSR2, and a flood of lines losing none."""

import json
import os
import signal
import subprocess
import time

from emperor_util import vassal_ini
from harness import Emperor, Test, wait_for

with Test("emperor logs and log files") as t:
    e = Emperor(t, config=t.write("emperor.ini", "[emperor]\nlog-ring-lines = 5000\n"))
    e.wait_ready()
    d = e.vassals_dir
    logfile = t.path("web.log")
    t.write(os.path.join(d, "web.ini"), vassal_ini(
        'for i in 1 2 3 4 5; do echo "out $i"; done; echo "err line" >&2; exec sleep 1000',
        logger=f"file:{logfile}", log_encoder='json {"v":"${vassal}","s":"${stream}","m":"${msg}"}'))
    e.wait_state("web", "running")

    p = wait_for(lambda: (lambda r: r if r.stdout.count("\n") >= 6 else None)(e.cli("logs", "web", "-n", "6")),
                 what="six lines in the ring")
    t.check_eq(p.stdout.splitlines(), ["out 1", "out 2", "out 3", "out 4", "out 5", "err line"], "emperor logs -n 6")
    p = e.cli("logs", "web", "-n", "2", "--json")
    records = [json.loads(l) for l in p.stdout.splitlines()]
    t.check_eq([(r["vassal"], r["stream"], r["msg"]) for r in records],
               [("web", "stdout", "out 5"), ("web", "stderr", "err line")], "--json records")
    t.check(all("time" in r and isinstance(r["pid"], int) for r in records), "time and pid in each record")
    t.check_eq(e.cli("logs", "nosuch").returncode, 4, "logs of an unknown vassal")
    t.check_eq(e.cli("logs", "web", "--since", "1h").stdout.count("\n"), 6, "--since an hour ago")
    t.check_eq(e.cli("logs", "web", "--since", "2100-01-01T00:00:00Z").stdout, "", "--since the future")

    # the vassal's own logger got its lines through its own encoder, each valid JSON
    wait_for(lambda: os.path.exists(logfile) and open(logfile).read().count("\n") >= 6, what="the log file")
    lines = [json.loads(l) for l in open(logfile).read().splitlines()]
    t.check_eq(lines[0], {"v": "web", "s": "stdout", "m": "out 1"}, "encoded record")

    # logrotate: rename, SIGUSR2, new lines land in a new file
    os.rename(logfile, logfile + ".1")
    e.proc.send_signal(signal.SIGUSR2)
    wait_for(lambda: "log files reopened" in e.output(), what="reopen")
    e.cli("reload", "web")  # the workers start over and print again
    wait_for(lambda: os.path.exists(logfile) and "out 1" in open(logfile).read(), what="lines in the new file")

    # -f follows new lines
    follow = subprocess.Popen([t.bin("emperor"), "logs", "web", "-f", "-n", "0", "--runtime-dir", e.runtime_dir],
                              stdout=subprocess.PIPE, text=True)
    t.defer(follow.kill)
    time.sleep(0.3)
    e.cli("reload", "web")
    followed = [follow.stdout.readline().strip() for _ in range(3)]
    t.check("out 1" in followed, f"new lines are followed: {followed}")

    # several vassals writing at once: every line whole
    for i in range(3):
        t.write(os.path.join(d, f"chatty{i}.ini"), vassal_ini(
            f'i=0; while [ $i -lt 2000 ]; do echo "chatty{i}-$i-abcdefghijklmnopqrstuvwxyz"; i=$$((i+1)); done; exec sleep 1000'))
    for i in range(3):
        e.wait_state(f"chatty{i}", "running")

    def complete(i):
        out = [l for l in e.cli("logs", f"chatty{i}", "-n", "3000").stdout.splitlines() if l.startswith("chatty")]
        return out if len(out) == 2000 else None
    for i in range(3):
        out = wait_for(lambda: complete(i), timeout=20, what=f"chatty{i}'s 2000 lines")
        t.check_eq(out, [f"chatty{i}-{n}-abcdefghijklmnopqrstuvwxyz" for n in range(2000)], f"chatty{i} lines whole and in order")
