#!/usr/bin/env python3
"""growth.py - how long a cheaper pool takes from 1 to MAX ready workers under a sudden load.

Run by bench/workers.sh inside the bench's network namespace. Starts `vassal --heartbeats
FILE` (cheaper = 1, processes = MAX, cheaper-step = MAX - 1, workers that send READY=1),
waits until the pool has settled at one ready worker, waits a random fraction of a second
(the load must not arrive in step with the master's one-second decisions), then starts a
bounded load (load-gen, nsenter'ed into the vassal's own network namespace) and reads the
heartbeats until MAX workers are ready. Prints one JSON line per trial:
{"spawned_ms": ..., "ready_ms": ...}: from the load's start until MAX workers were started,
and until all of them had sent READY=1.

usage: growth.py VASSAL WORKER_SERVER LOAD_GEN TMPDIR [--max 8] [--trials 5]
"""

import argparse
import json
import os
import random
import subprocess
import time


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def trial(args, n):
    ini = os.path.join(args.tmp, f"grow{n}.ini")
    with open(ini, "w") as f:
        f.write("[uwsgi]\n"
                f"command = exec {args.server} --notify --delay-ms 20\n"
                "socket = 127.0.0.1:8003\n"
                f"processes = {args.max}\ncheaper = 1\ncheaper-step = {args.max - 1}\n"
                "reload-mercy = 2\nworker-reload-mercy = 2\n")
    vassal = subprocess.Popen([args.vassal, "--heartbeats", ini], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    load = None
    try:
        def beats():
            for line in vassal.stdout:
                if line.startswith('{"'):
                    beat = json.loads(line)
                    if beat.get("type") == "heartbeat":
                        yield beat
        it = beats()
        for beat in it:  # one ready worker first
            if sum(w["state"] == "ready" for w in beat["workers"]) == 1:
                break
        master = children(vassal.pid)[0]
        time.sleep(1.0 + random.random())
        t0 = time.monotonic()
        load = subprocess.Popen(["nsenter", f"--net=/proc/{master}/ns/net", args.load, "--tcp",
                                 "127.0.0.1:8003", "--concurrency", "64", "--count", "1000000",
                                 "--seconds", "4"], stdout=subprocess.DEVNULL)
        spawned = None
        for beat in it:
            now = time.monotonic()
            if spawned is None and len(beat["workers"]) >= args.max:
                spawned = now - t0
            if sum(w["state"] == "ready" for w in beat["workers"]) >= args.max:
                return {"spawned_ms": round(spawned * 1000), "ready_ms": round((now - t0) * 1000)}
            if now - t0 > 10:
                return {"spawned_ms": None, "ready_ms": None}
    finally:
        if load:
            load.wait(timeout=30)
        vassal.terminate()
        vassal.wait(timeout=30)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("vassal")
    p.add_argument("server")
    p.add_argument("load")
    p.add_argument("tmp")
    p.add_argument("--max", type=int, default=8)
    p.add_argument("--trials", type=int, default=5)
    args = p.parse_args()
    for n in range(args.trials):
        print(json.dumps(trial(args, n)), flush=True)


if __name__ == "__main__":
    main()
