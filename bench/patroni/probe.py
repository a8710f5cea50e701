#!/usr/bin/env python3
"""A minimal write probe, used while `meridian write-probe` is not on this branch.

One acknowledged write at a time, each with a new increasing id, through one connection that is
re-opened after any error. One JSON line per attempt, the same shape as `meridian write-probe`:
  {"id", "worker", "start_ns", "end_ns", "ok", "server", "error"}
`server` is the PostgreSQL port that acknowledged (through HAProxy, the backend's own port).
Times are time.time_ns() (wall clock) so the harness can compare them with its fault time.

  probe.py --dsn DSN --table NAME --duration S --out FILE.jsonl
The table must exist: (id bigint primary key, at timestamptz). SIGTERM ends the run cleanly.
"""
import argparse
import json
import signal
import time

import psycopg2

# Client-side bounds so a write to a vanished server fails in about 2 s instead of hanging on TCP:
# the same for both systems, so it shifts both RTOs alike.
CLIENT_BOUNDS = " connect_timeout=2 tcp_user_timeout=2000 keepalives=1 keepalives_idle=1" \
                " keepalives_interval=1 keepalives_count=2"
# Pause after a failed attempt: short enough not to blur the RTO, long enough not to spin a core.
RETRY_PAUSE_S = 0.05


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    sql = "INSERT INTO %s (id, at) VALUES (%%s, now()) RETURNING inet_server_port()" % a.table
    deadline = time.monotonic() + a.duration
    conn = None
    next_id = 1
    with open(a.out, "w", buffering=1) as out:
        while not stop["now"] and time.monotonic() < deadline:
            rec = {"id": next_id, "worker": 0, "start_ns": time.time_ns()}
            next_id += 1
            try:
                if conn is None:
                    conn = psycopg2.connect(a.dsn + CLIENT_BOUNDS)
                    conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(sql, (rec["id"],))
                    server = cur.fetchone()[0]
                rec.update(end_ns=time.time_ns(), ok=True, server=server, error=None)
            except Exception as e:  # any failure is a data point, never the end of the run
                rec.update(end_ns=time.time_ns(), ok=False, server=None,
                           error=(str(e).strip().splitlines() or [type(e).__name__])[0][:200])
                try:
                    if conn is not None:
                        conn.close()
                except Exception:
                    pass
                conn = None
            out.write(json.dumps(rec) + "\n")
            if not rec["ok"]:
                time.sleep(RETRY_PAUSE_S)
    if conn is not None:
        conn.close()


if __name__ == "__main__":
    main()
