"""The directory: same-second edits are never missed, symlinks are followed (a ConfigMap
..data swap), the directory may vanish and come back, and a second emperor may run beside."""

import os
import shutil
import time

from emperor_util import vassal_ini, wait_field
from harness import Emperor, Test, wait_for

with Test("the vassal directory") as t:
    e = Emperor(t)
    e.wait_ready()
    d = e.vassals_dir

    # two edits within one second, the second restoring the size: both seen
    path = t.write(os.path.join(d, "quick.ini"), vassal_ini("exec sleep 1000", hostname="aaaa"))
    e.wait_state("quick", "running")
    t.write(path, vassal_ini("exec sleep 1000", hostname="bbbb"))
    wait_field(e, "quick", "hostname", lambda h: h == "bbbb")
    t.write(path, vassal_ini("exec sleep 1000", hostname="cccc"))
    wait_field(e, "quick", "hostname", lambda h: h == "cccc")

    # a hard link is complete when it appears: no close event follows, no wait for a rescan
    staged = t.write("linked.ini", vassal_ini("exec sleep 1000"))
    os.link(staged, os.path.join(d, "linked.ini"))
    e.wait_state("linked", "running", timeout=3)

    # one name, two files: the second is refused and says so; it takes over when the first goes
    t.write(os.path.join(d, "dup.ini"), vassal_ini("exec sleep 1000", hostname="from-ini"))
    e.wait_state("dup", "running")
    t.write(os.path.join(d, "dup.toml"), 'command = "exec sleep 1000"\nhostname = "from-toml"\nreload-mercy = 2\n')
    v = wait_field(e, "dup", "last_error", lambda s: s and "already defined by" in s)
    t.check_in("dup.toml", v["last_error"], "the conflict names the refused file")
    os.unlink(os.path.join(d, "dup.ini"))
    wait_field(e, "dup", "hostname", lambda h: h == "from-toml", timeout=8, what="dup.toml takes over")
    e.wait_state("dup", "running")

    # ConfigMap style: web.ini -> ..data/web.ini, ..data -> ..v1; swapping ..data updates web
    cm = t.path("cm")
    for version, host in (("..v1", "one"), ("..v2", "two")):
        os.makedirs(os.path.join(cm, version))
        with open(os.path.join(cm, version, "web.ini"), "w") as f:
            f.write(vassal_ini("exec sleep 1000", hostname=host))
    os.symlink("..v1", os.path.join(d, "..data"))
    os.symlink("..data/web.ini", os.path.join(d, "web.ini"))
    for version in ("..v1", "..v2"):
        shutil.copytree(os.path.join(cm, version), os.path.join(d, version), symlinks=True)
    wait_field(e, "web", "hostname", lambda h: h == "one")
    os.symlink("..v2", os.path.join(d, "..data_tmp"))
    os.rename(os.path.join(d, "..data_tmp"), os.path.join(d, "..data"))  # the atomic swap
    wait_field(e, "web", "hostname", lambda h: h == "two")
    e.wait_state("web", "running")

    # the directory vanishes: vassals keep running; it comes back: changes apply again
    pid = e.vassal("quick")["pid"]
    moved = t.path("moved-away")
    os.rename(d, moved)
    wait_for(lambda: e.status()["emperor"]["vassals_dir_present"] is False, what="the emperor notices")
    time.sleep(1.5)
    t.check_eq((e.vassal("quick")["state"], e.vassal("quick")["pid"]), ("running", pid), "vassal kept")
    os.rename(moved, d)
    wait_for(lambda: e.status()["emperor"]["vassals_dir_present"], timeout=5, what="the directory is back")
    t.write(os.path.join(d, "late.ini"), vassal_ini("exec sleep 1000"))
    e.wait_state("late", "running")
    os.unlink(os.path.join(d, "quick.ini"))
    e.wait_gone("quick")

    # a second emperor beside the first, on its own runtime dir; a third on the same dir is refused
    other = Emperor(t, vassals_dir=t.path("other-vassals"))
    t.write(os.path.join(other.vassals_dir, "solo.ini"), vassal_ini("exec sleep 1000"))
    other.wait_state("solo", "running")
    t.check(e.vassal("solo") is None, "each emperor sees its own vassals")
    p = t.run([t.bin("emperor"), "run", "--vassals", other.vassals_dir, "--runtime-dir", other.runtime_dir],
              check=False, timeout=10)
    t.check_eq(p.returncode, 1, "a second emperor on one runtime dir")
    t.check_in("another emperor uses the runtime dir", p.stderr, "and it says why")
