"""Three Patroni 3 members (Debian's package) on loopback, PostgreSQL 15, etcd v3 as the DCS.

Configs are generated into the work folder; Patroni runs as OS user postgres (PostgreSQL refuses
root), with its own REST port per member. The etcd cluster is the Meridian lab's (same binary,
same members), under Patroni's own namespace.
"""
import os
import pwd
import secrets
import signal
import subprocess
import time

import yaml

import wire

PG_BIN = "/usr/lib/postgresql/15/bin"
# PostgreSQL settings kept close to what a Meridian lab node gets, so the two differ in their
# control plane, not in their PostgreSQL.
PG_PARAMETERS = {
    "wal_level": "replica", "hot_standby": "on", "wal_log_hints": "on", "max_wal_senders": 10,
    "max_replication_slots": 10, "wal_keep_size": "256MB", "hot_standby_feedback": "on",
    "wal_receiver_status_interval": "1s", "max_connections": 100,
}


class PatroniLab:
    label = "patroni"

    def __init__(self, workdir, etcd_endpoints, timings):
        self.dir = os.path.join(workdir, "patroni")
        self.etcd_hosts = [e.replace("http://", "") for e in etcd_endpoints]
        self.timings = timings
        self.superuser_pw = secrets.token_hex(16)
        self.replication_pw = secrets.token_hex(16)
        self.rest_auth = ("patroni", secrets.token_hex(16))
        self.nodes = {}
        for i in range(1, 4):
            name = "pg%d" % i
            self.nodes[name] = {"pg_port": wire.free_port(), "rest_port": wire.free_port(),
                                "dir": os.path.join(self.dir, name),
                                "data_dir": os.path.join(self.dir, name, "data")}
        self.procs = {}
        self.passfile = os.path.join(self.dir, "harness.pgpass")

    def config(self, name):
        n = self.nodes[name]
        return {
            "scope": "bench", "namespace": "/patroni/", "name": name,
            "log": {"level": "INFO"},
            "restapi": {"listen": "127.0.0.1:%d" % n["rest_port"],
                        "connect_address": "127.0.0.1:%d" % n["rest_port"],
                        "authentication": {"username": self.rest_auth[0], "password": self.rest_auth[1]}},
            "etcd3": {"hosts": self.etcd_hosts},
            "bootstrap": {
                "dcs": dict(self.timings, maximum_lag_on_failover=1048576,
                            postgresql={"use_pg_rewind": True, "use_slots": True, "parameters": PG_PARAMETERS}),
                "initdb": [{"encoding": "UTF8"}, "data-checksums"],
            },
            "postgresql": {
                "listen": "127.0.0.1:%d" % n["pg_port"], "connect_address": "127.0.0.1:%d" % n["pg_port"],
                "data_dir": n["data_dir"], "bin_dir": PG_BIN, "pgpass": os.path.join(n["dir"], "pgpass"),
                "authentication": {"superuser": {"username": "postgres", "password": self.superuser_pw},
                                   "replication": {"username": "replicator", "password": self.replication_pw}},
                "parameters": {"unix_socket_directories": n["dir"]},
                "pg_hba": ["local all all peer", "host replication replicator 127.0.0.1/32 scram-sha-256",
                           "host all all 127.0.0.1/32 scram-sha-256"],
            },
            "tags": {"nofailover": False, "noloadbalance": False},
        }

    def start(self, log):
        pg = pwd.getpwnam("postgres")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        for name, n in self.nodes.items():
            os.makedirs(n["dir"], exist_ok=True)
            os.chown(n["dir"], pg.pw_uid, pg.pw_gid)
            os.chmod(n["dir"], 0o700)
            path = os.path.join(n["dir"], "patroni.yml")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                yaml.safe_dump(self.config(name), f)
            os.chown(path, pg.pw_uid, pg.pw_gid)
        wire.write_passfile(self.passfile, [(n["pg_port"], self.superuser_pw) for n in self.nodes.values()])
        # The first member starts alone so it bootstraps and leads; the others clone from it.
        self.start_node("pg1")
        self.wait_for(lambda: self.primary_rest() == "pg1", 180, "pg1 to bootstrap and lead", log)
        self.start_node("pg2")
        self.start_node("pg3")

    def start_node(self, name):
        n = self.nodes[name]
        out = open(os.path.join(self.dir, name + ".log"), "a")
        self.procs[name] = subprocess.Popen(
            ["patroni", os.path.join(n["dir"], "patroni.yml")], user="postgres", group="postgres",
            extra_groups=[], cwd=n["dir"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={"PATH": "/usr/bin:/bin", "HOME": n["dir"], "LANG": "C.UTF-8"})

    def agent_pid(self, name):
        p = self.procs.get(name)
        return p.pid if p is not None and p.poll() is None else -1

    def kill_node(self, name):
        """Patroni first, so it cannot restart PostgreSQL behind our back, then the postmaster."""
        pid = self.agent_pid(name)
        if pid > 0:
            os.kill(pid, signal.SIGKILL)
            self.procs[name].wait()
        self.kill_postmaster(name)

    def kill_postmaster(self, name):
        pm = wire.postmaster_pid(self.nodes[name]["data_dir"])
        if pm > 0:
            os.kill(pm, signal.SIGKILL)

    def restart_node(self, name):
        self.start_node(name)

    def primary_rest(self):
        """The one member whose REST API answers 200 to OPTIONS /primary, or None."""
        up = [m for m, n in self.nodes.items()
              if wire.http("OPTIONS", "http://127.0.0.1:%d/primary" % n["rest_port"], timeout=2)[0] == 200]
        return up[0] if len(up) == 1 else None

    def rest_url(self, name):
        return "http://127.0.0.1:%d" % self.nodes[name]["rest_port"]

    def set_timings(self, timings):
        leader = self.primary_rest()
        status, body = wire.http("PATCH", self.rest_url(leader) + "/config", timings, auth=self.rest_auth)
        if status != 200:
            raise RuntimeError("Patroni PATCH /config answered %s: %s" % (status, body))
        return body

    def alive(self):
        return all(self.agent_pid(n) > 0 for n in self.nodes)

    def stop(self):
        for name, p in self.procs.items():
            if p.poll() is None:
                p.terminate()
        deadline = time.time() + 30
        for p in self.procs.values():
            try:
                p.wait(max(1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
        for n in self.nodes.values():
            pm = wire.postmaster_pid(n["data_dir"])
            if wire.alive(pm):
                subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D", n["data_dir"],
                                "-m", "immediate", "stop"], capture_output=True)

    @staticmethod
    def wait_for(cond, timeout, what, log):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            time.sleep(1)
        raise RuntimeError("timed out after %ds waiting for %s" % (timeout, what))
