package io.meridian.lab.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.core.console.CliException;
import io.meridian.core.console.ConfigText;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code drill --set ttl=30}: the cluster configuration a drill runs with, changed live before the
 * trials as {@code meridian edit-config -s} changes it (same patch, same parser and its rules,
 * compare-and-set), and put back afterwards. A live ttl change is itself a fault worth drilling:
 * the leader's lease must follow it, or the fence and etcd disagree on when leadership ends.
 */
final class DrillConfig {

    /** Always reported: the three timings that decide when a leader's lease ends and a replica may race. */
    static final List<String> TIMINGS = List.of("ttl", "loop_wait", "retry_timeout");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DrillConfig() {
    }

    /** The configuration with {@code --set}'s assignments merged in, checked as edit-config checks it. */
    static DynamicConfig changed(DynamicConfig before, List<String> assignments) {
        return DynamicConfigParser.merge("drill --set", before, ConfigText.patch(assignments));
    }

    /**
     * The assignments that put back what {@code assignments} changed: each key's value in
     * {@code before} as JSON (YAML reads it back unchanged), or {@code null} when it had none.
     */
    static List<String> undo(DynamicConfig before, List<String> assignments) {
        Map<?, ?> tree = JSON.convertValue(before, Map.class);
        List<String> out = new ArrayList<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String key = (eq < 0 ? a : a.substring(0, eq)).trim();
            Object at = tree;
            for (String part : key.split("\\.")) {
                at = at instanceof Map<?, ?> m ? m.get(part) : null;
            }
            try {
                out.add(key + "=" + (at == null ? "null" : JSON.writeValueAsString(at)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CliException("cannot render the old value of " + key + ": " + e.getOriginalMessage(), e);
            }
        }
        return out;
    }

    /** ttl, loop_wait, retry_timeout and each key {@code --set} named, with their values in {@code config}. */
    static Map<String, Object> report(DynamicConfig config, List<String> assignments) {
        Map<?, ?> tree = JSON.convertValue(config, Map.class);
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(TIMINGS);
        for (String a : assignments) {
            int eq = a.indexOf('=');
            String key = (eq < 0 ? a : a.substring(0, eq)).trim();
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        for (String key : keys) {
            Object at = tree;
            for (String part : key.split("\\.")) {
                at = at instanceof Map<?, ?> m ? m.get(part) : null;
            }
            out.put(key, at instanceof Double d && d == Math.rint(d) && !d.isInfinite() ? (Object) d.longValue() : at);
        }
        return out;
    }

    /** How long a drill waits for etcd to answer its config read: a loaded lab's member can miss one deadline. */
    static final java.time.Duration ETCD_PATIENCE = java.time.Duration.ofSeconds(30);

    /** The cluster record, read again after a missed deadline (the client then moves to another member). */
    static Cluster load(Dcs dcs) throws InterruptedException {
        long deadline = System.nanoTime() + ETCD_PATIENCE.toNanos();
        while (true) {
            try {
                return dcs.load();
            } catch (DcsException e) {
                if (System.nanoTime() > deadline) {
                    throw new CliException("etcd did not answer within " + ETCD_PATIENCE.toSeconds() + " s: " + e.getMessage(), e);
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Writes {@code assignments} to the cluster by compare-and-set.
     *
     * @return the configuration now in force
     * @throws CliException when the new value breaks a rule or someone changed the configuration meanwhile
     */
    static DynamicConfig apply(Dcs dcs, List<String> assignments) throws InterruptedException {
        try {
            Cluster c = load(dcs);
            if (!c.isInitialized()) {
                throw new CliException("--set: the cluster is not initialized yet");
            }
            DynamicConfig after = changed(c.config(), assignments);
            if (!dcs.setConfig(after, c.configVersion())) {
                throw new CliException("--set: the configuration changed since it was read (version " + c.configVersion()
                        + "); nothing written: run the drill again");
            }
            return after;
        } catch (DcsException e) {
            throw new CliException("--set: etcd did not answer: " + e.getMessage(), e);
        }
    }
}
