"""Bad input never harms the other vassals: a malformed file, a missing command, a file
removed while its vassal starts, a name defined twice, editor leftovers."""

import os
import time

from emperor_util import vassal_ini, wait_field
from harness import Emperor, Test, wait_for

with Test("bad vassal files are reported and harm nobody") as t:
    e = Emperor(t)
    e.wait_ready()
    d = e.vassals_dir
    t.write(os.path.join(d, "good.ini"), vassal_ini("exec sleep 1000"))
    good = e.wait_state("good", "running")

    # malformed: reported with file:line, vassal listed as failed
    t.write(os.path.join(d, "broken.ini"), "[uwsgi]\ncommand = sleep 1\nprocesses = lots\n")
    v = e.wait_state("broken", "failed")
    t.check_in(f"{d}/broken.ini:3: error: 'processes': invalid number 'lots'", v["last_error"],
               "malformed file error")
    t.check_in("broken.ini:3: error", e.output(), "the error is in the emperor's log")

    # binary garbage and a JSON file that is not an object
    with open(os.path.join(d, "garbage.ini"), "wb") as f:
        f.write(os.urandom(2048).replace(b"\0", b"x"))
    t.write(os.path.join(d, "list.json"), "[1, 2, 3]")
    e.wait_state("garbage", "failed")
    v = e.wait_state("list", "failed")
    t.check_in("the file must hold one JSON object", v["last_error"], "JSON error")

    # a command that does not exist: failed, with the exec error (not a respawn loop)
    t.write(os.path.join(d, "nocmd.toml"), 'command = "/nonexistent/program --flag"\n')
    v = e.wait_state("nocmd", "failed")
    t.check_in("EXEC: command '/nonexistent/program --flag' could not run: execve '/nonexistent/program': "
               "No such file or directory (worker 1)", v["last_error"], "exec error")
    # the same through PATH: the directories searched are named
    t.write(os.path.join(d, "nopath.toml"), 'command = "exec no-such-program-here --flag"\n')
    v = e.wait_state("nopath", "failed")
    t.check_in("EXEC: command 'exec no-such-program-here --flag' could not run: execve 'no-such-program-here' "
               "(looked for in PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin): "
               "No such file or directory", v["last_error"], "PATH exec error")
    # and through the shell (a command with shell syntax): the shell's 127 is read as such
    t.write(os.path.join(d, "noshell.toml"), 'command = "no-such-program-here > /dev/null"\n')
    v = e.wait_state("noshell", "failed")
    t.check_in("EXEC: command 'no-such-program-here > /dev/null' could not run: /bin/sh exit status 127 "
               "(command not found)", v["last_error"], "shell exec error")
    t.check_in("not found", v["last_error"], "the shell's own message is attached")

    # the same name twice: the first keeps it, the second is reported
    t.write(os.path.join(d, "good.json"), '{"command": "sleep 5"}')
    wait_for(lambda: "good.json: vassal 'good' is already defined by" in e.output(), what="conflict report")

    # editor and package-manager leftovers are ignored
    for name in [".good.ini.swp", "good.ini~", "#good.ini#", "4913", "good.ini.dpkg-new", "notes.txt"]:
        t.write(os.path.join(d, name), "[uwsgi]\ncommand = sleep 1000\n")
    time.sleep(0.3)
    names = sorted(v["name"] for v in e.status()["vassals"])
    t.check_eq(names, ["broken", "garbage", "good", "list", "nocmd", "nopath", "noshell"],
               "vassals after leftovers")

    # a file removed while its vassal starts: no trace left
    for i in range(5):
        path = t.write(os.path.join(d, f"flash{i}.ini"), vassal_ini("exec sleep 1000"))
        os.unlink(path)
    wait_for(lambda: not any(v["name"].startswith("flash") for v in e.status()["vassals"]),
             what="flash vassals to be gone")

    # fixing a broken file starts it
    t.write(os.path.join(d, "broken.ini"), "[uwsgi]\ncommand = exec sleep 1000\n")
    e.wait_state("broken", "running")

    # through all of it the good vassal kept its process
    v = e.vassal("good")
    t.check_eq((v["state"], v["pid"], v["restarts"]), ("running", good["pid"], 0), "good vassal untouched")
