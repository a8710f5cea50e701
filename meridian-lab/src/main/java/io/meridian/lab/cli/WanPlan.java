package io.meridian.lab.cli;

import io.meridian.core.console.CliException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Round trips between the lab's regions ({@code --rtt paris-newyork=80ms,...}), jitter and a
 * bandwidth cap. Pairs not given default to the largest round trip given, so no link is
 * accidentally instant.
 *
 * <p>Links whose address is shared by every client (etcd peers, PostgreSQL, REST) get one relay per
 * destination region, so each region {@code r} gets a one-way share {@code half(r)} with
 * {@code half(a) + half(b) ≈ rtt(a, b)}: exact for three regions whose round trips satisfy the
 * triangle inequality (paris 80, newyork 0, tokyo 170 for the defaults), least squares beyond.
 */
public record WanPlan(List<String> regions, Map<String, Integer> rttMillis, int jitterMillis, int bandwidthMbit) {

    public static final String DEFAULT_RTT = "paris-newyork=80ms,paris-tokyo=250ms,newyork-tokyo=170ms";

    public WanPlan {
        regions = List.copyOf(regions);
        rttMillis = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rttMillis));
    }

    public static WanPlan parse(List<String> regions, String text, int jitterMillis, int bandwidthMbit) {
        if (jitterMillis < 0 || jitterMillis > 10_000) {
            throw new CliException("--jitter: expected 0 to 10000 ms, got " + jitterMillis);
        }
        if (bandwidthMbit < 0) {
            throw new CliException("--bandwidth: expected Mbit/s >= 0, got " + bandwidthMbit);
        }
        Map<String, Integer> given = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            var m = java.util.regex.Pattern.compile("([a-z0-9-]+)=(\\d+)(ms|s)?").matcher(p);
            if (!m.matches()) {
                throw new CliException("--rtt: expected REGION-REGION=MILLISms like paris-tokyo=250ms, got \"" + p + "\"");
            }
            int ms = Integer.parseInt(m.group(2)) * ("s".equals(m.group(3)) ? 1000 : 1);
            String[] pair = splitPair(m.group(1), regions);
            if (pair == null) {
                // The defaults name paris, newyork and tokyo: skip pairs this lab does not have.
                if (text.equals(DEFAULT_RTT)) {
                    continue;
                }
                throw new CliException("--rtt: " + m.group(1) + " is not two regions of --regions " + regions + " joined by '-'");
            }
            String a = pair[0];
            String b = pair[1];
            if (a.equals(b)) {
                throw new CliException("--rtt: " + p + " links a region to itself");
            }
            given.put(key(a, b), ms);
        }
        int fallback = given.values().stream().mapToInt(Integer::intValue).max().orElse(100);
        Map<String, Integer> all = new LinkedHashMap<>();
        for (int i = 0; i < regions.size(); i++) {
            for (int j = i + 1; j < regions.size(); j++) {
                String k = key(regions.get(i), regions.get(j));
                all.put(k, given.getOrDefault(k, fallback));
            }
        }
        return new WanPlan(regions, all, jitterMillis, bandwidthMbit);
    }

    /** Splits {@code a-b} at the dash that leaves a known region on each side (names may hold dashes). */
    static String[] splitPair(String pair, List<String> regions) {
        for (int i = pair.indexOf('-'); i > 0; i = pair.indexOf('-', i + 1)) {
            String a = pair.substring(0, i);
            String b = pair.substring(i + 1);
            if (regions.contains(a) && regions.contains(b)) {
                return new String[] {a, b};
            }
        }
        return null;
    }

    /** Pair key in a fixed order, so paris-tokyo and tokyo-paris are one link. */
    static String key(String a, String b) {
        return a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a;
    }

    public int rtt(String a, String b) {
        return a.equals(b) ? 0 : rttMillis.get(key(a, b));
    }

    /** Each region's one-way share of the round trips, in ms (see the class comment). */
    public Map<String, Double> halves() {
        int n = regions.size();
        double[] h = new double[n];
        if (n == 2) {
            h[0] = h[1] = rtt(regions.get(0), regions.get(1)) / 2.0;
        } else if (n > 2) {
            // Gauss-Seidel on the least-squares system h_a + h_b = rtt(a, b), kept non-negative.
            for (int it = 0; it < 500; it++) {
                for (int a = 0; a < n; a++) {
                    double sum = 0;
                    for (int b = 0; b < n; b++) {
                        if (b != a) {
                            sum += rtt(regions.get(a), regions.get(b)) - h[b];
                        }
                    }
                    h[a] = Math.max(0, sum / (n - 1));
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(regions.get(i), Math.round(h[i] * 10) / 10.0);
        }
        return out;
    }

    public String describe() {
        List<String> parts = new ArrayList<>();
        rttMillis.forEach((k, v) -> parts.add(k + " " + v + " ms"));
        return String.join(", ", parts) + (jitterMillis > 0 ? ", jitter " + jitterMillis + " ms" : "")
                + (bandwidthMbit > 0 ? ", " + bandwidthMbit + " Mbit/s" : "");
    }
}
