"""The Meridian side: `meridian lab up` (three nodes, three etcd members) driven through its CLI,
its lab.json, and each agent's REST API, with the same kill primitives as the Patroni side."""
import json
import os
import signal
import subprocess

import yaml

import wire


class MeridianLab:
    label = "meridian"

    def __init__(self, root, workdir):
        self.root = root
        self.dir = os.path.join(workdir, "mlab")
        self.passfile = os.path.join(workdir, "meridian.pgpass")
        self.nodes = {}
        self.rest_auth = None

    def meridian(self, *args, check=True):
        return subprocess.run([os.path.join(self.root, "meridian")] + list(args), cwd=self.root,
                              capture_output=True, text=True, check=check)

    def start(self, log):
        r = self.meridian("lab", "up", "--dir", self.dir, check=False)
        if r.returncode != 0:
            raise RuntimeError("meridian lab up failed:\n" + r.stdout[-2000:] + r.stderr[-2000:])
        self.reload_state()
        first = next(iter(self.nodes.values()))
        with open(first["config"]) as f:
            node_cfg = yaml.safe_load(f)
        self.rest_auth = (node_cfg["restapi"]["username"], node_cfg["restapi"]["password"])
        superuser_pw = node_cfg["postgresql"]["superuser"]["password"]
        wire.write_passfile(self.passfile, [(n["pg_port"], superuser_pw) for n in self.nodes.values()])

    def reload_state(self):
        with open(os.path.join(self.dir, "lab.json")) as f:
            state = json.load(f)
        self.etcd_endpoints = state["etcd"]["endpoints"]
        self.nodes = {n["name"]: n for n in state["nodes"]}

    def add_haproxy_port(self, port):
        """The harness's passfile also needs a line for the HAProxy port."""
        with open(self.passfile) as f:
            pw = f.readline().rstrip("\n").split(":", 4)[4]
        ports = [n["pg_port"] for n in self.nodes.values()] + [port]
        wire.write_passfile(self.passfile, [(p, pw) for p in ports])

    def agent_pid(self, name):
        self.reload_state()
        pid = self.nodes[name].get("agent_pid", -1)
        return pid if wire.alive(pid) else -1

    def kill_node(self, name):
        """Agent first (as `meridian lab kill` does), then the postmaster; done here rather than
        through the CLI so that no JVM start sits between the fault time and the fault."""
        pid = self.agent_pid(name)
        if pid > 0:
            os.kill(pid, signal.SIGKILL)
        self.kill_postmaster(name)

    def kill_postmaster(self, name):
        pm = wire.postmaster_pid(self.nodes[name]["data_dir"])
        if pm > 0:
            os.kill(pm, signal.SIGKILL)

    def restart_node(self, name):
        r = self.meridian("lab", "start", name, "--dir", self.dir, "--no-wait", check=False)
        if r.returncode != 0:
            raise RuntimeError("meridian lab start %s failed: %s" % (name, r.stdout + r.stderr))
        self.reload_state()

    def primary_rest(self):
        up = [m for m, n in self.nodes.items()
              if wire.http("OPTIONS", "http://127.0.0.1:%d/primary" % n["rest_port"], timeout=2)[0] == 200]
        return up[0] if len(up) == 1 else None

    def rest_url(self, name):
        return "http://127.0.0.1:%d" % self.nodes[name]["rest_port"]

    def set_timings(self, timings):
        leader = self.primary_rest()
        status, body = wire.http("PATCH", self.rest_url(leader) + "/config", timings, auth=self.rest_auth)
        if status != 200:
            raise RuntimeError("Meridian PATCH /config answered %s: %s" % (status, body))
        return body

    def alive(self):
        return all(self.agent_pid(n) > 0 for n in self.nodes)

    def stop(self):
        if os.path.exists(os.path.join(self.dir, "lab.json")):
            self.meridian("lab", "down", "--dir", self.dir, check=False)
