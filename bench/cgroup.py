#!/usr/bin/env python3
"""--emperor-cgroup measured (issue #15): how long a vassal with a double-forked daemon takes to stop, with and
without the option, and what the cgroup keys cost a stats request per vassal. Standard library only; every process it
starts is killed by pid at the end, the temp dirs and test cgroups are removed. Needs root and a cgroup2 mount."""
import argparse, datetime, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAEMON = "#!/bin/sh\nsetsid sh -c 'sleep 100501 </dev/null >/dev/null 2>&1 & echo $! > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"' \"$1\"\nexec sleep 100502\n"


def mounts():
    points = {}
    for line in open("/proc/self/mountinfo"):
        f = line.split()
        kind = f[f.index("-") + 1]
        if kind in ("cgroup", "cgroup2"):
            points[f[4]] = kind
    return points


def read(path):
    try:
        return open(path, "rb").read()
    except OSError:
        return b""


def cwd(pid):
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def alive(pid):
    try:
        st = open(f"/proc/{pid}/stat").read()
        return st[st.rindex(")") + 2] not in "ZX"
    except (FileNotFoundError, ProcessLookupError):
        return False


class Run:
    def __init__(self, binary, tmp):
        self.binary, self.tmp, self.started, self.cgroups = binary, tmp, [], []

    def emperor(self, vassals, port=None, cgroup=None):
        args = [self.binary, "--emperor", vassals, "--emperor-command-socket", "none", "--emperor-throttle", "0", "--reload-mercy", "3"]
        if port:
            args += ["--emperor-stats", f"127.0.0.1:{port}"]
        if cgroup:
            args += ["--emperor-cgroup", cgroup]
            self.cgroups.append(os.path.basename(cgroup))
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started.append(p)
        return p

    def stop(self, p):
        p.terminate()
        p.wait(30)

    def close(self):
        for p in self.started:
            if p.poll() is None:
                p.kill()
                p.wait()
        for point in mounts():
            for name in self.cgroups:
                d = os.path.join(point, name)
                if os.path.isdir(d):
                    for child in os.listdir(d):
                        if os.path.isdir(os.path.join(d, child)):
                            os.rmdir(os.path.join(d, child))
                    os.rmdir(d)


def stop_time(run, v2, with_cgroup, index):
    d = os.path.join(run.tmp, f"stop{index}")
    os.makedirs(d)
    script, pidfile = os.path.join(run.tmp, "daemon.sh"), os.path.join(d, "daemon.pid")
    open(script, "w").write(DAEMON)
    p = run.emperor(d, cgroup=f"{v2}/emperor-bench-stop-{os.getpid()}-{index}" if with_cgroup else None)
    open(os.path.join(d, "d.ini"), "w").write(f"[uwsgi]\nunprivileged-binary-patch-arg = exec /bin/sh {script} {pidfile}\n")
    deadline = time.time() + 30
    while not os.path.exists(pidfile):
        if time.time() > deadline:
            raise SystemExit("the daemon vassal did not start")
        time.sleep(0.01)
    time.sleep(0.5)
    daemon = int(open(pidfile).read())
    leader = next(int(x) for x in os.listdir("/proc") if x.isdigit() and read(f"/proc/{x}/cmdline") == b"sleep\x00100502\x00" and cwd(x) == d)
    t = time.perf_counter()
    os.remove(os.path.join(d, "d.ini"))
    gone_leader = gone_daemon = None
    while time.perf_counter() - t < 5 and (gone_leader is None or gone_daemon is None):
        now = time.perf_counter() - t
        if gone_leader is None and not alive(leader):
            gone_leader = now
        if gone_daemon is None and not alive(daemon):
            gone_daemon = now
        time.sleep(0.001)
    run.stop(p)
    if alive(daemon):
        os.kill(daemon, signal.SIGKILL)
    return gone_leader, gone_daemon


def stats_cost(run, v2, n, with_cgroup, port):
    d = os.path.join(run.tmp, f"stats{int(with_cgroup)}")
    os.makedirs(d)
    for i in range(n):
        open(os.path.join(d, f"s{i:04}.ini"), "w").write(f"[uwsgi]\nunprivileged-binary-patch-arg = exec sleep {100600 + i}\n")
    p = run.emperor(d, port=port, cgroup=f"{v2}/emperor-bench-stats-{os.getpid()}" if with_cgroup else None)

    def fetch():
        s = socket.create_connection(("127.0.0.1", port))
        buf = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        s.close()
        return buf

    deadline = time.time() + 120
    while True:
        try:
            doc = json.loads(fetch())
            if sum(1 for v in doc["vassals"] if v["state"] == "running") == n:
                break
        except (OSError, ValueError):
            pass
        if time.time() > deadline:
            raise SystemExit("not every vassal ran")
        time.sleep(0.2)
    time.sleep(1)
    samples = []
    for _ in range(50):
        t = time.perf_counter()
        fetch()
        samples.append((time.perf_counter() - t) * 1000)
    run.stop(p)
    samples.sort()
    return samples[len(samples) // 2], samples[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "artifacts/emperor/emperor"))
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    v2 = next((p for p, k in mounts().items() if k == "cgroup2"), None)
    if v2 is None or os.getuid() != 0:
        raise SystemExit("needs root and a cgroup2 mount")
    load = os.getloadavg()[0]
    run = Run(a.binary, tempfile.mkdtemp(prefix="emperor-bench-cgroup-"))
    lines = []
    try:
        for with_cgroup in (False, True):
            results = [stop_time(run, v2, with_cgroup, i + (100 if with_cgroup else 0)) for i in range(a.rounds)]
            fmt = lambda x: "still running after 5 s" if x is None else f"{x * 1000:.0f} ms"
            lines.append(f"| {'with' if with_cgroup else 'without'} --emperor-cgroup | {', '.join(fmt(r[0]) for r in results)} | {', '.join(fmt(r[1]) for r in results)} |")
        without = stats_cost(run, v2, a.n, False, 17401)
        with_ = stats_cost(run, v2, a.n, True, 17402)
    finally:
        run.close()
        shutil.rmtree(run.tmp, ignore_errors=True)
    out = [f"# --emperor-cgroup, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC ({a.binary}; load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end)", "",
           "Stop of a vassal whose shell double-forked a `sleep` daemon into a session of its own (time from the file's removal; it includes the 50 ms removal confirmation and the 20 ms inotify coalescing):", "",
           "| | leader gone | daemon gone |", "|---|---|---|", *lines, "",
           f"Stats request with {a.n} `sleep` vassals (50 requests; median, min):", "",
           "| | median | min |", "|---|---|---|",
           f"| without --emperor-cgroup | {without[0]:.2f} ms | {without[1]:.2f} ms |",
           f"| with --emperor-cgroup | {with_[0]:.2f} ms | {with_[1]:.2f} ms |",
           f"| per vassal | {(with_[0] - without[0]) / a.n * 1000:.0f} µs | {(with_[1] - without[1]) / a.n * 1000:.0f} µs |", ""]
    text = "\n".join(out)
    print(text)
    os.makedirs(os.path.join(ROOT, "bench/results"), exist_ok=True)
    open(os.path.join(ROOT, f"bench/results/cgroup-{datetime.date.today():%Y-%m-%d}.md"), "w").write(text)


if __name__ == "__main__":
    main()
