#!/usr/bin/env bash
# Router overhead benchmark: pgbench select-only and TPC-B-like, simple and extended protocol,
# 8 and 64 clients, against PostgreSQL directly, HAProxy (TCP mode), PgBouncer (transaction
# mode) and the Meridian router, interleaved in one run so every target sees the same machine.
# Prints TPS, ratio to direct, p99 latency and CPU per transaction (proxy process and whole box).
#
#   bench/router/run.sh [seconds-per-run] [rounds]     (defaults: 10 s, 2 rounds)
# Narrow a run with TARGETS="direct haproxy router", WORKLOADS="select-only", PROTOS="simple",
# CLIENTS="8"; ROUTER_JAVA_OPTS adds JVM options (e.g. a JFR recording) to the router, and
# ROUTER_LOG=FILE keeps the router's output. An A/B of two router builds in one run: set
# ROUTER_B_CLASSES to another build's meridian-router/target/classes (copied aside) and add the
# target router-b (ROUTER_B_JAVA_OPTS gives it JVM options); a copy of this build's classes makes
# it an A/A run, which shows what two identical routers differ by in the same run (the noise).
# KEEP_RESULTS=FILE keeps the per-run lines; bench/router/summarize.sh FILE prints the tables again.
# Needs root (PostgreSQL and PgBouncer run as OS user postgres), PostgreSQL 15, haproxy, pgbouncer.
set -euo pipefail

