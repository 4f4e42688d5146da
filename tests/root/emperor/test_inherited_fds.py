"""An fd the emperor inherited without close-on-exec (from a shell, an ssh session, a test
runner) reaches no vassal and no worker; a worker holds its stdio and nothing else."""

import os

from emperor_util import vassal_ini, wait_field
from harness import Emperor, Test


def fd_targets(pid):
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out[int(fd)] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            pass  # closed while we looked
    return out


with Test("fds the emperor inherited stay with the emperor") as t:
    # Above the numbers a vassal gets (0-3), below those of the vassals' own pipes.
    pipe_r, pipe_w = os.pipe()
    r = next(fd for fd in range(9, 64) if not os.path.exists(f"/proc/self/fd/{fd}"))
    os.dup2(pipe_r, r, inheritable=True)
    for fd in (pipe_r, pipe_w, r):
        t.defer(lambda fd=fd: os.close(fd))
    leaked = os.readlink(f"/proc/self/fd/{r}")
    e = Emperor(t, pass_fds=(r,))
    e.wait_ready()
    t.check_eq(fd_targets(e.proc.pid).get(r), leaked, "the emperor holds the inherited pipe at its number")

    t.write(os.path.join(e.vassals_dir, "plain.ini"), vassal_ini("exec sleep 1000", processes=2))
    v = wait_field(e, "plain", "workers", lambda n: n == 2, what="two workers")
    master = fd_targets(v["pid"])
    t.check(leaked not in master.values(), f"the vassal master does not hold the inherited pipe: {master}")
    for w_info in v["worker_details"]:
        fds = fd_targets(w_info["pid"])
        t.check(leaked not in fds.values(), f"worker {w_info['pid']} does not hold the inherited pipe")
        t.check_eq(sorted(fds), [0, 1, 2], f"worker {w_info['pid']}'s fds")
