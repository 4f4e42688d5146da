"""Read-only mounts hold for whole trees. A `mount:` hook with bind,rec,ro,nosuid makes a tmpfs
mounted under the source read-only and nosuid too (not only the top mount), with
mount_setattr and with the fallback for kernels without it (jail-driver
--no-mount-setattr: mountinfo walked, each mount remounted). A vassal that stays root
without a new root cannot open host /sys files, nor its cgroup submount, for writing (EROFS);
the same files open for writing on the host (the control). Opening for writing changes
nothing: the probe never writes."""

import os
import subprocess

import jailtest as jt
from harness import Test

# Prints KEY=VALUE lines: the errno name of opening each path for writing (or "ok").
PROBE = r"""
import errno, os, sys
for i, path in enumerate(sys.argv[1:]):
    try:
        if path.endswith("/"):
            fd = os.open(path + "new-file", os.O_WRONLY | os.O_CREAT, 0o644)
        else:
            fd = os.open(path, os.O_WRONLY)
        os.close(fd)
        print(f"p{i}=ok")
    except OSError as e:
        print(f"p{i}={errno.errorcode[e.errno]}")
"""


def options_of(mountinfo, target):
    for line in mountinfo.splitlines():
        f = line.split()
        if len(f) > 5 and f[4] == target:
            return set(f[5].split(","))
    return None


with Test("jail: read-only binds down their submounts; /sys read-only") as t:
    probe = t.write("probe.py", PROBE)
    python = "/usr/bin/python3"

    # A tree with a tmpfs submount, bound read-only and nosuid into the vassal's view.
    for variant, extra in (("setattr", []), ("fallback", ["--no-mount-setattr"])):
        src, dst = t.path(variant, "src"), t.path(variant, "dst")
        os.makedirs(os.path.join(src, "sub"))
        os.makedirs(dst)
        lines = [f"hook-pre-jail = mount:tmpfs none {src}/sub",
                 f"hook-pre-jail = mount:none {src} {dst} bind,rec,ro,nosuid"]
        body = (f"{python} {probe} {dst}/ {dst}/sub/\n"
                f"echo top=$(awk '$5 == \"{dst}\" {{print $6}}' /proc/self/mountinfo)\n"
                f"echo sub=$(awk '$5 == \"{dst}/sub\" {{print $6}}' /proc/self/mountinfo)\n")
        sh = t.write(t.path(variant, "check.sh"), body)
        ini = jt.vassal(t, "ro-" + variant, lines, f"/bin/sh {sh}")
        p = subprocess.run([jt.driver(), *extra, "--ns", "mount,pid", ini],
                           capture_output=True, text=True, timeout=30)
        t.check_eq(p.returncode, 0, f"{variant}: driver exit\n{p.stderr}")
        v = jt.values(p.stdout)
        t.check_eq((v.get("p0"), v.get("p1")), ("EROFS", "EROFS"),
                   f"{variant}: the top and the submount are read-only")
        for key in ("top", "sub"):
            opts = set(v.get(key, "").split(","))
            t.check({"ro", "nosuid"} <= opts, f"{variant}: {key} mount options {opts}")
        # The control: on the host (no tmpfs there, it lived in the vassal's namespace)
        # the same tree is writable.
        t.write(os.path.join(src, "sub", "host-write"), "x")

    # Root without a new root: /sys and a submount of it are read-only inside.
    candidates = ["/sys/kernel/mm/transparent_hugepage/enabled", "/sys/power/state",
                  "/sys/kernel/uevent_helper", "/sys/class/net/lo/mtu"]
    sys_file = next((c for c in candidates if os.path.exists(c)), None)
    cgroup = next((c for c in ["/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/tasks",
                               "/sys/fs/cgroup/unified/cgroup.procs"] if os.path.exists(c)), None)
    paths = [p for p in (sys_file, cgroup) if p]
    t.check(paths, "a writable /sys file to probe")
    control = jt.values(t.run([python, probe] + paths).stdout)
    t.check_eq(set(control.values()), {"ok"}, f"control: the host opens {paths} for writing")
    ini = jt.vassal(t, "sys", [], f"{python} {probe} {' '.join(paths)}")
    v = jt.values(jt.run(ini, ns="mount,pid").stdout)
    t.check_eq(set(v.values()), {"EROFS"}, f"/sys read-only inside ({paths}): {v}")

    t.check_eq(jt.host_mounts_under(t.tmp), [], "no mount left on the host")
