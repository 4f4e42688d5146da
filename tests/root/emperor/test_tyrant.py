"""emperor-tyrant: each vassal runs as the owner of its file; files others can write are
refused; a change of owner restarts the vassal as the new owner."""

import os

from emperor_util import vassal_ini, wait_field
from harness import Emperor, Test, wait_for

with Test("tyrant mode") as t:
    cfg = t.write("emperor.ini", "[emperor]\nemperor-tyrant = true\n")
    e = Emperor(t, config=cfg)
    e.wait_ready()
    d = e.vassals_dir
    path = os.path.join(d, "tenant.ini")
    # written elsewhere, owned, then moved in: the emperor never sees root's ownership
    staged = t.write("tenant.ini", vassal_ini('echo "ids $$(id -u) $$(id -g)"; exec sleep 1000'))
    os.chown(staged, 1234, 2345)
    os.rename(staged, path)
    e.wait_state("tenant", "running")
    wait_for(lambda: "[tenant] ids 1234 2345" in e.output(), what="the worker's ids in the log")

    # a new owner: restarted as that owner
    os.chown(path, 4321, 4321)
    wait_field(e, "tenant", "restarts", lambda n: n >= 1, what="restart after chown")
    wait_for(lambda: "[tenant] ids 4321 4321" in e.output(), what="the new owner's ids")
    e.wait_state("tenant", "running")

    # writable by others: refused, the running vassal is kept
    os.chmod(path, 0o666)
    v = wait_field(e, "tenant", "last_error", lambda s: s and "writable by others" in s)
    t.check_eq(v["state"], "running", "state after chmod o+w")
    other = t.write(os.path.join(d, "open.ini"), vassal_ini("exec sleep 1000"), mode=0o646)
    v = e.wait_state("open", "failed")
    t.check_in("emperor-tyrant: the file is writable by others; refused", v["last_error"], "refusal")

    # root's file writable by a group: refused (the group could run code as root)
    gw = t.write("gw.ini", vassal_ini("exec sleep 1000"), mode=0o664)
    os.chown(gw, 0, 4321)
    os.rename(gw, os.path.join(d, "gw.ini"))
    gw = os.path.join(d, "gw.ini")
    v = e.wait_state("gw", "failed")
    t.check_in("owned by root and writable by its group (gid 4321)", v["last_error"], "group-writable root file")
    os.unlink(gw)

    # a tenant may include only what it could read, and may not read the emperor's environment
    secret = t.write("secret.ini", "[uwsgi]\nenv = TOKEN=hidden\n", mode=0o600)
    staged = t.write("nosy.ini", vassal_ini("exec sleep 1000", ini=secret))
    os.chown(staged, 1234, 1234)
    os.rename(staged, os.path.join(d, "nosy.ini"))
    v = e.wait_state("nosy", "failed")
    t.check_in(f"include '{secret}': not readable by the file's owner (uid 1234", v["last_error"],
               "an include the tenant cannot read")
    staged = t.write("envy.ini", vassal_ini("exec sleep 1000", hostname="$(HOME)"))
    os.chown(staged, 1234, 1234)
    os.rename(staged, os.path.join(d, "envy.ini"))
    v = e.wait_state("envy", "failed")
    t.check_in("'$(HOME)': environment variables are not available to this file", v["last_error"],
               "$(VAR) in a tenant's file")

    # a tenant's file may not run code as root nor pick its privileges; root's files may
    staged = t.write("greedy.ini", vassal_ini("exec sleep 1000", exec_as_root="id"))
    os.chown(staged, 1234, 1234)
    os.rename(staged, os.path.join(d, "greedy.ini"))
    v = e.wait_state("greedy", "failed")
    t.check_in("emperor-tyrant: 'exec-as-root' is not allowed in a file owned by uid 1234", v["last_error"],
               "privileged key refused")
    t.write(os.path.join(d, "rooted.ini"), vassal_ini("exec sleep 1000", exec_as_root="true", cap="net_raw"))
    e.wait_state("rooted", "running")
