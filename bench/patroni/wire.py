"""SQL and REST calls the harness makes to either cluster: the same questions asked the same way.

Passwords come from 0600 files (libpq passfile, node YAML) and travel only in memory.
"""
import base64
import json
import os
import socket
import urllib.error
import urllib.request

import psycopg2


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_passfile(path, port_password_pairs):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for port, password in port_password_pairs:
            f.write("127.0.0.1:%d:*:postgres:%s\n" % (port, password))


def dsn(port, passfile):
    return "host=127.0.0.1 port=%d user=postgres dbname=postgres passfile=%s" % (port, passfile)


def sql(dsn_text, query, args=None, fetch=True):
    conn = psycopg2.connect(dsn_text + " connect_timeout=3")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall() if fetch else None
    finally:
        conn.close()


def primary_state(dsn_text):
    """(server port, in recovery?, streaming replicas) of whatever answers on dsn_text."""
    rows = sql(dsn_text, "SELECT inet_server_port(), pg_is_in_recovery(),"
                         " (SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming')")
    return rows[0]


def http(method, url, body=None, auth=None, timeout=5):
    """(status, parsed JSON or text). auth: (user, password) or None."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if auth:
        token = base64.b64encode(("%s:%s" % auth).encode()).decode()
        req.add_header("Authorization", "Basic " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e)
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def postmaster_pid(data_dir):
    try:
        with open(os.path.join(data_dir, "postmaster.pid")) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return -1


def alive(pid):
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie child still answers kill(0): look at its state.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
