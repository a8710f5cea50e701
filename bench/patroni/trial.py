"""One trial: healthy cluster, write probe through HAProxy, a fault at a recorded time, wait for
writes to come back, put the cluster back together, count what survived."""
import os
import subprocess
import sys
import threading
import time

import measure
import wire

HERE = os.path.dirname(os.path.abspath(__file__))
WARMUP_S = 3        # writes flowing before the fault
AFTER_S = 2         # keep writing after recovery, to see that it lasts
HEALTHY_TIMEOUT_S = 240


def healthy(lab, haproxy_dsn):
    """One node answers /primary, HAProxy reaches it read-write, and both replicas stream from it."""
    if not lab.alive():
        return False
    leader = lab.primary_rest()
    if leader is None:
        return False
    try:
        port, in_recovery, streaming = wire.primary_state(haproxy_dsn)
    except Exception:
        return False
    return not in_recovery and streaming == 2 and port == lab.nodes[leader]["pg_port"]


def wait_healthy(lab, haproxy_dsn, timeout=HEALTHY_TIMEOUT_S):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if healthy(lab, haproxy_dsn):
            return True
        time.sleep(1)
    return False


def fault(lab, scenario, leader, result):
    """Starts the fault; returns at once (a switchover request runs on its own thread)."""
    if scenario == "postmaster-kill":
        lab.kill_postmaster(leader)
    elif scenario == "node-kill":
        lab.kill_node(leader)
    elif scenario == "switchover":
        candidate = sorted(n for n in lab.nodes if n != leader)[0]

        def ask():
            status, body = wire.http("POST", lab.rest_url(leader) + "/switchover",
                                     {"leader": leader, "candidate": candidate}, auth=lab.rest_auth, timeout=60)
            result["switchover_answer"] = "%s %s" % (status, str(body)[:160])
        threading.Thread(target=ask, daemon=True).start()
    else:
        raise ValueError("unknown scenario " + scenario)


def run(lab, haproxy_port, scenario, window_s, table, workdir):
    hdsn = wire.dsn(haproxy_port, lab.passfile)
    result = {"system": lab.label, "scenario": scenario}
    if not wait_healthy(lab, hdsn):
        result["error"] = "cluster not healthy before the trial"
        return result
    leader = lab.primary_rest()
    result["old_leader"] = leader
    wire.sql(hdsn, "CREATE TABLE %s (id bigint PRIMARY KEY, at timestamptz)" % table, fetch=False)
    out = os.path.join(workdir, table + ".jsonl")
    probe = subprocess.Popen([sys.executable, os.path.join(HERE, "probe.py"), "--dsn", hdsn, "--table", table,
                              "--duration", str(WARMUP_S + window_s + AFTER_S + 5), "--out", out])
    time.sleep(WARMUP_S)
    result["load1_at_fault"] = os.getloadavg()[0]
    t0 = time.time_ns()
    fault(lab, scenario, leader, result)
    deadline = time.time() + window_s
    recovered_at = None
    while time.time() < deadline:
        time.sleep(0.5)
        if measure.rto_ns(measure.load(out), t0) is not None:
            recovered_at = time.time()
            break
    time.sleep(AFTER_S if recovered_at else 0)
    probe.terminate()
    probe.wait()
    if scenario == "node-kill":
        lab.restart_node(leader)
    back = wait_healthy(lab, hdsn)
    result["new_leader"] = lab.primary_rest()
    if not back:
        result["error"] = "cluster not healthy again within %ds" % HEALTHY_TIMEOUT_S
    events = measure.load(out)
    try:
        ids = [r[0] for r in wire.sql(hdsn, "SELECT id FROM %s" % table)]
        result.update(measure.summary(events, t0, ids))
        wire.sql(hdsn, "DROP TABLE %s" % table, fetch=False)
    except Exception as e:
        result["error"] = "could not read the final leader: %s" % str(e).splitlines()[0]
    return result
