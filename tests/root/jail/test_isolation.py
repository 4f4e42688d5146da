"""From inside a jailed vassal: its own hostname, PID 1 and a /proc with only its processes,
no host files or mounts (also via /proc/1/root, '..' walks and the old root's path), no host
IPC objects, only its own links, a minimal /dev and a read-only /proc/sys."""

import os

import jailtest as jt
from harness import Test

with Test("jail: isolation from inside a vassal") as t:
    root = jt.make_root(t)
    t.write("host-secret", "host only\n")
    # A host SysV shared memory segment the vassal must not see.
    shm = t.run(["ipcmk", "-M", "4096"]).stdout.strip().split()[-1]
    t.defer(lambda: t.run(["ipcrm", "-m", shm], check=False))

    body = f"""
echo hostname=$(hostname)
echo pid=$$
echo pid1=$(cat /proc/1/comm)
echo pids=$(cd /proc && ls -d [0-9]* | tr '\\n' ,)
echo comms=$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr '\\n' ,)
echo secret_direct=$(cat {t.path('host-secret')} 2>&1 >/dev/null | wc -l)
echo secret_proc1=$(ls /proc/1/root{t.tmp} 2>/dev/null | wc -l)
cd /tmp && cd ../../../.. && echo dotdot=$(pwd):$(ls / | tr '\\n' ,)
echo oldroot=$(ls -A /.old 2>/dev/null | wc -l)
echo mounts_host=$(awk '{{print $5}}' /proc/self/mountinfo | grep -c '^{t.tmp}')
echo mounts_total=$(wc -l < /proc/self/mountinfo)
echo shm=$(ipcs -m | grep -c '^0x')
echo links=$(ip -o link | awk -F': ' '{{print $2}}' | tr '\\n' ,)
echo devs=$(ls /dev | tr '\\n' ,)
echo devnull=$(echo x > /dev/null && echo ok)
echo procsys=$(echo 1 2>&1 > /proc/sys/kernel/printk_ratelimit | grep -c 'Read-only')
"""
    ini = jt.jailed(t, "iso", root, ["hostname = iso-vassal"], body)
    v = jt.values(jt.run(ini).stdout)

    t.check_eq(v["hostname"], "iso-vassal", "hostname inside the vassal")
    t.check_eq(os.uname().nodename != "iso-vassal", True, "host hostname unchanged")
    t.check_eq(v["pid1"], "jail-driver", "PID 1 is the vassal")
    pids = [int(p) for p in v["pids"].strip(",").split(",")]
    t.check(1 in pids and max(pids) < 64 and len(pids) <= 8,
            f"/proc lists only the vassal's processes: {pids}")
    comms = set(v["comms"].strip(",").split(","))
    t.check(comms <= {"jail-driver", "sh", "cat", "sort", "tr", "ls"},
            f"only the vassal's commands in /proc: {comms}")
    t.check_eq(v["secret_direct"], "1", "host file outside NEW_ROOT is unreachable")
    t.check_eq(v["secret_proc1"], "0", "/proc/1/root leads to the new root only")
    t.check_eq(v["dotdot"].split(":")[0], "/", "'..' walks stop at the new root")
    t.check_in("usr", v["dotdot"], "'..' walk lists the new root")
    t.check_eq(v["oldroot"], "0", "the old root's path holds nothing")
    t.check_eq(v["mounts_host"], "0", "no host mount under the test dir is visible")
    t.check(int(v["mounts_total"]) < 20, f"only the jail's mounts: {v['mounts_total']}")
    t.check_eq(v["shm"], "0", "host IPC objects are invisible")
    t.check_eq(v["links"], "lo,", "only the vassal's own links")
    t.check_eq(set(v["devs"].strip(",").split(",")),
               {"fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin",
                "stdout", "tty", "urandom", "zero"}, "minimal /dev")
    t.check_eq(v["devnull"], "ok", "/dev/null works")
    t.check_eq(v["procsys"], "1", "/proc/sys is read-only")
    t.check_eq(jt.host_mounts_under(t.tmp), [], "no mount left on the host")
