#!/usr/bin/env bash
# meridian-fence-keeper: stops this node's PostgreSQL when the agent does not re-arm it in time.
#
# Written and started (under setsid, outside the agent's process group) by the agent, one per data
# directory. It lives apart from the agent's JVM so that a frozen (SIGSTOP, GC pause) or killed
# agent still fences: the last deadline it was given stays armed.
#
# usage: meridian-fence-keeper.sh FENCE_DIR PGDATA AGENT_PID
# FENCE_DIR/arm is a FIFO; each line is one command:
#   arm DEADLINE AGENT_PID   DEADLINE: CLOCK_BOOTTIME seconds (/proc/uptime), e.g. 12345.67
#   disarm AGENT_PID
#   attach AGENT_PID         a restarted agent took over; the deadline stays as it is
#   quit
# Deadlines are absolute, so a line that waited in the FIFO, or an agent frozen between computing
# and writing it, can never extend the lease: a stale deadline is simply already past.
# The clock is read from /proc/uptime with bash builtins only: no fork while armed.
set -u
dir=$1 pgdata=$2 agent=$3
grace_cs=1000 # a disarmed keeper whose agent is gone exits after 10 s

log() { printf '%(%Y-%m-%d %H:%M:%S)T keeper %s: %s\n' -1 "$$" "$*"; }

# Sets $now to the uptime in centiseconds.
now_cs() { local up; read -r up _ < /proc/uptime; now=$((10#${up/./})); }

# Seconds with two decimals (as /proc/uptime prints them) to centiseconds; empty when malformed.
to_cs() { [[ $1 =~ ^([0-9]+)\.([0-9]{2})$ ]] && echo $((10#${BASH_REMATCH[1]} * 100 + 10#${BASH_REMATCH[2]})); }

# SIGSTOP the postmaster so it cannot fork replacements, SIGKILL every child (the backends that
# acknowledge commits), then SIGKILL the postmaster. pg_ctl starts the postmaster in a session of
# its own, so its process group is the postmaster and all its backends: one kill(-pgid) reaches
# them all at once, without forking pkill. Only a postgres process whose working directory is
# PGDATA is touched: a stale postmaster.pid may name a reused pid.
fence() {
  local pm="" comm="" stat="" pgrp=""
  { read -r pm; } 2>/dev/null < "$pgdata/postmaster.pid"
  if [[ ! $pm =~ ^[0-9]+$ ]] || ! kill -0 "$pm" 2>/dev/null; then
    log "deadline passed $(( (now - deadline) * 10 )) ms ago; no postmaster running in $pgdata"
    return
  fi
  { read -r comm; } 2>/dev/null < "/proc/$pm/comm"
  if [[ $comm != postgres && $comm != postmaster ]] || [[ ! /proc/$pm/cwd -ef $pgdata ]]; then
    log "deadline passed; pid $pm from postmaster.pid is not $pgdata's postmaster ($comm): not killed"
    return
  fi
  kill -STOP "$pm"
  { read -r stat; } 2>/dev/null < "/proc/$pm/stat"
  [[ ${stat##*) } =~ ^.\ [0-9]+\ ([0-9]+) ]] && pgrp=${BASH_REMATCH[1]}
  if [[ $pgrp == "$pm" ]]; then
    kill -KILL -- "-$pm"       # the backends and the postmaster, in one signal
    pkill -KILL -P "$pm"       # any child that left the group (none that PostgreSQL makes)
  else
    pkill -KILL -P "$pm"
  fi
  kill -KILL "$pm" 2>/dev/null
  local fenced=$now
  now_cs
  log "fenced: killed postmaster $pm and its backends $(( (fenced - deadline) * 10 )) ms after the deadline (done +$(( (now - deadline) * 10 )) ms)"
}

trap '' HUP INT TERM PIPE # only quit, SIGKILL or an orphaned idle ends the keeper
[[ -p $dir/arm ]] || { log "no FIFO $dir/arm"; exit 1; }
exec 3<>"$dir/arm" # read-write: writers closing never gives EOF, and opening never blocks
echo $$ > "$dir/keeper.pid.tmp" && mv -f "$dir/keeper.pid.tmp" "$dir/keeper.pid"
log "started for $pgdata"

armed=0 deadline=0 idle_since=0
while :; do
  now_cs
  if (( armed )); then
    if (( now >= deadline )); then
      fence
      armed=0 idle_since=$now
      continue
    fi
    left=$(( deadline - now ))
  else
    if [[ ! -p $dir/arm ]]; then
      log "disarmed and the fence folder is gone: exiting"
      exit 0
    fi
    if ! kill -0 "$agent" 2>/dev/null; then
      (( idle_since == 0 )) && idle_since=$now
      if (( now - idle_since >= grace_cs )); then
        log "disarmed and agent ${agent} gone: exiting"
        exit 0
      fi
    else
      idle_since=0
    fi
    left=100
  fi
  printf -v timeout '%d.%02d' $(( left / 100 )) $(( left % 100 ))
  line=""
  IFS= read -r -t "$timeout" -u 3 line || continue
  # Take every line already queued before judging the deadline: the last one is the agent's latest word.
  while :; do
    read -r cmd arg1 arg2 <<< "$line"
    case $cmd in
      arm)
        d=$(to_cs "$arg1")
        if [[ -n $d && $arg2 =~ ^[0-9]+$ ]]; then
          (( ! armed )) && log "armed by agent $arg2"
          armed=1 deadline=$d agent=$arg2
        else
          log "ignored malformed line: $line"
        fi ;;
      disarm)
        (( armed )) && log "disarmed by agent $arg1"
        armed=0 idle_since=0
        [[ $arg1 =~ ^[0-9]+$ ]] && agent=$arg1 ;;
      attach)
        if [[ $arg1 =~ ^[0-9]+$ ]]; then
          agent=$arg1 idle_since=0 state=disarmed
          (( armed )) && state="armed, $(( (deadline - now) * 10 )) ms left"
          log "attached by agent $agent ($state)"
        fi ;;
      quit)
        log "quit on request"
        exit 0 ;;
      *) log "ignored malformed line: $line" ;;
    esac
    read -r -t 0 -u 3 || break
    IFS= read -r -u 3 line || break
  done
done
