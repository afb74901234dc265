#!/usr/bin/env python3
"""The router, ours vs uWSGI's own (issue #14): the same real uWSGI WSGI app behind each, bounded load.

    bench/router [--seconds S] [--connections C] [--rounds R] [--out DIR]

Fronts measured, each with a fresh router process per run:
  http        wrk -> router's http front -> uwsgi node
  fastrouter  wrk -> nginx (uwsgi_pass) -> router's fastrouter front -> uwsgi node
and an HTTP node (nginx answering 200) announced with proto=http, ours vs YARP (bench/YarpForwarder), since uWSGI's
routers speak only uwsgi to their nodes.
The node is one real `uwsgi-core --plugin python3 --master --processes 2` subscribed with --subscribe-to. Load is wrk
at fixed concurrency for S seconds: requests/s, p50, p99, errors (non-2xx and socket errors). Then "subscribe ->
first routed request": one subscribe datagram for a new key, then a GET every millisecond until the router answers
200; the time from the datagram to that answer, median and max of 20. A benchmark, not a test: both routers run in
one run on the same machine, ratios are what to read.
"""
import argparse
import datetime
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import CLK, OURS, ROOT, cpu_ticks, descendants, free_port, kill, log, med  # noqa: E402

UWSGI = os.environ.get("UWSGI_CORE_BIN") or "/usr/bin/uwsgi-core"
NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
YARP = os.path.join(ROOT, "artifacts", "yarp-forwarder", "YarpForwarder")
KEY = "bench.example"

