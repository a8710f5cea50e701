package io.meridian.agent.metrics;

/**
 * One alert firing now, as the dashboard and {@code meridian status} show it. Names and severities
 * are those of {@code deploy/prometheus/meridian-rules.yml}, so a page and a pager say the same.
 *
 * @param name     alert name, e.g. {@code MeridianReplicationLagBytes}
 * @param severity {@link #WARNING} or {@link #CRITICAL}
 * @param member   member it is about, or null for the whole cluster
 * @param summary  one sentence with the measured value and the threshold
 */
public record Alert(String name, String severity, String member, String summary) {

    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";

    public boolean isCritical() {
        return CRITICAL.equals(severity);
    }
}
