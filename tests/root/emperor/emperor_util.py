"""Helpers for the emperor's root tests (on top of tests/root/harness.py)."""

import os
import time

from harness import TestFailure, wait_for


def vassal_ini(command="sleep 1000", **keys):
    lines = ["[uwsgi]", f"command = {command}", "reload-mercy = 2"]
    lines += [f"{k.replace('_', '-')} = {v}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


def processes_matching(marker):
    """Host pids whose command line or environment contains marker. Give workers an
    `env = MARK=...` so that even what they exec (and its children) can be found."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        for what in ("cmdline", "environ"):
            try:
                with open(f"/proc/{pid}/{what}", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(pid))
                        break
            except OSError:
                pass
    return found


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def wait_field(emperor, name, field, predicate, timeout=10, what=None):
    def check():
        v = emperor.vassal(name)
        return v if v is not None and predicate(v.get(field)) else None
    try:
        return wait_for(check, timeout=timeout, what=what or f"{name}.{field}")
    except TestFailure as e:
        raise TestFailure(f"{e}; now: {emperor.vassal(name)}\nemperor log:\n{emperor.output()[-3000:]}")
