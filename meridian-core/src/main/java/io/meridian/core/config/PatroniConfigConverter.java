package io.meridian.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Patroni node file (patroni.yml) into a Meridian node file, key by key, and lists each
 * key it could not carry over with the reason: an operator migrating must see what changes, not
 * discover it at the first failover. The mapping is the table in docs/migrating-from-patroni.md.
 *
 * <p>Pure: YAML text in, the node file's tree and the notes out. The caller writes the file and
 * checks it with {@link NodeConfigLoader}.
 */
public final class PatroniConfigConverter {

    private static final ObjectMapper YAML_IN = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    /** Patroni's own keys with nothing to carry: they concern an existing cluster's creation, or Patroni itself. */
    private static final Set<String> NOT_NEEDED = Set.of("bootstrap.initdb", "bootstrap.pg_hba", "bootstrap.users",
            "bootstrap.post_bootstrap", "bootstrap.post_init", "bootstrap.method", "postgresql.pgpass",
            "postgresql.use_unix_socket", "postgresql.use_unix_socket_repl", "postgresql.pg_ctl_timeout", "log");

    /**
     * @param node  the Meridian node file, in file order
     * @param notes one line per Patroni key not carried over, "key: why"
     */
    public record Result(Map<String, Object> node, List<String> notes) {

