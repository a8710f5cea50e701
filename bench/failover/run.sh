#!/usr/bin/env bash
# Issue 2's failover figures at Meridian's default timings, measured by the drill on a fresh lab:
# time until writes succeed again after (a) the leader's postmaster is killed, (b) the whole leader
# node is killed, (c) a switchover, and the acknowledged writes lost in each. One writer, one
# acknowledged write at a time, following the leader named in etcd.
#
#   bench/failover/run.sh [trials]          (default 5; TRIALS=... works too)
#
# Prints the figures with the command, the machine and the date, and keeps them, with each
# drill's JSON, in bench/results/failover-meridian-<UTC time>.txt (charts next to it as .svg).
# The machine may be shared: the load average is printed before and after every scenario.
set -euo pipefail

TRIALS=${1:-${TRIALS:-5}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results"
OUT="$RESULTS/failover-meridian-$STAMP.txt"
DIR=$(mktemp -d /tmp/meridian-failover.XXXXXX)
chmod 755 "$DIR"
mkdir -p "$RESULTS"
# Build once through the launcher, then run the jar itself: an edit to the sources during the run
# must not make a later call rebuild in the middle of the measurements.
"$ROOT/meridian" --version >/dev/null
M() { java -jar "$ROOT/meridian-dist/target/meridian.jar" "$@"; }

cleanup() { M lab down --dir "$DIR/lab" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "# Meridian failover figures (issue 2), default timings"
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command:  bench/failover/run.sh $TRIALS  ->  meridian drill SCENARIO --trials $TRIALS --format json"
  echo "machine:  $(nproc) cores, Linux $(uname -r), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM"
  echo "commit:   $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load:     $(load) before the lab"
} | tee "$OUT"

start=$(date +%s)
M lab up --dir "$DIR/lab" > "$DIR/lab-up.log" 2>&1 || { tail -20 "$DIR/lab-up.log"; exit 1; }
echo "lab:      up in $(( $(date +%s) - start )) s (3 regions, one node each, no WAN delay); load $(load)" | tee -a "$OUT"
M show-config --lab-dir "$DIR/lab" 2>/dev/null | grep -E '^(ttl|loop_wait|retry_timeout|synchronous_mode)' \
  | tr '\n' ' ' | sed 's/^/timings:  /; s/$/\n/' | tee -a "$OUT"

for s in crash-postgres kill-node switchover; do
  echo "# $s: $TRIALS trials, load $(load) before" >&2
  M drill "$s" --trials "$TRIALS" --format json --lab-dir "$DIR/lab" \
      --chart "$RESULTS/failover-meridian-$STAMP-$s.svg" > "$DIR/$s.json" 2> "$DIR/$s.err" || true
  echo "$s: load $(load) after" >> "$DIR/loads.txt"
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$DIR/$s.json" 2>/dev/null; then
    echo "$s: the drill printed no report; its last lines:" | tee -a "$OUT"; tail -5 "$DIR/$s.err" | tee -a "$OUT"
  fi
done

python3 - "$DIR" "$TRIALS" <<'PY' | tee -a "$OUT"
import json, os, sys
d, trials = sys.argv[1], sys.argv[2]
rows = [("crash-postgres", "(a) postmaster killed", 3.0, "7-11 s", "3.5-4.3 s"),
        ("kill-node", "(b) node killed", 8.0, "26-28 s, up to 13 lost", "9-10 s"),
        ("switchover", "(c) switchover", 2.0, "5.1 s", "3-5 s")]
print()
print(f"{'':24} {'RTO min':>8} {'median':>7} {'max':>7} {'target':>7}  {'lost':>5} {'split':>5}  per-trial RTO (s)            Patroni default / tuned")
for key, label, target, pdef, ptuned in rows:
    f = os.path.join(d, key + ".json")
    try:
        r = json.load(open(f))
    except Exception:
        print(f"{label:24} no report"); continue
    s = r["summary"]; rto = s["rto_seconds"]
    fmt = lambda v: "-" if v is None else f"{v:.2f}"
    per = " ".join(fmt(t["rto_seconds"]) for t in r["trials"])
    print(f"{label:24} {fmt(rto['min']):>8} {fmt(rto['median']):>7} {fmt(rto['max']):>7} {target:>6.0f}s  "
          f"{s['lost_writes_total']:>5} {s['split_brain_writes_total']:>5}  {per:28} {pdef} / {ptuned}")
    if s["recovered"] != s["trials"] or len(r["trials"]) < int(trials):
        print(f"{'':24} only {s['recovered']} of {trials} trials recovered: " +
              "; ".join(f"trial {t['trial']}: {t['error']}" for t in r["trials"] if t["error"]))
print()
print("RTO: from the fault (SIGKILL, or the switchover request) to the write that ended the longest")
print("stretch without acknowledgements after it. lost: acknowledged writes missing on the new leader")
print("(summed over trials). split: writes acknowledged by a node after another node's promotion.")
print("Patroni figures are the issue's reference (Patroni 3, etcd, HAProxy, same kind of machine).")
PY
{
  echo; echo "load after each scenario:"; cat "$DIR/loads.txt"
  for s in crash-postgres kill-node switchover; do
    echo; echo "## meridian drill $s --trials $TRIALS --format json"; cat "$DIR/$s.json" 2>/dev/null || true
  done
} >> "$OUT"
echo "kept in $OUT" >&2
