"""End to end through the vassal binary (`vassal FILE`): the jail built by the real vassal,
its workers spawned by the real master under the jail's seccomp filter (sys::Child falls
back to clone when clone3 gets ENOSYS), and a setup failure reported with its step."""

import os
import signal
import subprocess

import jailtest as jt
from harness import Test, wait_for

with Test("jail: end to end through vassal FILE") as t:
    vassal = t.bin("vassal")
    root = jt.make_root(t)
    body = """
f=/tmp/out.$$
{ echo hostname=$(hostname); echo uid=$(id -u); echo pid1=$(cat /proc/1/comm)
  echo caps=$(grep CapEff /proc/self/status | cut -f2); echo bnd=$(grep CapBnd /proc/self/status | cut -f2)
  echo unshare=$(unshare -U true 2>&1 | grep -c 'not permitted')
  echo procs=$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr '\\n' ,); } > $f.tmp
mv $f.tmp /tmp/result
exec sleep 30
"""
    ini = jt.jailed(t, "web", root, ["hostname = web", "uid = nobody", "cap = net_bind_service",
                                     "processes = 2"], body)
    log = open(t.path("vassal.log"), "w")
    p = t.spawn([vassal, ini], stdout=log, stderr=subprocess.STDOUT)
    result = os.path.join(root, "tmp", "result")
    try:
        wait_for(lambda: os.path.exists(result), timeout=15, what="a worker's report")
    except Exception:
        with open(t.path("vassal.log")) as f:
            raise AssertionError(f.read()[-3000:])
    with open(result) as f:
        v = jt.values(f.read())
    t.check_eq(v["hostname"], "web", "hostname")
    t.check_eq(v["uid"], "65534", "uid")
    t.check_eq(v["pid1"], "vassal", "the vassal is PID 1")
    t.check_eq((v["caps"], v["bnd"]), ("0000000000000400", "0000000000000400"), "CapEff = CapBnd = cap")
    t.check_eq(v["unshare"], "1", "seccomp denies unshare")
    # Two workers run the same script: /proc may show what the other one runs right now.
    mine = {"vassal", "sh", "sleep", "cat", "sort", "tr", "hostname", "id", "grep", "cut",
            "unshare", "mv"}
    t.check(set(v["procs"].strip(",").split(",")) <= mine,
            f"only the vassal's processes: {v['procs']}")
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(timeout=15)

    bad = jt.vassal(t, "bad", [f"pivot-root = {t.path('missing')} .old"])
    out = t.run([vassal, bad], check=False, timeout=30)
    text = out.stdout + out.stderr
    t.check(out.returncode != 0, "a vassal whose jail fails exits non-zero")
    t.check_in("PIVOT_ROOT", text, "the failing step is named")
    t.check_in(f"check new root '{t.path('missing')}': No such file or directory", text, "message")
    t.check_eq(jt.host_mounts_under(t.tmp), [], "no mount left on the host")
