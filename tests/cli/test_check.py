"""`emperor check` as an operator runs it: compiler-style errors, exit codes, --print, a
directory, the emperor's config, and the log encoders only the pipeline can judge."""

import json
import os

from harness import Test

with Test("emperor check", need_root=False) as t:
    emperor = t.bin("emperor")
    good = t.write("v/web.ini", "[uwsgi]\ncommand = run\nprocesses = 2\n")
    t.write("v/api.toml", 'command = "run"\nunshare = ["ipc"]\n')
    t.write("v/.web.ini.swp", "garbage")
    p = t.run([emperor, "check", t.path("v")])
    t.check_eq(p.stderr, "checked 2 files: 0 errors, 0 warnings\n", "a valid directory")

    bad = t.write("bad/api.ini", "[uwsgi]\ncommand = run\nprocesses = 0\nhostnmae = x\n")
    p = t.run([emperor, "check", bad], check=False)
    t.check_eq(p.returncode, 1, "exit status with errors")
    t.check_eq(p.stderr.splitlines(), [
        f"{bad}:3: error: 'processes': invalid number '0' (expected a whole number from 1 to 4096)",
        f"{bad}:4: error: unknown key 'hostnmae'; did you mean 'hostname'?",
        "checked 1 file: 2 errors, 0 warnings"], "compiler-style errors")

    p = t.run([emperor, "check", "--print", good])
    spec = json.loads(p.stdout)
    t.check_eq((spec["name"], spec["processes"], spec["source"]["format"]), ("web", 2, "ini"), "--print")

    cfg = t.write("emperor.ini", "[emperor]\nlogger = file:/var/log/e.log\nlog-encoder = json:file {\"m\":\"${msg}\"}\n")
    t.check_eq(t.run([emperor, "check", "--config", cfg]).returncode, 0, "a valid emperor config")
    scoped = t.write("s/scoped.ini", "[uwsgi]\ncommand = run\nlog-encoder = json:remote {\"m\":1}\n")
    t.check_eq(t.run([emperor, "check", scoped]).returncode, 0, "a scoped encoder without the emperor's config")
    p = t.run([emperor, "check", "--config", cfg, scoped], check=False)
    t.check_in("names logger 'remote', which is not defined", p.stderr, "checked against the emperor's loggers")
    broken = t.write("j/json.ini", "[uwsgi]\ncommand = run\nlog-encoder = json {\"a\": ${msg}\n")
    p = t.run([emperor, "check", broken], check=False)
    t.check_in("the template does not yield valid JSON", p.stderr, "a json template that cannot be JSON")

    t.check_eq(t.run([emperor, "check"], check=False).returncode, 2, "usage error")
    t.check_eq(t.run([emperor, "check", t.path("nothere.ini")], check=False).returncode, 1, "a missing file")
    p = t.run([emperor, "check", t.path("nothere")], check=False)
    t.check_eq(p.stderr.splitlines()[0], f"{t.path('nothere')}: error: cannot open: No such file or directory",
               "a missing path is named as missing, not as a bad extension")
    bom = t.write("bom/bom.ini", "\ufeff[uwsgi]\ncommand = run\n")
    t.check_eq(t.run([emperor, "check", bom]).returncode, 0, "a UTF-8 byte order mark is skipped")
    fifo = t.path("fifo/pipe.ini")
    os.makedirs(os.path.dirname(fifo))
    os.mkfifo(fifo)
    p = t.run([emperor, "check", fifo], check=False, timeout=10)
    t.check_in("not a regular file", p.stderr, "a FIFO is refused at once, never waited on")
    includer = t.write("inc/inc.ini", f"[uwsgi]\nini = {fifo}\ncommand = run\n")
    p = t.run([emperor, "check", includer], check=False, timeout=10)
    t.check_in(f"{includer}:2: error: include '{fifo}'", p.stderr, "an included FIFO names the include line")
    p = t.run([emperor, "status", "--help"], check=False)
    t.check_eq((p.returncode, p.stdout.startswith("usage: emperor")), (0, True), "VERB --help is not an error")
    p = t.run([emperor, "--version"])
    t.check(p.stdout.startswith("emperor "), "--version")
    keys = t.run([emperor, "help", "keys", "--markdown"]).stdout
    with open(os.path.join(os.environ["EMPEROR_SOURCE_DIR"], "docs", "keys.md")) as f:
        t.check_eq(keys, f.read(), "docs/keys.md matches the tables")
