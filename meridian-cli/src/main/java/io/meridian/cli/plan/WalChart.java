package io.meridian.cli.plan;

import java.util.Locale;

/**
 * An SVG of the WAL rate over the window (Mbps between consecutive samples) with the minimum and
 * recommended bandwidth as horizontal lines: where the curve crosses the recommended line, the
 * margin is too thin for this workload.
 */
final class WalChart {

    private static final int W = 800;
    private static final int H = 360;
    private static final int PAD = 50;

    private WalChart() {
    }

    static String svg(WalWindow window, double minMbps, double recommendedMbps, String title) {
        double[] rates = window.stepRates();
        double top = recommendedMbps;
        for (double r : rates) {
            top = Math.max(top, io.meridian.core.plan.Bandwidth.mbps(r));
        }
        top = top <= 0 ? 1 : top * 1.1;
        double span = Math.max(window.seconds(), 1e-9);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\">%s</text>%n", PAD, escape(title)));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                PAD, H - PAD, W - PAD, H - PAD));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                PAD, PAD, PAD, H - PAD));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.3g Mbps</text>%n", 2, PAD, top));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.0f s</text>%n", W - PAD - 10, H - PAD + 20, span));
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < rates.length; i++) {
            double x0 = window.samples().get(i).seconds();
            double x1 = window.samples().get(i + 1).seconds();
            double y = y(io.meridian.core.plan.Bandwidth.mbps(rates[i]), top);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f %.1f,%.1f ", x(x0, span), y, x(x1, span), y));
        }
        b.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"").append(points).append("\"/>\n");
        line(b, minMbps, top, "#2ca02c", "minimum " + io.meridian.core.plan.Figures.twoSignificant(minMbps) + " Mbps");
        line(b, recommendedMbps, top, "#d62728", "recommended " + io.meridian.core.plan.Figures.twoSignificant(recommendedMbps) + " Mbps");
        return b.append("</svg>\n").toString();
    }

    private static void line(StringBuilder b, double mbps, double top, String colour, String label) {
        double y = y(mbps, top);
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-dasharray=\"6,4\"/>%n<text x=\"%d\" y=\"%.1f\" fill=\"%s\">%s</text>%n",
                PAD, y, W - PAD, y, colour, PAD + 5, y - 4, colour, escape(label)));
    }

    private static double x(double seconds, double span) {
        return PAD + seconds / span * (W - 2 * PAD);
    }

    private static double y(double mbps, double top) {
        return H - PAD - mbps / top * (H - 2 * PAD);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
