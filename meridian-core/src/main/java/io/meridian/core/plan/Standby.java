package io.meridian.core.plan;

/**
 * A standby as the commit model sees it.
 *
 * @param name       member name
 * @param region     its region
 * @param rttMillis  round trip from the leader, ms (what a synchronous commit waits for once the
 *                   WAL is flushed locally); NaN when not measured
 * @param promotable its tags let it be promoted (the sync set only counts such standbys)
 */
public record Standby(String name, String region, double rttMillis, boolean promotable) {

    public Standby(String name, String region, double rttMillis) {
        this(name, region, rttMillis, true);
    }
}
