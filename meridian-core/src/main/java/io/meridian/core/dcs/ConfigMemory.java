package io.meridian.core.dcs;

import io.meridian.core.config.ConfigException;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes {@code /config} and remembers the last value that decoded, for one process.
 *
 * <p>An undecodable value (a hand edit with etcdctl, a setting of a newer version this one reads
 * differently) must never turn into the defaults: that silently means {@code synchronous_mode: off},
 * {@code paused: false} and no parameters. The last valid configuration is kept instead, and the
 * record says why ({@link Decoded#error}). A process that never read a valid one gets the defaults
 * with {@code paused} set: no automatic action until an operator writes a configuration it can read.
 */
final class ConfigMemory {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigMemory.class);

    /** What the config key stands for in this process: the config to use and the revision it came from. */
    record Decoded(DynamicConfig config, String error, long validVersion) {
    }

    private DynamicConfig lastValid;
    private long lastValidVersion;
    private final Set<String> warned = new HashSet<>();
    private String lastError;

    /** @param text the stored value, or null when the key is missing; {@code version} its mod revision */
    synchronized Decoded decode(String source, String text, long version) {
        if (text == null) {
            if (lastValid == null) {
                return new Decoded(null, null, 0); // before bootstrap: the defaults are the truth
            }
            return invalid(source, "the key is missing");
        }
        try {
            DynamicConfigParser.Stored s = DynamicConfigParser.parseStored(source, text);
            for (String k : s.newerKeys().keySet()) {
                if (warned.add(k)) {
                    LOG.warn("{}: key {} is unknown to this Meridian version (written by a newer one?): "
                            + "ignored here, and kept as is when this version writes the configuration", source, k);
                }
            }
            lastValid = s.config();
            lastValidVersion = version;
            lastError = null;
            return new Decoded(s.config(), null, version);
        } catch (ConfigException e) {
            // One line: it goes into every HA log line (a YAML parser's message spans several).
            return invalid(source, e.getMessage().replaceAll("\\s+", " ").strip());
        }
    }

    private Decoded invalid(String source, String error) {
        if (!error.equals(lastError)) {
            LOG.error("{} cannot be used ({}): {}", source, error, lastValid == null
                    ? "no valid configuration read yet, taking no automatic action (as if paused)"
                    : "keeping the last valid configuration (revision " + lastValidVersion + ")");
            lastError = error;
        }
        if (lastValid == null) {
            return new Decoded(DynamicConfig.DEFAULTS.withPaused(true), error, 0);
        }
        return new Decoded(lastValid, error, lastValidVersion);
    }
}
