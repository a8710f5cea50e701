"""HAProxy in front of one cluster, identical settings for Patroni and Meridian.

Both agents answer OPTIONS /primary with 200 only on the node that holds the leader key and runs
read-write, so one config shape serves both; only the ports differ.
"""
import os
import subprocess

# The settings under test (from the brief): check each second, 2 failures mark a node down,
# 1 success brings it up, and clients of a node marked down are cut off.
TEMPLATE = """global
    maxconn 200

defaults
    mode tcp
    retries 2
    timeout connect 4s
    timeout client 30m
    timeout server 30m
    timeout check 2s

listen primary
    bind 127.0.0.1:{port}
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
{servers}
"""


def render(port, nodes):
    """nodes: list of (name, pg_port, rest_port)."""
    servers = "\n".join("    server %s 127.0.0.1:%d maxconn 100 check port %d" % n for n in nodes)
    return TEMPLATE.format(port=port, servers=servers)


def start(workdir, label, port, nodes):
    """Writes <workdir>/haproxy-<label>.cfg, checks it, runs HAProxy in the foreground as a child."""
    cfg = os.path.join(workdir, "haproxy-%s.cfg" % label)
    with open(cfg, "w") as f:
        f.write(render(port, nodes))
    subprocess.run(["haproxy", "-c", "-q", "-f", cfg], check=True)
    log = open(os.path.join(workdir, "haproxy-%s.log" % label), "w")
    return subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