WSGI = r'''
def application(environ, start_response):
    body = b"hello from the node"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''



def packet(key, address, command=0, extra=()):
    body = b""
    for k, v in (("key", key), ("address", address), ("modifier1", "0"), ("modifier2", "0"), ("cores", "1"), ("load", "0"), ("weight", "1")) + tuple(extra):
        kb, vb = k.encode(), v.encode()
        body += struct.pack("<H", len(kb)) + kb + struct.pack("<H", len(vb)) + vb
    return struct.pack("<BHB", 224, len(body), command) + body


def wait_port(port, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.01)
    return False


def get(port, host, timeout=2.0):
    """One HTTP/1.0 GET; the status code, or None."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout)
        s.sendall(("GET / HTTP/1.0\r\nHost: %s\r\n\r\n" % host).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        m = re.match(rb"HTTP/1\.\d (\d+)", data)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def start_router(kind, front, front_port, sub_port, tmp):
    if kind == "ours":
        flag = "--http" if front == "http" else "--fastrouter"
        server = "--http-subscription-server" if front == "http" else "--fastrouter-subscription-server"
        argv = [OURS, flag, "127.0.0.1:%d" % front_port, server, "127.0.0.1:%d" % sub_port]
    else:
        plugin = "http" if front == "http" else "fastrouter"
        argv = [UWSGI, "--plugin", plugin, "--master", "--%s" % plugin, "127.0.0.1:%d" % front_port,
                "--%s-subscription-server" % plugin, "127.0.0.1:%d" % sub_port]
    out = open(os.path.join(tmp, "router-%s-%s.log" % (kind, front)), "ab")
    return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def start_nginx(tmp, listen, upstream=None):
    """nginx with uwsgi_pass to UPSTREAM, or (no upstream) a static HTTP node answering 200 itself."""
    conf = os.path.join(tmp, "nginx-%d.conf" % listen)
    os.makedirs(os.path.join(tmp, "ng"), exist_ok=True)
    location = ("include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:%d;" % upstream) if upstream else 'return 200 "hello from the node";'
    with open(conf, "w") as f:
        f.write("""worker_processes 1; daemon off; error_log %(t)s/ng/error.log; pid %(t)s/ng/nginx-%(l)d.pid;
events { worker_connections 1024; }
http { access_log off;
  client_body_temp_path %(t)s/ng/b; proxy_temp_path %(t)s/ng/p; fastcgi_temp_path %(t)s/ng/f; uwsgi_temp_path %(t)s/ng/u; scgi_temp_path %(t)s/ng/s;
  server { listen 127.0.0.1:%(l)d; location / { %(loc)s } } }
""" % {"t": tmp, "l": listen, "loc": location})
    return subprocess.Popen([NGINX, "-p", tmp, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wrk(port, seconds, connections):
    out = subprocess.run([WRK, "-t", "2", "-c", str(connections), "-d", "%ds" % seconds, "--latency", "-H", "Host: " + KEY,
                          "http://127.0.0.1:%d/" % port], capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label):
        m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % label, out, re.M)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(g) for g in sock.groups()) if sock else 0)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": ms("50%"), "p99": ms("99%"),
            "requests": int(total.group(1)) if total else 0, "errors": errors}


def tree_ticks(pid):
    """CPU ticks of a process and its descendants (uWSGI's router runs as master + router process)"""
    return sum(cpu_ticks(p) or 0 for p in [pid] + descendants(pid))


def measured(pid, port, seconds, connections):
    """wrk against PORT, plus the router's CPU time per request (its whole process tree)"""
    before = tree_ticks(pid)
    r = wrk(port, seconds, connections)
    used = tree_ticks(pid) - before
    r["cpu_us"] = used * 1e6 / CLK / r["requests"] if r["requests"] else None
    return r


def stop(p):
    if p and p.poll() is None:
        kill(-p.pid, 15)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            kill(-p.pid, 9)
            p.wait()


def subscribe_latency(kind, node, tmp, samples=20):
    """Datagram sent -> first 200 from the router's http front, for fresh keys."""
    front, sub = free_port(), free_port()
    router = start_router(kind, "http", front, sub, tmp)
    try:
        wait_port(front)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        out = []
        for i in range(samples):
            key = "new%d.example" % i
            t0 = time.monotonic()
            udp.sendto(packet(key, "127.0.0.1:%d" % node), ("127.0.0.1", sub))
            while get(front, key, 1.0) != 200:
                if time.monotonic() - t0 > 5:
                    break
                time.sleep(0.001)
            out.append((time.monotonic() - t0) * 1000)
        return out
    finally:
        stop(router)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    a = ap.parse_args()
    for tool in (UWSGI, NGINX, WRK, OURS):
        if not os.path.exists(tool):
            sys.exit("missing %s (scripts/build; apt-get install uwsgi-core uwsgi-plugin-python3 nginx-light wrk)" % tool)

    tmp = tempfile.mkdtemp(prefix="bench-router-")
    with open(os.path.join(tmp, "app.py"), "w") as f:
        f.write(WSGI)
    node_port = free_port()
    http_node_port = free_port()
    rows = {}
    procs = []
    try:
        # One uwsgi node for every run; it re-announces to whichever subscription port a run uses (below).
        http_node = start_nginx(tmp, http_node_port)
        procs.append(http_node)
        wait_port(http_node_port)
        for rnd in range(a.rounds):
            for front in ("http", "fastrouter"):
                for kind in ("ours", "uwsgi"):
                    fport, sport = free_port(), free_port()
                    router = start_router(kind, front, fport, sport, tmp)
                    node = subprocess.Popen([UWSGI, "--plugin", "python3", "--master", "--processes", "2", "--socket",
                                             "127.0.0.1:%d" % node_port, "--wsgi-file", os.path.join(tmp, "app.py"),
                                             "--subscribe-to", "127.0.0.1:%d:%s" % (sport, KEY), "--subscribe-freq", "1",
                                             "--disable-logging"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                    ng = None
                    try:
                        wait_port(fport)
                        port = fport
                        if front == "fastrouter":
                            port = free_port()
                            ng = start_nginx(tmp, port, fport)
                            wait_port(port)
                        end = time.monotonic() + 20
                        while get(port, KEY) != 200 and time.monotonic() < end:
                            time.sleep(0.05)
                        r = measured(router.pid, port, a.seconds, a.connections)
                        rows.setdefault((front, kind), []).append(r)
                        log("round %d %s %s: %.0f req/s p50 %s p99 %s errors %d" % (rnd, front, kind, r["rps"], r["p50"], r["p99"], r["errors"]))
                    finally:
                        stop(ng)
                        stop(node)
                        stop(router)
            # Ours only: an HTTP node (proto=http), the way the Emperor announces a vassal on an http-socket.
            fport, sport = free_port(), free_port()
            router = start_router("ours", "http", fport, sport, tmp)
            try:
                wait_port(fport)
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                udp.sendto(packet(KEY, "127.0.0.1:%d" % http_node_port, extra=(("proto", "http"),)), ("127.0.0.1", sport))
                end = time.monotonic() + 10
                while get(fport, KEY) != 200 and time.monotonic() < end:
                    time.sleep(0.02)
                r = measured(router.pid, fport, a.seconds, a.connections)
                rows.setdefault(("http -> HTTP node", "ours"), []).append(r)
                log("round %d http->HTTP node ours: %.0f req/s p99 %s" % (rnd, r["rps"], r["p99"]))
            finally:
                stop(router)
            if os.path.exists(YARP):
                yport = free_port()
                yarp = subprocess.Popen([YARP, str(yport), "http://127.0.0.1:%d/" % http_node_port], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
                try:
                    wait_port(yport)
                    end = time.monotonic() + 20
                    while get(yport, KEY) != 200 and time.monotonic() < end:
                        time.sleep(0.05)
                    get(yport, KEY)  # JIT warm-up before the measured run
                    r = measured(yarp.pid, yport, a.seconds, a.connections)
                    rows.setdefault(("http -> HTTP node", "yarp"), []).append(r)
                    log("round %d http->HTTP node YARP: %.0f req/s p99 %s" % (rnd, r["rps"], r["p99"]))
                finally:
                    stop(yarp)

        # Subscribe -> first routed request (the node: a running uwsgi).
        node = subprocess.Popen([UWSGI, "--plugin", "python3", "--master", "--processes", "1", "--socket", "127.0.0.1:%d" % node_port,
                                 "--wsgi-file", os.path.join(tmp, "app.py"), "--disable-logging"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(node)
        wait_port(node_port)
        latency = {kind: subscribe_latency(kind, node_port, tmp) for kind in ("ours", "uwsgi")}
    finally:
        for p in procs:
            stop(p)

    def best(front, kind, field):
        xs = [r[field] for r in rows.get((front, kind), []) if r[field] is not None]
        return med(xs) if xs else None

    def fmt(x, spec="%.1f"):
        return "-" if x is None else spec % x

    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    load = open("/proc/loadavg").read().split()[:3]
    md = ["# Router benchmark %s" % stamp, "",
          "`bench/router --seconds %d --connections %d --rounds %d`; medians over the rounds; load average at the end %s."
          % (a.seconds, a.connections, a.rounds, " ".join(load)), "",
          "| front | router | requests/s | p50 ms | p99 ms | errors | router CPU µs/request | throughput ours/other |", "|---|---|---|---|---|---|---|---|"]
    names = {"ours": "ours", "uwsgi": "uWSGI 2.0", "yarp": "YARP 2.3 (Kestrel)"}
    for front in ("http", "fastrouter", "http -> HTTP node"):
        for kind in ("ours", "uwsgi", "yarp"):
            if (front, kind) not in rows:
                continue
            ratio = ""
            other = "uwsgi" if (front, "uwsgi") in rows else "yarp"
            if kind == "ours" and (front, other) in rows:
                ratio = "%.2f (vs %s)" % (best(front, "ours", "rps") / max(1e-9, best(front, other, "rps")), names[other])
            md.append("| %s | %s | %s | %s | %s | %d | %s | %s |" % (front, names[kind], fmt(best(front, kind, "rps"), "%.0f"),
                                                               fmt(best(front, kind, "p50"), "%.2f"), fmt(best(front, kind, "p99"), "%.2f"),
                                                               sum(r["errors"] for r in rows[(front, kind)]), fmt(best(front, kind, "cpu_us"), "%.0f"), ratio))
    md += ["", "fastrouter rows go through nginx (`uwsgi_pass`) in front of the router. The HTTP node is nginx answering "
           "200 itself; uWSGI's routers cannot use it (they speak only uwsgi to their nodes), so that row compares ours "
           "with YARP forwarding to the same node. Errors are wrk's non-2xx answers and socket errors; uWSGI's http "
           "router closes every connection after its response (no keep-alive without --http-keepalive), which wrk "
           "counts as read errors.", "",
           "| subscribe -> first routed request | median ms | max ms |", "|---|---|---|"]
    for kind in ("ours", "uwsgi"):
        xs = latency[kind]
        md.append("| %s | %.1f | %.1f |" % ("ours" if kind == "ours" else "uWSGI 2.0", med(xs), max(xs)))
    text = "\n".join(md) + "\n"
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "router-%s.md" % stamp)
    with open(path, "w") as f:
        f.write(text)
    print(text)
    log("wrote " + path)


if __name__ == "__main__":
    main()
