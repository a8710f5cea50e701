#!/usr/bin/env bash
# Patroni 3 (Debian's package) vs Meridian, side by side in one run. See README.md here.
#
#   bench/patroni/run.sh [--trials N] [--profiles default,tuned] [--scenarios postmaster-kill,node-kill,switchover]
#
# Needs root (PostgreSQL and Patroni run as OS user postgres). Installs what is missing from
# Debian's packages (patroni, python3-etcd, haproxy, postgresql-15, etcd-server), builds Meridian
# if needed, and leaves no process or temp folder behind. Results: bench/results/patroni-vs-meridian-*.txt
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/patroni"
ARGS=("$@")

need=()
command -v patroni >/dev/null || need+=(patroni)
# Patroni's etcd3 DCS talks to etcd's v3 JSON gateway with urllib3 but builds on python-etcd's
# classes and exceptions: python3-etcd is needed, python3-etcd3 (the gRPC client) is not.
/usr/bin/python3 -c 'import etcd' 2>/dev/null || need+=(python3-etcd)
/usr/bin/python3 -c 'import psycopg2, yaml' 2>/dev/null || need+=(python3-psycopg2 python3-yaml)
command -v haproxy >/dev/null || need+=(haproxy)
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || need+=(postgresql-15)
command -v etcd >/dev/null || need+=(etcd-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "# installing from Debian: ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi
"$ROOT/meridian" --version >/dev/null   # builds the jar when missing or stale

WORK=$(mktemp -d /tmp/pvm-bench.XXXXXX)
chmod 755 "$WORK"
BENCH_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill -TERM "$BENCH_PID" 2>/dev/null || true   # bench.py stops both labs and HAProxy itself
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  # Whatever is still running from the work folder (after a hard failure): stop it by pid.
  [ -f "$WORK/mlab/lab.json" ] && "$ROOT/meridian" lab down --dir "$WORK/mlab" >/dev/null 2>&1 || true
  for d in "$WORK"/patroni/pg*/data; do
    [ -f "$d/postmaster.pid" ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$d" -m immediate stop >/dev/null 2>&1 || true
  done
  for p in $(grep -lsa -- "$WORK" /proc/[0-9]*/cmdline | cut -d/ -f3); do
    [ "$p" != "$$" ] && kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/patroni-vs-meridian-$(date -u +%Y%m%d-%H%M%S).txt"
/usr/bin/python3 "$HERE/bench.py" --root "$ROOT" --work "$WORK" --out "$OUT" \
  --command "bench/patroni/run.sh ${ARGS[*]}" "${ARGS[@]}" &
BENCH_PID=$!
wait "$BENCH_PID"
