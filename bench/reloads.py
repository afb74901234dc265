#!/usr/bin/env python3
"""Reloads under load: failed requests and latency while a vassal's config is touched, ours vs the uWSGI Emperor.

    bench/reloads [--touches N] [--clients C] [--out DIR]

Scenarios, each over one loopback HTTP app under a bounded load (C client threads, one request per connection):
  ours-restart   our Emperor, the app on a socket the Emperor holds (reload-mode restart: stop, then start)
  ours-overlap   our Emperor, reload-mode overlap (the new instance starts beside the old one; swap on READY=1)
  uwsgi-foreign  the uWSGI Emperor, the same app binding its own port (a foreign vassal: it exits on byte 1 and is respawned)
  uwsgi-wsgi     the uWSGI Emperor, a real uWSGI WSGI app on http-socket (its own graceful reload, byte 1)
  ours-wsgi      our Emperor with --binary-path uwsgi, the same real uWSGI app
  ours-aspnet    our Emperor, examples/apps/AspNetHello with reload-mode overlap (if built)
Steady-state latency comes from the seconds before the first touch; "during reloads" from the rest.
A benchmark, not a test: nothing asserts. Standard library only; every process is killed by process group at the end.
"""
import argparse
import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OURS = os.environ.get("EMPEROR_BIN") or os.path.join(ROOT, "artifacts", "emperor", "emperor")
UWSGI = os.environ.get("UWSGI_BIN") or "/usr/bin/uwsgi"
PY = shutil.which("python3") or sys.executable
ASPNET = os.path.join(ROOT, ".build", "bin", "AspNetHello", "debug")

APP = r'''
import os, signal, socket, sys, threading, time
mode = sys.argv[1]
time.sleep(0.3)                                  # warm-up, as a real app has one
if mode.startswith("fds"):
    s = socket.socket(fileno=3)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[2])))
    s.listen(100)
n = os.environ.get("NOTIFY_SOCKET")
if n:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    u.connect("\0" + n[1:] if n.startswith("@") else n)
    u.send(b"READY=1")
stopping = []
signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
link = os.environ.get("UWSGI_EMPEROR_FD")
if link and mode != "fds-overlap":
    def watch():
        try:
            os.read(int(link), 1)                # any emperor byte: stop gracefully (the Emperor respawns us)
        except OSError:
            pass
        stopping.append(1)
    threading.Thread(target=watch, daemon=True).start()
s.settimeout(0.02)
while not stopping:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    body = str(os.getpid()).encode()
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    c.close()
'''