SECS=${1:-10}
ROUNDS=${2:-2}
SCALE=${SCALE:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/mrbench.XXXXXX)
chmod 755 "$WORK"; chown postgres:postgres "$WORK"
PG=55432; HAP=55433; BOUNCER=55434; RW=55435; RO=55436; RW_B=55437; RO_B=55438
PIDS=()
as_pg() { runuser -u postgres -- "$@"; }
BOUNCER_PID=""
cleanup() {
  [ -n "${ROUTER_LOG:-}" ] && cp "$WORK/router.log" "$ROUTER_LOG" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # PgBouncer runs under runuser: the pid in PIDS is runuser's, not PgBouncer's.
  [ -n "$BOUNCER_PID" ] && kill "$BOUNCER_PID" 2>/dev/null || true
  as_pg "$BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "# building the router classpath" >&2
(cd "$ROOT" && mvn -o -q -B -pl meridian-router -am test-compile dependency:build-classpath \
   -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null)
CP="$ROOT/meridian-router/target/test-classes:$ROOT/meridian-router/target/classes:$ROOT/meridian-core/target/classes:$(cat "$WORK/cp.txt")"

echo "# PostgreSQL on $PG" >&2
as_pg "$BIN/initdb" -D "$WORK/data" -U postgres -A trust --no-sync >/dev/null
cat >> "$WORK/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG
unix_socket_directories = '$WORK'
max_connections = 300
shared_buffers = 256MB
synchronous_commit = off
CONF
as_pg "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w start >/dev/null
"$BIN/pgbench" -h 127.0.0.1 -p $PG -U postgres -i -s "$SCALE" -q postgres >/dev/null 2>&1

cat > "$WORK/haproxy.cfg" <<CONF
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen pg
  bind 127.0.0.1:$HAP
  server pg 127.0.0.1:$PG
CONF
haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & PIDS+=($!); HAP_PID=$!

cat > "$WORK/pgbouncer.ini" <<CONF
[databases]
postgres = host=127.0.0.1 port=$PG dbname=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = transaction
default_pool_size = 64
max_client_conn = 500
logfile = $WORK/pgbouncer.log
CONF
echo '"postgres" ""' > "$WORK/userlist.txt"
chown postgres:postgres "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
as_pg pgbouncer "$WORK/pgbouncer.ini" >/dev/null 2>&1 & PIDS+=($!)
sleep 0.5
BOUNCER_PID=$(pgrep -n -u postgres -x pgbouncer)

start_router() { # log classpath-prefix java-opts rw ro
  java -XX:+ExitOnOutOfMemoryError -XX:+UseParallelGC -Xms256m -Xmx256m $3 -cp "$2$CP" io.meridian.router.BenchRouter "$4" "$5" $PG > "$1" 2>&1 &
  PIDS+=($!); STARTED_PID=$!
  for i in $(seq 1 100); do grep -q "router ready" "$1" && break; sleep 0.2; done
  grep -q "router ready" "$1" || { cat "$1" >&2; exit 1; }
}
start_router "$WORK/router.log" "" "${ROUTER_JAVA_OPTS:-}" $RW $RO; ROUTER_PID=$STARTED_PID
ROUTER_B_PID=""
if [ -n "${ROUTER_B_CLASSES:-}" ]; then
  start_router "$WORK/router-b.log" "$ROUTER_B_CLASSES:" "${ROUTER_B_JAVA_OPTS:-}" $RW_B $RO_B; ROUTER_B_PID=$STARTED_PID
fi

# A proxy's CPU in nanoseconds, exact: the scheduler's run time summed over the process's threads
# (/proc/PID/task/*/schedstat). The tick-sampled utime+stime of /proc/PID/stat (4 ms ticks here)
# misreads processes that run in bursts of microseconds: for PgBouncer it read 35 us/tx where
# perf stat's task-clock read 39.5 in the same run.
proc_cpu() { [ -z "$1" ] && { echo 0; return; }; cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s+=$1} END {printf "%.0f", s}'; }
box_cpu() { awk '/^cpu /{printf "%d", $2+$3+$4+$7+$8}' /proc/stat; }
HZ=$(getconf CLK_TCK)

declare -A TARGET_PORT=([direct]=$PG [haproxy]=$HAP [pgbouncer]=$BOUNCER [router]=$RW [router-b]=$RW_B)
declare -A TARGET_PID=([direct]="" [haproxy]=$HAP_PID [pgbouncer]=$BOUNCER_PID [router]=$ROUTER_PID [router-b]=$ROUTER_B_PID)
read -r -a TARGETS <<< "${TARGETS:-direct haproxy pgbouncer router}"
read -r -a WORKLOADS <<< "${WORKLOADS:-select-only tpcb-like}"
read -r -a PROTOS <<< "${PROTOS:-simple extended}"
read -r -a CLIENTS <<< "${CLIENTS:-8 64}"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# Warm every target and PostgreSQL's cache before measuring. The router is a long-running JVM: it is
# measured in steady state, so it first runs every workload once (on a busy 2-core machine its JIT
# needs tens of seconds; cold, its C2 compiler threads alone took 40% of its CPU).
for t in "${TARGETS[@]}"; do
  "$BIN/pgbench" -h 127.0.0.1 -p "${TARGET_PORT[$t]}" -U postgres -S -c 8 -j 2 -T 3 postgres >/dev/null 2>&1 || true
done
for workload in "${WORKLOADS[@]}"; do
  for proto in "${PROTOS[@]}"; do
    for clients in "${CLIENTS[@]}"; do
      flag=$([ "$workload" = select-only ] && echo "-S" || echo "-b tpcb-like")
      for port in $RW ${ROUTER_B_PID:+$RW_B}; do
        "$BIN/pgbench" -h 127.0.0.1 -p $port -U postgres $flag -M "$proto" -c "$clients" -j 2 -T "${WARMUP:-4}" postgres >/dev/null 2>&1 || true
      done
    done
  done
done

for round in $(seq 1 "$ROUNDS"); do
  for workload in "${WORKLOADS[@]}"; do
    for proto in "${PROTOS[@]}"; do
      for clients in "${CLIENTS[@]}"; do
        # The order rotates each round, so no target always runs after the same one (autovacuum,
        # table growth and cache state then fall on every target alike).
        for i in "${!TARGETS[@]}"; do
          t=${TARGETS[$(( (i + round - 1) % ${#TARGETS[@]} ))]}
          flag=$([ "$workload" = select-only ] && echo "-S" || echo "-b tpcb-like")
          log="$WORK/txlog"; rm -f "$log".*
          p0=$(proc_cpu "${TARGET_PID[$t]}"); b0=$(box_cpu)
          out=$("$BIN/pgbench" -h 127.0.0.1 -p "${TARGET_PORT[$t]}" -U postgres $flag -M "$proto" -c "$clients" -j 2 \
                -T "$SECS" -l --log-prefix="$log" postgres 2>&1) || { echo "pgbench failed on $t: $out" >&2; continue; }
          p1=$(proc_cpu "${TARGET_PID[$t]}"); b1=$(box_cpu)
          tps=$(echo "$out" | awk '/^tps/ {print $3; exit}')
          txns=$(echo "$out" | awk '/number of transactions actually processed/ {print $6; exit}' | cut -d/ -f1)
          p99=$(cat "$log".* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if(i<1)i=1; printf "%.3f", a[i]/1000}')
          proxy_us=$(awk -v d=$((p1 - p0)) -v n="$txns" 'BEGIN{printf "%.1f", (n > 0 ? d/1e3/n : 0)}')
          box_us=$(awk -v d=$((b1 - b0)) -v n="$txns" -v hz="$HZ" 'BEGIN{printf "%.1f", (n > 0 ? d/hz*1e6/n : 0)}')
          printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$round" "$workload" "$proto" "$clients" "$t" "$tps" "$p99" "$proxy_us" "$box_us" >> "$RESULTS"
          echo "round $round $workload $proto c=$clients $t: load $(cut -d' ' -f1 /proc/loadavg) tps $tps p99 ${p99}ms proxy ${proxy_us}us/tx box ${box_us}us/tx" >&2
        done
      done
    done
  done
done
rm -f "$WORK"/txlog.*

echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(date -u +%FT%TZ) $(nproc) cores, PostgreSQL 15, scale $SCALE, ${SECS}s x $ROUNDS rounds, pgbench -j 2"
echo "# tps: mean over rounds; p99 ms: mean of per-run p99; cpu: microseconds per transaction, proxy process (scheduler run time, exact) / whole machine (/proc/stat ticks)"
[ -n "${KEEP_RESULTS:-}" ] && cp "$RESULTS" "$KEEP_RESULTS"
"$ROOT/bench/router/summarize.sh" "$RESULTS"
