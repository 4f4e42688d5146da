"""Small bounded traffic tools run inside a test's namespaces (ip netns exec NS python3
nettool.py ...). Every tool stops by itself within its timeout."""

import hashlib
import os
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def pattern(n):
    block = hashlib.sha256(b"emperor").digest() * 2048  # 64 KiB of fixed bytes
    while n > 0:
        chunk = block[: min(n, len(block))]
        n -= len(chunk)
        yield chunk


def tcp_sink(addr, port, timeout):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(1)
    s.settimeout(float(timeout))
    print("ready", flush=True)
    c, _ = s.accept()
    c.settimeout(float(timeout))
    h = hashlib.sha256()
    total = 0
    while True:
        d = c.recv(1 << 20)
        if not d:
            break
        h.update(d)
        total += len(d)
    print(total, h.hexdigest(), flush=True)


def tcp_source(addr, port, nbytes, timeout, sport=None):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(float(timeout))
    if sport:
        s.bind(("::" if ":" in addr else "0.0.0.0", int(sport)))
    s.connect((addr, int(port)))
    h = hashlib.sha256()
    total = 0
    for chunk in pattern(int(nbytes)):
        s.sendall(chunk)
        h.update(chunk)
        total += len(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    print(total, h.hexdigest(), flush=True)


def udp_sink(addr, port, timeout):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(0.2)
    print("ready", flush=True)
    deadline = time.monotonic() + float(timeout)
    got = 0
    while time.monotonic() < deadline:
        try:
            s.recv(65536)
            got += 1
            deadline = min(deadline, time.monotonic() + 0.5)
        except socket.timeout:
            pass
    print(got, flush=True)


def udp_send(addr, port, count):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    for _ in range(int(count)):
        s.sendto(b"x" * 32, (addr, int(port)))
        time.sleep(0.02)


def udp_flood(addr, port, count, size):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    data = b"f" * int(size)
    deadline = time.monotonic() + 20
    for _ in range(int(count)):
        try:
            s.sendto(data, (addr, int(port)))
        except OSError:
            time.sleep(0.001)
        if time.monotonic() > deadline:
            break


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return (~total) & 0xffff


def ping(addr, count, source="", wait=1.0):
    """ICMP echo over a raw socket (no iputils needed). Exit 0 when every request of
    `count` got its reply within `wait` seconds."""
    info = socket.getaddrinfo(addr, None, 0, socket.SOCK_RAW)[0]
    fam, sockaddr = info[0], info[4]
    v6 = fam == socket.AF_INET6
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    if source:
        s.bind((source, 0))
    ident = os.getpid() & 0xffff
    answered = 0
    for seq in range(int(count)):
        body = b"emperor-ping" + bytes(20)
        hdr = bytes([128 if v6 else 8, 0, 0, 0]) + ident.to_bytes(2, "big") + seq.to_bytes(2, "big")
        msg = hdr + body
        if not v6:  # the kernel fills ICMPv6 checksums itself
            msg = msg[:2] + _csum(msg).to_bytes(2, "big") + msg[4:]
        s.sendto(msg, sockaddr)
        deadline = time.monotonic() + float(wait)
        while time.monotonic() < deadline:
            s.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                data = s.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            icmp = data if v6 else data[(data[0] & 0x0f) * 4:]
            if len(icmp) >= 8 and icmp[0] == (129 if v6 else 0) and \
                    int.from_bytes(icmp[4:6], "big") == ident and int.from_bytes(icmp[6:8], "big") == seq:
                answered += 1
                break
        time.sleep(0.02)
    print(f"{answered}/{count}", flush=True)
    sys.exit(0 if answered == int(count) else 1)


TOOLS = {"ping": ping, "udp-flood": udp_flood, "tcp-sink": tcp_sink, "tcp-source": tcp_source, "udp-sink": udp_sink, "udp-send": udp_send}

if __name__ == "__main__":
    try:
        TOOLS[sys.argv[1]](*sys.argv[2:])
    except (OSError, socket.timeout) as e:
        print(f"nettool {sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
