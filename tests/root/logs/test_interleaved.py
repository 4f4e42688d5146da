"""Several vassals flooding their output at once: no line of one ever mixes with another's,
none is lost or reordered, and lines longer than 16 KiB come out as pieces that put the line
back together."""

import os
import re

from harness import Emperor, Test
from logs_util import emperor_ini, read_lines, vassal_script, wait_drained, wait_ring_line

VASSALS = 4
LINES = 20000
LONG = 3          # lines of 40000 bytes each, cut into 16 KiB pieces
LONG_LEN = 40000

with Test("interleaved output of several vassals is never mixed within a line") as t:
    log = t.path("all.log")
    config = emperor_ini(t, f"logto = {log}", "log-encoder = format ${vassal}|${stream}|${msg}")
    e = Emperor(t, config=config)
    e.wait_ready()
    # awk writes through a 4 KiB stdio buffer: lines reach the pipe cut at arbitrary places.
    for k in range(VASSALS):
        body = (f"awk 'BEGIN {{ pad = \"\"; for (i = 0; i < {20 + 7 * k}; i++) pad = pad \"{k}\";\n"
                f"  for (i = 0; i < {LINES}; i++) print \"v{k} \" i \" \" pad;\n"
                f"  long = \"\"; for (i = 0; i < {LONG_LEN}; i++) long = long \"{k}\";\n"
                f"  for (j = 0; j < {LONG}; j++) print \"long{k}-\" j \":\" long;\n"
                f"  print \"done{k}\" }}'")
        t.write(os.path.join(e.vassals_dir, f"v{k}.ini"), vassal_script(t, f"v{k}", body))
    for k in range(VASSALS):
        wait_ring_line(e, f"v{k}", f"done{k}")
    stats = wait_drained(e)
    t.check(all(l["dropped"] == 0 for l in stats["loggers"]), f"no drops: {stats}")

    seq = {k: 0 for k in range(VASSALS)}
    long_text = {k: b"" for k in range(VASSALS)}
    done = set()
    line_re = re.compile(rb"^v(\d)\|stdout\|v(\d) (\d+) (\d+)$")
    for raw in read_lines(log):
        if raw.startswith(b"emperor|"):
            continue
        m = line_re.match(raw)
        if m:
            k = int(m.group(1))
            t.check(int(m.group(2)) == k, f"a line of v{k} holds another vassal's text: {raw[:200]!r}")
            t.check(int(m.group(3)) == seq[k], f"v{k}: line {m.group(3)} where {seq[k]} was due")
            t.check(m.group(4) == str(k).encode() * (20 + 7 * k), f"v{k}: padding damaged: {raw[:200]!r}")
            seq[k] += 1
            continue
        m = re.match(rb"^v(\d)\|stdout\|(.*)$", raw, re.S)
        t.check(m is not None, f"a line that no vassal printed: {raw[:200]!r}")
        k = int(m.group(1))
        if m.group(2) == f"done{k}".encode():
            done.add(k)
            continue
        t.check(len(m.group(2)) <= 16384, f"v{k}: a piece longer than 16 KiB ({len(m.group(2))})")
        long_text[k] += m.group(2)
    for k in range(VASSALS):
        t.check_eq(seq[k], LINES, f"v{k} lines in the file")
        want = b"".join(f"long{k}-{j}:".encode() + str(k).encode() * LONG_LEN for j in range(LONG))
        t.check(long_text[k] == want, f"v{k}: the long lines' pieces do not put them back together")
    t.check_eq(done, set(range(VASSALS)), "every vassal's last line")
    print(f"{VASSALS} vassals x {LINES} lines + {LONG} long lines each: none mixed, lost or reordered")
