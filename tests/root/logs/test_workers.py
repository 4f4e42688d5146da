"""Workers' output through the emperor: each worker has pipes of its own, so a worker that dies
in the middle of a line leaves that fragment as a line of its own (flushed when its pipe
closes), never glued to another worker's output or to the master's report of its exit; the
master's lines arrive whole with their severity (a worker's exit is a warning); a worker's line
carries the worker's host pid, the master's the vassal's."""

import os
import re

from harness import Emperor, Test, wait_for
from logs_util import emperor_ini, wait_drained, wait_ring_line

with Test("a worker's unfinished line is its own; the master's lines are whole, with levels") as t:
    log = t.path("all.log")
    config = emperor_ini(t, f"logto = {log}",
                         "log-encoder = format ${vassal}|${stream}|${pid}|${level}|${msg}")
    e = Emperor(t, config=config)
    e.wait_ready()
    marks = t.path("marks")
    os.makedirs(marks)
    # First run of each worker: a line, then a fragment on stdout and one on stderr, and exit 3
    # at once (no newline). Second run: says its pid in the vassal and sleeps.
    script = t.write("w.sh", f"""
m={marks}/$EMPEROR_WORKER
if [ -e $m ]; then echo "alive-$EMPEROR_WORKER-$$"; exec sleep 1000; fi
touch $m
echo "start-$EMPEROR_WORKER"
printf 'frag-%s' $EMPEROR_WORKER
printf 'efrag-%s' $EMPEROR_WORKER >&2
exit 3
""")
    t.write(os.path.join(e.vassals_dir, "w.ini"),
            f"[uwsgi]\ncommand = exec sh {script}\nprocesses = 2\n")
    wait_ring_line(e, "w", lambda l: "alive-" in l, timeout=30)
    v = e.vassal("w")
    vassal_pid = v["pid"]

    def lines():
        wait_drained(e)
        with open(log, "rb") as f:
            return [l.decode(errors="replace") for l in f.read().split(b"\n")[:-1]]

    def alive_count():
        return sum(1 for l in lines() if "|alive-" in l)

    wait_for(lambda: alive_count() == 2, timeout=30, what="both workers respawned")
    got = [l for l in lines() if l.startswith("w|")]
    text = "\n".join(got)
    pids = {}
    for slot in ("1", "2"):
        start = [l for l in got if l.endswith(f"|start-{slot}")]
        t.check_eq(len(start), 1, f"worker {slot}'s first line:\n{text}")
        _, stream, pid, level, _ = start[0].split("|", 4)
        t.check_eq((stream, level), ("stdout", "info"), "a worker's stdout line")
        frag = [l for l in got if l.split("|", 4)[-1] == f"frag-{slot}"]
        t.check_eq(len(frag), 1, f"worker {slot}'s stdout fragment is a line of its own:\n{text}")
        t.check_eq(frag[0], f"w|stdout|{pid}|info|frag-{slot}", "the fragment, from that worker")
        efrag = [l for l in got if l.split("|", 4)[-1] == f"efrag-{slot}"]
        t.check_eq(len(efrag), 1, f"worker {slot}'s stderr fragment is a line of its own:\n{text}")
        t.check_eq(efrag[0], f"w|stderr|{pid}|error|efrag-{slot}", "the stderr fragment")
        t.check(int(pid) != vassal_pid, "a worker's line carries the worker's pid, not the vassal's")
        pids[slot] = int(pid)
        exits = [l for l in got if re.search(rf"vassal: worker {slot} \(pid \d+\) exit status 3", l)]
        t.check_eq(len(exits), 1, f"the master's report of worker {slot}'s exit:\n{text}")
        t.check(re.fullmatch(rf"w\|stderr\|{vassal_pid}\|warning\|vassal: worker {slot} \(pid \d+\) "
                             r"exit status 3 after [\d.]+s; respawn in [\d.]+s", exits[0]),
                f"whole, at warning, with the vassal's pid: {exits[0]!r}")
    t.check(pids["1"] != pids["2"], "two workers, two pids")
    t.check(not any("frag-" in l and "vassal:" in l for l in got), f"nothing glued:\n{text}")

    # The respawned workers: the pid on their line is the host's view of the pid they print.
    for l in got:
        m = re.fullmatch(r"w\|stdout\|(\d+)\|info\|alive-(\d)-(\d+)", l)
        if not m:
            continue
        with open(f"/proc/{m.group(1)}/status") as f:
            nspid = [x for x in f.read().splitlines() if x.startswith("NSpid:")][0].split()
        t.check_eq(nspid[-1], m.group(3), f"worker {m.group(2)}: host pid {m.group(1)} is the worker")
