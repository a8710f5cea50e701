"""The comparison table: min/median/max per system, profile and scenario, and Meridian/Patroni
ratios of the medians."""
import measure

SCENARIOS = ["postmaster-kill", "node-kill", "switchover"]


def fmt3(t, unit="", digits=1):
    if t is None:
        return "-"
    return "/".join(("%.*f" % (digits, x)) if isinstance(x, float) else str(x) for x in t) + unit


def cells(results):
    out = {}
    for r in results:
        out.setdefault((r["profile"], r["scenario"], r["system"]), []).append(r)
    return out


def table(results, profiles, timings):
    c = cells(results)
    lines = []
    head = "%-8s %-16s %-9s %3s %-22s %-10s %-8s %s" % ("profile", "scenario", "system", "n", "RTO s min/med/max",
                                                    "lost acked", "failed", "timings")
    lines += [head, "-" * len(head)]
    for profile in profiles:
        for scen in SCENARIOS:
            for system in ("patroni", "meridian"):
                rs = c.get((profile, scen, system), [])
                if not rs:
                    continue
                rto = measure.stats([r.get("rto_s") for r in rs])
                lost = measure.stats([r.get("lost") for r in rs])
                norec = sum(1 for r in rs if r.get("rto_s") is None)
                lines.append("%-8s %-16s %-9s %3d %-22s %-10s %-8s %s" % (
                    profile, scen, system, len(rs), fmt3(rto), fmt3(lost), norec, timings[system][profile]))
    lines.append("failed = trials with no writes back within the window, or a switchover that left the leader"
                 " in place; they are left out of the RTO figures (see the trial lines).")
    lines.append("")
    lines.append("Meridian / Patroni, ratio of median RTO (below 1: Meridian faster)")
    for profile in profiles:
        for scen in SCENARIOS:
            p = measure.stats([r.get("rto_s") for r in c.get((profile, scen, "patroni"), [])])
            m = measure.stats([r.get("rto_s") for r in c.get((profile, scen, "meridian"), [])])
            if p and m and p[1] > 0:
                lines.append("  %-8s %-16s %.2f  (Patroni %.1f s / Meridian %.1f s: Patroni %.1fx longer)"
                             % (profile, scen, m[1] / p[1], p[1], m[1], p[1] / m[1] if m[1] else float("inf")))
    if "default" in profiles and "tuned" in profiles:
        lines.append("")
        lines.append("Cross-profile (issue 3 target: node-kill RTO >= 3x shorter than Patroni default,"
                     " no worse than Patroni tuned)")
        for mp in profiles:
            m = measure.stats([r.get("rto_s") for r in c.get((mp, "node-kill", "meridian"), [])])
            for pp in profiles:
                p = measure.stats([r.get("rto_s") for r in c.get((pp, "node-kill", "patroni"), [])])
                if p and m:
                    lines.append("  Meridian %-7s vs Patroni %-7s node-kill: median %.1f s vs %.1f s,"
                                 " worst %.1f s vs %.1f s" % (mp, pp, m[1], p[1], m[2], p[2]))
    return "\n".join(lines)


def trial_lines(results):
    lines = []
    for r in results:
        lines.append("%-8s %-16s %-9s #%d rto=%s lost=%s acked=%s failed_writes=%s %s->%s load=%.1f%s%s%s%s" % (
            r["profile"], r["scenario"], r["system"], r["trial"],
            "-" if r.get("rto_s") is None else "%.2f" % r["rto_s"], r.get("lost"), r.get("acked"),
            r.get("failed_attempts"), r.get("old_leader"), r.get("new_leader"), r.get("load1_at_fault", -1),
            " quiet" if r.get("quiet") else "",
            " outage=%.2f" % r["outage_without_switch_s"] if r.get("outage_without_switch_s") else "", " FAILED: " + r["error"] if r.get("error") else "",
            " lost_ids=%s" % r["lost_ids"] if r.get("lost_ids") else ""))
    return "\n".join(lines)
