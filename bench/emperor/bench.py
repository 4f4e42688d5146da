"""The measurements of bench/emperor.sh; runs inside the network namespace it created."""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

p = argparse.ArgumentParser()
p.add_argument("--build", required=True)
p.add_argument("--trials", type=int, default=20)
p.add_argument("--vassals", type=int, default=500)
p.add_argument("--idle", type=int, default=10)
p.add_argument("--only", choices=["reaction", "density"], help="run one part (for quick iterations)")
args = p.parse_args()

EMPEROR = os.path.join(args.build, "emperor", "emperor")
UWSGI = "/usr/bin/uwsgi-core"
work = tempfile.mkdtemp(prefix="emperor-bench-")
os.chmod(work, 0o755)
started = []
# The probe hook (stamp.c): the same program for both emperors.
STAMP = os.path.join(work, "stamp")
subprocess.run(["gcc", "-O2", "-o", STAMP, os.path.join(os.path.dirname(os.path.abspath(__file__)), "stamp.c")],
               check=True)


def cleanup():
    for proc in reversed(started):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    shutil.rmtree(work, ignore_errors=True)


def spawn(argv, log):
    proc = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    started.append(proc)
    return proc


def wait(predicate, timeout, step=0.001):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(step)
    return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except OSError:
        return False


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def three(values):
    v = sorted(values)
    return (v[0], statistics.median(v), v[-1]) if v else (float("nan"),) * 3


def fmt(t):
    return f"{t[0]:8.1f} {t[1]:8.1f} {t[2]:8.1f}"


# ---------------------------------------------------------------- 1. reaction latency
def reaction(kind):
    vdir = os.path.join(work, f"{kind}-vassals")
    stage = os.path.join(work, f"{kind}-stage")
    marks = os.path.join(work, f"{kind}-marks")
    for d in (vdir, stage, marks):
        os.makedirs(d)
    if kind == "ours":
        rundir = os.path.join(work, "run-ours")
        proc = spawn([EMPEROR, "run", "--vassals", vdir, "--runtime-dir", rundir], os.path.join(work, "ours.log"))
        wait(lambda: os.path.exists(os.path.join(rundir, "status.json")), 10)
    else:
        ini = os.path.join(work, "uwsgi-emperor.ini")
        with open(ini, "w") as f:
            f.write(f"[uwsgi]\nmaster = true\ndie-on-term = true\nemperor = {vdir}\n"
                    f"emperor-use-clone = fs,ipc,uts,pid,net\n")
        proc = spawn([UWSGI, "--ini", ini], os.path.join(work, "uwsgi.log"))
        time.sleep(1)
    starts, stops = [], []
    for n in range(args.trials):
        name = f"v{n}"
        marker = os.path.join(marks, name)
        path = os.path.join(stage, name + ".ini")
        with open(path, "w") as f:
            if kind == "ours":
                # The first hook of the vassal: it records when it ran (and its parent).
                f.write(f"[uwsgi]\nexec-pre-jail = {STAMP} {marker}\n"
                        f"command = exec sleep 1000\nreload-mercy = 1\n")
            else:
                f.write(f"[uwsgi]\nmaster = true\nexec-as-root = {STAMP} {marker}\n"
                        f"socket = 127.0.0.1:3031\nuid = nobody\ngid = nogroup\n")
        # a random phase against uWSGI's 3 s polling, as a real operator's drop would have
        time.sleep(0.05 + (n * 0.37) % 1.0)
        t0 = time.time_ns()
        os.rename(path, os.path.join(vdir, name + ".ini"))
        ok = wait(lambda: os.path.exists(marker) and open(marker).read().strip(), 15)
        if not ok:
            print(f"  {kind}: trial {n} timed out", file=sys.stderr)
            continue
        stamp, hook_parent = ok.split()[:2]
        starts.append((int(stamp) - t0) / 1e6)
        # the vassal: ours reports it; uWSGI's is the hook shell's parent
        if kind == "ours":
            st = json.loads(subprocess.run([EMPEROR, "status", "--json", name, "--runtime-dir", rundir],
                                           capture_output=True, text=True).stdout or "{}")
            wait(lambda: json.loads(subprocess.run([EMPEROR, "status", "--json", name, "--runtime-dir", rundir],
                                                   capture_output=True, text=True).stdout or "{}").get("state") == "running", 10)
            vpid = json.loads(subprocess.run([EMPEROR, "status", "--json", name, "--runtime-dir", rundir],
                                             capture_output=True, text=True).stdout)["pid"]
        else:
            # uWSGI's vassal: the processes started with this file on their command line
            ini = b"--ini\x00" + (name + ".ini").encode() + b"\x00"  # uWSGI runs it from the vassal dir
            def uwsgi_pids():
                found = []
                for pid in os.listdir("/proc"):
                    try:
                        if pid.isdigit() and ini in open(f"/proc/{pid}/cmdline", "rb").read():
                            found.append(int(pid))
                    except OSError:
                        pass
                return found
            vpid = (wait(uwsgi_pids, 5) or [0])[0]
            time.sleep(0.5)
        time.sleep(0.05 + (n * 0.53) % 1.0)
        t2 = time.monotonic()
        os.unlink(os.path.join(vdir, name + ".ini"))
        if wait(lambda: not alive(vpid), 15):
            stops.append((time.monotonic() - t2) * 1e3)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    return starts, stops


