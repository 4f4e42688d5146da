"""Helpers for the jail's root tests: prepared roots, vassal files, the driver.

A root is a directory under the test's temp dir with empty mount points and the merged-/usr
symlinks; the vassal file binds the host's /usr and /etc into it read-only with hook-pre-jail
mount actions (inside the vassal's mount namespace: the host never sees those mounts).
"""

import os
import subprocess

from harness import TestFailure


def driver():
    path = os.environ.get("JAIL_DRIVER")
    if not path or not os.access(path, os.X_OK):
        raise TestFailure("JAIL_DRIVER is not set to the jail-driver binary")
    return path


def make_root(t, name="root"):
    root = t.path(name)
    for d in ("usr", "etc", "proc", "dev", "tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    for d in ("bin", "sbin", "lib", "lib64"):
        if os.path.exists("/usr/" + d):
            os.symlink("usr/" + d, os.path.join(root, d))
    return root


def root_binds(root):
    return [f"hook-pre-jail = mount:none /usr {root}/usr bind,ro",
            f"hook-pre-jail = mount:none /etc {root}/etc bind,ro"]


def script(t, root, name, body):
    """A shell script inside the root (its path inside the jail is returned)."""
    t.write(os.path.join(root, "tmp", name), "set -u\n" + body + "\n", mode=0o755)
    return "/tmp/" + name


def vassal(t, name, lines, command="true"):
    """Writes NAME.ini with the given lines; returns its path."""
    text = "[uwsgi]\n" + "\n".join(lines) + f"\ncommand = {command}\n"
    return t.write(t.path(f"vassals/{name}.ini"), text)


def jailed(t, name, root, lines, body, pivot=True):
    """A vassal pivoted into root that runs body (shell) as its worker."""
    cmd = "/bin/sh " + script(t, root, name + ".sh", body) if pivot else None
    head = [f"pivot-root = {root} .old"] + root_binds(root) if pivot else []
    return vassal(t, name, head + list(lines), cmd or body)


def run(ini, ns=None, tyrant=None, timeout=30, check=True):
    argv = [driver()]
    if ns is not None:
        argv += ["--ns", ns]
    if tyrant:
        argv += ["--tyrant", tyrant]
    argv.append(ini)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise TestFailure(f"jail-driver {ini} exited {p.returncode}\nstdout:\n{p.stdout}\n"
                          f"stderr:\n{p.stderr}")
    return p


def plan(ini, ns=None):
    argv = [driver(), "--plan"] + (["--ns", ns] if ns is not None else []) + [ini]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()


def setup_error(p):
    """(step, object, message) of a failed setup, or None."""
    for line in p.stderr.splitlines():
        if line.startswith("SETUP_ERROR "):
            step, obj, message = line[len("SETUP_ERROR "):].split("|", 2)
            return step, obj, message
    return None


def values(stdout):
    """KEY=VALUE lines of a worker's output as a dict."""
    out = {}
    for line in stdout.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def host_mounts_under(path):
    """Mount points of the host's (our) mount namespace at or below path."""
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            target = line.split()[4]
            if target == path or target.startswith(path.rstrip("/") + "/"):
                found.append(target)
    return found


def status_caps(text):
    caps = {}
    for line in text.splitlines():
        if line.startswith("Cap"):
            k, v = line.split(":", 1)
            caps[k] = int(v.strip(), 16)
    return caps
