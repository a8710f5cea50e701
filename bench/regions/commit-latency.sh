#!/usr/bin/env bash
# Commit latency across regions: a WAN lab (paris-newyork 80 ms, paris-tokyo 250 ms,
# newyork-tokyo 170 ms round trips), one client in the leader's region committing one row at a
# time, in asynchronous mode and in region_quorum mode (ANY 1 of the standbys outside the leader's
# region). region_quorum should cost about one round trip to the nearest other region (80 ms),
# never the farthest (250 ms).
#   bench/regions/commit-latency.sh [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
secs="${1:-20}"
dir="$(mktemp -d /tmp/meridian-wan-XXXXXX)"
chmod 755 "$dir"
export MERIDIAN_LAB_DIR="$dir"
cleanup() { "$here/meridian" lab down >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

echo "# command: bench/regions/commit-latency.sh $secs"
echo "# machine: nproc=$(nproc) $(uname -srm) $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
if ! "$here/meridian" lab up --wan --dir "$dir" > "$dir.up.log" 2>&1; then
  echo "lab up failed:" >&2; tail -15 "$dir.up.log" >&2; exit 1
fi
status="$("$here/meridian" lab status --format json)"
leader_dsn="$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([n["dsn"] for n in d["nodes"] if n["name"]==d["leader"]][0])' <<<"$status")"
leader="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])' <<<"$status")"
echo "# leader: $leader"
psql "$leader_dsn" -qc "CREATE TABLE IF NOT EXISTS commit_probe (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())"
cat > "$dir/insert.sql" <<'SQL'
INSERT INTO commit_probe DEFAULT VALUES;
SQL
run() { # mode expected_ssn_pattern
  "$here/meridian" edit-config --set "synchronous_mode=$1" >/dev/null
  for _ in $(seq 1 150); do
    ssn="$(psql "$leader_dsn" -Atc 'SHOW synchronous_standby_names')"
    if [[ "$ssn" =~ $2 ]]; then break; fi
    sleep 0.2
  done
  ssn="$(psql "$leader_dsn" -Atc 'SHOW synchronous_standby_names')"
  out="$(PGPASSFILE="$dir/pgpass" /usr/lib/postgresql/15/bin/pgbench -n -c 1 -T "$secs" -f "$dir/insert.sql" \
        "$leader_dsn" 2>&1)"
  lat="$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' <<<"$out")"
  tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")"
  echo "$1 synchronous_standby_names='$ssn' latency_avg_ms=$lat tps=$tps"
  echo "$lat"
}
async_lat="$(run off '^$' | tee /dev/stderr | tail -1)"
quorum_lat="$(run region_quorum '^ANY 1' | tee /dev/stderr | tail -1)"
python3 - "$async_lat" "$quorum_lat" <<'PY'
import sys
a, q = float(sys.argv[1]), float(sys.argv[2])
print(f"region_quorum adds {q - a:.1f} ms per commit; nearest other region round trip 80 ms, farthest 250 ms")
print(f"ratio of region_quorum commit latency to the nearest round trip: {q / 80:.2f} (target <= 1.3)")
PY