print(f"# bench/emperor.sh: {args.trials} drops each, {args.vassals} vassals, {os.cpu_count()} CPUs")


def report_reaction():
    ours_start, ours_stop = reaction("ours")
    uw_start, uw_stop = reaction("uwsgi")
    print("\n1. reaction (ms)                          min   median      max")
    print(f"   drop -> first hook   emperor    {fmt(three(ours_start))}")
    print(f"   drop -> first hook   uWSGI      {fmt(three(uw_start))}")
    print(f"   remove -> gone       emperor    {fmt(three(ours_stop))}")
    print(f"   remove -> gone       uWSGI      {fmt(three(uw_stop))}")
    if ours_start and uw_start:
        print(f"   median ratio uWSGI/emperor: start {statistics.median(uw_start)/statistics.median(ours_start):.0f}x, "
              f"stop {statistics.median(uw_stop)/max(statistics.median(ours_stop), 0.001):.0f}x")


if args.only != "density":
    report_reaction()
if args.only == "reaction":
    cleanup()
    sys.exit(0)

# ---------------------------------------------------------------- 2. density
vdir = os.path.join(work, "density")
os.makedirs(vdir)
for i in range(args.vassals):
    with open(os.path.join(vdir, f"d{i:04}.ini"), "w") as f:
        f.write("[uwsgi]\ncommand = exec sleep 1000\nreload-mercy = 1\n")
rundir = os.path.join(work, "run-density")
t0 = time.monotonic()
proc = spawn([EMPEROR, "run", "--vassals", vdir, "--runtime-dir", rundir], os.path.join(work, "density.log"))


def all_running():
    # Counted on the raw bytes: a json.load of 500 vassals every 20 ms would take CPU from them.
    try:
        with open(os.path.join(rundir, "status.json"), "rb") as f:
            doc = f.read()
    except OSError:
        return False
    return doc.count(b'\n      "state": "running"') == args.vassals


ok = wait(all_running, 120, step=0.02)
ours_density = time.monotonic() - t0
ours_rss = rss_kb(proc.pid) / 1024
ours_start_cpu = cpu_s(proc.pid)
with open(os.path.join(rundir, "status.json")) as f:
    assert all(v["state"] == "running" for v in json.load(f)["vassals"]) or not ok
time.sleep(1)
cpu0 = cpu_s(proc.pid)
time.sleep(args.idle)
idle_cpu = cpu_s(proc.pid) - cpu0
proc.send_signal(signal.SIGINT)
proc.wait(timeout=120)

# the anchor: bubblewrap starting as many sandboxes with the same five namespaces
t0 = time.monotonic()
boxes = [subprocess.Popen(["bwrap", "--unshare-ipc", "--unshare-uts", "--unshare-pid", "--unshare-net",
                           "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--die-with-parent",
                           "sh", "-c", "echo up; exec sleep 1000"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) for _ in range(args.vassals)]
for b in boxes:
    b.stdout.readline()
bwrap_density = time.monotonic() - t0
for b in boxes:
    b.kill()
for b in boxes:
    b.wait()

print(f"\n2. density: {args.vassals} vassals, five namespaces each")
print(f"   emperor: all running after {ours_density:.2f} s{'' if ok else ' (TIMED OUT)'}, emperor RSS {ours_rss:.1f} MB, "
      f"emperor CPU {ours_start_cpu:.2f} s")
print(f"   bwrap:   {args.vassals} sandboxes up after {bwrap_density:.2f} s")
print(f"   ratio emperor/bwrap: {ours_density / bwrap_density:.2f}x")
print(f"\n3. idle: the emperor used {idle_cpu:.3f} s of CPU in {args.idle} s with {args.vassals} vassals "
      f"({100 * idle_cpu / args.idle:.2f}%)")
cleanup()
