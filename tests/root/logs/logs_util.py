"""Helpers for the log pipeline's root tests (on top of tests/root/harness.py)."""

import json
import os
import time

from harness import Emperor, TestFailure, wait_for


def emperor_ini(t, *lines):
    """An emperor config file with the given `key = value` lines."""
    return t.write("emperor.ini", "[emperor]\n" + "".join(l + "\n" for l in lines))


def vassal_script(t, name, body):
    """A vassal whose one worker runs the shell script `body` (written to a file, so INI
    escaping never gets in the way), then sleeps so it is not started again."""
    script = t.write(f"{name}.sh", body + "\nexec sleep 1000\n")
    return f"[uwsgi]\ncommand = exec sh {script}\nprocesses = 1\n"


def logs_stats(e):
    p = e.cli("logs", "--stats")
    if p.returncode != 0:
        raise TestFailure(f"emperor logs --stats: {p.returncode} {p.stderr}")
    return json.loads(p.stdout)


def logger_stats(e, name, vassal=""):
    for l in logs_stats(e)["loggers"]:
        if l["logger"] == name and l["vassal"] == vassal:
            return l
    return None


def wait_drained(e, timeout=60):
    """Until every logger has written or dropped all it received."""
    def drained():
        s = logs_stats(e)
        return all(l["queued"] == 0 for l in s["loggers"]) and s
    return wait_for(drained, timeout=timeout, interval=0.1, what="the loggers to drain")


def wait_ring_line(e, name, text, timeout=60):
    """Until the vassal's last captured line is `text` (or, when text is callable, satisfies it)."""
    match = text if callable(text) else (lambda line: line == text)

    def last():
        p = e.cli("logs", name, "-n", "1")
        return p.returncode == 0 and match(p.stdout.rstrip("\n"))
    try:
        wait_for(last, timeout=timeout, interval=0.1, what=f"{name}'s line {text!r}")
    except TestFailure as err:
        raise TestFailure(f"{err}; last: {e.cli('logs', name, '-n', '1').stdout!r}\n"
                          f"emperor log:\n{e.output()[-3000:]}")


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")[:-1]
