"""Helpers for the router's root tests: the router driver (a stand-in emperor), vassal
namespaces with their tun device attached, and bounded traffic inside them."""

import json
import os
import subprocess
import sys

from harness import TestFailure, build_dir, short_id, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
NETTOOL = os.path.join(HERE, "nettool.py")


def driver_path():
    return os.environ.get("TUNTAP_ROUTER_DRIVER") or os.path.join(
        build_dir(), "tests", "root", "tuntap", "tuntap-router-driver")


class RouterDriver:
    """The router driver running in network namespace `ns` (the emperor's side)."""

    def __init__(self, t, ns, routers, threads=2):
        self.t = t
        self.ns = ns
        self.err_path = t.path(f"driver-{short_id()}.err")
        self.err = open(self.err_path, "w")
        t.defer(self.err.close)
        self.proc = t.spawn(t.in_netns(ns, [driver_path()]), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.call(cmd="start", routers=routers, threads=threads)

    def call(self, expect_ok=True, **req):
        if self.proc.poll() is not None:
            raise TestFailure(f"router driver exited {self.proc.returncode}: {self.stderr()}")
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise TestFailure(f"router driver died during {req}: {self.stderr()}")
        answer = json.loads(line)
        if expect_ok and not answer.get("ok"):
            raise TestFailure(f"{req['cmd']} failed: {answer.get('error')}")
        return answer

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()[-4000:]

    def alive(self):
        return self.proc.poll() is None

    def attach(self, vassal, netns, device, socket, addresses, **kw):
        return self.call(cmd="attach", vassal=vassal, netns=netns, device=device, socket=socket,
                         addresses=addresses, **kw)["id"]

    def detach(self, peer_id):
        self.call(cmd="detach", id=peer_id)

    def stats(self):
        return self.call(cmd="stats")["stats"]

    def router(self, index=0):
        return self.stats()["routers"][index]

    def peer(self, peer_id):
        return self.call(cmd="peer", id=peer_id)["peer"]

    def events(self):
        return self.call(cmd="events")["events"]

    def bridge(self, netns, device, socket, **kw):
        return self.call(cmd="bridge", netns=netns, device=device, socket=socket, **kw)["bridge"]

    def bridges(self):
        return self.call(cmd="bridges")["bridges"]


def ip(t, ns, *args):
    return t.run(["ip", "-n", ns] + list(args))


def configure(t, ns, dev, addresses):
    """Addresses (CIDR; IPv6 without DAD) on dev in ns, and the link up."""
    for a in addresses:
        extra = ["nodad"] if ":" in a else []
        ip(t, ns, "addr", "add", a, "dev", dev, *extra)
    ip(t, ns, "link", "set", dev, "up")


def drops(obj, reason):
    return obj.get("drops", {}).get(reason, 0)


def ping(t, ns, addr, count=3, source=None, timeout=10):
    """True when every ICMP echo from ns to addr is answered (nettool's raw-socket ping)."""
    argv = nettool(t, ns, "ping", addr, count, source or "")
    p = t.run(argv, check=False, timeout=timeout)
    return p.returncode == 0


def nettool(t, ns, *args, timeout=60):
    return t.in_netns(ns, [sys.executable, NETTOOL] + [str(a) for a in args])


def tcp_transfer(t, server_ns, server_addr, client_ns, nbytes, port=5301, timeout=60):
    """Moves nbytes over TCP from client_ns to server_addr; checks every byte arrived."""
    sink = subprocess.Popen(nettool(t, server_ns, "tcp-sink", server_addr, port, timeout),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t.defer(lambda: sink.poll() is None and sink.kill())
    wait_for(lambda: sink.stdout.readline().strip() == "ready", timeout=10, what="tcp sink")
    src = t.run(nettool(t, client_ns, "tcp-source", server_addr, port, nbytes, timeout),
                timeout=timeout + 5)
    out, err = sink.communicate(timeout=timeout)
    got = out.split()
    t.check(sink.returncode == 0, f"tcp sink failed: {err}")
    t.check_eq(got, src.stdout.split(), f"bytes and digest received at {server_addr}")
    return int(got[0])


def udp_probe(t, server_ns, server_addr, client_ns, port, expect, count=3):
    """Sends `count` UDP datagrams; checks whether they arrive (expect True) or not."""
    sink = subprocess.Popen(nettool(t, server_ns, "udp-sink", server_addr, port, 2 if not expect else 10),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t.defer(lambda: sink.poll() is None and sink.kill())
    wait_for(lambda: sink.stdout.readline().strip() == "ready", timeout=10, what="udp sink")
    t.run(nettool(t, client_ns, "udp-send", server_addr, port, count))
    out, _ = sink.communicate(timeout=20)
    got = int(out.split()[0]) if out.split() else 0
    if expect:
        t.check(got > 0, f"UDP to {server_addr}:{port} should arrive")
    else:
        t.check_eq(got, 0, f"UDP datagrams to {server_addr}:{port} that should be denied")


def tcp_connects(t, server_ns, server_addr, client_ns, port, sport=None):
    """True when a TCP connection from client_ns to server_addr:port completes."""
    sink = subprocess.Popen(nettool(t, server_ns, "tcp-sink", server_addr, port, 3),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t.defer(lambda: sink.poll() is None and sink.kill())
    wait_for(lambda: sink.stdout.readline().strip() == "ready", timeout=10, what="tcp sink")
    args = ["tcp-source", server_addr, port, 1000, 2] + ([sport] if sport else [])
    p = t.run(nettool(t, client_ns, *args), check=False, timeout=10)
    sink.kill()
    sink.wait()
    return p.returncode == 0


class Topology:
    """One emperor namespace with the router driver and its router device emperor0
    (10.77.0.1/24, fd77::1/64), and vassal namespaces attached to it."""

    def __init__(self, t, threads=2, firewall_in=(), firewall_out=(), v6=True):
        self.t = t
        self.ens = t.netns("tt-emp")
        self.socket = t.path("router.sock")
        self.driver = RouterDriver(t, self.ens, [{
            "device": "emperor0", "socket": self.socket,
            "firewall_in": list(firewall_in), "firewall_out": list(firewall_out)}], threads)
        configure(t, self.ens, "emperor0", ["10.77.0.1/24"] + (["fd77::1/64"] if v6 else []))

    def vassal(self, name, index, v6=True, addresses=None, declare=None, **kw):
        """A vassal namespace with tun `v0` at 10.77.0.<index> (and fd77::<index>)."""
        ns = self.t.netns(f"tt-{name}")
        addrs = addresses or [f"10.77.0.{index}/24"] + ([f"fd77::{index}/64"] if v6 else [])
        declared = addrs if declare is None else declare
        pid = self.driver.attach(name, ns, "v0", self.socket, declared, **kw)
        configure(self.t, ns, "v0", addrs)
        return ns, pid


# --- uWSGI-framed socket peers written in Python --------------------------------------

import socket as _socket
import struct as _struct


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(_struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def icmp_echo(src, dst, ident=0x4242, seq=1, payload=b"emperor-router-test"):
    """An IPv4 ICMP echo request from src to dst, checksums set."""
    icmp = _struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + _struct.pack("!H", inet_checksum(icmp)) + icmp[4:]
    hdr = _struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                       _socket.inet_aton(src), _socket.inet_aton(dst))
    hdr = hdr[:10] + _struct.pack("!H", inet_checksum(hdr)) + hdr[12:]
    return hdr + icmp


def frame(payload, modifier1=0, modifier2=0, length=None):
    n = len(payload) if length is None else length
    return bytes([modifier1, n & 0xff, (n >> 8) & 0xff, modifier2]) + payload


class SocketPeer:
    """A uWSGI-style peer on the router socket (run from this process: the socket is a
    file, reachable from any namespace)."""

    def __init__(self, path, timeout=3.0):
        self.s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)

    def send(self, data):
        self.s.sendall(data)

    def recv_frame(self):
        h = self._exact(4)
        if h is None:
            return None
        n = h[1] | (h[2] << 8)
        return self._exact(n)

    def _exact(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                return None
            b += c
        return b

    def closed_by_router(self, timeout=5.0):
        """True when the router closes the connection (reads EOF) within timeout."""
        self.s.settimeout(timeout)
        try:
            while True:
                c = self.s.recv(65536)
                if not c:
                    return True
        except (_socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.s.close()


def wait_event(t, driver, needle, timeout=5.0):
    """Waits for a router event whose message contains needle; returns all events seen."""
    seen = []

    def found():
        seen.extend(driver.events())
        return any(needle in e["message"] for e in seen)
    wait_for(found, timeout=timeout, what=f"router event containing {needle!r} (seen: {seen})")
    return seen
