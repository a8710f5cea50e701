#!/usr/bin/env python3
"""Checks the Grafana dashboard and the alert rules against the metrics the agent exports.

usage: promql_names.py METRICS_TXT DASHBOARD_JSON RULES_YML OUT_RULES_YML

- the dashboard is valid JSON with unique panel ids, a title on every panel and a query on every
  graph, in the sections the guide's dashboard has;
- every metric any query names (dashboard panels, variables, annotations, alert rules) is in
  METRICS_TXT (kept equal to AgentMetrics' scrape by MetricsCatalogTest) or is Prometheus' own;
- writes every dashboard query as a recording rule to OUT_RULES_YML so that `promtool check rules`
  parses each one (deploy/check does that next).
Exits 1 with one line per problem.
"""
import json
import re
import sys

PROMETHEUS_OWN = {"up", "ALERTS", "ALERTS_FOR_STATE"}
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "offset", "inf", "nan"}
SECTIONS = ["Replication lag by region", "Replication throughput per link", "WAL generated vs replicated",
            "Replication slots", "Alerts"]
# Grafana variables, replaced by values Prometheus accepts before promtool parses the query.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$cluster": "geo"}


def metric_names(expr):
    """Metric names a PromQL expression selects (strings, label matchers, grouping lists and ranges dropped)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word, rest = m.group(0), e[m.end():].lstrip()
        if rest.startswith("(") or word.lower() in KEYWORDS:
            continue  # a function call or an operator
        if re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names


def dashboard_queries(dash, problems):
    queries = []  # (where, expr)
    ids = set()
    for p in dash.get("panels", []):
        where = f"panel {p.get('id')} '{p.get('title', '')}'"
        if not p.get("title"):
            problems.append(f"{where}: no title")
        if p.get("id") in ids:
            problems.append(f"{where}: duplicate panel id")
        ids.add(p.get("id"))
        if "gridPos" not in p:
            problems.append(f"{where}: no gridPos")
        if p.get("type") in ("row", "alertlist", "text"):
            continue
        targets = p.get("targets") or []
        if not targets:
            problems.append(f"{where}: no query")
        for t in targets:
            if not (t.get("expr") or "").strip():
                problems.append(f"{where}: target {t.get('refId')} has an empty expr")
            else:
                queries.append((where, t["expr"]))
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.fullmatch(r"\s*label_values\((.*),\s*\w+\)\s*", q or "")
        if m:
            queries.append((f"variable {v.get('name')}", m.group(1)))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            queries.append((f"annotation '{a.get('name')}'", a["expr"]))
    return queries


def rule_queries(path):
    # The rules file is plain block YAML; read each `expr:` (one line or a `|` block) without a YAML library.
    out, lines = [], open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)expr:\s*(.*)$", lines[i])
        if m:
            indent, first = len(m.group(1)), m.group(2)
            if first.strip() in ("|", ">", "|-", ">-"):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i])
                    i += 1
                out.append((f"{path} expr near line {i}", "\n".join(block)))
                continue
            out.append((f"{path} line {i + 1}", first))
        i += 1
    return out


def main(metrics_txt, dashboard_json, rules_yml, out_rules):
    problems = []
    known = {l.strip() for l in open(metrics_txt, encoding="utf-8") if l.strip() and not l.startswith("#")}
    try:
        dash = json.load(open(dashboard_json, encoding="utf-8"))
    except ValueError as e:
        print(f"{dashboard_json}: not valid JSON: {e}")
        return 1
    for key in ("title", "uid", "panels", "schemaVersion"):
        if key not in dash:
            problems.append(f"{dashboard_json}: no '{key}'")
    rows = [p.get("title") for p in dash.get("panels", []) if p.get("type") == "row"]
    for s in SECTIONS:
        if s not in rows:
            problems.append(f"{dashboard_json}: no row '{s}' (the guide's layout)")
    queries = dashboard_queries(dash, problems)
    for where, expr in queries + rule_queries(rules_yml):
        for name in sorted(metric_names(expr)):
            if name not in known and name not in PROMETHEUS_OWN:
                problems.append(f"{where}: queries '{name}', which the agent does not export ({metrics_txt})")
    with open(out_rules, "w", encoding="utf-8") as f:
        f.write("groups:\n  - name: dashboard-queries\n    rules:\n")
        for n, (where, expr) in enumerate(queries):
            for var, value in GRAFANA_VARS.items():
                expr = expr.replace(var, value)
            f.write(f"      - record: dashboard:query_{n}\n        expr: {json.dumps(expr)}\n")
    for p in problems:
        print(p)
    print(f"{dashboard_json}: {len(queries)} queries, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
