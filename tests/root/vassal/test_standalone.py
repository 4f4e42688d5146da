"""`vassal FILE` runs one vassal in the foreground, exactly as under an emperor: its own
hostname and pid namespace, workers respawned, SIGTERM stops it with exit status 0, and a
bad file or a setup failure gives a clear error and exit status 1."""

import os
import signal
import subprocess
import time

from harness import Test, wait_for

with Test("vassal FILE in the foreground") as t:
    f = t.write("solo.ini", "[uwsgi]\nhostname = %n-box\nprocesses = 2\nreload-mercy = 2\n"
                "command = echo \"up $$(hostname) pid $$ of $$(ls /proc | grep -c '^[0-9]')\"; exec sleep 1000\n")
    out = t.path("out.log")
    with open(out, "w") as log:
        p = t.spawn([t.bin("vassal"), f], stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: open(out).read().count("up solo-box") == 2, what="two workers")
    # "running" comes once the first workers have lived 150 ms (docs/status.md)
    wait_for(lambda: "vassal: solo is running" in open(out).read(), timeout=5, what="readiness")
    text = open(out).read()
    t.check("pid 2 of" in text or "pid 3 of" in text, f"workers see their own pid namespace: {text}")
    p.send_signal(signal.SIGTERM)
    t.check_eq(p.wait(timeout=15), 0, "exit status after SIGTERM")

    bad = t.write("bad.ini", "[uwsgi]\ncommand = true\nhostname = not a hostname\n")
    r = t.run([t.bin("vassal"), bad], check=False)
    t.check_eq(r.returncode, 1, "exit status of an invalid file")
    t.check_in(f"{bad}:3: error: 'hostname': invalid hostname 'not a hostname'", r.stderr, "the error")

    broken = t.write("broken.ini", "[uwsgi]\ncommand = true\npivot-root = /nonexistent/root old\n")
    r = t.run([t.bin("vassal"), broken], check=False, timeout=30)
    t.check_eq(r.returncode, 1, "exit status of a setup failure")
    t.check_in("PIVOT_ROOT failed: check new root '/nonexistent/root'", r.stderr, "the failing step and object")

    r = t.run([t.bin("vassal"), t.write("net.ini", "[uwsgi]\ncommand = true\ntuntap-device = t0 /run/x.sock\n")],
              check=False)
    t.check_eq(r.returncode, 1, "native tuntap without an emperor")
    t.check_in("'tuntap-device' needs the emperor's router", r.stderr, "and why")
