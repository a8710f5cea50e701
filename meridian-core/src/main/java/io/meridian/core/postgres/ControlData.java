package io.meridian.core.postgres;

import io.meridian.core.cluster.Lsn;
import java.util.HashMap;
import java.util.Map;

/**
 * The fields of {@code pg_controldata} Meridian reads (run with LC_ALL=C so the labels are English).
 *
 * @param state          {@code shut down}, {@code shut down in recovery}, {@code in production} …
 * @param systemId       Database system identifier
 * @param checkpointLsn  Latest checkpoint location
 * @param checkpointTli  Latest checkpoint's TimeLineID
 * @param minRecoveryLsn Minimum recovery ending location (standbys)
 * @param minRecoveryTli Min recovery ending loc's timeline, 0 when none
 */
record ControlData(String state, String systemId, Lsn checkpointLsn, long checkpointTli, Lsn minRecoveryLsn,
                   long minRecoveryTli) {

    static ControlData parse(String output) throws PostgresException {
        Map<String, String> fields = new HashMap<>();
        for (String line : output.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        try {
            return new ControlData(
                    require(fields, "Database cluster state"),
                    require(fields, "Database system identifier"),
                    Lsn.parse(require(fields, "Latest checkpoint location")),
                    Long.parseLong(require(fields, "Latest checkpoint's TimeLineID")),
                    Lsn.parse(fields.getOrDefault("Minimum recovery ending location", "0/0")),
                    Long.parseLong(fields.getOrDefault("Min recovery ending loc's timeline", "0")));
        } catch (IllegalArgumentException e) {
            throw new PostgresException("pg_controldata output not understood: " + e.getMessage(), e);
        }
    }

    /** Shut down cleanly as a primary: the shutdown checkpoint is the last WAL record. */
    boolean cleanPrimaryShutdown() {
        return "shut down".equals(state);
    }

    private static String require(Map<String, String> fields, String key) throws PostgresException {
        String v = fields.get(key);
        if (v == null) {
            throw new PostgresException("pg_controldata printed no \"" + key + "\"");
        }
        return v;
    }
}
