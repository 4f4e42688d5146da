"""Drop, touch, edit (worker keys / jail keys / invalid), remove; the CLI verbs and events."""

import json
import os
import subprocess
import time

from emperor_util import vassal_ini, wait_field
from harness import Emperor, Test, wait_for

with Test("emperor lifecycle through files and the CLI") as t:
    e = Emperor(t)
    e.wait_ready()
    marker = f"lifecycle-{os.getpid()}"
    path = t.write(os.path.join(e.vassals_dir, "web.ini"),
                   vassal_ini(f"exec sleep 1000 # {marker}", processes=2, hostname="web"))
    e.wait_state("web", "running")
    v = wait_field(e, "web", "workers", lambda n: n == 2, what="two workers after start")
    t.check_eq(v["restarts"], 0, "restarts after start")
    t.check_eq(v["namespaces"], ["ipc", "uts", "mount", "pid", "net"], "default namespaces")
    t.check(isinstance(v["pid"], int) and os.path.exists(f"/proc/{v['pid']}"), "pid is a live host pid")
    first_pid = v["pid"]

    # events stream, from now on
    events = subprocess.Popen([t.bin("emperor"), "events", "--json", "--runtime-dir", e.runtime_dir],
                              stdout=subprocess.PIPE, text=True)
    t.defer(events.kill)
    time.sleep(0.2)

    # touch: an in-place reload, same vassal process
    os.utime(path)
    wait_field(e, "web", "reloads", lambda n: n == 1, what="reload after touch")
    t.check_eq(e.vassal("web")["pid"], first_pid, "pid after touch")

    # a worker-level edit: reload in place, with the new pool size
    t.write(path, vassal_ini(f"exec sleep 1000 # {marker}", processes=3, hostname="web"))
    wait_field(e, "web", "reloads", lambda n: n == 2, what="reload after processes edit")
    wait_field(e, "web", "workers", lambda n: n == 3)
    t.check_eq(e.vassal("web")["pid"], first_pid, "pid after a worker-level edit")

    # an invalid edit keeps the running vassal and says why, with file and line
    t.write(path, vassal_ini(f"exec sleep 1000 # {marker}", processes=3, hostname="web") + "procesess = 4\n")
    v = wait_field(e, "web", "last_error", lambda s: s and "did you mean 'processes'" in s)
    t.check_eq(v["state"], "running", "state after an invalid edit")
    t.check_in(f"{path}:6: error: unknown key 'procesess'", v["last_error"], "error names file and line")
    t.check_eq(v["pid"], first_pid, "pid after an invalid edit")
    # reverting the edit clears the error (same content as the running spec)
    t.write(path, vassal_ini(f"exec sleep 1000 # {marker}", processes=3, hostname="web"))
    wait_field(e, "web", "last_error", lambda s: s is None, what="error cleared by reverting the edit")

    # a jail-level edit restarts the vassal
    t.write(path, vassal_ini(f"exec sleep 1000 # {marker}", processes=3, hostname="web2"))
    v = wait_field(e, "web", "restarts", lambda n: n == 1, what="restart after hostname edit")
    e.wait_state("web", "running")
    t.check(e.vassal("web")["pid"] != first_pid, "a new vassal process after a restart")
    t.check_eq(e.vassal("web")["last_error"], None, "error cleared by a good edit")

    # the CLI verbs wait for the outcome
    p = e.cli("stop", "web")
    t.check_eq((p.returncode, p.stdout.strip()), (0, "web stopped"), "emperor stop")
    t.check_eq(e.cli("status", "web").returncode, 3, "status exit code of a stopped vassal")
    t.check_eq(e.cli("status").returncode, 3, "status exit code when one is not running")
    p = e.cli("reload", "web")
    t.check_eq(p.returncode, 1, "reload of a stopped vassal fails")
    t.check_in("not running", p.stderr, "reload refusal says why")
    p = e.cli("start", "web")
    t.check_eq((p.returncode, p.stdout.strip()), (0, "web is running"), "emperor start")
    p = e.cli("restart", "web")
    t.check_eq((p.returncode, p.stdout.strip()), (0, "web restarted"), "emperor restart")
    p = e.cli("reload", "web")
    t.check_eq((p.returncode, p.stdout.strip()), (0, "web reloaded"), "emperor reload")
    t.check_eq(e.cli("status").returncode, 0, "status exit code when all run")
    t.check_eq(e.cli("status", "nosuch").returncode, 4, "status exit code of an unknown vassal")
    t.check_eq(e.cli("stop", "nosuch").returncode, 4, "stop of an unknown vassal")
    t.check_eq(e.cli("status", "a", "b").returncode, 2, "usage error")
    # a command that cannot run: start and restart report the failure, not a brief success
    broken = t.write(os.path.join(e.vassals_dir, "broken.ini"), vassal_ini("exec /etc/passwd"))
    e.wait_state("broken", "failed")
    for verb in ("start", "restart"):
        p = e.cli(verb, "broken")
        t.check_eq(p.returncode, 1, f"emperor {verb} of a command that cannot run")
        t.check_in("broken failed", p.stdout + p.stderr, f"emperor {verb} says it failed")
    os.unlink(broken)
    e.wait_gone("broken")
    block = e.cli("status", "web").stdout
    t.check_in("web - running", block, "status NAME block")
    t.check_in("Workers: 3/3", block, "status NAME workers")

    # status.json is the same document, replaced atomically
    with open(os.path.join(e.runtime_dir, "status.json")) as f:
        doc = json.load(f)
    t.check_eq([v["name"] for v in doc["vassals"]], ["web"], "status.json vassals")
    t.check_eq(doc["emperor"]["status_file_mode"], "o_tmpfile", "status.json written through O_TMPFILE")
    t.check_eq(oct(os.stat(os.path.join(e.runtime_dir, "emperor.sock")).st_mode & 0o777), "0o600",
               "control socket mode")

    # removing the file stops the vassal and forgets it; no process is left
    os.unlink(path)
    e.wait_gone("web")
    t.check_eq(e.cli("status", "web").returncode, 4, "a removed vassal is unknown")
    wait_for(lambda: not any(marker in open(f"/proc/{p}/cmdline").read()
                             for p in os.listdir("/proc") if p.isdigit() and os.path.exists(f"/proc/{p}/cmdline")),
             what="no worker left")

    events.kill()
    lines = [json.loads(l) for l in events.communicate()[0].splitlines() if l.strip()]
    transitions = [(l["from"], l["to"]) for l in lines]
    for expected in [("running", "reloading"), ("reloading", "running"), ("running", "stopping"),
                     ("stopping", "stopped"), ("stopped", "starting"), ("starting", "running")]:
        t.check(expected in transitions, f"event {expected} in {transitions}")
