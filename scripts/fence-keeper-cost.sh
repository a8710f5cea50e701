#!/usr/bin/env bash
# usage: scripts/fence-keeper-cost.sh  (from a checkout; prints VmRSS and the CPU used in one minute)
# Measures the fence keeper's cost: armed once per second for 60 s (the agent's rhythm at loop_wait 1).
set -eu
d=$(mktemp -d /tmp/fence-cost-XXXX); mkfifo -m 600 "$d/arm"
cp "$(dirname "$0")/../meridian-agent/src/main/resources/io/meridian/agent/meridian-fence-keeper.sh" "$d/"
setsid bash "$d/meridian-fence-keeper.sh" "$d" "$d/nodata" $$ >> "$d/keeper.log" 2>&1 < /dev/null &
until [[ -s $d/keeper.pid ]]; do sleep 0.05; done
pid=$(cat "$d/keeper.pid")
read -r cpu0 _ < /proc/$pid/schedstat
for i in $(seq 60); do
  read -r up _ < /proc/uptime
  printf 'arm %s %d\n' "$(echo "$up + 6" | bc)" $$ > "$d/arm"
  sleep 1
done
read -r cpu1 _ < /proc/$pid/schedstat
grep -E 'VmRSS|VmHWM' /proc/$pid/status
echo "cpu over 60 s of arming once per second: $(( (cpu1 - cpu0) / 1000 )) us ($(echo "scale=4; ($cpu1 - $cpu0) / 600000000" | bc) % of one core)"
echo quit > "$d/arm"; sleep 0.5; cat "$d/keeper.log"; rm -rf "$d"
