"""A command of plain words is exec'd directly (no /bin/sh in between: the worker is the
program, with its own pid); a command with shell syntax still runs through /bin/sh -c; the
same for exec-* hooks; a program not found in PATH is named with the directories searched,
once; a program that served and then vanished is retried with backoff, not a failure."""

import os
import shutil
import signal
import time

from harness import Test, wait_for
from workers_util import Standalone, children, ini


def exe(pid):
    return os.path.realpath(f"/proc/{pid}/exe")


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [a.decode() for a in f.read().split(b"\0")[:-1]]


sleep = os.path.realpath("/usr/bin/sleep")
shell = os.path.realpath("/bin/sh")

with Test("direct exec of plain commands, /bin/sh for shell syntax") as t:
    marker = t.path("hook-ran")
    v = Standalone(t, "plain", ini(command="exec sleep 1000", processes=2, reload_mercy=1,
                                   exec_pre_jail=f"touch {marker}"))
    master = v.master()
    workers = wait_for(lambda: len(children(master)) == 2 and children(master), what="two workers")
    for w in workers:
        # exe changes early in an exec, the argv a moment later: wait for both
        wait_for(lambda: exe(w) == sleep and cmdline(w), what=f"worker {w} to be sleep itself")
        t.check_eq(cmdline(w), ["sleep", "1000"], f"argv of worker {w}: the words, no shell")
    t.check(os.path.exists(marker), "a plain exec-pre-jail hook ran")
    t.check_eq(v.stop(), 0, "stopped")

    v = Standalone(t, "shell", ini(command="sleep 1000; exit 0", processes=1, reload_mercy=1))
    master = v.master()
    w = wait_for(lambda: (children(master) or [None])[0], what="the worker")
    # the shell's child is a copy of the shell until it has exec'd sleep
    wait_for(lambda: exe(w) == shell and any(exe(c) == sleep for c in children(w)),
             what="the shell and its sleep")
    t.check_eq(cmdline(w)[:2], ["/bin/sh", "-c"], "shell syntax goes to /bin/sh -c, which runs the program")
    t.check_eq(v.stop(), 0, "stopped")

    v = Standalone(t, "nohook", ini(command="exec sleep 1000",
                                    exec_pre_jail="no-such-hook-program --x"))
    t.check_eq(v.proc.wait(timeout=30), 1, "a hook that cannot run fails the vassal")
    t.check_in("exec-pre-jail 'no-such-hook-program --x': execve 'no-such-hook-program' (looked "
               "for in PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin): No such "
               "file or directory", v.output(), "the hook's exec error names the PATH searched")

    v = Standalone(t, "nocmd", ini(command="exec no-such-program-here --x"))
    t.check_eq(v.proc.wait(timeout=30), 1, "a command that cannot run fails the vassal")
    error = ("command 'exec no-such-program-here --x' could not run: execve 'no-such-program-here' "
             "(looked for in PATH")
    t.check_eq(v.output().count(error), 1, f"the exec error, printed once: {v.output()!r}")

    # A program that served and then vanishes (a deploy replacing it) is retried with backoff,
    # not a failure of the vassal; back in place, the slot runs again.
    prog = t.path("deploy/app")
    os.makedirs(os.path.dirname(prog))
    shutil.copy("/usr/bin/sleep", prog)
    v = Standalone(t, "deploy", ini(command=f"exec {prog} 1000", reload_mercy=1))
    master = v.master()
    w = wait_for(lambda: next((c for c in children(master) if exe(c) == prog), None), what="the app")
    time.sleep(10.5)  # past kWorkerYoung (vassal/respawn.h): it has served
    os.rename(prog, prog + ".away")
    os.kill(w, signal.SIGKILL)
    wait_for(lambda: f"execve '{prog}': No such file or directory (worker 1); respawn in" in v.output(),
             timeout=10, what="the failed respawn, reported as a warning")
    os.rename(prog + ".away", prog)
    wait_for(lambda: any(exe(c) == prog for c in children(master)), timeout=15, what="the app back")
    t.check(v.proc.poll() is None, "the vassal never failed")
    t.check_eq(v.stop(), 0, "stopped")
