"""Through the emperor: a jailed vassal runs in its own namespaces and root, what its hooks
say (print:, an ignored safeexec failure) reaches the emperor's log, its hook phases
run once per vassal start (an in-place reload of its workers runs none again), and each setup
failure (bad NEW_ROOT, failing hook, unknown user) reaches `emperor status NAME` as
last_error with its step."""

import os

import jailtest as jt
from harness import Emperor, Test, TestFailure, wait_for

with Test("jail: through the emperor, failures in emperor status") as t:
    root = jt.make_root(t)
    vassals = t.path("vassals")
    os.makedirs(vassals, exist_ok=True)
    emperor = Emperor(t, vassals_dir=vassals)
    emperor.wait_ready()

    hooks = [f"exec-pre-jail = echo pre-jail >> {root}/tmp/log",
             "exec-post-jail = echo post-jail >> /tmp/log",
             "exec-as-root = echo as-root >> /tmp/log; chmod 666 /tmp/log",
             "exec-as-user = echo as-user >> /tmp/log", "uid = nobody",
             "hook-as-root = print:print-through-the-emperor",
             "hook-as-root = safeexec:echo safeexec-said; exit 5"]
    jt.jailed(t, "good", root, ["hostname = good"] + hooks,
              "hostname > /tmp/good.tmp; mv /tmp/good.tmp /tmp/good; echo worker >> /tmp/log; "
              "exec sleep 60")
    wait_for(lambda: os.path.exists(os.path.join(root, "tmp", "good")), timeout=15,
             what="the jailed vassal's worker")
    with open(os.path.join(root, "tmp", "good")) as f:
        t.check_eq(f.read().strip(), "good", "hostname inside the emperor's vassal")

    # Running means its first workers lived a moment: only then does a reload apply.
    emperor.wait_state("good", "running", timeout=15)
    # What the hooks said reaches the emperor's log, not only `vassal -v`.
    wait_for(lambda: "print-through-the-emperor" in emperor.output(), timeout=10,
             what="the print: hook's text in the emperor's log")
    t.check_in("'echo safeexec-said; exit 5' failed (safeexec, ignored): exit status 5; "
               "output: safeexec-said", emperor.output(), "an ignored safeexec failure is logged")

    def log_lines():
        with open(os.path.join(root, "tmp", "log")) as f:
            return [line.strip() for line in f]
    reload = emperor.cli("reload", "good")
    t.check_eq(reload.returncode, 0, f"emperor reload good: {reload.stdout} {reload.stderr}")
    wait_for(lambda: log_lines().count("worker") >= 2, timeout=15, what="the reloaded worker")
    t.check_eq(log_lines(), ["pre-jail", "post-jail", "as-root", "as-user", "worker", "worker"],
               "hook phases once per vassal start; a reload runs none of them again")

    missing = t.path("missing")
    cases = {
        "badroot": ([f"pivot-root = {missing} .old"], "PIVOT_ROOT",
                    f"check new root '{missing}': No such file or directory"),
        "badhook": (["exec-as-root = echo hook-said-no; exit 9"], "HOOK",
                    "exit status 9; output: hook-said-no"),
        "baduser": (["uid = no-such-user-here"], "IDENTITY", "unknown user 'no-such-user-here'"),
    }
    for name, (lines, _, _) in cases.items():
        jt.vassal(t, name, lines, "sleep 60")

    def error_of(name):
        v = emperor.vassal(name)
        return v and v.get("last_error")

    for name, (_, step, message) in cases.items():
        try:
            err = wait_for(lambda: error_of(name), timeout=15, what=f"{name}'s last_error")
        except TestFailure as e:
            raise TestFailure(f"{e}; now {emperor.vassal(name)}\n{emperor.output()[-3000:]}")
        t.check_in(step, err, f"{name}: step in last_error")
        t.check_in(message, err, f"{name}: message in last_error")
    t.check(emperor.vassal("good")["state"] == "running", f"good still runs: {emperor.vassal('good')}")
