package io.meridian.agent.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of {@code POST /restart} as Patroni takes it ({@code api.py} {@code do_POST_restart},
 * {@code ha.py} {@code restart_matches}), so {@code patronictl restart} and scripts that call the
 * API keep working: every key optional, an empty body restarts now.
 *
 * @param schedule        when to restart (an ISO 8601 time with its offset), or null for now
 * @param role            restart only if the node is this: {@code primary} (or {@code master}) or {@code replica}
 * @param postgresVersion restart only if the running server is older than this ({@code 15.6}: 150006)
 * @param timeoutSeconds  accepted and checked as Patroni does; the HA loop's start timeout applies
 * @param restartPending  restart only if a changed setting waits for a restart
 */
public record RestartRequest(Instant schedule, String role, Integer postgresVersion, Integer timeoutSeconds,
                             boolean restartPending) {

    /** A body refused with Patroni's status and words. */
    public static final class Rejected extends RuntimeException {
        private final int status;

        Rejected(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * @param body the request body, possibly empty
     * @param now  the current time, against which a schedule must lie in the future
     * @throws Rejected 400 for an unknown key or a bad role, version or timeout, 422 for a schedule
     *                  that does not parse or lies in the past (Patroni's codes)
     */
    public static RestartRequest parse(String body, Instant now) {
        if (body == null || body.isBlank()) {
            return new RestartRequest(null, null, null, null, false);
        }
        JsonNode json;
        try {
            json = RestApi.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Rejected(400, "request body is not JSON: " + e.getOriginalMessage());
        }
        if (!json.isObject()) {
            throw new Rejected(400, "request body must be a JSON object");
        }
        Instant schedule = null;
        String role = null;
        Integer version = null;
        Integer timeout = null;
        boolean pending = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "schedule" -> schedule = schedule(v.asText(), now);
                case "role" -> {
                    role = v.asText();
                    if (!role.equals("master") && !role.equals("primary") && !role.equals("replica")) {
                        throw new Rejected(400, "PostgreSQL role should be either primary or replica");
                    }
                }
                case "postgres_version" -> version = versionNumber(v.asText());
                case "timeout" -> {
                    timeout = seconds(v.asText());
                    if (timeout == null || timeout <= 0) {
                        throw new Rejected(400, "Timeout should be a positive number of seconds");
                    }
                }
                case "restart_pending" -> pending = v.isBoolean() ? v.booleanValue() : parseBool(v.asText());
                default -> throw new Rejected(400, "Unknown filter for the scheduled restart: " + f.getKey());
            }
        }
        return new RestartRequest(schedule, role, version, timeout, pending);
    }

    /**
     * Why this request does not apply to a node in this state, or null when it does (Patroni's
     * {@code restart_matches}).
     *
     * @param primary       the node runs as a primary
     * @param serverVersion its {@code server_version_num}
     * @param pending       a setting waits for a restart
     */
    public String refusal(boolean primary, int serverVersion, boolean pending) {
        if (role != null && (role.equals("replica") == primary)) {
            return "host role mismatch";
        }
        if (postgresVersion != null && postgresVersion <= serverVersion) {
            return "postgres version mismatch";
        }
        if (restartPending && !pending) {
            return "pending restart flag is not set";
        }
        return null;
    }

    /** As {@code /patroni} lists a scheduled restart: {@code schedule} and the conditions given. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schedule", schedule == null ? null : PatroniCluster.iso(schedule.toEpochMilli()));
        if (role != null) {
            m.put("role", role);
        }
        if (postgresVersion != null) {
            m.put("postgres_version", postgresVersion);
        }
        if (timeoutSeconds != null) {
            m.put("timeout", timeoutSeconds);
        }
        if (restartPending) {
            m.put("restart_pending", true);
        }
        return m;
    }

    private static Instant schedule(String text, Instant now) {
        Instant at;
        try {
            at = OffsetDateTime.parse(text.trim().replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            try {
                java.time.LocalDateTime.parse(text.trim().replace(' ', 'T'));
                throw new Rejected(400, "Timezone information is mandatory for the scheduled restart");
            } catch (DateTimeParseException notEvenLocal) {
                throw new Rejected(422, "Unable to parse scheduled timestamp. It should be in an unambiguous format, "
                        + "e.g. ISO 8601");
            }
        }
        if (at.isBefore(now)) {
            throw new Rejected(422, "Cannot schedule restart in the past");
        }
        return at;
    }

    /** {@code X.Y} from PostgreSQL 10 on ({@code 15.6} is 150006), {@code X.Y.Z} before, as Patroni's {@code postgres_version_to_int}. */
    static int versionNumber(String text) {
        String[] parts = text.trim().split("\\.");
        int[] n = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                n[i] = Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            throw new Rejected(400, "Invalid PostgreSQL version: " + text);
        }
        if (n.length < 2 || n.length > 3 || (n.length == 2 && n[0] < 10) || (n.length == 3 && n[0] >= 10)) {
            throw new Rejected(400, "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: " + text);
        }
        return n.length == 2 ? n[0] * 10000 + n[1] : n[0] * 10000 + n[1] * 100 + n[2];
    }

    /** {@code 30}, {@code 30s}, {@code 2min}, {@code 1h} (PostgreSQL's time units); null when unreadable. */
    static Integer seconds(String text) {
        var m = java.util.regex.Pattern.compile("\\s*(-?\\d+)\\s*(ms|s|min|h|d)?\\s*").matcher(text);
        if (!m.matches()) {
            return null;
        }
        long v = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        long s = switch (unit) {
            case "ms" -> Math.round(v / 1000.0);
            case "min" -> v * 60;
            case "h" -> v * 3600;
            case "d" -> v * 86400;
            default -> v;
        };
        return s > Integer.MAX_VALUE || s < Integer.MIN_VALUE ? null : (int) s;
    }

    private static boolean parseBool(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0", "" -> false;
            default -> throw new Rejected(400, "restart_pending: expected true or false, got \"" + s + "\"");
        };
    }
}
