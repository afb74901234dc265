#!/usr/bin/env python3
"""On-demand vassals at scale, ours vs the uWSGI Emperor (--emperor-on-demand-directory).

    bench/ondemand [--n N] [--cold K] [--out DIR]

N vassal files, each an on-demand vassal whose socket is DIR/NAME.socket: processes running before any request
(target 0), the Emperor's RSS once every socket is bound, and the first-request latency of K cold vassals (connect
to its socket, send a request, read the whole answer: the Emperor starts the vassal, which accepts the waiting
connection). The app is a small Python HTTP server taking its socket from fd 3 (our vassal role's LISTEN_FDS) or fd 0
(uWSGI hands the on-demand socket to the vassal as fd 0). A benchmark, not a test.
"""
import argparse
import datetime
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OURS = os.environ.get("EMPEROR_BIN") or os.path.join(ROOT, "artifacts", "emperor", "emperor")
UWSGI = os.environ.get("UWSGI_BIN") or "/usr/bin/uwsgi"
PY = shutil.which("python3") or sys.executable

APP = r'''
import os, socket, sys
s = socket.socket(fileno=int(sys.argv[1]))
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    c.close()
'''


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for t in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    kids = [int(x) for x in f.read().split()]
                out += kids
                todo += kids
        except OSError:
            pass
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cold_request(path):
    t0 = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(30)
        c.connect(path)
        c.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
    return time.monotonic() - t0, data.startswith(b"HTTP/1.0 200")


def run(kind, n, cold, tmp):
    vdir = os.path.join(tmp, kind, "vassals")
    sdir = os.path.join(tmp, kind, "sockets")
    os.makedirs(vdir)
    os.makedirs(sdir)
    app = os.path.join(tmp, "app.py")
    fd = 3 if kind == "ours" else 0
    for i in range(n):
        with open(os.path.join(vdir, "v%04d.ini" % i), "w") as f:
            f.write("[uwsgi]\nunprivileged-binary-patch-arg = exec %s %s %d\n" % (PY, app, fd))
    cmd = ([OURS, "--emperor-command-socket", "none"] if kind == "ours" else [UWSGI]) + ["--emperor", vdir, "--emperor-on-demand-directory", sdir]
    if kind == "uwsgi":
        # uWSGI 2.0's Ragnarok calls kill(-1, SIGKILL) for an idle on-demand vassal (pid -1; spec §3.8): as root that
        # kills every process on the machine. Its own PID namespace keeps that inside.
        cmd = ["unshare", "-pf", "--mount-proc"] + cmd
    log = open(os.path.join(tmp, kind + ".log"), "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while time.monotonic() - t0 < 300:
            if len([x for x in os.listdir(sdir) if x.endswith(".socket")]) >= n:
                break
            time.sleep(0.05)
        bound = time.monotonic() - t0
        sockets = len([x for x in os.listdir(sdir) if x.endswith(".socket")])
        time.sleep(2)
        before = len([p for p in descendants(proc.pid) if "app.py" in cmdline(p)])
        emperor = proc.pid if kind == "ours" else (descendants(proc.pid) or [proc.pid])[0]
        rss = rss_kb(emperor)
        lat, ok = [], 0
        for i in random.sample(range(n), min(cold, n)):
            dt, good = cold_request(os.path.join(sdir, "v%04d.socket" % i))
            lat.append(dt)
            ok += good
        lat.sort()
        return {"kind": kind, "n": n, "sockets": sockets, "bound_s": bound, "running_before": before, "rss_mb": rss / 1024.0,
                "cold_ok": ok, "cold": len(lat), "cold_p50_ms": lat[len(lat) // 2] * 1e3, "cold_max_ms": lat[-1] * 1e3}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--cold", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="emperor-bench-ondemand-")
    with open(os.path.join(tmp, "app.py"), "w") as f:
        f.write(APP)
    rows = []
    try:
        for kind in ("ours", "uwsgi"):
            print("running %s ..." % kind, flush=True)
            rows.append(run(kind, a.n, a.cold, tmp))
            print("  %s" % rows[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    lines = ["# On-demand vassals (%s)" % stamp, "",
             "`bench/ondemand --n %d --cold %d` on %d cores, load average at the end %.1f %.1f %.1f." % (a.n, a.cold, os.cpu_count(), *load), "",
             "| emperor | vassals | sockets bound | all bound after (s) | processes before any request | Emperor RSS (MB) | cold first request p50 (ms) | max (ms) | cold requests ok |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %d | %d | %.2f | %d | %.1f | %.0f | %.0f | %d/%d |" % (
            r["kind"], r["n"], r["sockets"], r["bound_s"], r["running_before"], r["rss_mb"], r["cold_p50_ms"], r["cold_max_ms"], r["cold_ok"], r["cold"]))
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "ondemand-%s.md" % stamp)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print("written to " + path)


if __name__ == "__main__":
    main()
