#!/usr/bin/env bash
# What keeping etcd's leader out of the PostgreSQL leader's region saves on a region outage.
# One WAN lab (region_quorum), then PAIRS pairs of trials, alternating etcd_leader_placement any and
# other_region. Before each trial etcd's leader is put in paris with etcdctl (where the drill's
# unmeasured switchover brings the PostgreSQL leader back), then the drill loses paris. With
# "other_region" paris-1's agent hands etcd's leadership on before the fault; with "any" it stays.
#
#   bench/regions/etcd-leader-ab.sh [pairs]      (default 3)
set -euo pipefail
PAIRS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
M="$ROOT/meridian"
LAB=$(mktemp -d /tmp/meridian-etcd-ab.XXXXXX); chmod 755 "$LAB"
trap '"$M" lab down --dir "$LAB/lab" >/dev/null 2>&1 || true; rm -rf "$LAB"' EXIT
command -v etcdctl >/dev/null || { echo "needs etcdctl (Debian package etcd-client)" >&2; exit 1; }

"$M" lab up --wan --synchronous-mode region_quorum --dir "$LAB/lab" >/dev/null
EPS=$("$M" lab status --dir "$LAB/lab" --format json | python3 -c "import json,sys; print(','.join(json.load(sys.stdin)['etcd_endpoints']))")
paris_id=$(etcdctl --endpoints="$EPS" member list -w json \
  | python3 -c "import json,sys; print([('%x' % m['ID']) for m in json.load(sys.stdin)['members'] if m['name'] == 'paris'][0])")
leader_ep() {
  etcdctl --endpoints="$EPS" endpoint status -w json | python3 -c "
import json,sys
for s in json.load(sys.stdin):
    if s['Status']['leader'] == s['Status']['header']['member_id']: print(s['Endpoint'])"
}

declare -A RTO
for i in $(seq 1 "$PAIRS"); do
  for mode in any other_region; do
    "$M" edit-config --lab-dir "$LAB/lab" --force -s etcd_leader_placement=$mode >/dev/null
    etcdctl --endpoints="$(leader_ep)" move-leader "$paris_id" >/dev/null
    rto=$("$M" drill region-outage paris --trials 1 --settle 2 --lab-dir "$LAB/lab" --format json 2>/dev/null \
      | python3 -c "import json,sys; t=json.load(sys.stdin)['trials'][0]; print('%.2f' % t['rto_seconds'] if t['rto_seconds'] else 'none', t['lost_writes'])")
    echo "pair $i $mode: writes again after ${rto% *} s, lost ${rto#* }" >&2
    RTO[$mode]="${RTO[$mode]:-} ${rto% *}"
  done
done
echo "# bench/regions/etcd-leader-ab.sh $PAIRS   $(date -u +%FT%TZ)   $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD)"
echo "# WAN lab (80/250/170 ms), region_quorum; etcd's leader put in paris before each region outage of paris"
for mode in any other_region; do
  echo "etcd_leader_placement=$mode: writes again after (s):${RTO[$mode]}   median $(echo ${RTO[$mode]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
done
