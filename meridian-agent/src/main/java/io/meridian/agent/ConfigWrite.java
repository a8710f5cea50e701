package io.meridian.agent;

import io.meridian.agent.rest.Response;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.postgres.ParameterValidator;
import io.meridian.core.postgres.PgSettings;
import io.meridian.core.postgres.PostgresException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code PATCH /config} and {@code PUT /config}: parse, check, compare-and-set. Every check runs
 * before etcd is written, so a refused change changes nothing and restarts nothing:
 * <ul>
 * <li>the settings, by the parser the agents read them with (keys this version does not know are refused);
 * <li>PostgreSQL parameters whose value changes, against the leader's {@code pg_settings}
 *     ({@link ParameterValidator}): unknown names, values PostgreSQL would refuse, managed settings,
 *     and shell-command settings this agent's node file does not allow.
 * </ul>
 * A PATCH over a {@code /config} this agent cannot decode is refused: it would build on the last
 * valid configuration and silently drop whatever the stored value holds. A PUT replaces it.
 */
final class ConfigWrite {

    private final NodeConfig node;
    private final Dcs dcs;

    ConfigWrite(NodeConfig node, Dcs dcs) {
        this.node = node;
        this.dcs = dcs;
    }

    Response apply(String body, boolean replace) throws DcsException {
        String source = replace ? "PUT /config" : "PATCH /config";
        Cluster c = dcs.load();
        if (!replace && !c.configValid()) {
            return Response.json(409, Map.of("error", "/config cannot be used (" + c.configError() + "): a PATCH would "
                    + "build on the last valid configuration and drop what it holds; replace it whole (PUT /config, "
                    + "meridian edit-config --replace FILE)"));
        }
        DynamicConfig next = replace ? DynamicConfigParser.parse(source, body)
                : DynamicConfigParser.merge(source, c.config(), body);
        Map<String, String> changed = changedParameters(c.configValid() ? c.config().parameters() : Map.of(), next.parameters());
        if (!changed.isEmpty()) {
            Map<String, ParameterValidator.Setting> settings;
            try {
                settings = leaderSettings(c);
            } catch (PostgresException e) {
                return Response.json(503, Map.of("error", source + ": cannot check the parameters against PostgreSQL, "
                        + "nothing written: " + e.getMessage()));
            }
            List<String> refused = ParameterValidator.refusals(changed, settings, node.postgresql().allowShellParameters());
            if (!refused.isEmpty()) {
                return Response.json(400, Map.of("error", source + ": nothing written: " + String.join("; ", refused)));
            }
        }
        boolean written = replace ? dcs.replaceConfig(next, c.configVersion()) : dcs.setConfig(next, c.configVersion());
        if (!written) {
            return Response.json(409, Map.of("error", "configuration changed meanwhile; read it again"));
        }
        return Response.json(200, next);
    }

    /** Parameters added or given a new value; removals need no check. */
    static Map<String, String> changedParameters(Map<String, String> before, Map<String, String> after) {
        Map<String, String> out = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (!Objects.equals(before.get(k), v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /**
     * The leader's {@code pg_settings} (its PostgreSQL decides what the cluster runs), over SQL as
     * this node's superuser; this node's own when there is no leader to ask.
     */
    private Map<String, ParameterValidator.Setting> leaderSettings(Cluster c) throws PostgresException {
        Member leader = c.leaderMember().orElse(null);
        if (leader == null || leader.name().equals(node.name()) || leader.host() == null) {
            return PgSettings.read(node.postgresql(), node.postgresql().listen().host(), node.postgresql().listen().port());
        }
        return PgSettings.read(node.postgresql(), leader.host(), leader.port());
    }
}
