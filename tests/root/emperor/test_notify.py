"""systemd integration: READY=1 after the first full scan and STATUS= with the vassal count
on $NOTIFY_SOCKET (Type=notify)."""

import os
import socket

from emperor_util import vassal_ini
from harness import Emperor, Test, wait_for

with Test("sd_notify") as t:
    vassals = t.path("vassals")
    os.makedirs(vassals)
    for i in range(3):
        t.write(os.path.join(vassals, f"v{i}.ini"), vassal_ini("exec sleep 1000"))
    path = t.path("notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    t.defer(sock.close)
    sock.settimeout(10)
    e = Emperor(t, vassals_dir=vassals, env={"NOTIFY_SOCKET": path})
    messages = []
    while not any("READY=1" in m for m in messages):
        messages.append(sock.recv(4096).decode())
    ready = next(m for m in messages if "READY=1" in m)
    t.check_in("STATUS=3 vassals", ready, "the first notification counts the vassals")
