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

    def drop(filename, text, uid, gid, mode=0o644):
        """Written elsewhere, owned, then moved in: the emperor never sees root's ownership."""
        staged = t.write(filename, text, mode=mode)
        os.chown(staged, uid, gid)
        os.rename(staged, os.path.join(d, filename))
        return os.path.join(d, filename)

    path = drop("tenant.ini", vassal_ini('echo "ids $$(id -u) $$(id -g)"; exec sleep 1000'), 1234, 2345)
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
    gw = drop("gw.ini", vassal_ini("exec sleep 1000"), 0, 4321, mode=0o664)
    v = e.wait_state("gw", "failed")
    t.check_in("owned by root and writable by its group (gid 4321)", v["last_error"], "group-writable root file")
    os.unlink(gw)

    # a tenant may include only what it could read, and may not read the emperor's environment
    secret = t.write("secret.ini", "[uwsgi]\nenv = TOKEN=hidden\n", mode=0o600)
    drop("nosy.ini", vassal_ini("exec sleep 1000", ini=secret), 1234, 1234)
    v = e.wait_state("nosy", "failed")
    t.check_in(f"include '{secret}': not readable by the file's owner (uid 1234", v["last_error"],
               "an include the tenant cannot read")
    drop("envy.ini", vassal_ini("exec sleep 1000", hostname="$(HOME)"), 1234, 1234)
    v = e.wait_state("envy", "failed")
    t.check_in("'$(HOME)': environment variables are not available to this file", v["last_error"],
               "$(VAR) in a tenant's file")

    # a tenant's file may not run code as root nor pick its privileges; root's files may
    drop("greedy.ini", vassal_ini("exec sleep 1000", exec_as_root="id"), 1234, 1234)
    v = e.wait_state("greedy", "failed")
    t.check_in("emperor-tyrant: 'exec-as-root' is not allowed in a file owned by uid 1234", v["last_error"],
               "privileged key refused")
    t.write(os.path.join(d, "rooted.ini"), vassal_ini("exec sleep 1000", exec_as_root="true", cap="net_raw"))
    e.wait_state("rooted", "running")