WSGI = r'''
import os
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [str(os.getpid()).encode()]
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port):
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
            c.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            data = b""
            while True:
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
        ok = data.startswith(b"HTTP/1.0 200") or data.startswith(b"HTTP/1.1 200")
        pid = data.strip().rsplit(b" ", 1)[-1].rsplit(b"\n", 1)[-1] if ok else b""
        return t0, time.monotonic() - t0, ok, pid, None if ok else data[:40]
    except OSError as e:
        return t0, time.monotonic() - t0, False, b"", type(e).__name__


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def run(name, emperor_cmd, vassal_text, port, touches, clients, tmp, warm):
    vdir = os.path.join(tmp, name)
    os.makedirs(vdir)
    vpath = os.path.join(vdir, "app.ini")
    with open(vpath, "w") as f:
        f.write(vassal_text)
    log = open(os.path.join(tmp, name + ".log"), "w")
    proc = subprocess.Popen(emperor_cmd + ["--emperor", vdir], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + warm
        first = None
        while time.monotonic() < deadline:
            r = request(port)
            if r[2]:
                first = r[3]
                break
            time.sleep(0.05)
        if first is None:
            return {"name": name, "error": "the app never served"}
        results, stop = [], threading.Event()
        lock = threading.Lock()

        def client():
            while not stop.is_set():
                r = request(port)
                with lock:
                    results.append(r)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        reload_start = time.monotonic()
        last = first
        swaps = 0
        for _ in range(touches):
            os.utime(vpath, None)
            t_end = time.monotonic() + 10
            while time.monotonic() < t_end:
                with lock:
                    recent = [r[3] for r in results[-clients:] if r[2]]
                if recent and all(p != last for p in recent):
                    last = recent[-1]
                    swaps += 1
                    break
                time.sleep(0.01)
            time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(10)
        steady = [r[1] for r in results if r[0] < reload_start and r[2]]
        during = [r[1] for r in results if r[0] >= reload_start and r[2]]
        failed = [r for r in results if not r[2]]
        kinds = {}
        for r in failed:
            kinds[r[4]] = kinds.get(r[4], 0) + 1
        return {
            "name": name, "requests": len(results), "failed": len(failed), "failure_kinds": kinds, "swaps": swaps,
            "steady_p50": pct(steady, 50), "steady_p99": pct(steady, 99),
            "reload_p50": pct(during, 50), "reload_p99": pct(during, 99), "reload_max": max(during) if during else float("nan"),
        }
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--touches", type=int, default=20)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="emperor-bench-reloads-")
    app = os.path.join(tmp, "app.py")
    wsgi = os.path.join(tmp, "wsgi.py")
    with open(app, "w") as f:
        f.write(APP)
    with open(wsgi, "w") as f:
        f.write(WSGI)
    ours = [OURS, "--emperor-command-socket", "none"]
    uwsgi = [UWSGI]
    scenarios = []

    def add(name, cmd, text_for_port):
        scenarios.append((name, cmd, text_for_port))

    add("ours-restart", ours, lambda p: "[uwsgi]\nhttp-socket = 127.0.0.1:%d\nunprivileged-binary-patch-arg = exec %s %s fds\n" % (p, PY, app))
    add("ours-overlap", ours, lambda p: "[uwsgi]\nhttp-socket = 127.0.0.1:%d\nreload-mode = overlap\nunprivileged-binary-patch-arg = exec %s %s fds-overlap\n" % (p, PY, app))
    add("uwsgi-foreign", uwsgi, lambda p: "[uwsgi]\nunprivileged-binary-patch-arg = exec %s %s bind %d\n" % (PY, app, p))
    wsgi_ini = lambda p: "[uwsgi]\nplugin = python3\nhttp-socket = 127.0.0.1:%d\nwsgi-file = %s\nmaster = true\nprocesses = 2\n" % (p, wsgi)
    add("uwsgi-wsgi", uwsgi, wsgi_ini)
    add("ours-wsgi", ours + ["--binary-path", UWSGI], wsgi_ini)
    if os.path.exists(os.path.join(ASPNET, "AspNetHello.dll")):
        add("ours-aspnet", ours, lambda p: "[uwsgi]\nhttp-socket = 127.0.0.1:%d\nreload-mode = overlap\nchdir = %s\nenv = DOTNET_NOLOGO=1\nunprivileged-binary-patch-arg = exec dotnet AspNetHello.dll\n" % (p, ASPNET))
    only = set(x for x in a.only.split(",") if x)
    rows = []
    try:
        for name, cmd, text in scenarios:
            if only and name not in only:
                continue
            port = free_port()
            print("running %s ..." % name, flush=True)
            r = run(name, cmd, text(port), port, a.touches, a.clients, tmp, warm=60 if "aspnet" in name else 20)
            print("  %s" % r, flush=True)
            rows.append(r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    lines = ["# Reloads under load (%s)" % stamp, "",
             "`bench/reloads --touches %d --clients %d` on %d cores, load average at the end %.1f %.1f %.1f. " % (a.touches, a.clients, os.cpu_count(), *load)
             + "Each client sends one HTTP request per connection, back to back; the config is touched %d times, each time after the previous swap. " % a.touches
             + "Latencies in ms; \"failed\" counts refused/reset/timed-out connections and non-200 answers.", "",
             "| scenario | requests | failed | swaps seen | steady p50 | steady p99 | reloads p50 | reloads p99 | reloads max | failures |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append("| %s | - | - | - | - | - | - | - | - | %s |" % (r["name"], r["error"]))
            continue
        lines.append("| %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %s |" % (
            r["name"], r["requests"], r["failed"], r["swaps"], r["steady_p50"] * 1e3, r["steady_p99"] * 1e3,
            r["reload_p50"] * 1e3, r["reload_p99"] * 1e3, r["reload_max"] * 1e3,
            ", ".join("%s %d" % (k, v) for k, v in r["failure_kinds"].items()) or "-"))
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "reloads-%s.md" % stamp)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print("written to " + path)


if __name__ == "__main__":
    main()
