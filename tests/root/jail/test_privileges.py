"""Identity, capabilities, no_new_privs and seccomp as a worker sees them: CapEff = CapBnd =
`cap` (ambient for a non-root worker), the configured uid/gid/groups (and the tyrant's ids),
no privilege regained through a setuid binary, denied calls fail with EPERM (ENOSYS for
clone3), seccomp-deny/-allow/-log."""

import grp
import os
import shutil

import jailtest as jt
from harness import Test

CAP_KILL = 1 << 5
CAP_NET_BIND_SERVICE = 1 << 10

CAPS = "grep ^Cap /proc/self/status"
IDS = "echo uid=$(id -u); echo gid=$(id -g); echo groups=$(id -G | tr ' ' ,)"
CLONE3 = ("python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); "
          "r=l.syscall(435, 0, 0); print(\"clone3=%d\" % ctypes.get_errno())'")

with Test("jail: identity, capabilities, no_new_privs, seccomp") as t:
    root = jt.make_root(t)
    staff = grp.getgrnam("staff").gr_gid

    # A non-root worker keeps exactly `cap`, through the ambient set.
    ini = jt.jailed(t, "user", root, ["uid = nobody", "add-gid = staff",
                                      "cap = net_bind_service, CAP_KILL"], f"{CAPS}\n{IDS}")
    p = jt.run(ini)
    caps = jt.status_caps(p.stdout)
    want = CAP_KILL | CAP_NET_BIND_SERVICE
    for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh"):
        t.check_eq(caps.get(k), want, f"{k} of a non-root worker")
    v = jt.values(p.stdout)
    t.check_eq(v["uid"], "65534", "uid = nobody")
    t.check_eq(v["gid"], str(grp.getgrnam("nogroup").gr_gid), "gid: nobody's primary group")
    t.check_in(str(staff), v["groups"], "add-gid")

    # Root without `cap` ends with nothing; root with cap = kill keeps kill only.
    p = jt.run(jt.jailed(t, "rootnone", root, [], CAPS))
    caps = jt.status_caps(p.stdout)
    t.check_eq((caps["CapEff"], caps["CapBnd"]), (0, 0), "root worker without cap")
    p = jt.run(jt.jailed(t, "rootkill", root, ["cap = kill"], CAPS))
    caps = jt.status_caps(p.stdout)
    t.check_eq((caps["CapEff"], caps["CapBnd"]), (CAP_KILL, CAP_KILL), "root worker with cap = kill")

    # A number without a passwd entry: its gid defaults to the same number, no groups.
    p = jt.run(jt.jailed(t, "numeric", root, ["uid = 4242"], IDS))
    v = jt.values(p.stdout)
    t.check_eq((v["uid"], v["gid"], v["groups"]), ("4242", "4242", "4242"), "numeric uid")
    # emperor-tyrant: the file owner's ids win over the file's uid/gid.
    p = jt.run(jt.jailed(t, "tyrant", root, ["uid = nobody", "gid = staff"], IDS),
               tyrant="4343:4344")
    v = jt.values(p.stdout)
    t.check_eq((v["uid"], v["gid"]), ("4343", "4344"), "tyrant ids")

    # A setuid-root binary does not give privileges back (no_new_privs, empty bounding set).
    suid = os.path.join(root, "tmp", "suid-id")
    shutil.copy("/usr/bin/id", suid)
    os.chown(suid, 0, 0)
    os.chmod(suid, 0o4755)
    control = t.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", suid, "-u"])
    t.check_eq(control.stdout.strip(), "0", "control: the setuid binary works outside the jail")
    p = jt.run(jt.jailed(t, "suid", root, ["uid = nobody"], "echo euid=$(/tmp/suid-id -u)"))
    t.check_eq(jt.values(p.stdout)["euid"], "65534", "no privilege regained through setuid")

    # seccomp: denied calls fail with EPERM; unshare -U needs no capability, so only the
    # filter can refuse it. clone3 gets ENOSYS (38) so libc falls back to clone.
    body = ("unshare -U true 2>&1; echo unshare=$?\n" + CLONE3 + "\n"
            "python3 -c 'import os; pid = os.fork(); os._exit(0) if pid == 0 else "
            "print(\"fork=%d\" % os.waitpid(pid, 0)[1])'")
    p = jt.run(jt.jailed(t, "seccomp", root, ["uid = nobody"], body))
    v = jt.values(p.stdout)
    t.check_in("Operation not permitted", p.stdout, "unshare denied with EPERM")
    t.check_eq(v["unshare"], "1", "unshare exit status")
    t.check_eq(v["clone3"], "38", "clone3 answered ENOSYS")
    t.check_eq(v["fork"], "0", "fork still works under the filter")

    p = jt.run(jt.jailed(t, "allow", root, ["uid = nobody", "seccomp-allow = unshare"], body))
    t.check_eq(jt.values(p.stdout)["unshare"], "0", "seccomp-allow = unshare")
    p = jt.run(jt.jailed(t, "log", root, ["uid = nobody", "seccomp-log = true"], body))
    v = jt.values(p.stdout)
    t.check_eq((v["unshare"], v["clone3"]), ("0", "22"), "seccomp-log denies nothing")
    p = jt.run(jt.jailed(t, "off", root, ["uid = nobody", "seccomp = off"], body))
    t.check_eq(jt.values(p.stdout)["unshare"], "0", "seccomp = off")
    p = jt.run(jt.jailed(t, "deny", root, ["uid = nobody", "seccomp-deny = uname"],
                         "uname 2>&1; echo uname=$?"))
    t.check_in("Operation not permitted", p.stdout, "seccomp-deny = uname fails with EPERM")
    t.check_eq(jt.values(p.stdout)["uname"], "1", "uname exit status")
    t.check_eq(jt.host_mounts_under(t.tmp), [], "no mount left on the host")
