#!/usr/bin/env bash
# Observability figures: how stale the lag on /metrics and /dashboard/data is under a pgbench write
# load (against the leader's own pg_current_wal_lsn() and pg_stat_replication), how fast /metrics
# answers, and what an agent costs at idle (RSS, CPU from /proc). Optionally a dashboard screenshot
# with one replica's replay paused, so lag shows.
#
#   bench/observability/run.sh [load-seconds] [screenshot.png]      (default 60 s, no screenshot)
#
# Three agents run as separate JVMs (java -jar meridian.jar agent), as an operator runs them, with
# one etcd and PostgreSQL 15, all on loopback under one folder in /tmp, removed at the end.
# Needs root (PostgreSQL runs as OS user postgres), etcd, pgbench, jq; chromium for the screenshot.
set -euo pipefail

SECS=${1:-60}
SHOT=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/mrobs.XXXXXX)
chmod 755 "$WORK"
PIDS=()
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.2; done; done
  for d in "$WORK"/*/data; do [ -d "$d" ] && runuser -u postgres -- "$BIN/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "# building meridian.jar and the harness" >&2
(cd "$ROOT" && mvn -o -q -B -pl meridian-dist -am package -DskipTests >"$WORK/build.log" 2>&1 \
  && mvn -o -q -B -pl meridian-agent -am test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" \
       -Dmdep.includeScope=test >>"$WORK/build.log" 2>&1) || { cat "$WORK/build.log" >&2; exit 1; }
JAR="$ROOT/meridian-dist/target/meridian.jar"
CP="$ROOT/meridian-agent/target/test-classes:$ROOT/meridian-agent/target/classes:$ROOT/meridian-core/target/classes:$(cat "$WORK/cp.txt")"
harness() { java -cp "$CP" io.meridian.agent.bench.ObservabilityFigures "$@"; }

EP=$(freeport); EPEER=$(freeport)
etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$EP" \
  --advertise-client-urls "http://127.0.0.1:$EP" --listen-peer-urls "http://127.0.0.1:$EPEER" \
  --initial-advertise-peer-urls "http://127.0.0.1:$EPEER" --initial-cluster "bench=http://127.0.0.1:$EPEER" \
  > "$WORK/etcd.log" 2>&1 & PIDS+=($!)

PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+='); umask 077
printf '%s\n' "$PASS" > "$WORK/password"
declare -A REST PGPORT AGENT
for n in paris-1 newyork-1 tokyo-1; do
  PGPORT[$n]=$(freeport); REST[$n]=$(freeport)
  cat > "$WORK/$n.yml" <<YML
cluster: bench
name: $n
region: ${n%-1}
etcd: {endpoints: [http://127.0.0.1:$EP]}
postgresql:
  data_dir: $WORK/$n/data
  listen: 127.0.0.1:${PGPORT[$n]}
  superuser: {username: postgres, password: $PASS}
  replication: {username: replicator, password: ${PASS}r}
restapi: {listen: 127.0.0.1:${REST[$n]}, username: admin, password: $PASS}
# loop_wait is Meridian's 1 s (it sets how fresh metrics are); a longer lease keeps a shared, busy
# machine's stalls from moving the leader during the measurement.
bootstrap: {dcs: {ttl: 20, loop_wait: 1, retry_timeout: 5}}
YML
done
umask 022
for n in paris-1 newyork-1 tokyo-1; do
  java -XX:+ExitOnOutOfMemoryError ${AGENT_JAVA_OPTS:-} -jar "$JAR" agent -c "$WORK/$n.yml" > "$WORK/$n.log" 2>&1 & PIDS+=($!); AGENT[$n]=$!
done

echo "# waiting for a leader and two streaming replicas" >&2
for _ in $(seq 300); do
  c=$(curl -sf "http://127.0.0.1:${REST[paris-1]}/meridian/cluster" || true)
  LEADER=$(jq -r '.leader.name // empty' <<<"$c" 2>/dev/null || true)
  STREAMING=$(jq '[.members[]? | select(.replication_state == "streaming")] | length' <<<"$c" 2>/dev/null || echo 0)
  [ -n "$LEADER" ] && [ "$STREAMING" = 2 ] && break
  sleep 1
done
[ -n "$LEADER" ] && [ "$STREAMING" = 2 ] || { echo "cluster did not come up; logs in $WORK" >&2; trap - EXIT; exit 1; }
REPLICA=$(for n in paris-1 newyork-1 tokyo-1; do [ "$n" != "$LEADER" ] && echo "$n"; done | head -1)
LURL="http://127.0.0.1:${REST[$LEADER]}"; RURL="http://127.0.0.1:${REST[$REPLICA]}"
export PGPASSFILE="$WORK/pgpass"; (umask 077; echo "127.0.0.1:*:*:postgres:$PASS" > "$PGPASSFILE")
psql_on() { psql -h 127.0.0.1 -p "${PGPORT[$1]}" -U postgres -d postgres -qAtX -c "$2"; }

echo "# machine: nproc=$(nproc) $(uname -srm) $(date -u +%FT%TZ)"
echo "# command: bench/observability/run.sh $SECS${SHOT:+ $SHOT}   agent JVM options: ${AGENT_JAVA_OPTS:-(defaults)} $(java -version 2>&1 | head -1)"
echo "# leader $LEADER, replica measured $REPLICA; loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# idle: 30 s to settle, then 60 s of CPU per agent JVM from /proc/<pid>/stat (utime+stime)" >&2
sleep 30
HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A T0
for n in "${!AGENT[@]}"; do T0[$n]=$(ticks "${AGENT[$n]}"); done
sleep 60
for n in paris-1 newyork-1 tokyo-1; do
  pid=${AGENT[$n]}; role=replica; [ "$n" = "$LEADER" ] && role=leader
  awk -v n="$n" -v r="$role" -v t0="${T0[$n]}" -v t1="$(ticks "$pid")" -v hz="$HZ" \
      -v rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" -v thr="$(awk '/Threads/ {print $2}' "/proc/$pid/status")" \
      'BEGIN { printf "agent_idle %s (%s) rss_mib=%.1f cpu_percent_of_one_core=%.2f threads=%d\n", n, r, rss / 1024, (t1 - t0) / hz / 60 * 100, thr }'
done

echo "# /metrics latency: 200 back to back, then 200 spaced 300 ms (each re-reads PostgreSQL, as a scrape does)" >&2
echo "# leader: $LURL  replica: $RURL"
harness latency "$LURL/dashboard/style.css" 200   # the HTTP floor: a static file, no I/O
harness latency "$LURL/metrics" 200
harness latency "$LURL/metrics" 200 300
harness latency "$RURL/metrics" 200 300

echo "# write load: pgbench -c 4 -j 2 (TPC-B-like) on the leader for $SECS s" >&2
pgbench -h 127.0.0.1 -p "${PGPORT[$LEADER]}" -U postgres -i -s 10 -q postgres >/dev/null 2>&1
EXTRA=0; [ -n "$SHOT" ] && EXTRA=110   # the screenshot runs under the same load
LOAD=$((SECS + 5 + EXTRA))
pgbench -h 127.0.0.1 -p "${PGPORT[$LEADER]}" -U postgres -c 4 -j 2 -T "$LOAD" -P 10 postgres > "$WORK/pgbench.log" 2>&1 & PIDS+=($!)
sleep 3
lt0=$(ticks "${AGENT[$LEADER]}")
harness staleness "$LURL" "127.0.0.1:${PGPORT[$LEADER]}" "$WORK/password" "$SECS"
echo "agent_under_load $LEADER (leader) cpu_percent_of_one_core=$(awk -v a="$lt0" -v b="$(ticks "${AGENT[$LEADER]}")" -v hz="$HZ" -v s="$SECS" 'BEGIN { printf "%.2f", (b - a) / hz / s * 100 }')"
grep -E '^progress' "$WORK/pgbench.log" | tail -1 | sed 's/^/pgbench /' || true

if [ -n "$SHOT" ]; then
  echo "# screenshot: replay paused on $REPLICA for 70 s under load, dashboard open for 100 s" >&2
  ( sleep 25; psql_on "$REPLICA" "SELECT pg_wal_replay_pause()" >/dev/null ) &
  harness screenshot "$RURL/dashboard/?window=2" "$SHOT" 95
  psql_on "$REPLICA" "SELECT pg_wal_replay_resume()" >/dev/null
  echo "screenshot $SHOT"
fi
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
