#!/usr/bin/env bash
# Issue 3's region figures on the default WAN preset (paris-newyork 80 ms, paris-tokyo 250 ms,
# newyork-tokyo 170 ms round trips, etcd one member per region), in cross-region quorum mode
# (synchronous_mode region_quorum: a commit waits for ANY 1 standby outside the leader's region):
#   (a) region outage of the leader's region: every node of paris SIGKILLed and its links cut
#       (its etcd member goes silent) -> writes again within 15 s, zero acknowledged writes lost;
#   (b) partition of the leader's region -> zero split-brain writes over at least 20 trials.
#
#   bench/regions/drills.sh [outage-trials] [partition-trials]     (defaults 5 and 20)
#
# Prints the figures with the command, the machine and the date, and keeps them, with each
# drill's JSON, in bench/results/regions-drills-<UTC time>.txt (charts next to it as .svg).
set -euo pipefail

OUTAGES=${1:-5}
PARTITIONS=${2:-20}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results"
OUT="$RESULTS/regions-drills-$STAMP.txt"
DIR=$(mktemp -d /tmp/meridian-regions.XXXXXX)
chmod 755 "$DIR"
mkdir -p "$RESULTS"
# Build once through the launcher, then run a copy of the jar (the lab's agents run it too), so a
# rebuild during the run changes nothing under them.
"$ROOT/meridian" --version >/dev/null
cp "$ROOT/meridian-dist/target/meridian.jar" "$DIR/meridian.jar"
M() { java -jar "$DIR/meridian.jar" "$@"; }

# Any trial that lost or split writes, failed, or a drill that stopped early keeps the lab's logs
# (agents, PostgreSQL, etcd, WAN relay) and the drills' own output next to the results, before lab
# down removes them: such a run is the one worth reading.
keep_logs() {
  python3 - "$DIR" "$OUTAGES" "$PARTITIONS" <<'PY' || return 0
import json, os, sys
d, want = sys.argv[1], {"outage": int(sys.argv[2]), "partition": int(sys.argv[3])}
for k, n in want.items():
    try:
        r = json.load(open(os.path.join(d, k + ".json")))
    except Exception:
        sys.exit(0)
    if len(r["trials"]) < n or any(t.get("error") or t.get("split_brain_writes") or t.get("lost_writes")
                                   for t in r["trials"]):
        sys.exit(0)
sys.exit(1)
PY
  local keep="$RESULTS/regions-drills-$STAMP-logs"
  mkdir -p "$keep"
  cp "$DIR"/*.err "$keep/" 2>/dev/null || true
  (cd "$DIR" && find lab -name '*.log' -print0 | tar --null -czf "$keep/lab-logs.tar.gz" -T -) 2>/dev/null || true
  echo "anomaly: lab logs and drill output kept in $keep" | tee -a "$OUT" >&2
}
cleanup() { keep_logs; M lab down --dir "$DIR/lab" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
{
  echo "# Meridian region figures (issue 3): default WAN preset, synchronous_mode region_quorum"
  echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command:  bench/regions/drills.sh $OUTAGES $PARTITIONS"
  echo "          -> meridian lab up --wan --synchronous-mode region_quorum"
  echo "          -> meridian drill region-outage paris --trials $OUTAGES; meridian drill partition paris --trials $PARTITIONS"
  echo "machine:  $(nproc) cores, Linux $(uname -r), $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM"
  echo "commit:   $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load:     $(load) before the lab"
} | tee "$OUT"

start=$(date +%s)
M lab up --wan --synchronous-mode region_quorum --dir "$DIR/lab" > "$DIR/lab-up.log" 2>&1 \
  || { tail -20 "$DIR/lab-up.log"; exit 1; }
echo "lab:      up in $(( $(date +%s) - start )) s; load $(load)" | tee -a "$OUT"
M show-config --lab-dir "$DIR/lab" 2>/dev/null | grep -E '^(ttl|loop_wait|retry_timeout|synchronous_mode)' \
  | tr '\n' ' ' | sed 's/^/config:   /; s/$/\n/' | tee -a "$OUT"

run() { # key scenario trials
  echo "# $2: $3 trials, load $(load) before" >&2
  M drill $2 paris --trials "$3" --format json --lab-dir "$DIR/lab" \
      --chart "$RESULTS/regions-drills-$STAMP-$1.svg" > "$DIR/$1.json" 2> "$DIR/$1.err" || true
  echo "$2: load $(load) after" >> "$DIR/loads.txt"
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$DIR/$1.json" 2>/dev/null; then
    echo "$2: the drill printed no report; its last lines:" | tee -a "$OUT"; tail -5 "$DIR/$1.err" | tee -a "$OUT"
  fi
}
run outage region-outage "$OUTAGES"
run partition partition "$PARTITIONS"

python3 - "$DIR" <<'PY' | tee -a "$OUT"
import json, os, sys
d = sys.argv[1]
rows = [("outage", "region outage (paris)", "RTO <= 15 s, 0 lost"),
        ("partition", "partition (paris)", "0 split-brain writes")]
print()
print(f"{'':22} {'trials':>6} {'ok':>3} {'RTO min':>8} {'median':>7} {'max':>7}  {'lost':>5} {'split':>5}  new leaders (region)          target")
for key, label, target in rows:
    try:
        r = json.load(open(os.path.join(d, key + ".json")))
    except Exception:
        print(f"{label:22} no report"); continue
    s = r["summary"]; rto = s["rto_seconds"]
    fmt = lambda v: "-" if v is None else f"{v:.2f}"
    leaders = {}
    for t in r["trials"]:
        k = f"{t['new_leader']} ({t['new_region']})"
        leaders[k] = leaders.get(k, 0) + 1
    who = ", ".join(f"{k} x{v}" for k, v in sorted(leaders.items()))
    print(f"{label:22} {s['trials']:>6} {s['recovered']:>3} {fmt(rto['min']):>8} {fmt(rto['median']):>7} {fmt(rto['max']):>7}  "
          f"{s['lost_writes_total']:>5} {s['split_brain_writes_total']:>5}  {who:29} {target}")
    print(f"{'':22} per-trial RTO (s): " + " ".join(fmt(t["rto_seconds"]) for t in r["trials"]))
    for t in r["trials"]:
        if t.get("error"):
            print(f"{'':22} trial {t['trial']}: {t['error']}")
print()
print("RTO: from the fault to the write that ended the longest stretch without acknowledgements after it.")
print("lost: acknowledged writes missing on the new leader (summed over trials). split: writes acknowledged")
print("by a node after another node's promotion, including those of the writer fixed on the old leader (direct_split_brain_writes).")
PY
{
  echo; echo "load after each scenario:"; cat "$DIR/loads.txt"
  for k in outage partition; do
    echo; echo "## $k: drill JSON"; cat "$DIR/$k.json" 2>/dev/null || true
  done
} >> "$OUT"
echo "kept in $OUT" >&2
