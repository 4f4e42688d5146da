"""The jail's setup through the real vassal binary (`vassal FILE`, no -v), as its stderr shows
it (under the emperor, that stderr is the log pipeline):
- print: text, a command's output and an ignored safeexec failure are shown without -v;
- a hook that leaves a process in the background (`sleep 30 &`) does not hold up the start;
- SIGTERM during a hook (to `vassal FILE`, which relays a stop, or to the vassal process
  itself) kills the hook and fails the setup at once, naming the hook; never "running";
- a worker whose chdir fails is reported as such, not as "command not found";
- a failing hook is printed once, its command named once, its output lines indented."""

import os
import signal
import subprocess
import time

import jailtest as jt
from harness import Test, TestFailure, wait_for


def start(t, vassal, ini):
    log = t.path(os.path.basename(ini) + ".log")
    f = open(log, "w")
    t.defer(f.close)
    p = t.spawn([vassal, ini], stdout=f, stderr=subprocess.STDOUT)

    def text():
        with open(log) as g:
            return g.read()
    return p, text


def finish(p, timeout):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TestFailure(f"vassal still running after {timeout}s")


def inner_vassal(p):
    """The vassal process `vassal FILE` launched (its only child)."""
    def child():
        with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    return wait_for(child, timeout=10, what="the inner vassal process")


with Test("jail: setup through vassal FILE: notes, background hooks, SIGTERM, chdir") as t:
    vassal = t.bin("vassal")

    # Notes without -v; a background process does not hold up the start.
    ini = jt.vassal(t, "notes", [
        "exec-as-root = sleep 30 &",
        "hook-as-root = print:hello-from-print",
        "hook-as-root = safeexec:echo sad-output; exit 3",
        "exec-as-root = echo line-one; echo line-two",
    ], command="exec sleep 60")
    t0 = time.monotonic()
    p, text = start(t, vassal, ini)
    wait_for(lambda: "notes is running" in text(), timeout=10, what="notes running")
    took = time.monotonic() - t0
    t.check(took < 2.0, f"a background hook process held up the start: {took:.1f}s\n{text()}")
    out = text()
    t.check_in("vassal: hello-from-print\n", out, "print: text without -v")
    t.check_in("vassal: hook-as-root 'echo sad-output; exit 3' failed (safeexec, ignored): "
               "exit status 3; output: sad-output\n", out, "an ignored safeexec failure")
    t.check_in("vassal: output of exec-as-root 'echo line-one; echo line-two': line-one\n"
               "  line-two\n", out, "a command's output, continuation indented")
    os.kill(p.pid, signal.SIGTERM)
    finish(p, 15)

    # SIGTERM while a hook runs: relayed by `vassal FILE` as a stop, or to the vassal itself.
    for target, reason in (("standalone", "a stop request"), ("inner", "SIGTERM")):
        ini = jt.vassal(t, "slow-" + target, ["exec-as-root = sleep 12"], command="sleep 60")
        p, text = start(t, vassal, ini)
        pid = inner_vassal(p)
        time.sleep(1.5)
        t0 = time.monotonic()
        os.kill(p.pid if target == "standalone" else pid, signal.SIGTERM)
        rc = finish(p, 8)
        took = time.monotonic() - t0
        out = text()
        t.check(took < 4, f"{target}: SIGTERM waited for the hook: {took:.1f}s")
        t.check(rc != 0, f"{target}: a cancelled setup exits non-zero (got {rc})\n{out}")
        t.check_in(f"vassal: HOOK failed: exec-as-root 'sleep 12': cancelled by {reason}\n", out,
                   f"{target}: the hook and the request named")
        t.check("running" not in out, f"{target}: never reported running\n{out}")

    # A worker that cannot chdir.
    ini = jt.vassal(t, "nodir", ["chdir = /nonexistent"], command="sleep 60")
    p = t.run([vassal, ini], check=False, timeout=20)
    out = p.stdout + p.stderr
    t.check(p.returncode != 0, f"chdir failure: exit status {p.returncode}")
    t.check_in("chdir '/nonexistent': No such file or directory", out, "chdir named")
    t.check("command not found" not in out, f"not 'command not found': {out}")

    # A failing hook: printed once, its command named once, output lines indented.
    ini = jt.vassal(t, "boom", ["exec-as-root = echo boom-1; echo boom-2; exit 7"])
    p = t.run([vassal, ini], check=False, timeout=20)
    out = p.stdout + p.stderr
    t.check(p.returncode != 0, "a failing hook fails the vassal")
    t.check_eq(out.count("exit status 7"), 1, f"the failure printed once: {out!r}")
    t.check_eq(out.count("echo boom-1; echo boom-2; exit 7"), 1, f"the command named once: {out!r}")
    t.check_in("vassal: HOOK failed: exec-as-root 'echo boom-1; echo boom-2; exit 7': exit status 7; "
               "output: boom-1\n  boom-2\n", out, "the whole message")
