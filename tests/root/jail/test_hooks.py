"""Hooks run in the documented order, each phase exactly once: pre-jail on the host's view,
post-jail inside the new root, as-root with /proc and all capabilities, as-user after the
drop; hook-* actions before exec-* commands within a phase. Actions: mkdir, write, appendn,
chmod, putenv, chdir, hostname, mount, print, safeexec, quiet hooks."""

import os

import jailtest as jt
from harness import Test

with Test("jail: hook phases, order and actions") as t:
    root = jt.make_root(t)
    log = os.path.join(root, "tmp", "log")
    lines = [
        f"exec-pre-jail = echo exec-pre-jail >> {log}",
        f"hook-pre-jail = appendn:{log} hook-pre-jail",
        "exec-post-jail = test -d /.old || echo exec-post-jail >> /tmp/log",
        "hook-post-jail = appendn:/tmp/log hook-post-jail",
        "hook-post-jail = hostname:hooked",
        "hook-post-jail = putenv:JAILVAR=hello",
        "hook-post-jail = mkdir:/mnt",
        "hook-post-jail = mount:tmpfs none /mnt nosuid,nodev",
        "exec-as-root = echo exec-as-root >> /tmp/log; grep CapEff /proc/self/status >> /tmp/log",
        "hook-as-root = appendn:/tmp/log hook-as-root",
        "hook-as-root = chmod:/tmp/log 666",
        "hook-as-root = write:/tmp/written hello",
        "hook-as-root = safeexec:exit 4",
        "hook-as-root = !exec:echo quiet-secret >/dev/null",
        "exec-as-user = echo exec-as-user >> /tmp/log; id -u >> /tmp/log",
        "hook-as-user = appendn:/tmp/log hook-as-user",
        "hook-as-user = chdir:/tmp",
        "hook-as-user = print:hello-from-print",
        "uid = nobody",
    ]
    body = """
echo hostname=$(hostname)
echo jailvar=${JAILVAR:-}
echo cwd=$(pwd)
echo written=$(cat /tmp/written)
echo mnt=$(awk '$5 == "/mnt" {for (i = 7; i <= NF; i++) if ($i == "-") print $(i + 1)}' /proc/self/mountinfo)
"""
    p = jt.run(jt.jailed(t, "hooks", root, lines, body))
    with open(log) as f:
        got = [line.strip() for line in f]
    t.check_eq(got[:6] + got[7:],
               ["hook-pre-jail", "exec-pre-jail", "hook-post-jail", "exec-post-jail",
                "hook-as-root", "exec-as-root", "hook-as-user", "exec-as-user", "65534"],
               "phases in order, each once")
    t.check(got[6].startswith("CapEff:") and int(got[6].split()[1], 16) != 0,
            f"as-root hooks run with capabilities: {got[6]}")
    v = jt.values(p.stdout)
    t.check_eq(v["hostname"], "hooked", "hostname: action")
    t.check_eq(v["jailvar"], "hello", "putenv: reaches the workers")
    t.check_eq(v["cwd"], "/tmp", "chdir: reaches the workers")
    t.check_eq(v["written"], "hello", "write: action")
    t.check_eq(v["mnt"], "tmpfs", "mount: action inside the new root")
    t.check_in("hello-from-print", p.stderr, "print: action reaches the progress channel")
    t.check_in("'exit 4' failed (safeexec, ignored): exit status 4", p.stderr,
               "a failed safeexec is reported, not fatal")
    t.check("quiet-secret" not in p.stderr, "a quiet hook's text is never shown")
    t.check_eq(jt.host_mounts_under(t.tmp), [], "no mount left on the host")
