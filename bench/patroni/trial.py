"""One trial: healthy cluster, write probe through HAProxy, a fault at a recorded time, wait for
writes to come back, put the cluster back together, count what survived."""
import os
import threading
import time

import measure
import probes
import wire

WARMUP_S = 3        # writes flowing before the fault
AFTER_S = 2         # keep writing after recovery, to see that it lasts
HEALTHY_TIMEOUT_S = 240


def healthy(lab, haproxy_dsn):
    """One node answers /primary, HAProxy reaches it read-write, and both replicas stream from it."""
    if not lab.alive():
        return False
    # Every member's REST API answers: a switchover asks the candidate's agent before acting.
    if any(wire.http("OPTIONS", lab.rest_url(n) + "/health", timeout=3)[0] == 0 for n in lab.nodes):
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


def writes_back(lab, hdsn):
    """Seen from outside the probe: a leader answers /primary and HAProxy reaches a read-write server."""
    if lab.primary_rest() is None:
        return False
    try:
        return not wire.primary_state(hdsn)[1]
    except Exception:
        return False


def run(lab, haproxy_port, scenario, window_s, table, workdir, probe_kind="python", root=None):
    hdsn = wire.dsn(haproxy_port, lab.passfile)
    result = {"system": lab.label, "scenario": scenario, "probe": probe_kind}
    if not wait_healthy(lab, hdsn):
        result["error"] = "cluster not healthy before the trial"
        return result
    leader = lab.primary_rest()
    result["old_leader"] = leader
    probe = probes.make(probe_kind, table)
    probe.prepare(hdsn)
    out = os.path.join(workdir, table + ".jsonl")
    proc = probe.start(hdsn, out, WARMUP_S + window_s + AFTER_S + 60, root)
    if not probe.wait_writing(hdsn, 60):
        result["error"] = "the probe wrote nothing within 60 s"
    time.sleep(WARMUP_S)
    result["load1_at_fault"] = os.getloadavg()[0]
    t0 = time.time_ns()
    fault(lab, scenario, leader, result)
    deadline = time.time() + window_s
    recovered = False
    while time.time() < deadline and not recovered:
        time.sleep(0.5)
        if probe.live:
            recovered = measure.rto_ns(measure.load(out), t0) is not None
        else:
            # Give the outage time to start before asking whether it is over.
            recovered = time.time_ns() - t0 > 2e9 and writes_back(lab, hdsn)
    time.sleep((AFTER_S if probe.live else AFTER_S + 3) if recovered else 0)
    proc.terminate()
    proc.wait()
    if scenario == "node-kill":
        lab.restart_node(leader)
    back = wait_healthy(lab, hdsn)
    result["new_leader"] = lab.primary_rest()
    if not back:
        result["error"] = "cluster not healthy again within %ds" % HEALTHY_TIMEOUT_S
    events = measure.load(out)
    moved = scenario != "switchover" or (result["new_leader"] not in (None, leader))
    try:
        first = min((e["id"] for e in events), default=0)
        result.update(measure.summary(events, t0, probe.surviving_ids(hdsn, first)))
        if not moved:
            # A switchover that left the leader where it was has no RTO to report, only its outage.
            result["outage_without_switch_s"] = result["rto_s"]
            result["rto_s"] = None
            result["error"] = "leader did not change; answer: " + result.get("switchover_answer", "?")
        probe.finish(hdsn)
    except Exception as e:
        result["error"] = "could not read the final leader: %s" % str(e).splitlines()[0]
    return result
