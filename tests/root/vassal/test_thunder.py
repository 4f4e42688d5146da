"""Thundering herd: the vassal's sockets are shared by every worker (one accept queue), and a
connection wakes one worker blocked in accept(2) - the kernel's exclusive wait - so the
heartbeat reports thunder_lock "wake-one"; so does EPOLLEXCLUSIVE for programs that use it.
Programs that poll() before accepting do see the herd (every worker wakes for each
connection): docs/workers.md says so, this measures it. Wakeups are counted as the workers'
voluntary context switches while connections arrive one at a time, and the next connection
waits until every worker is asleep again: on a busy 2-CPU machine a worker woken by one
connection may not have run yet when the next arrives, and a second wakeup of a runnable task
is no switch (CI once counted 43 instead of ~80 for poll that way)."""

import time

from harness import Test
from workers_util import Standalone, children, ini, load, server, wait_until

CONNECTIONS = 20


def state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def all_asleep(workers):
    """Every worker sleeping in its wait, seen on three samples 5 ms apart."""
    def check():
        for _ in range(3):
            if any(state(w) != "S" for w in workers):
                return False
            time.sleep(0.005)
        return True
    wait_until(check, 5, "every worker asleep")


def switches(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    return 0


with Test("thundering herd: one connection wakes one worker") as t:
    woken = {}
    for mode in ("accept", "epollex", "poll"):
        v = Standalone(t, f"herd-{mode}", ini(command=server("--wait", mode), processes=4,
                                              socket="127.0.0.1:8000", reload_mercy=2))
        beat = v.wait_beat(lambda b: len(b["workers"]) == 4, what="four workers")
        t.check_eq(beat["thunder_lock"], "wake-one", "the mode in the heartbeat")
        master = v.master()
        workers = wait_until(lambda: len(children(master)) == 4 and children(master), 5, "workers")
        load(t, master, "127.0.0.1:8000", 4, concurrency=1)
        all_asleep(workers)
        woken[mode] = 0
        served = 0
        for _ in range(CONNECTIONS):  # one at a time: every worker is back waiting in between
            before = sum(switches(w) for w in workers)
            served += load(t, master, "127.0.0.1:8000", 1, concurrency=1)["ok"]
            all_asleep(workers)
            woken[mode] += sum(switches(w) for w in workers) - before
        t.check_eq(served, CONNECTIONS, f"{mode}: every connection served")
        print(f"{mode}: {woken[mode]} wakeups for {CONNECTIONS} connections")
        v.stop()
    t.check(woken["accept"] <= CONNECTIONS * 1.5,
            f"blocking accept: about one wakeup per connection: {woken}")
    t.check(woken["epollex"] <= CONNECTIONS * 1.5, f"EPOLLEXCLUSIVE: about one too: {woken}")
    t.check(woken["poll"] >= CONNECTIONS * 3, f"poll(): every worker wakes: {woken}")