        public String yaml() {
            try {
                return YAML_OUT.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final String source;
    private final List<String> notes = new ArrayList<>();

    private PatroniConfigConverter(String source) {
        this.source = source;
    }

    /**
     * @param source   the Patroni file's name, for errors
     * @param text     its YAML
     * @param region   Meridian's region for this node (Patroni has none)
     * @param password supplies a password where Meridian needs one that Patroni's file lacks (REST API)
     */
    public static Result convert(String source, String text, String region, java.util.function.Supplier<String> password) {
        return new PatroniConfigConverter(source).run(read(source, text), region, password, null);
    }

    /**
     * As {@link #convert(String, String, String, java.util.function.Supplier)}, the cluster
     * configuration taken from {@code patronictl show-config}'s output instead of
     * {@code bootstrap.dcs}: the live one, with every {@code patronictl edit-config} since the
     * cluster was made (a standby must not restart with a lower max_connections than its primary's).
     */
    public static Result convert(String source, String text, String region, java.util.function.Supplier<String> password,
                                 String dynamicSource, String dynamicText) {
        return new PatroniConfigConverter(source).run(read(source, text), region, password, read(dynamicSource, dynamicText));
    }

    private static JsonNode read(String source, String text) {
        JsonNode root;
        try {
            root = YAML_IN.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, null, "is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source, null, "expected Patroni's YAML mapping");
        }
        return root;
    }

    private Result run(JsonNode root, String region, java.util.function.Supplier<String> password, JsonNode dynamic) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cluster", required(root, "scope"));
        String name = required(root, "name");
        out.put("name", name);
        out.put("region", region);
        if (!slotNameMatches(name)) {
            notes.add("name: \"" + name + "\" has characters Patroni's slot names spell as uNNNN and Meridian's as '_': "
                    + "the leader creates a new slot for this member, the old one is dropped after member_slots_ttl");
        }
        out.put("etcd", etcd(root));
        if (root.has("namespace")) {
            notes.add("namespace: not carried over: Meridian keeps its keys under /meridian so that Patroni's and "
                    + "Meridian's never mix during the migration");
        }
        out.put("postgresql", postgresql(root.path("postgresql")));
        out.put("restapi", restapi(root.path("restapi"), password));
        Map<String, Object> tags = tags(root.path("tags"));
        if (!tags.isEmpty()) {
            out.put("tags", tags);
        }
        Map<String, Object> dcs = dynamic == null ? dcs(root.path("bootstrap").path("dcs"), "bootstrap.dcs")
                : dcs(dynamic, "show-config");
        out.put("bootstrap", Map.of("dcs", dcs));
        for (String key : List.of("bootstrap.initdb", "bootstrap.pg_hba", "bootstrap.users", "bootstrap.post_bootstrap",
                "bootstrap.post_init", "bootstrap.method")) {
            if (root.path("bootstrap").has(key.substring("bootstrap.".length()))) {
                notes.add(key + ": not needed: the cluster exists already, adoption runs no initdb");
            }
        }
        root.fieldNames().forEachRemaining(k -> {
            if (!Set.of("scope", "name", "namespace", "etcd", "etcd3", "postgresql", "restapi", "tags", "bootstrap").contains(k)) {
                notes.add(k + ": not carried over: " + (NOT_NEEDED.contains(k)
                        ? "Meridian logs through its own logback configuration"
                        : "Meridian has no equivalent"));
            }
        });
        return new Result(out, List.copyOf(notes));
    }

    /** Patroni: lower-case, '-' and '.' become '_', anything else uNNNN; Meridian: anything else '_'. */
    static boolean slotNameMatches(String member) {
        return member.toLowerCase(java.util.Locale.ROOT).matches("[a-z0-9_.-]*");
    }

    // ---- etcd ---------------------------------------------------------------------------------

    private Map<String, Object> etcd(JsonNode root) {
        String section = root.has("etcd3") ? "etcd3" : "etcd";
        JsonNode e = root.path(section);
        if (e.isMissingNode()) {
            throw new ConfigException(source, "etcd3", "missing: Meridian keeps its state in etcd (Patroni's etcd3 or etcd section)");
        }
        if (section.equals("etcd")) {
            notes.add("etcd: Patroni used etcd's v2 API; Meridian speaks v3 to the same endpoints (etcd 3.4+ serves it)");
        }
        String protocol = e.path("protocol").asText("http");
        List<String> hosts = new ArrayList<>();
        if (e.has("hosts")) {
            JsonNode h = e.get("hosts");
            if (h.isArray()) {
                h.forEach(x -> hosts.add(x.asText()));
            } else {
                for (String x : h.asText().split(",")) {
                    hosts.add(x.trim());
                }
            }
        } else if (e.has("host")) {
            hosts.add(e.get("host").asText());
        } else if (e.has("url")) {
            hosts.add(e.get("url").asText().replaceFirst("^https?://", "").replaceFirst("/.*$", ""));
        } else {
            throw new ConfigException(source, section, "expected host, hosts or url: Meridian needs etcd's addresses "
                    + "(srv and proxy discovery are not supported)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> endpoints = new ArrayList<>();
        for (String h : hosts) {
            if (!h.isEmpty()) {
                endpoints.add(h.contains("://") ? h : protocol + "://" + h);
            }
        }
        out.put("endpoints", endpoints);
        Map<String, Object> tls = new LinkedHashMap<>();
        putIf(tls, "ca_file", e, "cacert");
        putIf(tls, "certificate", e, "cert");
        putIf(tls, "private_key", e, "key");
        if (!tls.isEmpty()) {
            out.put("tls", tls);
        }
        for (String k : List.of("username", "password", "key_password", "srv", "srv_suffix", "proxy", "use_proxies",
                "retry_timeout")) {
            if (e.has(k)) {
                notes.add(section + "." + k + ": not carried over: " + switch (k) {
                    case "username", "password" -> "Meridian's etcd client authenticates with TLS client certificates only";
                    case "key_password" -> "Meridian reads unencrypted PKCS#8 keys";
                    case "retry_timeout" -> "Meridian's etcd calls use the cluster's retry_timeout";
                    default -> "Meridian lists etcd's members explicitly";
                });
            }
        }
        return out;
    }

    // ---- postgresql ---------------------------------------------------------------------------

    /** Set by Meridian from the node's identity: a value in Patroni's parameters cannot be carried. */
    /** The settings Meridian sets itself: one list, the one that refuses them in edit-config. */
    private static final Set<String> MANAGED = io.meridian.core.postgres.ParameterValidator.MANAGED.keySet();

    private Map<String, Object> postgresql(JsonNode pg) {
        Map<String, Object> out = new LinkedHashMap<>();
        putIf(out, "bin_dir", pg, "bin_dir");
        out.put("data_dir", requiredAt(pg, "postgresql", "data_dir"));
        String listen = requiredAt(pg, "postgresql", "listen");
        out.put("listen", firstAddress("postgresql.listen", listen));
        putIf(out, "connect_address", pg, "connect_address");
        JsonNode auth = pg.path("authentication");
        out.put("superuser", credentials(auth.path("superuser"), "postgresql.authentication.superuser", "postgres"));
        out.put("replication", credentials(auth.path("replication"), "postgresql.authentication.replication", "replicator"));
        if (auth.has("rewind")) {
            notes.add("postgresql.authentication.rewind: not carried over: Meridian runs pg_rewind as the superuser");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        pg.path("parameters").fields().forEachRemaining(f -> {
            if (MANAGED.contains(f.getKey())) {
                notes.add("postgresql.parameters." + f.getKey() + ": not carried over: Meridian sets it from the node's "
                        + "identity and role");
            } else {
                params.put(f.getKey(), scalar(f.getValue()));
            }
        });
        if (!params.isEmpty()) {
            out.put("parameters", params);
        }
        if (pg.has("pg_hba")) {
            List<String> hba = new ArrayList<>();
            pg.get("pg_hba").forEach(x -> hba.add(x.asText()));
            out.put("pg_hba", hba);
        }
        List<String> shell = new ArrayList<>();
        for (String k : List.of("archive_command", "restore_command", "archive_cleanup_command", "recovery_end_command")) {
            if (params.containsKey(k)) {
                shell.add(k);
            }
        }
        if (!shell.isEmpty()) {
            out.put("allow_shell_parameters", shell);
        }
        pg.fieldNames().forEachRemaining(k -> {
            if (!Set.of("bin_dir", "data_dir", "listen", "connect_address", "authentication", "parameters", "pg_hba")
                    .contains(k)) {
                String key = "postgresql." + k;
                notes.add(key + ": " + (NOT_NEEDED.contains(key) ? "not needed: Meridian writes its own passfile and "
                        + "connects over TCP" : "not carried over: " + postgresqlReason(k)));
            }
        });
        return out;
    }

    private static String postgresqlReason(String key) {
        return switch (key) {
            case "config_dir" -> "Meridian keeps postgresql.conf and its meridian.conf in the data directory";
            case "callbacks" -> "Meridian runs no role-change scripts; watch /metrics or the REST API instead";
            case "create_replica_methods", "basebackup", "recovery_conf" ->
                    "Meridian clones with pg_basebackup through the member's slot";
            case "use_pg_rewind", "remove_data_directory_on_rewind_failure", "remove_data_directory_on_diverged_timelines" ->
                    "Meridian always rewinds a diverged former primary and re-clones when that fails";
            case "pg_ident" -> "Meridian does not render pg_ident.conf; the file in the data directory stays as it is";
            case "custom_conf" -> "include the file from postgresql.parameters or the data directory's postgresql.conf";
            default -> "Meridian has no equivalent";
        };
    }

    private String firstAddress(String key, String listen) {
        // Patroni accepts "addr1,addr2:port"; Meridian's listen is one address.
        int colon = listen.lastIndexOf(':');
        String hosts = colon < 0 ? listen : listen.substring(0, colon);
        String port = colon < 0 ? "5432" : listen.substring(colon + 1);
        String[] each = hosts.split(",");
        if (each.length > 1) {
            notes.add(key + ": Patroni listened on " + hosts + "; Meridian listens on one address, " + each[0].trim());
        }
        return each[0].trim() + ":" + port;
    }

    private Map<String, Object> credentials(JsonNode c, String key, String defaultUser) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", c.path("username").asText(defaultUser));
        if (!c.has("password")) {
            throw new ConfigException(source, key + ".password", "missing: Meridian connects with a password over TCP "
                    + "(give the role one and put it in Patroni's file, or write the node file by hand)");
        }
        out.put("password", c.get("password").asText());
        c.fieldNames().forEachRemaining(k -> {
            if (!Set.of("username", "password").contains(k)) {
                notes.add(key + "." + k + ": not carried over: set TLS between nodes with postgresql.tls");
            }
        });
        return out;
    }

    // ---- restapi and tags ---------------------------------------------------------------------

    private Map<String, Object> restapi(JsonNode r, java.util.function.Supplier<String> password) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("listen", requiredAt(r, "restapi", "listen"));
        putIf(out, "connect_address", r, "connect_address");
        JsonNode auth = r.path("authentication");
        if (auth.has("username") && auth.has("password")) {
            out.put("username", auth.get("username").asText());
            out.put("password", auth.get("password").asText());
        } else {
            out.put("username", "admin");
            out.put("password", password.get());
            notes.add("restapi.authentication: absent: Meridian's mutating endpoints always need one; user admin with a "
                    + "new password was written");
        }
        if (r.has("certfile")) {
            Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("certificate", r.get("certfile").asText());
            tls.put("private_key", r.path("keyfile").asText(r.get("certfile").asText()));
            putIf(tls, "ca_file", r, "cafile");
            out.put("tls", tls);
        }
        r.fieldNames().forEachRemaining(k -> {
            if (!Set.of("listen", "connect_address", "authentication", "certfile", "keyfile", "cafile").contains(k)) {
                notes.add("restapi." + k + ": not carried over: Meridian has no equivalent");
            }
        });
        return out;
    }

    private Map<String, Object> tags(JsonNode t) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (t.has("nofailover")) {
            out.put("nofailover", t.get("nofailover").asBoolean());
        }
        if (t.has("failover_priority")) {
            out.put("failover_priority", t.get("failover_priority").asInt());
        }
        if (t.has("noloadbalance")) {
            out.put("noloadbalance", t.get("noloadbalance").asBoolean());
        }
        t.fieldNames().forEachRemaining(k -> {
            if (!Set.of("nofailover", "failover_priority", "noloadbalance").contains(k)) {
                notes.add("tags." + k + ": not carried over: " + switch (k) {
                    case "clonefrom" -> "Meridian clones from the leader";
                    case "replicatefrom" -> "Meridian's standbys stream from the leader (no cascading)";
                    case "nosync" -> "Meridian's synchronous set is chosen by synchronous_mode and regions";
                    case "nostream" -> "Meridian's standbys always stream";
                    default -> "Meridian has no custom tags";
                });
            }
        });
        return out;
    }

    // ---- bootstrap.dcs ------------------------------------------------------------------------

    /**
     * Patroni's dynamic configuration, as {@code bootstrap.dcs} or the output of
     * {@code patronictl show-config}, in Meridian's keys.
     */
    private Map<String, Object> dcs(JsonNode d, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : List.of("ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover", "primary_start_timeout",
                "member_slots_ttl", "failsafe_mode", "synchronous_node_count")) {
            if (d.has(k)) {
                out.put(k, scalarValue(d.get(k)));
            }
        }
        if (d.has("master_start_timeout") && !d.has("primary_start_timeout")) {
            out.put("primary_start_timeout", scalarValue(d.get("master_start_timeout")));
        }
        if (d.has("synchronous_mode")) {
            String m = d.get("synchronous_mode").asText();
            boolean on = m.equals("true") || m.equals("on") || m.equals("quorum");
            out.put("synchronous_mode", on ? "quorum" : "off");
            if (on && !m.equals("quorum")) {
                notes.add(prefix + ".synchronous_mode: Patroni's single synchronous standby becomes Meridian's quorum "
                        + "mode with synchronous_node_count standbys (ANY n)");
            }
        }
        if (d.has("synchronous_mode_strict")) {
            out.put("synchronous_strict", d.get("synchronous_mode_strict").asBoolean());
        }
        if (d.has("pause")) {
            out.put("paused", d.get("pause").asBoolean());
        }
        JsonNode pg = d.path("postgresql");
        Map<String, Object> params = new LinkedHashMap<>();
        pg.path("parameters").fields().forEachRemaining(f -> {
            if (MANAGED.contains(f.getKey())) {
                notes.add(prefix + ".postgresql.parameters." + f.getKey() + ": not carried over: Meridian sets it from "
                        + "each node's identity and role");
            } else {
                params.put(f.getKey(), scalar(f.getValue()));
            }
        });
        if (!params.isEmpty()) {
            out.put("parameters", params);
        }
        pg.fieldNames().forEachRemaining(k -> {
            if (!k.equals("parameters")) {
                notes.add(prefix + ".postgresql." + k + ": not carried over: " + postgresqlReason(k)
                        .replace("Meridian has no equivalent", k.equals("use_slots") ? "Meridian always uses one slot per member"
                                : "Meridian has no equivalent"));
            }
        });
        for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!out.containsKey(k) && !Set.of("postgresql", "synchronous_mode_strict", "pause", "master_start_timeout").contains(k)) {
                notes.add(prefix + "." + k + ": not carried over: " + switch (k) {
                    case "slots", "ignore_slots" -> "Meridian keeps only its members' physical slots; create others by hand";
                    case "standby_cluster" -> "Meridian does not run standby clusters";
                    case "check_timeline", "max_timelines_history" -> "Meridian always checks timelines and keeps the whole history";
                    default -> "Meridian has no equivalent";
                });
            }
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private String required(JsonNode n, String key) {
        if (!n.hasNonNull(key) || n.get(key).asText().isBlank()) {
            throw new ConfigException(source, key, "missing (Meridian needs it)");
        }
        return n.get(key).asText();
    }

    private String requiredAt(JsonNode n, String section, String key) {
        if (!n.hasNonNull(key) || n.get(key).asText().isBlank()) {
            throw new ConfigException(source, section + "." + key, "missing (Meridian needs it)");
        }
        return n.get(key).asText();
    }

    private static void putIf(Map<String, Object> out, String as, JsonNode n, String key) {
        if (n.hasNonNull(key)) {
            out.put(as, n.get(key).asText());
        }
    }

    /** PostgreSQL parameters as strings: Meridian's parameters are a map of strings. */
    private static String scalar(JsonNode v) {
        return v.isBoolean() ? (v.asBoolean() ? "on" : "off") : v.asText();
    }

    private static Object scalarValue(JsonNode v) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return v.asText();
    }
}
