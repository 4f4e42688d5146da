"""No terminal reaches a vassal's processes. `vassal FILE` started from a pty (as an operator
does in a shell): its worker (uid nobody) has no controlling tty (tty_nr 0, /dev/tty gives
ENXIO) and TIOCSTI on the pty it holds as stdout fails, so nothing is typed into the
operator's terminal. The control (the same probe run as nobody straight under the pty) shows
the probe would see an injection. And the default seccomp filter denies TIOCSTI/TIOCLINUX
by itself, even with CAP_SYS_ADMIN and with high bits set in the request; seccomp-allow =
ioctl lifts the rule (a control again)."""

import json
import os
import pty
import select
import signal
import time

import jailtest as jt
from harness import Test, TestFailure, wait_for

# The probe: run as a worker; writes what it found as JSON to argv[1].
PROBE = r"""
import ctypes, errno, fcntl, json, os, sys, termios
out = {}
with open("/proc/self/stat") as f:
    out["tty_nr"] = int(f.read().rsplit(")", 1)[1].split()[4])
try:
    os.close(os.open("/dev/tty", os.O_RDWR))
    out["dev_tty"] = "opened"
except OSError as e:
    out["dev_tty"] = errno.errorcode[e.errno]
def sti(fd, request):
    libc = ctypes.CDLL(None, use_errno=True)
    c = ctypes.c_char(b"#")
    # ioctl through syscall(2): the request goes to the kernel as a full 64-bit register.
    r = libc.syscall(ctypes.c_long(16), ctypes.c_long(fd), ctypes.c_ulong(request), ctypes.byref(c))
    return "ok" if r == 0 else errno.errorcode[ctypes.get_errno()]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 1
if target < 0:
    master, slave = os.openpty()
    target = slave
out["tiocsti"] = sti(target, termios.TIOCSTI)
out["tiocsti_high"] = sti(target, termios.TIOCSTI | (1 << 32))
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(out, f)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
"""


def read_result(path):
    with open(path) as f:
        return json.load(f)


def under_pty(argv, result, timeout=20):
    """Runs argv as the session leader of a fresh pty (the operator's shell); returns the
    probe's result and everything the pty showed."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    shown = b""
    try:
        deadline = time.monotonic() + timeout
        while not os.path.exists(result) and time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    shown += os.read(fd, 4096)
                except OSError:
                    break
        if not os.path.exists(result):
            raise TestFailure(f"{argv}: no probe result; the pty showed {shown[-2000:]!r}")
        return read_result(result), shown
    finally:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        for _ in range(100):
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


with Test("jail: no controlling terminal, no TIOCSTI, from a pty") as t:
    vassal = t.bin("vassal")
    probe = t.write("probe.py", PROBE, mode=0o755)
    os.chmod(t.tmp, 0o755)
    out_dir = t.path("out")
    os.makedirs(out_dir)
    os.chmod(out_dir, 0o777)
    python = "/usr/bin/python3"
    legacy = open("/proc/sys/dev/tty/legacy_tiocsti").read().strip() == "1" \
        if os.path.exists("/proc/sys/dev/tty/legacy_tiocsti") else True

    # Control: as nobody straight under the pty, the probe sees its terminal and can type.
    control = os.path.join(out_dir, "control.json")
    setpriv = "/usr/bin/setpriv"
    if os.path.exists(setpriv):
        got, _ = under_pty([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                            python, probe, control], control)
        t.check(got["tty_nr"] != 0, f"control: the probe sees a controlling tty: {got}")
        if legacy:
            t.check_eq(got["tiocsti"], "ok", "control: TIOCSTI works without the jail")

    # The vassal from the same kind of pty: its worker has no terminal at all.
    result = os.path.join(out_dir, "vassal.json")
    ini = jt.vassal(t, "sti", ["uid = nobody"],
                    command=f"{python} {probe} {result}; exec sleep 30")
    got, shown = under_pty([vassal, ini], result)
    t.check_eq(got["tty_nr"], 0, f"the worker has no controlling tty: {got}")
    t.check_eq(got["dev_tty"], "ENXIO", "/dev/tty cannot be opened")
    t.check_eq(got["tiocsti"], "EPERM", "TIOCSTI into the operator's pty")
    t.check_eq(got["tiocsti_high"], "EPERM", "TIOCSTI with high request bits")
    t.check(b"#" not in shown, f"nothing typed into the operator's terminal: {shown!r}")

    # The filter alone: root with CAP_SYS_ADMIN (which passes the kernel's own tty check)
    # on a pty of its own.
    for name, extra, want in (("filtered", [], "EPERM"), ("allowed", ["seccomp-allow = ioctl"], "ok")):
        path = os.path.join(out_dir, name + ".json")
        ini = jt.vassal(t, name, ["cap = sys_admin"] + extra,
                        command=f"{python} {probe} {path} -1")
        jt.run(ini)
        got = read_result(path)
        t.check_eq((got["tiocsti"], got["tiocsti_high"]), (want, want),
                   f"{name}: TIOCSTI with CAP_SYS_ADMIN")
