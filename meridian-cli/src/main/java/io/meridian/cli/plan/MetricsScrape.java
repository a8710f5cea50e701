package io.meridian.cli.plan;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code meridian plan} reads from one scrape of the leader's agent {@code /metrics}: the WAL
 * written so far ({@code meridian_wal_bytes_total}, re-read from PostgreSQL at scrape time) and the
 * leader's view of each standby's flush lag ({@code meridian_replication_lag_seconds{stage="flush"}},
 * PostgreSQL's {@code pg_stat_replication.flush_lag}: from a WAL flush on the primary to the
 * standby's acknowledgement that it flushed it too, which is what a synchronous commit waits for).
 *
 * @param walBytesTotal     NaN when the agent did not export it (not a primary, PostgreSQL down)
 * @param flushLagSeconds   standby name to flush lag; absent while a standby is idle and caught up
 */
record MetricsScrape(long atNanos, double walBytesTotal, Map<String, Double> flushLagSeconds) {

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static MetricsScrape parse(long atNanos, String text) {
        double wal = Double.NaN;
        Map<String, Double> flush = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            String name = m.group(1);
            if (name.equals("meridian_wal_bytes_total")) {
                wal = Double.parseDouble(m.group(4));
            } else if (name.equals("meridian_replication_lag_seconds")) {
                Map<String, String> labels = labels(m.group(3));
                if ("flush".equals(labels.get("stage")) && labels.containsKey("member")) {
                    flush.put(labels.get("member"), Double.parseDouble(m.group(4)));
                }
            }
        }
        return new MetricsScrape(atNanos, wal, Map.copyOf(flush));
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new HashMap<>();
        if (text != null) {
            Matcher m = LABEL.matcher(text);
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }
}
