package io.meridian.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the cluster-wide configuration, whether it comes from a node file's {@code bootstrap.dcs},
 * an operator's {@code edit-config} or a {@code PATCH /config} body.
 */
public final class DynamicConfigParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Set<String> KEYS = Set.of("ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover",
            "primary_start_timeout", "member_slots_ttl", "paused", "lag_tolerance", "region_priority",
            "synchronous_mode", "synchronous_node_count", "synchronous_strict", "failsafe_mode", "catchup_timeout",
            "parameters", "router_wait_timeout", "etcd_leader_placement");
    /**
     * Upper bound of {@code router_wait_timeout}: the wait holds a failover's writes back, and a
     * router that has not followed within a minute is broken, not slow.
     */
    static final double MAX_ROUTER_WAIT = 60;
    /** The values of {@code synchronous_mode}. */
    public static final Set<String> SYNC_MODES = Set.of("off", "quorum", "region_quorum");

    private DynamicConfigParser() {
    }

    /** Parses YAML or JSON text (JSON is YAML) naming {@code source} in any error. */
    public static DynamicConfig parse(String source, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, null, "is not valid YAML or JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            root = JSON.createObjectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(source, null, "expected a mapping of settings");
        }
        refuseNewerKeys(source, root);
        return parse(new ConfigNode(source, "", root));
    }

    /**
     * A configuration as stored in etcd, its keys unknown to this version set aside.
     *
     * @param newerKeys top-level keys this version does not know, verbatim, in stored order: written
     *                  by a newer Meridian (or by hand); kept so that a write by this version carries them on
     */
    public record Stored(DynamicConfig config, Map<String, JsonNode> newerKeys) {
    }

    /**
     * Reads the value of {@code /config}: keys this version does not know are tolerated (a newer
     * agent in a rolling upgrade wrote them) and returned aside; the known ones are checked as
     * strictly as a write. A ConfigException means the value cannot be used at all.
     */
    public static Stored parseStored(String source, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, null, "is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source, null, "expected a JSON object of settings");
        }
        ObjectNode known = ((ObjectNode) root).deepCopy();
        Map<String, JsonNode> newer = new LinkedHashMap<>();
        root.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                newer.put(k, known.remove(k));
            }
        });
        return new Stored(parse(new ConfigNode(source, "", known)), newer);
    }

    /**
     * A write naming a key this version does not know is refused, not stored: an older agent or CLI
     * cannot check it, and a typo must not pass for a newer version's setting.
     */
    private static void refuseNewerKeys(String source, JsonNode change) {
        Iterator<String> it = change.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new ConfigException(source, k, "unknown key: this Meridian version does not know it (a newer one "
                        + "may: change it through an upgraded agent); expected one of " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
    }

    /** Applies a partial change (JSON merge patch semantics; null removes a parameter) to {@code base}. */
    public static DynamicConfig merge(String source, DynamicConfig base, String patchText) {
        JsonNode patch;
        try {
            patch = YAML.readTree(patchText);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, null, "is not valid JSON: " + e.getOriginalMessage());
        }
        if (patch == null || !patch.isObject()) {
            throw new ConfigException(source, null, "expected a JSON object of settings to change");
        }
        refuseNewerKeys(source, patch);
        ObjectNode merged = JSON.valueToTree(base);
        mergeInto(merged, (ObjectNode) patch);
        return parse(new ConfigNode(source, "", merged));
    }

    private static void mergeInto(ObjectNode target, ObjectNode patch) {
        patch.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.get(e.getKey()) instanceof ObjectNode t) {
                mergeInto(t, (ObjectNode) v);
            } else {
                target.set(e.getKey(), v);
            }
        });
    }

    static DynamicConfig parse(ConfigNode n) {
        n.allowOnly(KEYS);
        DynamicConfig d = DynamicConfig.DEFAULTS;
        double ttl = n.seconds("ttl", d.ttl(), 2, 3600);
        double loopWait = n.seconds("loop_wait", d.loopWait(), 0.1, 600);
        double retry = n.seconds("retry_timeout", d.retryTimeout(), 0.1, 600);
        // A healthy primary must be able to renew twice within one lease: one loop plus two
        // retry windows, else it can lose its lease between two renewals.
        if (loopWait + 2 * retry > ttl) {
            throw n.error("ttl", "expected loop_wait + 2 * retry_timeout <= ttl, got " + fmt(loopWait) + " + 2 * "
                    + fmt(retry) + " > " + fmt(ttl));
        }
        String sync = n.textOr("synchronous_mode", d.synchronousMode());
        // YAML reads a bare `off` as the boolean false (Patroni's own synchronous_mode is a boolean).
        if ("false".equals(sync)) {
            sync = "off";
        }
        if (!SYNC_MODES.contains(sync)) {
            throw n.error("synchronous_mode", "expected one of off, quorum, region_quorum, got \"" + sync + "\"");
        }
        List<String> regions = n.strings("region_priority");
        String placement = n.textOr("etcd_leader_placement", d.etcdLeaderPlacement());
        if (!DynamicConfig.OTHER_REGION.equals(placement) && !DynamicConfig.ANY.equals(placement)) {
            throw n.error("etcd_leader_placement", "expected other_region or any, got \"" + placement + "\"");
        }
        return new DynamicConfig(ttl, loopWait, retry,
                n.integer("maximum_lag_on_failover", d.maximumLagOnFailover(), 0, Long.MAX_VALUE),
                n.seconds("primary_start_timeout", d.primaryStartTimeout(), 0, 3600),
                n.seconds("member_slots_ttl", d.memberSlotsTtl(), 0, 30L * 24 * 3600),
                n.bool("paused", d.paused()),
                n.integer("lag_tolerance", d.lagTolerance(), 0, Long.MAX_VALUE),
                regions, sync,
                (int) n.integer("synchronous_node_count", d.synchronousNodeCount(), 1, 64),
                n.bool("synchronous_strict", d.synchronousStrict()),
                n.bool("failsafe_mode", d.failsafeMode()),
                // Every second of catch-up is a second more without a primary: a minute is already
                // longer than any WAN catch-up of lag_tolerance bytes should take.
                n.seconds("catchup_timeout", d.catchupTimeout(), 0, 60),
                n.scalars("parameters"),
                n.seconds("router_wait_timeout", d.routerWaitTimeout(), 0, MAX_ROUTER_WAIT),
                placement);
    }

    /** A setting in seconds as an operator wrote it: {@code 3}, not {@code 3.0}; {@code 2.5} as is. */
    public static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
