"""Patroni 3 (Debian) vs Meridian, side by side in one run: same etcd, same HAProxy settings, same
write probe, same faults, trials interleaved P, M, P, M so both see the same machine.

  bench.py --root REPO --work DIR --trials N --out RESULT.txt [--profiles default,tuned]
           [--scenarios postmaster-kill,node-kill,switchover] [--probe python|meridian]
"""
import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time

import haproxy
import report
import trial
import wire
from meridian_lab import MeridianLab
from patroni_lab import PatroniLab

# Patroni: its documented defaults, and the tuned profile from issue 2's reference figures.
# Meridian: its defaults; "tuned" keeps them (see README.md in this folder for why).
TIMINGS = {
    "patroni": {"default": {"ttl": 30, "loop_wait": 10, "retry_timeout": 10},
                "tuned": {"ttl": 10, "loop_wait": 2, "retry_timeout": 4}},
    "meridian": {"default": {"ttl": 6, "loop_wait": 1, "retry_timeout": 2},
                 "tuned": {"ttl": 6, "loop_wait": 1, "retry_timeout": 2}},
}


def log(msg):
    print(time.strftime("%H:%M:%S ") + msg, file=sys.stderr, flush=True)


def window_s(timings):
    # Long enough for a lease to run out three times over; a trial that needs more did not recover.
    return min(3 * timings["ttl"] + 30, 120)


def machine():
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except Exception as e:
            return "? (%s)" % e
    return [
        "date: " + time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine: nproc %d, kernel %s, load average %s" % (os.cpu_count(), platform.release(),
                                                         " ".join("%.2f" % x for x in os.getloadavg())),
        "patroni: " + first_line(["patroni", "--version"]),
        "haproxy: " + first_line(["haproxy", "-v"]),
        "etcd: " + first_line(["etcd", "--version"]),
        "postgres: " + first_line(["/usr/lib/postgresql/15/bin/postgres", "--version"]),
        "java: " + first_line(["java", "-version"]),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="bench/patroni/run.sh")
    ap.add_argument("--profiles", default="default,tuned")
    ap.add_argument("--scenarios", default=",".join(report.SCENARIOS))
    ap.add_argument("--probe", default="python", help="python (probe.py) or meridian (meridian write-probe)")
    a = ap.parse_args()
    # run.sh's trap sends SIGTERM: leave through the finally below, which stops both labs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    profiles = a.profiles.split(",")
    scenarios = a.scenarios.split(",")
    header = ["command: " + a.command, "write probe: " + a.probe] + machine()
    for line in header:
        log(line)

    m = MeridianLab(a.root, a.work)
    p = PatroniLab(a.work, [], TIMINGS["patroni"][profiles[0]])
    labs = [p, m]
    procs = []
    results = []
    raw = open(os.path.join(a.work, "results.jsonl"), "a")
    try:
        log("starting the Meridian lab (meridian lab up)")
        m.start(log)
        log("starting Patroni on the same etcd: " + ",".join(m.etcd_endpoints))
        p.etcd_hosts = [e.replace("http://", "") for e in m.etcd_endpoints]
        p.start(log)
        ports = {}
        for lab in labs:
            ports[lab.label] = wire.free_port()
            nodes = [(name, n["pg_port"], n["rest_port"]) for name, n in lab.nodes.items()]
            procs.append(haproxy.start(a.work, lab.label, ports[lab.label], nodes))
        m.add_haproxy_port(ports["meridian"])
        wire.write_passfile(p.passfile, [(n["pg_port"], p.superuser_pw) for n in p.nodes.values()]
                            + [(ports["patroni"], p.superuser_pw)])
        for lab in labs:
            if not trial.wait_healthy(lab, wire.dsn(ports[lab.label], lab.passfile)):
                raise RuntimeError(lab.label + " never became healthy (leader + 2 streaming replicas via HAProxy)")
            log("%s healthy behind HAProxy on port %d" % (lab.label, ports[lab.label]))
        for profile in profiles:
            for lab in labs:
                log("%s: timings %s -> %s" % (lab.label, profile,
                                              json.dumps(lab.set_timings(TIMINGS[lab.label][profile]))[:200]))
            # Let a cycle at the old loop_wait pass so every member runs with the new timings.
            time.sleep(max(t[profiles[0]]["loop_wait"] for t in TIMINGS.values()) + 3)
            for scen in scenarios:
                for n in range(1, a.trials + 1):
                    for lab in labs:
                        t = TIMINGS[lab.label][profile]
                        table = "probe_%s_%s_%s_%d" % (lab.label, profile, scen.replace("-", "_"), n)
                        log("%s %s %s trial %d" % (lab.label, profile, scen, n))
                        r = trial.run(lab, ports[lab.label], scen, window_s(t), table, a.work, a.probe, a.root)
                        r.update(profile=profile, trial=n, timings=t)
                        results.append(r)
                        raw.write(json.dumps(r) + "\n")
                        raw.flush()
                        log("  -> " + report.trial_lines([r]))
    finally:
        end_load = " ".join("%.2f" % x for x in os.getloadavg())
        text = "\n".join(header + ["load average at the end: " + end_load, "",
                                   report.table(results, profiles,
                                                {s: {pr: "ttl %(ttl)s/loop_wait %(loop_wait)s/retry_timeout %(retry_timeout)s" % v
                                                     for pr, v in TIMINGS[s].items()} for s in TIMINGS}),
                                   "", "Trials (in run order):", report.trial_lines(results), ""])
        print(text)
        if results:
            with open(a.out, "w") as f:
                f.write(text)
            log("results written to " + a.out)
        for pr in procs:
            pr.terminate()
        for lab in labs:
            try:
                lab.stop()
            except Exception as e:
                log("stopping %s: %s" % (lab.label, e))


if __name__ == "__main__":
    main()
