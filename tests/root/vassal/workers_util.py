"""Helpers for the workers' root tests (on top of tests/root/harness.py): the test server and
load generator built next to these tests, a standalone `vassal --heartbeats FILE` whose
heartbeats can be read back, and bounded loads run inside a vassal's own network namespace
(nsenter into it), so that no packet leaves namespaces the test created."""

import json
import os
import subprocess

from harness import TestFailure, build_dir, wait_for


def tool(name):
    path = os.path.join(build_dir(), "tests", "root", "vassal", name)
    if not os.access(path, os.X_OK):
        raise TestFailure(f"{name} not built: {path}")
    return os.path.abspath(path)


def server(*args):
    """A worker command running the test server (exec: the worker is the server)."""
    return " ".join(["exec", tool("worker-server")] + [str(a) for a in args])


def ini(**keys):
    lines = ["[uwsgi]"]
    for k, v in keys.items():
        for item in v if isinstance(v, list) else [v]:
            lines.append(f"{k.replace('_', '-')} = {item}")
    return "\n".join(lines) + "\n"


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def environ(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        pairs = [e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e]
    return {k.decode(): v.decode() for k, v in pairs}


def load_argv(netns_pid, target, count, concurrency=8, seconds=20, timeout_ms=10000):
    """load-gen inside the network namespace of netns_pid (a vassal's process)."""
    kind = "--unix" if target.startswith("/") else "--tcp"
    return ["nsenter", f"--net=/proc/{netns_pid}/ns/net", tool("load-gen"), kind, target,
            "--count", str(count), "--concurrency", str(concurrency), "--seconds", str(seconds),
            "--timeout-ms", str(timeout_ms)]


def load(t, netns_pid, target, count, **kw):
    p = t.run(load_argv(netns_pid, target, count, **kw), timeout=kw.get("seconds", 20) + 30)
    return json.loads(p.stdout)


class Load:
    """A load running in the background; result() waits for it."""

    def __init__(self, t, netns_pid, target, count, **kw):
        self.proc = t.spawn(load_argv(netns_pid, target, count, **kw), stdout=subprocess.PIPE,
                            text=True)
        self.timeout = kw.get("seconds", 20) + 30

    def result(self):
        out, _ = self.proc.communicate(timeout=self.timeout)
        return json.loads(out)


class Standalone:
    """`vassal --heartbeats FILE` in the foreground; its output in a file."""

    def __init__(self, t, name, text):
        self.t = t
        self.file = t.write(f"{name}.ini", text)
        self.log_path = t.path(f"{name}.log")
        self.log = open(self.log_path, "w")
        t.defer(self.log.close)
        self.proc = t.spawn([t.bin("vassal"), "--heartbeats", self.file], stdout=self.log,
                            stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def heartbeats(self):
        beats = []
        for line in self.output().splitlines():
            if line.startswith('{"'):
                try:
                    beat = json.loads(line)
                except ValueError:
                    continue
                if beat.get("type") == "heartbeat":
                    beats.append(beat)
        return beats

    def last(self):
        beats = self.heartbeats()
        return beats[-1] if beats else None

    def master(self):
        """Host pid of the vassal process (the master, PID 1 of its namespace)."""
        return wait_for(lambda: (children(self.proc.pid) or [None])[0], timeout=10,
                        what="the vassal process")

    def wait_beat(self, predicate, timeout=15, what="a heartbeat"):
        def check():
            beat = self.last()
            return beat if beat and predicate(beat) else None
        try:
            return wait_for(check, timeout=timeout, interval=0.05, what=what)
        except TestFailure as e:
            raise TestFailure(f"{e}; last: {self.last()}\nlog:\n{self.output()[-3000:]}")

    def wait_log(self, text, timeout=15, count=1):
        try:
            wait_for(lambda: self.output().count(text) >= count, timeout=timeout, interval=0.05,
                     what=repr(text))
        except TestFailure as e:
            raise TestFailure(f"{e}\nlog:\n{self.output()[-3000:]}")

    def stop(self):
        self.proc.terminate()
        return self.proc.wait(timeout=30)


def serving(beat):
    """Workers of a heartbeat that are not on their way out."""
    return [w for w in beat["workers"] if w.get("state") != "retiring"]


def wait_field(emperor, name, field, predicate, timeout=10, what=None):
    """Waits until `emperor status` shows field of vassal name satisfying predicate."""
    def check():
        v = emperor.vassal(name)
        return v if v is not None and predicate(v.get(field)) else None
    try:
        return wait_for(check, timeout=timeout, interval=0.05, what=what or f"{name}.{field}")
    except TestFailure as e:
        raise TestFailure(f"{e}; now: {emperor.vassal(name)}\nemperor log:\n{emperor.output()[-3000:]}")


def wait_until(predicate, timeout, what):
    return wait_for(predicate, timeout=timeout, interval=0.05, what=what)


