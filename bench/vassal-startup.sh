#!/usr/bin/env bash
# Start-up cost of the vassal role: how much later an app starts when `emperor --ini FILE` runs it (load the
# config, bind the sockets, drop privileges, exec the patch) than when the same patch command runs directly.
#
# Each run records a timestamp, starts the command, and the app (a tiny bash script) records its own
# timestamp first thing; the delay is the difference. Both arms start the app the same way
# (/bin/sh -c 'exec STAMP'), so the difference of their medians is the vassal role's own cost.
# Timestamps are bash's $EPOCHREALTIME (microseconds); the runs are milliseconds long, so clock slewing
# does not matter. Run as root (the second config binds a socket and drops to nobody).
#
# usage: bench/vassal-startup.sh [RUNS]     (default 30; EMPEROR_BIN overrides artifacts/emperor/emperor)
set -euo pipefail
cd "$(dirname "$0")/.."
emperor=${EMPEROR_BIN:-$PWD/artifacts/emperor/emperor}
runs=${1:-30}
[ -x "$emperor" ] || { echo "no emperor binary at $emperor; run scripts/build" >&2; exit 1; }

dir=$(mktemp -d /tmp/emperor-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
stamp=$dir/stamp
printf '#!/bin/bash\necho "$EPOCHREALTIME" > %s/t\n' "$dir" > "$stamp"
chmod 755 "$stamp"
touch "$dir/t" && chmod 666 "$dir/t"

cat > "$dir/minimal.ini" <<EOF
[uwsgi]
unprivileged-binary-patch-arg = exec $stamp
EOF
cat > "$dir/typical.ini" <<EOF
[uwsgi]
socket = 127.0.0.1:0
uid = nobody
gid = nogroup
chdir = /tmp
env = APP_ENV=bench
umask = 022
unprivileged-binary-patch-arg = exec $stamp
EOF

# median of the microsecond delays that one command gives over $runs runs (after 3 warm-up runs)
measure() {
  local i start
  for i in $(seq 1 $((runs + 3))); do
    : > "$dir/t"
    start=$EPOCHREALTIME
    "$@" >/dev/null || { echo "failed: $*" >&2; exit 1; }
    [ -s "$dir/t" ] || { echo "the app did not run: $*" >&2; exit 1; }
    [ "$i" -gt 3 ] || continue
    awk -v a="$start" -v b="$(cat "$dir/t")" 'BEGIN { printf "%d\n", (b - a) * 1000000 }'
  done | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

direct=$(measure /bin/sh -c "exec $stamp")
minimal=$(measure "$emperor" --ini "$dir/minimal.ini")
typical=$(measure "$emperor" --ini "$dir/typical.ini")

printf 'median over %d runs, microseconds from spawn until the app runs:\n' "$runs"
printf '  patch run directly (/bin/sh -c exec stamp)        %6d\n' "$direct"
printf '  emperor --ini, patch only                         %6d   (+%d)\n' "$minimal" $((minimal - direct))
printf '  emperor --ini, socket + uid/gid + chdir/env/umask %6d   (+%d)\n' "$typical" $((typical - direct))
echo "vassal role start-up cost before exec: $(((minimal - direct) / 1000)).$(((minimal - direct) % 1000 / 100)) ms (patch only), $(((typical - direct) / 1000)).$(((typical - direct) % 1000 / 100)) ms (typical config)"
