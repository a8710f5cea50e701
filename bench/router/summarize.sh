#!/usr/bin/env bash
# Summarizes the per-run lines of bench/router/run.sh (kept with KEEP_RESULTS=FILE):
#   bench/router/summarize.sh results.tsv
# Columns of the input, tab-separated: round workload protocol clients target tps p99_ms
# proxy_cpu_us_per_tx box_cpu_us_per_tx.
set -euo pipefail
RESULTS=$1
printf "%-11s %-8s %3s %-10s %9s %7s %8s %8s %8s %8s %8s\n" workload proto c target tps xdirect p99_ms cpu_proxy cpu_box router/hap router/pgb
awk -F'\t' '
  function mean(key) { return n[key] ? tps[key]/n[key] : 0 }
  { k=$2"\t"$3"\t"$4; key=k"\t"$5; tps[key]+=$6; p99[key]+=$7; px[key]+=$8; bx[key]+=$9; n[key]++; keys[k]=1 }
  END {
    for (k in keys) {
      split(k, f, "\t");
      d=mean(k"\tdirect"); r=mean(k"\trouter"); h=mean(k"\thaproxy"); b=mean(k"\tpgbouncer");
      split("direct haproxy pgbouncer router router-b", ts, " ");
      for (i=1; i<=5; i++) { t=ts[i]; key=k"\t"t; if (!n[key]) continue;
        printf "%-11s %-8s %3s %-10s %9.0f %7.2f %8.3f %8.1f %8.1f %8s %8s\n", f[1], f[2], f[3], t, tps[key]/n[key],
          (d > 0 ? (tps[key]/n[key])/d : 0), p99[key]/n[key], px[key]/n[key], bx[key]/n[key],
          (t ~ /^router/ && h > 0 ? sprintf("%.2f", tps[key]/n[key]/h) : ""), (t ~ /^router/ && b > 0 ? sprintf("%.2f", tps[key]/n[key]/b) : "") }
    }
  }' "$RESULTS" | sort -k1,1 -k2,2 -k3,3n -s
echo "# router TPS / peer TPS in each round (the runs of a round follow each other), their mean and its 95% interval"
echo "# (Student t over rounds): 'level' when the interval holds 1.0, 'above'/'below' when it lies wholly on one side."
echo "# p99+: the router's p99 minus the peer's, same round, mean and 95% interval in ms (negative: the router's is lower)."
awk -F'\t' '
  BEGIN { split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23 2.20 2.18 2.16 2.14 2.13", T, " ") }
  { k=$2" "$3" c="$4; tps[$1"\t"k"\t"$5]=$6; p99[$1"\t"k"\t"$5]=$7; keys[k]=1; if ($1 > rounds) rounds=$1 }
  function t95(n) { return n - 1 <= 15 ? T[n - 1] : 2.0 }
  # Mean and 95% interval of f(router, peer) over the rounds that ran both.
  function interval(k, me, peer, what,   r, x, n, s, ss, m, h, list) {
    n=0; s=0; ss=0; list="";
    for (r=1; r<=rounds; r++) {
      if (!((r"\t"k"\t"me) in tps) || !((r"\t"k"\t"peer) in tps) || tps[r"\t"k"\t"peer] == 0) continue;
      x = what == "ratio" ? tps[r"\t"k"\t"me]/tps[r"\t"k"\t"peer] : p99[r"\t"k"\t"me]-p99[r"\t"k"\t"peer];
      n++; s+=x; ss+=x*x; list=list sprintf(what == "ratio" ? " %.2f" : " %.1f", x);
    }
    if (n == 0) return "-";
    m=s/n; h=(n > 1 ? t95(n)*sqrt((ss-n*m*m > 0 ? ss-n*m*m : 0)/(n-1))/sqrt(n) : 0);
    if (what == "ratio")
      return sprintf("%.3f [%.3f, %.3f] %-5s (%s )", m, m-h, m+h, (m-h > 1 ? "above" : (m+h < 1 ? "below" : "level")), list);
    return sprintf("p99+ %+.2f [%+.2f, %+.2f] ms", m, m-h, m+h);
  }
  END {
    split("haproxy pgbouncer router", peers, " ");
    for (k in keys) {
      for (i=1; i<=3; i++) {
        peer=peers[i];
        for (j=1; j<=2; j++) {
          me = j == 1 ? "router" : "router-b";
          if (me == peer || !(("1\t"k"\t"me) in tps) || !(("1\t"k"\t"peer) in tps)) continue;
          printf "%-28s %-8s vs %-9s %s  %s\n", k, me, peer, interval(k, me, peer, "ratio"), interval(k, me, peer, "p99")
        }
      }
    }
  }
' "$RESULTS" | sort
