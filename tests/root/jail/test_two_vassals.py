"""Two vassals side by side cannot see each other's processes, files or network."""

import os

import jailtest as jt
from harness import Test, wait_for

with Test("jail: two vassals cannot see each other") as t:
    root_a = jt.make_root(t, "root-a")
    root_b = jt.make_root(t, "root-b")
    net = ["tuntap-device = va0 /run/emperor-test-none.sock", "net-address = 10.50.0.2/24"]
    ini_a = jt.jailed(t, "a", root_a, net + ["hostname = vassal-a"],
                      "echo a-secret > /tmp/a-file; touch /tmp/a-ready; exec sleep 30")
    a = t.spawn([jt.driver(), ini_a], stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    wait_for(lambda: os.path.exists(os.path.join(root_a, "tmp", "a-ready")), timeout=10,
             what="vassal a to start")

    body = f"""
echo comms=$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr '\\n' ,)
echo afile=$(cat {root_a}/tmp/a-file /tmp/a-file 2>/dev/null | wc -l)
echo addrs=$(ip -o addr | awk '{{print $4}}' | tr '\\n' ,)
echo links=$(ip -o link | awk -F': ' '{{print $2}}' | tr '\\n' ,)
echo hostname=$(hostname)
"""
    v = jt.values(jt.run(jt.jailed(t, "b", root_b, ["hostname = vassal-b"], body)).stdout)
    t.check("sleep" not in v["comms"], f"b does not see a's processes: {v['comms']}")
    t.check_eq(v["afile"], "0", "b cannot read a's files")
    t.check("10.50.0.2" not in v["addrs"], f"b does not see a's address: {v['addrs']}")
    t.check_eq(v["links"], "lo,", "b sees only its own links")
    t.check_eq(v["hostname"], "vassal-b", "b has its own hostname")
    t.check(a.poll() is None, "a is still running")
