"""Shared helpers for root tests: skip rules, scratch space, cleanup that always runs,
network namespaces, and running the project's binaries.

A root test is a plain Python script:

    from harness import Test
    with Test("what it proves") as t:
        ns = t.netns()                 # ip netns, deleted at exit
        p = t.spawn([t.bin("emperor"), "run", ...])   # killed at exit
        t.check(cond, "message")       # raises, test fails with the message

Exit codes follow meson: 0 pass, 77 skip, anything else fails. Without root the test is
skipped, unless EMPEROR_TEST_REQUIRE=root, where that skip is a failure (CI sets it).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

SKIP = 77


def build_dir():
    return os.environ.get("EMPEROR_BUILD_DIR") or os.path.join(
        os.path.dirname(__file__), "..", "..", "build")


def source_dir():
    return os.environ.get("EMPEROR_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")


def require_root():
    if os.geteuid() == 0:
        return
    if os.environ.get("EMPEROR_TEST_REQUIRE") == "root":
        print("FAIL: this test needs root and EMPEROR_TEST_REQUIRE=root is set", file=sys.stderr)
        sys.exit(1)
    print("SKIP: needs root", file=sys.stderr)
    sys.exit(SKIP)


def skip(reason):
    """Skips for a missing optional tool; under EMPEROR_TEST_REQUIRE=root that is a failure."""
    if os.environ.get("EMPEROR_TEST_REQUIRE") == "root":
        print(f"FAIL: cannot run: {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {reason}", file=sys.stderr)
    sys.exit(SKIP)


class TestFailure(Exception):
    pass


def short_id():
    return uuid.uuid4().hex[:8]


def wait_for(predicate, timeout=10.0, interval=0.01, what="condition"):
    """Polls predicate until it returns a truthy value; returns it or raises TestFailure."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the predicate may race with what it observes
            last_error = e
        time.sleep(interval)
    detail = f" (last error: {last_error})" if last_error else ""
    raise TestFailure(f"timed out after {timeout}s waiting for {what}{detail}")


class Test:
    """A test's scope: everything registered here is undone at exit, in reverse order,
    whether the test passed or not."""

    def __init__(self, title, need_root=True):
        self.title = title
        self.need_root = need_root
        self._cleanups = []
        self.tmp = None

    def __enter__(self):
        if self.need_root:
            require_root()
        # meson ends a test that runs too long with SIGTERM: turn it into an exception so the
        # cleanups below still run and nothing the test made outlives it.
        def terminated(signum, frame):
            raise TestFailure(f"terminated by signal {signum} (timeout?)")
        signal.signal(signal.SIGTERM, terminated)
        self.tmp = tempfile.mkdtemp(prefix="emperor-test-")
        self.defer(lambda: shutil.rmtree(self.tmp, ignore_errors=True))
        return self

    def __exit__(self, exc_type, exc, tb):
        failed = exc is not None
        if failed:
            if isinstance(exc, TestFailure):
                print(f"FAIL: {self.title}: {exc}", file=sys.stderr)
            else:
                traceback.print_exception(exc_type, exc, tb)
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception as e:
                print(f"cleanup error: {e}", file=sys.stderr)
        if failed:
            sys.exit(1)
        print(f"PASS: {self.title}")
        sys.exit(0)

    def defer(self, fn):
        self._cleanups.append(fn)
        return fn

    # --- assertions -------------------------------------------------------------------

    def check(self, condition, message):
        if not condition:
            raise TestFailure(message)

    def check_eq(self, got, want, what):
        if got != want:
            raise TestFailure(f"{what}: got {got!r}, want {want!r}")

    def check_in(self, needle, haystack, what):
        if needle not in haystack:
            raise TestFailure(f"{what}: {needle!r} not found in {haystack!r}")

    # --- files and binaries -----------------------------------------------------------

    def bin(self, name):
        for sub in (name, os.path.join("emperor", name), os.path.join("vassal", name),
                    os.path.join("tests", name)):
            path = os.path.join(build_dir(), sub)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return os.path.abspath(path)
        raise TestFailure(f"binary {name!r} not found under {build_dir()}")

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, path, text, mode=0o644):
        full = path if os.path.isabs(path) else self.path(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = full + ".tmp-write"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, full)  # atomic: a watcher never sees half a file
        return full

    def run(self, argv, check=True, timeout=30, **kw):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
        if check and p.returncode != 0:
            raise TestFailure(f"{' '.join(argv)} exited {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def spawn(self, argv, **kw):
        """Starts a long-running process; it and its process group are killed at exit."""
        kw.setdefault("start_new_session", True)
        p = subprocess.Popen(argv, **kw)

        def stop():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        self.defer(stop)
        return p

    # --- network namespaces -----------------------------------------------------------

    def netns(self, prefix="emptest"):
        """Creates a named network namespace (lo up); deleted at exit."""
        name = f"{prefix}-{short_id()}"
        self.run(["ip", "netns", "add", name])
        self.defer(lambda: subprocess.run(["ip", "netns", "del", name], capture_output=True))
        self.run(["ip", "-n", name, "link", "set", "lo", "up"])
        return name

    def in_netns(self, ns, argv):
        return ["ip", "netns", "exec", ns] + argv


class Emperor:
    """An emperor daemon in its own runtime dir (and, when given, its own network
    namespace), with helpers for its CLI. Stopped at the test's exit."""

    def __init__(self, t, vassals_dir=None, config=None, netns=None, extra_args=(), env=None,
                 runtime_dir=None, pass_fds=()):
        self.t = t
        self.runtime_dir = runtime_dir or t.path(f"run-{short_id()}")
        self.vassals_dir = vassals_dir or t.path("vassals")
        os.makedirs(self.vassals_dir, exist_ok=True)
        self.log_path = t.path(f"emperor-{short_id()}.log")
        argv = [t.bin("emperor"), "run", "--vassals", self.vassals_dir,
                "--runtime-dir", self.runtime_dir]
        if config:
            argv += ["--config", config]
        argv += list(extra_args)
        if netns:
            argv = t.in_netns(netns, argv)
        self.log = open(self.log_path, "w")
        t.defer(self.log.close)
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = t.spawn(argv, stdout=self.log, stderr=subprocess.STDOUT, env=full_env,
                            pass_fds=pass_fds)

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def cli(self, *args, check=False, timeout=30):
        return self.t.run([self.t.bin("emperor")] + list(args) + ["--runtime-dir", self.runtime_dir],
                          check=check, timeout=timeout)

    def status(self, name=None):
        args = ["status", "--json"] + ([name] if name else [])
        p = self.cli(*args)
        if p.returncode not in (0, 3):
            return None
        return json.loads(p.stdout)

    def wait_ready(self, timeout=10):
        wait_for(lambda: os.path.exists(os.path.join(self.runtime_dir, "status.json")),
                 timeout=timeout, what="the emperor's status.json")

    def vassal(self, name):
        st = self.status()
        if not st:
            return None
        for v in st["vassals"]:
            if v["name"] == name:
                return v
        return None

    def wait_state(self, name, state, timeout=10):
        def reached():
            v = self.vassal(name)
            return v if v and v["state"] == state else None
        try:
            return wait_for(reached, timeout=timeout, what=f"vassal {name} to be {state}")
        except TestFailure as e:
            raise TestFailure(f"{e}; now: {self.vassal(name)}; emperor log:\n{self.output()[-4000:]}")

    def wait_gone(self, name, timeout=10):
        wait_for(lambda: self.vassal(name) is None, timeout=timeout, what=f"vassal {name} to be gone")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
