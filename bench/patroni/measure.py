"""Figures from one probe file: RTO and acknowledged writes lost.

RTO = end of the first acknowledged write after the outage began, minus the fault time.
The outage begins at the first attempt after the fault that failed or stalled (took over
STALL_NS); for a switchover that is when the old primary stops, so the figure spans request to
writes-back. When nothing failed or stalled, RTO is the longest wait for an acknowledgement
after the fault (a switchover no client noticed).
"""
import json
import statistics

STALL_NS = 1_000_000_000


def load(path):
    events = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass  # a line cut by the probe's end
    events.sort(key=lambda e: e["start_ns"])
    return events


def rto_ns(events, t0):
    """None while writes have not come back."""
    after = [e for e in events if e["end_ns"] > t0]
    disrupted_at = None
    for e in after:
        if not e["ok"] or e["end_ns"] - max(e["start_ns"], t0) > STALL_NS:
            disrupted_at = e
            break
    if disrupted_at is None:
        return None
    if disrupted_at["ok"]:
        return disrupted_at["end_ns"] - t0
    for e in after:
        if e["ok"] and e["start_ns"] >= disrupted_at["end_ns"]:
            return e["end_ns"] - t0
    return None


def longest_wait_ns(events, t0):
    last = t0
    longest = 0
    for e in events:
        if e["ok"] and e["end_ns"] > t0:
            longest = max(longest, e["end_ns"] - last)
            last = e["end_ns"]
    return longest


def summary(events, t0, surviving_ids):
    acked = [e["id"] for e in events if e["ok"]]
    lost = sorted(set(acked) - set(surviving_ids))
    failed_after = sum(1 for e in events if not e["ok"] and e["end_ns"] > t0)
    r = rto_ns(events, t0)
    quiet = r is None and failed_after == 0 and any(e["ok"] and e["end_ns"] > t0 for e in events)
    if quiet:
        r = longest_wait_ns(events, t0)
    return {
        "rto_s": None if r is None else r / 1e9,  # None: writes never came back in the window
        "quiet": quiet,
        "acked": len(acked), "lost": len(lost), "lost_ids": lost[:50],
        "failed_attempts": failed_after,
        "errors": sorted({(e["error"] or "")[:80] for e in events if not e["ok"]})[:5],
    }


def stats(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    return min(v), statistics.median(v), max(v)
