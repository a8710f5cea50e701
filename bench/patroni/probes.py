"""The two write probes the harness can drive; both write the same JSON lines
{id, worker, start_ns, end_ns, ok, server, error}, one per attempt, to the same table shape.

- python: probe.py here; flushes each line, so a trial ends as soon as writes are back.
- meridian: `meridian write-probe` (Java); its file is complete only when it exits, so the
  harness watches the cluster instead (one node answers /primary and HAProxy reaches a
  read-write server) and stops the probe a few seconds after that.
"""
import os
import subprocess
import sys
import time

import wire

HERE = os.path.dirname(os.path.abspath(__file__))


class PythonProbe:
    live = True

    def __init__(self, table):
        self.table = table

    def prepare(self, hdsn):
        wire.sql(hdsn, "CREATE TABLE %s (id bigint PRIMARY KEY, at timestamptz)" % self.table, fetch=False)

    def start(self, hdsn, out, duration, root):
        return subprocess.Popen([sys.executable, os.path.join(HERE, "probe.py"), "--dsn", hdsn,
                                 "--table", self.table, "--duration", str(duration), "--out", out])

    def wait_writing(self, hdsn, timeout):
        return True  # starts writing within milliseconds

    def surviving_ids(self, hdsn, first_id):
        return [r[0] for r in wire.sql(hdsn, "SELECT id FROM %s" % self.table)]

    def finish(self, hdsn):
        wire.sql(hdsn, "DROP TABLE %s" % self.table, fetch=False)


class MeridianProbe:
    live = False
    table = "meridian_drill"  # the probe's own table; its ids are unique across runs

    def prepare(self, hdsn):
        self.before = self.max_id(hdsn)

    @staticmethod
    def max_id(hdsn):
        try:
            return wire.sql(hdsn, "SELECT coalesce(max(id), 0) FROM meridian_drill")[0][0]
        except Exception:
            return 0  # not created yet: the probe creates it

    def start(self, hdsn, out, duration, root):
        return subprocess.Popen([os.path.join(root, "meridian"), "write-probe", "--dsn", hdsn,
                                 "--duration", str(duration), "--out", out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_writing(self, hdsn, timeout):
        """The JVM takes seconds to start on a busy box: wait for its first row."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.max_id(hdsn) > self.before:
                return True
            time.sleep(0.5)
        return False

    def surviving_ids(self, hdsn, first_id):
        return [r[0] for r in wire.sql(hdsn, "SELECT id FROM meridian_drill WHERE id >= %s", (first_id,))]

    def finish(self, hdsn):
        pass


def make(kind, table):
    if kind == "python":
        return PythonProbe(table)
    if kind == "meridian":
        return MeridianProbe()
    raise ValueError("--probe: expected python or meridian, got " + kind)
