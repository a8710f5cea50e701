package io.meridian.lab.drill;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The drill as a picture: one lane per trial, time in seconds from the fault. Acknowledged writes
 * are ticks coloured by the node that took them (one tick per pixel column and node, so a long run
 * stays small), failed attempts are red dots, the downtime is shaded, and the fault (red), the
 * promotion in etcd's history (blue, dotted) and the first write after recovery (green) are lines.
 */
public final class DrillChart {

    private static final String[] PALETTE = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f"};
    private static final int WIDTH = 1000;
    private static final int LEFT = 190;
    private static final int RIGHT = 20;
    private static final int TOP = 70;
    private static final int LANE = 90;

    private DrillChart() {
    }

    /** @param nodeOf the node name behind a server address, for the legend (the address itself when unknown) */
    public static String svg(DrillReport report, Function<String, String> nodeOf) {
        List<TrialResult> trials = report.trials().stream().filter(t -> t.faultNs() != 0).toList();
        double from = -DrillTrial.WARMUP.toMillis() / 1000.0 - 0.5;
        double to = 1;
        Set<String> nodes = new LinkedHashSet<>();
        for (TrialResult t : trials) {
            for (WriteAttempt a : t.attempts()) {
                to = Math.max(to, (a.endNs() - t.faultNs()) / 1e9);
                if (a.ok()) {
                    nodes.add(nodeOf.apply(a.server()));
                }
            }
        }
        to = Math.ceil(to);
        Map<String, String> colour = new LinkedHashMap<>();
        for (String n : nodes) {
            colour.put(n, PALETTE[colour.size() % PALETTE.length]);
        }
        int height = TOP + LANE * Math.max(1, trials.size()) + 40;
        double plot = WIDTH - LEFT - RIGHT;
        double lo = from;
        double span = to - from;
        Function<Double, Double> x = s -> LEFT + (s - lo) / span * plot;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">meridian drill %s%s: acknowledged writes over time (s from the fault)</text>%n",
                esc(report.scenario()), report.argument() == null ? "" : " " + esc(report.argument())));
        int lx = 10;
        for (var e : colour.entrySet()) {
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"34\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"45\">%s</text>%n",
                    lx, e.getValue(), lx + 16, esc(e.getKey())));
            lx += 30 + 8 * e.getKey().length();
        }
        b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"40\" r=\"3\" fill=\"#d62728\"/><text x=\"%d\" y=\"45\">failed attempt</text>%n", lx + 4, lx + 12));
        lx += 110;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"34\" x2=\"%d\" y2=\"46\" stroke=\"#d62728\" stroke-width=\"2\"/><text x=\"%d\" y=\"45\">fault</text>%n", lx, lx, lx + 6));
        lx += 50;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"34\" x2=\"%d\" y2=\"46\" stroke=\"#1f3fff\" stroke-dasharray=\"3,2\" stroke-width=\"2\"/><text x=\"%d\" y=\"45\">promotion</text>%n", lx, lx, lx + 6));
        lx += 80;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"34\" x2=\"%d\" y2=\"46\" stroke=\"#2ca02c\" stroke-width=\"2\"/><text x=\"%d\" y=\"45\">writes back</text>%n", lx, lx, lx + 6));
        for (int i = 0; i < trials.size(); i++) {
            lane(b, trials.get(i), TOP + i * LANE, x, colour, nodeOf, lo, to);
        }
        int axisY = TOP + LANE * Math.max(1, trials.size()) + 4;
        double step = span <= 12 ? 1 : span <= 30 ? 2 : span <= 60 ? 5 : span <= 150 ? 10 : 30;
        for (double s = Math.ceil(lo / step) * step; s <= to + 1e-9; s += step) {
            double px = x.apply(s);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, axisY, px, axisY + 5, px, axisY + 18, step < 1 ? String.format(Locale.ROOT, "%.1f", s) : Long.toString(Math.round(s))));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static void lane(StringBuilder b, TrialResult t, int y, Function<Double, Double> x, Map<String, String> colour,
            Function<String, String> nodeOf, double lo, double hi) {
        int h = LANE - 14;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f7f7f7\" stroke=\"#ddd\"/>%n", LEFT, y, WIDTH - LEFT - RIGHT, h));
        b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">trial %d</text>%n", y + 16, t.trial()));
        b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s → %s</text>%n", y + 32, esc(t.oldLeader()), esc(String.valueOf(t.newLeader()))));
        b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">RTO %s, lost %s</text>%n", y + 48,
                t.rtoSeconds() == null ? "none" : String.format(Locale.ROOT, "%.2f s", t.rtoSeconds()), t.lostWrites() == null ? "?" : t.lostWrites()));
        if (t.splitBrainWrites() > 0) {
            b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" fill=\"#d62728\">split-brain %d</text>%n", y + 64, t.splitBrainWrites()));
        }
        var gap = AckTimeline.downtime(t.attempts(), t.faultNs());
        if (gap.isPresent() && t.rtoSeconds() != null) {
            double g0 = x.apply((gap.get().fromNs() - t.faultNs()) / 1e9);
            double g1 = x.apply((gap.get().toNs() - t.faultNs()) / 1e9);
            b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#fde0e0\"/>%n", g0, y, Math.max(1, g1 - g0), h));
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#2ca02c\" stroke-width=\"2\"/>%n", g1, y, g1, y + h));
        }
        // One tick per pixel column and node: thousands of writes draw as a dense band, not thousands of elements.
        Set<String> drawn = new java.util.HashSet<>();
        for (boolean stranded : new boolean[] {false, true}) {
            for (WriteAttempt a : stranded ? t.strandedAttempts() : t.attempts()) {
                double s = (a.endNs() - t.faultNs()) / 1e9;
                if (s < lo || s > hi) {
                    continue;
                }
                long px = Math.round(x.apply(s));
                if (a.ok()) {
                    String node = nodeOf.apply(a.server());
                    if (drawn.add(px + node + stranded)) {
                        // The direct writer (fixed on the old leader) draws in the lower half of the lane.
                        int top = stranded ? y + h / 2 + 4 : y + 6;
                        int bottom = stranded ? y + h - 14 : y + h / 2;
                        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n",
                                px, top, px, bottom, colour.getOrDefault(node, "#000")));
                    }
                } else if (drawn.add(px + "fail")) {
                    b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"2.5\" fill=\"#d62728\"/>%n", px, y + h - 6));
                }
            }
        }
        double f = x.apply(0.0);
        b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\" stroke-width=\"2\"/>%n", f, y - 2, f, y + h + 2));
        if (t.promotedSeconds() != null) {
            double p = x.apply(t.promotedSeconds());
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1f3fff\" stroke-dasharray=\"3,2\" stroke-width=\"2\"/>%n", p, y, p, y + h));
        }
        if (!t.strandedAttempts().isEmpty()) {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">direct writer on %s</text>%n",
                    LEFT + 4, y + h - 2, esc(t.oldLeader())));
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
