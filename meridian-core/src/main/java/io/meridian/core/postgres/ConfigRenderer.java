package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders what Meridian owns in a data directory: {@code meridian.conf} (included last from
 * postgresql.conf, so it wins over it; only postgresql.auto.conf, i.e. ALTER SYSTEM, comes later)
 * and {@code pg_hba.conf}. Pure text in, text out; {@link LocalPostgres} writes the files.
 */
final class ConfigRenderer {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigRenderer.class);

    static final String CONF_FILE = "meridian.conf";
    /** Appended to postgresql.conf by initdb(); pg_basebackup and pg_rewind copy it to every node. */
    static final String INCLUDE_LINE = "include_if_exists = '" + CONF_FILE + "'";

    /**
     * The node a standby streams from, and the slot it streams through; a null slot means a
     * temporary one that the WAL receiver creates on the upstream and that dies with the connection
     * (catching up from another standby, where no permanent slot for us exists or should be left).
     */
    record Upstream(String host, int port, String slot) {
    }

    /** Meridian's baseline; cluster then node parameters may override these. */
    private static final Map<String, String> DEFAULTS = orderedMap(
            "wal_level", "logical",               // logical replication can be added without a restart
            "hot_standby", "on",
            "wal_log_hints", "on",                // pg_rewind needs hint-bit changes in WAL (checksums give it too)
            "max_wal_senders", "10",
            "max_replication_slots", "10",
            "wal_keep_size", "256MB",             // a standby that briefly lost its slot can still catch up
            "max_slot_wal_keep_size", "10GB",     // a dead standby's slot cannot fill the primary's disk
            "hot_standby_feedback", "on",
            "wal_receiver_status_interval", "1s", // the primary's view of replay lag stays fresh
            "track_commit_timestamp", "on",
            "logging_collector", "off",           // pg_ctl -l writes the log beside the data directory
            "log_destination", "stderr");

    /** Set from the node's identity and role; cluster or node parameters cannot override them. */
    static final Set<String> MANAGED = Set.of("listen_addresses", "port", "unix_socket_directories", "cluster_name",
            "primary_conninfo", "primary_slot_name", "recovery_target_timeline", "synchronous_standby_names",
            "logging_collector", "hot_standby");

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private ConfigRenderer() {
    }

    /**
     * The effective parameters, in file order: defaults, cluster, node, then managed ones.
     * {@code syncNames} is rendered only on a primary: a standby promoted later must not start
     * waiting for standbys that the HA loop has not chosen for it.
     */
    static Map<String, String> parameters(NodeConfig.Postgres pg, String nodeName, NodeFiles files,
                                          Map<String, String> cluster, Upstream upstream, String syncNames) {
        Map<String, String> out = new LinkedHashMap<>(DEFAULTS);
        for (Map<String, String> layer : List.of(allowedOnly(pg, orEmpty(cluster)), orEmpty(pg.parameters()))) {
            layer.forEach((k, v) -> {
                checkName(k);
                if (!MANAGED.contains(k)) {
                    out.put(k, v);
                }
            });
        }
        out.put("listen_addresses", pg.listen().host());
        out.put("port", Integer.toString(pg.listen().port()));
        out.put("unix_socket_directories", files.socketDir().toString());
        out.put("cluster_name", nodeName);
        out.put("logging_collector", "off");
        out.put("hot_standby", "on");
        if (pg.tls() != null) {
            out.put("ssl", "on");
            out.put("ssl_cert_file", pg.tls().certificate().toString());
            out.put("ssl_key_file", pg.tls().privateKey().toString());
        }
        if (upstream != null) {
            out.put("primary_conninfo", conninfo(upstream, pg.replication().username(), files.passfile().toString(), nodeName,
                    pg.tls()));
            out.put("primary_slot_name", upstream.slot() == null ? "" : upstream.slot());
            if (upstream.slot() == null) {
                // Holds the upstream's WAL for as long as we stream from it, so a restartpoint there
                // cannot recycle a segment we still need; nothing is left behind afterwards.
                out.put("wal_receiver_create_temp_slot", "on");
            }
            out.put("recovery_target_timeline", "latest");
        } else {
            out.put("synchronous_standby_names", syncNames == null ? "" : syncNames);
        }
        return out;
    }

    /**
     * The cluster's parameters less the shell-command ones this node's file does not allow: whoever
     * can write {@code /config} must not thereby run commands on this node. Said in the log and in
     * meridian.conf; the node's own parameters are its operator's and pass.
     */
    private static Map<String, String> allowedOnly(NodeConfig.Postgres pg, Map<String, String> cluster) {
        Map<String, String> out = new LinkedHashMap<>();
        cluster.forEach((k, v) -> {
            if (refusedShell(pg, k)) {
                LOG.warn("not applying cluster parameter {}: it runs a shell command and this node's "
                        + "postgresql.allow_shell_parameters does not list it", k);
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean refusedShell(NodeConfig.Postgres pg, String name) {
        return ParameterValidator.SHELL.contains(name) && !pg.allowShellParameters().contains(name);
    }

    static String meridianConf(NodeConfig.Postgres pg, String nodeName, NodeFiles files, Map<String, String> cluster,
                               Upstream upstream, String syncNames) {
        StringBuilder sb = new StringBuilder("# Written by Meridian before every start and reload; edits here are lost.\n")
                .append("# Change parameters with `meridian edit-config` (cluster) or the node's file.\n");
        List<String> ignored = new ArrayList<>();
        for (Map<String, String> layer : List.of(orEmpty(cluster), orEmpty(pg.parameters()))) {
            layer.keySet().stream().filter(MANAGED::contains).forEach(ignored::add);
        }
        List<String> refused = orEmpty(cluster).keySet().stream().filter(k -> refusedShell(pg, k)).toList();
        if (!refused.isEmpty()) {
            sb.append("# Refused (runs a shell command; not in postgresql.allow_shell_parameters): ")
                    .append(String.join(", ", refused)).append('\n');
        }
        if (!ignored.isEmpty()) {
            sb.append("# Ignored (managed by Meridian): ").append(String.join(", ", ignored)).append('\n');
        }
        parameters(pg, nodeName, files, cluster, upstream, syncNames)
                .forEach((k, v) -> sb.append(k).append(" = ").append(quote(k, v)).append('\n'));
        return sb.toString();
    }

    /** Exactly the configured lines, or Meridian's defaults: peer locally, SCRAM over TCP. */
    static String hba(NodeConfig.Postgres pg) {
        StringBuilder sb = new StringBuilder("# Written by Meridian; set postgresql.pg_hba in the node's file to replace.\n");
        if (pg.pgHba() != null && !pg.pgHba().isEmpty()) {
            pg.pgHba().forEach(line -> sb.append(line).append('\n'));
            return sb.toString();
        }
        String repl = identifier(pg.replication().username());
        // With TLS between nodes, only loopback may log in over plain TCP: every other connection,
        // replication first, must be encrypted (hostssl), so a misconfigured peer fails loudly.
        String remote = pg.tls() != null ? "hostssl" : "host   ";
        return sb.append("local   all          all                     peer\n")
                .append("local   replication  all                     peer\n")
                .append("host    all          all          127.0.0.1/32   scram-sha-256\n")
                .append("host    all          all          ::1/128        scram-sha-256\n")
                .append(remote).append(" replication  ").append(repl).append("  0.0.0.0/0      scram-sha-256\n")
                .append(remote).append(" replication  ").append(repl).append("  ::/0           scram-sha-256\n")
                .append(remote).append(" all          all          0.0.0.0/0      scram-sha-256\n")
                .append(remote).append(" all          all          ::/0           scram-sha-256\n")
                .toString();
    }

    /**
     * The WAL receiver's connection string. connect_timeout and keepalives bound how long a standby
     * keeps talking to a leader that vanished behind a partition; the password comes from passfile.
     */
    static String conninfo(Upstream upstream, String user, String passfile, String applicationName, NodeConfig.Tls tls) {
        return "host=" + connValue(upstream.host()) + " port=" + upstream.port() + " user=" + connValue(user)
                + " passfile=" + connValue(passfile) + " application_name=" + connValue(applicationName)
                + " connect_timeout=2 keepalives=1 keepalives_idle=5 keepalives_interval=2 keepalives_count=3"
                + sslOptions(tls);
    }

    /** libpq's TLS options for a connection to another node, or nothing without TLS. */
    static String sslOptions(NodeConfig.Tls tls) {
        if (tls == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        tls.libpqOptions().forEach((k, v) -> out.append(' ').append(k).append('=').append(connValue(v)));
        return out.toString();
    }

    /** Values of a previously rendered file, to carry the role and sync setting across an agent restart. */
    static Map<String, String> parse(String conf) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*=\\s*'((?:[^']|'')*)'\\s*$").matcher(conf);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("''", "'"));
        }
        return out;
    }

    /** Reads host, port and slot back from a rendered primary_conninfo and primary_slot_name. */
    static Upstream upstreamOf(Map<String, String> rendered) {
        String conninfo = rendered.get("primary_conninfo");
        String slot = rendered.get("primary_slot_name");
        if (conninfo == null) {
            return null;
        }
        Matcher host = Pattern.compile("host=('(?:[^'\\\\]|\\\\.)*'|\\S+)").matcher(conninfo);
        Matcher port = Pattern.compile("port=(\\d+)").matcher(conninfo);
        if (!host.find() || !port.find()) {
            return null;
        }
        String h = host.group(1);
        if (h.startsWith("'")) {
            h = h.substring(1, h.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return new Upstream(h, Integer.parseInt(port.group(1)), slot == null || slot.isEmpty() ? null : slot);
    }

    static String quote(String name, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("PostgreSQL parameter " + name + ": value must be one line");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("PostgreSQL parameter name '" + name + "' is not a valid identifier");
        }
    }

    /** libpq conninfo value: bare when simple, else single-quoted with backslash escapes. */
    private static String connValue(String v) {
        if (!v.isEmpty() && v.matches("[A-Za-z0-9_.:/\\-]+")) {
            return v;
        }
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String identifier(String role) {
        return role.matches("[a-z_][a-z0-9_]*") ? role : "\"" + role.replace("\"", "\"\"") + "\"";
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
