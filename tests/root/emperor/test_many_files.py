"""200 vassal files dropped at once all run; removing them all stops them all."""

import os
import time

from emperor_util import vassal_ini
from harness import Emperor, Test, wait_for

with Test("200 files at once") as t:
    e = Emperor(t)
    e.wait_ready()
    staging = t.path("staging")
    os.makedirs(staging)
    for i in range(200):
        t.write(os.path.join(staging, f"v{i:03}.ini"), vassal_ini("exec sleep 1000"))
    began = time.monotonic()
    for i in range(200):
        os.rename(os.path.join(staging, f"v{i:03}.ini"), os.path.join(e.vassals_dir, f"v{i:03}.ini"))

    def all_running():
        st = e.status()
        return st and len(st["vassals"]) == 200 and all(v["state"] == "running" for v in st["vassals"])
    wait_for(all_running, timeout=60, interval=0.1, what="200 vassals running")
    print(f"200 vassals running after {time.monotonic() - began:.2f}s")
    for i in range(200):
        os.unlink(os.path.join(e.vassals_dir, f"v{i:03}.ini"))
    wait_for(lambda: e.status() and not e.status()["vassals"], timeout=60, interval=0.1, what="all gone")
