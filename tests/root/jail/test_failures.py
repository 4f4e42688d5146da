"""Each setup failure names its step, its object and a complete message, and leaves no
mount, device or process behind: bad NEW_ROOT, failing hook (status and output), unknown
user, unknown capability, unknown system call, a key that needs a namespace it lacks."""

import os
import subprocess

import jailtest as jt
from harness import Test


def expect(t, ini, step, obj, message_part, ns=None):
    p = jt.run(ini, ns=ns, check=False)
    err = jt.setup_error(p)
    t.check(err is not None, f"{ini}: no SETUP_ERROR (exit {p.returncode})\n{p.stderr}")
    t.check_eq(p.returncode, 3, f"{os.path.basename(ini)}: exit status")
    t.check_eq(err[0], step, f"{os.path.basename(ini)}: step")
    t.check_eq(err[1], obj, f"{os.path.basename(ini)}: object")
    t.check_in(message_part, err[2], f"{os.path.basename(ini)}: message")
    return err


def no_driver_left(t):
    out = subprocess.run(["pgrep", "-f", t.tmp], capture_output=True, text=True).stdout
    t.check_eq(out.strip(), "", "no process of this test left")


with Test("jail: failure modes name the step and leave nothing behind") as t:
    root = jt.make_root(t)
    missing = t.path("no-such-root")

    expect(t, jt.vassal(t, "badroot", [f"pivot-root = {missing} .old"]), "PIVOT_ROOT", missing,
           f"check new root '{missing}': No such file or directory")
    t.write("a-file", "x")
    expect(t, jt.vassal(t, "fileroot", [f"pivot-root = {t.path('a-file')} .old"]), "PIVOT_ROOT",
           t.path("a-file"), "not a directory")

    # A failing exec hook: the hook, its exit status and its output.
    err = expect(t, jt.jailed(t, "hook", root, ["exec-post-jail = echo boom-output; exit 7"], "true"),
                 "HOOK", "echo boom-output; exit 7",
                 "exec-post-jail 'echo boom-output; exit 7': exit status 7; output: boom-output")
    # A failing hook action: its key and text, then the system's reason.
    expect(t, jt.vassal(t, "action", ["hook-pre-jail = mkdir:/proc/nope/x"]), "HOOK",
           "mkdir:/proc/nope/x", "hook-pre-jail 'mkdir:/proc/nope/x': mkdir '/proc/nope'")

    expect(t, jt.jailed(t, "user", root, ["uid = no-such-user-here"], "true"), "IDENTITY",
           "no-such-user-here", "unknown user 'no-such-user-here' (not in /etc/passwd)")
    expect(t, jt.jailed(t, "group", root, ["uid = nobody", "add-gid = no-such-group"], "true"),
           "IDENTITY", "nobody", "unknown group 'no-such-group' (not in /etc/group)")
    expect(t, jt.jailed(t, "cap", root, ["cap = net_bind_service,cap_fly"], "true"), "CAPS",
           "cap_fly", "unknown capability 'cap_fly'")
    expect(t, jt.jailed(t, "syscall", root, ["seccomp-deny = no_such_call"], "true"), "SECCOMP",
           "", "unknown system call 'no_such_call'")
    expect(t, jt.vassal(t, "hostname", ["hostname = x"]), "HOSTNAME", "x",
           "hostname needs a uts namespace", ns="mount,pid")
    expect(t, jt.vassal(t, "pivotns", [f"pivot-root = {root} .old"]), "PIVOT_ROOT", root,
           "pivot-root needs a mount namespace", ns="uts,pid")
    expect(t, jt.vassal(t, "tun", ["tuntap-device = tap9 /tmp/x.sock"]), "NETNS", "tap9",
           "tuntap-device needs a net namespace", ns="mount,pid")

    # Refusals and the lookups come before anything changes: the pre-jail hook never ran.
    marker = t.path("ran")
    expect(t, jt.vassal(t, "early", [f"exec-pre-jail = touch {marker}", "uid = no-such-user-here"]),
           "IDENTITY", "no-such-user-here", "unknown user")
    t.check(not os.path.exists(marker), "nothing ran before the identity lookup failed")

    t.check_eq(jt.host_mounts_under(t.tmp), [], "no mount left on the host")
    no_driver_left(t)
