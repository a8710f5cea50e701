package io.meridian.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.JsonOutput;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The columns of {@code meridian list -e}, as {@code patronictl list -e}: whether a member's
 * PostgreSQL waits for a restart to apply a changed parameter, the restart scheduled on it, and its
 * tags. The first two are what each agent reports on {@code GET /patroni} (Patroni's keys
 * {@code pending_restart}, {@code pending_restart_reason}, {@code scheduled_restart}); the agents
 * are asked at once, and one that does not answer within a second shows {@code ?}.
 *
 * @param pendingRestart "*" when pending (Patroni's mark), "" when not, "?" when the agent did not answer
 */
record MemberExtras(String pendingRestart, String pendingReason, String scheduledRestart, Map<String, Object> tags) {

    static final List<String> COLUMNS = List.of("Pending restart", "Pending restart reason", "Scheduled restart", "Tags");

    /** Each alive member's extras, asked of all agents in parallel. */
    static Map<String, MemberExtras> of(Cluster c, ClusterTarget target) {
        Map<String, CompletableFuture<JsonNode>> asked = new LinkedHashMap<>();
        for (Member m : c.members()) {
            asked.put(m.name(), CompletableFuture.supplyAsync(() -> status(m, target)));
        }
        Map<String, MemberExtras> out = new LinkedHashMap<>();
        for (Member m : c.members()) {
            out.put(m.name(), from(m, asked.get(m.name()).join()));
        }
        return out;
    }

    private static JsonNode status(Member m, ClusterTarget target) {
        if (m.apiUrl() == null || m.apiUrl().isBlank()) {
            return null;
        }
        return new AgentClient(m.apiUrl(), null, null, target.restTls()).get("/patroni", Duration.ofSeconds(1))
                .filter(r -> r.status() / 100 == 2 || r.status() == 503)
                .map(r -> {
                    try {
                        return JsonOutput.MAPPER.readTree(r.body());
                    } catch (java.io.IOException e) {
                        return null;
                    }
                }).orElse(null);
    }

    /** @param status the agent's {@code /patroni} answer, or null when it gave none */
    static MemberExtras from(Member m, JsonNode status) {
        String pending = status == null ? "?" : status.path("pending_restart").asBoolean(false) ? "*" : "";
        String reason = status == null ? "" : reason(status.path("pending_restart_reason"));
        String scheduled = "";
        if (status != null && status.hasNonNull("scheduled_restart")) {
            JsonNode s = status.get("scheduled_restart");
            scheduled = s.isObject() ? s.path("schedule").asText("") : s.asText("");
        }
        return new MemberExtras(pending, reason, scheduled, tags(m.tags()));
    }

    /** Patroni 4 gives {parameter: {old_value, new_value}}; shown as "parameter: old->new". */
    private static String reason(JsonNode r) {
        if (r.isMissingNode() || r.isNull()) {
            return "";
        }
        if (!r.isObject()) {
            return r.asText("");
        }
        StringBuilder sb = new StringBuilder();
        r.fields().forEachRemaining(e -> {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey());
            if (e.getValue().isObject()) {
                sb.append(": ").append(e.getValue().path("old_value").asText("")).append("->")
                        .append(e.getValue().path("new_value").asText(""));
            }
        });
        return sb.toString();
    }

    /** The tags that differ from the defaults, under Patroni's names. */
    static Map<String, Object> tags(MemberTags t) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (t == null) {
            return out;
        }
        if (t.noFailover()) {
            out.put("nofailover", true);
        }
        if (t.failoverPriority() != MemberTags.DEFAULT.failoverPriority()) {
            out.put("failover_priority", t.failoverPriority());
        }
        if (t.noLoadBalance()) {
            out.put("noloadbalance", true);
        }
        return out;
    }

    /** Tags as one cell: "nofailover: true, failover_priority: 0". */
    String tagsText() {
        StringBuilder sb = new StringBuilder();
        tags.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(": ").append(v));
        return sb.toString();
    }
}
