package io.meridian.core.plan;

import java.util.Locale;

/** The cluster's {@code synchronous_mode} values, as {@code docs/regions.md} describes them. */
public enum SyncMode {
    OFF, QUORUM, REGION_QUORUM;

    public static SyncMode of(String configValue) {
        try {
            return valueOf(configValue.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("synchronous_mode: expected off, quorum or region_quorum, got " + configValue, e);
        }
    }

    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
