"""Records Debian Patroni 3.0.2's REST answers from a two-member cluster (sync mode, one switchover)."""
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../../bench/patroni"))
import wire
from patroni_lab import PatroniLab

work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/patroni-record"
os.makedirs(work, exist_ok=True)
cport, pport = wire.free_port(), wire.free_port()
etcd = subprocess.Popen(["etcd", "--data-dir", work + "/etcd", "--listen-client-urls", "http://127.0.0.1:%d" % cport,
                         "--advertise-client-urls", "http://127.0.0.1:%d" % cport,
                         "--listen-peer-urls", "http://127.0.0.1:%d" % pport,
                         "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % pport,
                         "--initial-cluster", "default=http://127.0.0.1:%d" % pport],
                        stdout=open(work + "/etcd.log", "w"), stderr=subprocess.STDOUT)
out = {}
lab = PatroniLab(work, ["http://127.0.0.1:%d" % cport], {"ttl": 20, "loop_wait": 2, "retry_timeout": 5,
                                                         "synchronous_mode": True})
del lab.nodes["pg3"]
_orig = lab.start_node
lab.start_node = lambda n: None if n == "pg3" else _orig(n)
try:
    lab.start(print)
    r = lambda n: lab.rest_url(n)
    PatroniLab.wait_for(lambda: wire.http("GET", r("pg2") + "/sync")[0] == 200, 180, "pg2 sync", print)
    def get(name, path):
        s, b = wire.http("GET", r(name) + path)
        return {"status": s, "body": b}
    for phase in ("before", "after"):
        for path in ("/patroni", "/cluster", "/history"):
            for n in ("pg1", "pg2"):
                out["%s %s %s" % (phase, n, path)] = get(n, path)
        for path in ("/primary", "/replica", "/sync", "/async", "/read-only-sync", "/standby-leader", "/quorum",
                     "/replica?tag_nofailover=false", "/replica?tag_nofailover=true", "/replica?tag_foo=bar",
                     "/primary?tag_foo=bar", "/health?tag_noloadbalance=false"):
            for n in ("pg1", "pg2"):
                out["%s %s %s code" % (phase, n, path)] = wire.http("OPTIONS", r(n) + path)[0]
        if phase == "before":
            s, b = wire.http("POST", r("pg1") + "/switchover", {"leader": "pg1", "candidate": "pg2"}, auth=lab.rest_auth, timeout=60)
            out["switchover"] = {"status": s, "body": b}
            PatroniLab.wait_for(lambda: lab.primary_rest() == "pg2", 120, "pg2 leads", print)
            PatroniLab.wait_for(lambda: wire.http("GET", r("pg1") + "/sync")[0] == 200, 120, "pg1 sync", print)
    for body in ({"role": "primary"}, {"restart_pending": True}, {"schedule": "2099-01-01T00:00:00+00:00"},
                 {"schedule": "2000-01-01T00:00:00+00:00"}, {"schedule": "2099-01-01T00:00:00"}, {"bogus": 1},
                 {"postgres_version": "15"}, {"timeout": "-1"}):
        s, b = wire.http("POST", r("pg1") + "/restart", body, auth=lab.rest_auth, timeout=60)
        out["POST /restart on replica pg1 " + json.dumps(body)] = {"status": s, "body": b}
    out["patroni with scheduled restart"] = get("pg1", "/patroni")
    s, b = wire.http("DELETE", r("pg1") + "/restart", auth=lab.rest_auth)
    out["DELETE /restart"] = {"status": s, "body": b}
    s, b = wire.http("DELETE", r("pg1") + "/restart", auth=lab.rest_auth)
    out["DELETE /restart again"] = {"status": s, "body": b}
finally:
    json.dump(out, open(os.path.join(work, "recorded.json"), "w"), indent=2, default=str)
    lab.stop()
    etcd.terminate(); etcd.wait()
