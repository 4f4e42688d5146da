"""The vassal's network through libnl inside its own net namespace: loopback, the tun
device (created by the vassal binary's callback) with its MTU, IPv4 and IPv6 addresses,
default routes per family (on-link when the gateway is outside the prefix), and the seed's
exec-as-root style still working. Nothing appears in the host's namespace."""

import jailtest as jt
from harness import Test

with Test("jail: in-namespace network through libnl") as t:
    root = jt.make_root(t)
    lines = [
        "tuntap-device = uwsgi0 /run/emperor-test-none.sock",
        "net-address = 10.20.0.2/24, fd00:20::2/64",
        "net-gateway = 10.20.0.1, fd00:20::1",
        "net-mtu = 1400",
        "exec-as-root = ip addr add 10.30.0.2/32 dev uwsgi0",
        "uid = nobody",
    ]
    body = """
echo link=$(ip -o link show uwsgi0)
echo lo=$(ip -o link show lo)
echo addrs=$(ip -o addr show dev uwsgi0 | awk '{print $4}' | sort | tr '\\n' ,)
echo route4=$(ip route show default)
echo route6=$(ip -6 route show default)
"""
    p = jt.run(jt.jailed(t, "net", root, lines, body))
    v = jt.values(p.stdout)
    t.check_in("mtu 1400", v["link"], "MTU")
    t.check_in(",UP,", v["link"].replace("<", ",").replace(">", ","), "link up")
    t.check_in("UP", v["lo"], "loopback up")
    addrs = set(v["addrs"].strip(",").split(","))
    t.check_eq({"10.20.0.2/24", "10.30.0.2/32", "fd00:20::2/64"} <= addrs, True,
               f"addresses (libnl and exec-as-root): {addrs}")
    t.check_in("default via 10.20.0.1 dev uwsgi0", v["route4"], "IPv4 default route")
    t.check_in("default via fd00:20::1 dev uwsgi0", v["route6"], "IPv6 default route")

    # A gateway outside the address's prefix is declared on-link; loopback can stay down.
    lines = ["tuntap-device = uwsgi1 /run/emperor-test-none.sock", "net-address = 10.40.0.2/32",
             "net-gateway = 10.99.0.1", "net-loopback = false"]
    p = jt.run(jt.jailed(t, "onlink", root, lines, body.replace("uwsgi0", "uwsgi1")))
    v = jt.values(p.stdout)
    t.check_in("default via 10.99.0.1 dev uwsgi1", v["route4"], "on-link gateway route")
    t.check_in("onlink", v["route4"], "on-link flag")
    t.check("UP" not in v["lo"].split(">")[0], f"net-loopback = false: {v['lo']}")

    for dev in ("uwsgi0", "uwsgi1"):
        host = t.run(["ip", "link", "show", dev], check=False)
        t.check(host.returncode != 0, f"{dev} does not exist in the host's namespace")
