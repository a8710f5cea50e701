#!/usr/bin/env bash
# The safety figures (issue 13): split-brain writes from a client connected straight to the old
# leader's PostgreSQL when the leader's agent freezes or dies while PostgreSQL keeps running, and
# when the leader is cut off after a live ttl change; with node-loss and switchover RTO in the same
# run, to show the fence costs them nothing.
#
#   bench/safety/drills.sh [freeze-trials] [kill-agent-trials] [partition-trials] [kill-node/switchover trials]
#                                                                   (defaults 20 10 10 5)
#
# Lab 1 (three regions, loopback): kill-node, switchover, freeze-agent (20 s), kill-agent.
# Lab 2 (--wan, emulated round trips): `drill partition --set ttl=30 --set loop_wait=5
# --set retry_timeout=10`, i.e. the config changed live right before the trials.
# BASELINE_JAR=<an older meridian.jar> also runs kill-node and switchover with that build on a lab
# of its own, for a same-machine comparison.
#
# Prints the figures with the command, the machine and the date, and keeps them, with each drill's
# JSON, in bench/results/safety-drills-<UTC time>.txt.
set -euo pipefail

FREEZES=${1:-20}
KILLS=${2:-10}
PARTITIONS=${3:-10}
BASICS=${4:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results"
OUT="$RESULTS/safety-drills-$STAMP.txt"
DIR=$(mktemp -d /tmp/meridian-safety.XXXXXX)
chmod 755 "$DIR"
mkdir -p "$RESULTS"
"$ROOT/meridian" --help >/dev/null
cp "$ROOT/meridian-dist/target/meridian.jar" "$DIR/meridian.jar"
JAR="$DIR/meridian.jar"
M() { java -jar "$JAR" "$@"; }
LAB="$DIR/lab"

cleanup() {
  for d in "$DIR/lab" "$DIR/wan" "$DIR/base"; do
    [ -d "$d" ] && java -jar "$DIR/meridian.jar" lab down --dir "$d" >/dev/null 2>&1 || true
  done
  if grep -q '"direct_split_brain_writes": [1-9]\|"lost_writes": [1-9]' "$DIR"/*.json 2>/dev/null; then
    keep="$RESULTS/safety-drills-$STAMP-logs"; mkdir -p "$keep"; cp "$DIR"/*.err "$DIR"/*.json "$keep/" 2>/dev/null || true
    echo "anomaly: drill output kept in $keep" | tee -a "$OUT" >&2
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "# Meridian safety figures (issue 13): direct writers on the old leader, fence keeper outside the JVM"
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command:  bench/safety/drills.sh $FREEZES $KILLS $PARTITIONS $BASICS"
  echo "machine:  $(nproc) cores, Linux $(uname -r), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM"
  echo "commit:   $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load:     $(load) before the first lab"
} | tee "$OUT"

run() { # key lab-dir args...
  local key=$1 lab=$2; shift 2
  echo "# $key: $* (load $(load))" | tee -a "$OUT" >&2
  M drill "$@" --format json --lab-dir "$lab" > "$DIR/$key.json" 2> "$DIR/$key.err" || true
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$DIR/$key.json" 2>/dev/null; then
    echo "$key: the drill printed no report; its last lines:" | tee -a "$OUT"; tail -5 "$DIR/$key.err" | tee -a "$OUT"
  fi
}

up() { # lab-dir args...
  local lab=$1; shift
  local start; start=$(date +%s)
  M lab up --dir "$lab" "$@" > "$DIR/lab-up-$(basename "$lab").log" 2>&1 \
    || { tail -20 "$DIR/lab-up-$(basename "$lab").log"; exit 1; }
  echo "lab $(basename "$lab"): up ($*) in $(( $(date +%s) - start )) s; load $(load)" | tee -a "$OUT"
}

if [ -n "${BASELINE_JAR:-}" ]; then
  cp "$BASELINE_JAR" "$DIR/base.jar"
  JAR="$DIR/base.jar"
  up "$DIR/base"
  run base-kill-node "$DIR/base" kill-node --trials "$BASICS"
  run base-switchover "$DIR/base" switchover --trials "$BASICS"
  M lab down --dir "$DIR/base" >/dev/null 2>&1 || true
  JAR="$DIR/meridian.jar"
fi

up "$LAB"
run kill-node "$LAB" kill-node --trials "$BASICS"
run switchover "$LAB" switchover --trials "$BASICS"
run freeze-agent "$LAB" freeze-agent --trials "$FREEZES"
run kill-agent "$LAB" kill-agent --trials "$KILLS"
M lab down --dir "$LAB" >/dev/null 2>&1 || true

up "$DIR/wan" --wan
run partition-ttl30 "$DIR/wan" partition --trials "$PARTITIONS" --set ttl=30 --set loop_wait=5 --set retry_timeout=10
M lab down --dir "$DIR/wan" >/dev/null 2>&1 || true

python3 - "$DIR" <<'PY' | tee -a "$OUT"
import json, os, sys
d = sys.argv[1]
rows = [("base-kill-node", "kill-node (baseline build)"), ("base-switchover", "switchover (baseline build)"),
        ("kill-node", "kill-node"), ("switchover", "switchover"), ("freeze-agent", "freeze-agent 20 s"),
        ("kill-agent", "kill-agent"), ("partition-ttl30", "partition, ttl 30 (wan)")]
print()
print(f"{'':28} {'trials':>6} {'ok':>3} {'RTO min':>8} {'median':>7} {'max':>7}  {'lost':>5} {'split':>5} {'direct split/acked':>19}")
fmt = lambda v: "-" if v is None else f"{v:.2f}"
for key, label in rows:
    p = os.path.join(d, key + ".json")
    if not os.path.exists(p):
        continue
    try:
        r = json.load(open(p))
    except Exception:
        print(f"{label:28} no report"); continue
    s = r["summary"]; rto = s["rto_seconds"]
    dsb = s.get("direct_split_brain_writes_total", "-")
    dacked = sum(t.get("direct_acked_writes") or 0 for t in r["trials"])
    print(f"{label:28} {s['trials']:>6} {s['recovered']:>3} {fmt(rto['min']):>8} {fmt(rto['median']):>7} {fmt(rto['max']):>7}  "
          f"{s['lost_writes_total']:>5} {s['split_brain_writes_total']:>5} {str(dsb) + '/' + str(dacked):>19}")
    print(f"{'':28} per-trial RTO (s): " + " ".join(fmt(t["rto_seconds"]) for t in r["trials"]))
    if "promoted_seconds" in json.dumps(r["trials"][0]) if r["trials"] else False:
        print(f"{'':28} promoted at (s):   " + " ".join(fmt(t.get("promoted_seconds")) for t in r["trials"]))
    for t in r["trials"]:
        if t.get("error"):
            print(f"{'':28} trial {t['trial']}: {t['error']}")
    if r.get("config"):
        print(f"{'':28} config: {r['config']}")
print()
print("RTO: from the fault to the write that ended the longest stretch without acknowledgements after it.")
print("lost: acknowledged writes missing on the new leader. split: writes acknowledged by a node after another")
print("node's promotion (all writers). direct: the writer connected straight to the old leader's PostgreSQL,")
print("never re-targeted: its split-brain writes over its acknowledged writes, summed over trials.")
PY
for k in base-kill-node base-switchover kill-node switchover freeze-agent kill-agent partition-ttl30; do
  [ -f "$DIR/$k.json" ] && { echo; echo "## $k: drill JSON"; cat "$DIR/$k.json"; } >> "$OUT"
done
echo "kept in $OUT" >&2
