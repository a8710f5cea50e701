package io.meridian.core.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether cluster {@code parameters} may be written, before they reach etcd: a value
 * PostgreSQL refuses stops every node at its next restart, and a managed one is silently ignored.
 * Pure: the server's {@code pg_settings} comes in as a snapshot ({@link PgSettings} reads it).
 */
public final class ParameterValidator {

    /**
     * Settings whose value is a shell command (or runs one): whoever can write {@code /config}
     * would run commands as the postgres user on every node. Allowed only where a node file says
     * so ({@code postgresql.allow_shell_parameters}).
     */
    public static final Set<String> SHELL = Set.of("archive_command", "restore_command", "archive_cleanup_command",
            "recovery_end_command", "ssl_passphrase_command");

    /** Set by Meridian itself, or files only the node decides: the reason is the refusal. */
    public static final Map<String, String> MANAGED = Map.ofEntries(
            Map.entry("listen_addresses", "set from the node file's postgresql.listen"),
            Map.entry("port", "set from the node file's postgresql.listen"),
            Map.entry("unix_socket_directories", "set by Meridian next to the data directory"),
            Map.entry("cluster_name", "set to the member name by Meridian"),
            Map.entry("primary_conninfo", "set by Meridian to follow the leader"),
            Map.entry("primary_slot_name", "set by Meridian to follow the leader"),
            Map.entry("recovery_target_timeline", "set by Meridian to follow the leader"),
            Map.entry("synchronous_standby_names", "set by Meridian from synchronous_mode"),
            Map.entry("logging_collector", "Meridian reads the server log pg_ctl writes"),
            Map.entry("hot_standby", "Meridian's standbys must answer queries (health checks, lag)"),
            Map.entry("data_directory", "the node file's postgresql.data_dir decides it"),
            Map.entry("config_file", "Meridian renders the configuration files"),
            Map.entry("hba_file", "the node file's postgresql.pg_hba decides it"),
            Map.entry("ident_file", "Meridian renders the configuration files"));

    /** One row of {@code pg_settings}; {@code enumVals} empty unless {@code vartype} is enum. */
    public record Setting(String name, String vartype, String unit, String minVal, String maxVal, List<String> enumVals) {
        public Setting {
            enumVals = enumVals == null ? List.of() : List.copyOf(enumVals);
        }
    }

    private static final Pattern NUMBER = Pattern.compile("\\s*([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)\\s*([A-Za-z]*)\\s*");
    private static final Map<String, Double> MEMORY = Map.of("B", 1d, "kB", 1024d, "MB", 1024d * 1024,
            "GB", 1024d * 1024 * 1024, "TB", 1024d * 1024 * 1024 * 1024);
    private static final Map<String, Double> TIME = Map.of("us", 0.001, "ms", 1d, "s", 1000d, "min", 60_000d,
            "h", 3_600_000d, "d", 86_400_000d);
    private static final Set<String> BOOLS = Set.of("on", "off", "true", "false", "yes", "no", "1", "0", "t", "f", "y", "n");

    private ParameterValidator() {
    }

    /**
     * The refusals for {@code changed} (name → new value; a null value removes and is always fine),
     * one line each, naming the parameter and why; empty when the change may be written.
     *
     * @param settings     the leader's {@code pg_settings} by name, or null when PostgreSQL could
     *                     not be asked (names and values are then not checked, the rest is)
     * @param allowedShell shell-command settings the node file allows
     */
    public static List<String> refusals(Map<String, String> changed, Map<String, Setting> settings, Set<String> allowedShell) {
        List<String> out = new ArrayList<>();
        changed.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            String why = refusal(name, value, settings, allowedShell);
            if (why != null) {
                out.add("parameters." + name + ": " + why);
            }
        });
        return out;
    }

    static String refusal(String name, String value, Map<String, Setting> settings, Set<String> allowedShell) {
        String key = name.toLowerCase(Locale.ROOT);
        if (MANAGED.containsKey(key)) {
            return "managed by Meridian (" + MANAGED.get(key) + ")";
        }
        if (SHELL.contains(key) && !allowedShell.contains(key)) {
            return "runs a shell command on every node: refused unless the node files list it in "
                    + "postgresql.allow_shell_parameters";
        }
        if ("wal_level".equals(key) && !Set.of("replica", "logical").contains(value.toLowerCase(Locale.ROOT))) {
            return "expected replica or logical (standbys need at least replica), got \"" + value + "\"";
        }
        if (Set.of("max_wal_senders", "max_replication_slots").contains(key) && value.trim().equals("0")) {
            return "expected at least 1: every standby streams through a WAL sender and a slot";
        }
        if (settings == null) {
            return null;
        }
        Setting s = settings.get(key);
        if (s == null) {
            // Custom settings of extensions (a dot in the name) are PostgreSQL's to accept.
            return key.contains(".") ? null : "unknown to PostgreSQL (not in the leader's pg_settings)";
        }
        return valueRefusal(s, value);
    }

    /** What PostgreSQL would say of {@code value} for {@code s}, or null when it would take it. */
    static String valueRefusal(Setting s, String value) {
        String v = value.trim();
        switch (s.vartype()) {
            case "bool" -> {
                return BOOLS.contains(v.toLowerCase(Locale.ROOT)) ? null : "expected on or off, got \"" + value + "\"";
            }
            case "enum" -> {
                return s.enumVals().stream().anyMatch(e -> e.equalsIgnoreCase(v)) ? null
                        : "expected one of " + String.join(", ", s.enumVals()) + ", got \"" + value + "\"";
            }
            case "integer", "real" -> {
                return numberRefusal(s, v, value);
            }
            default -> {
                return null; // string: PostgreSQL's own check hooks are not knowable from here
            }
        }
    }

    private static String numberRefusal(Setting s, String v, String value) {
        String unit = s.unit() == null ? "" : s.unit();
        String expected = "expected " + ("integer".equals(s.vartype()) ? "a whole number" : "a number")
                + (unit.isEmpty() ? "" : " (in " + unit + ", or with a unit such as "
                + (unitTable(unit) == MEMORY ? "MB" : "s") + ")")
                + " from " + s.minVal() + " to " + s.maxVal() + ", got \"" + value + "\"";
        Matcher m = NUMBER.matcher(v);
        if (!m.matches()) {
            return expected;
        }
        double x = Double.parseDouble(m.group(1));
        String given = m.group(2);
        if (!given.isEmpty()) {
            Map<String, Double> table = unitTable(unit);
            if (table == null || !table.containsKey(given)) {
                return expected;
            }
            x = x * table.get(given) / baseSize(unit, table);
        }
        if ("integer".equals(s.vartype())) {
            if (given.isEmpty() && x != Math.rint(x)) {
                return expected;
            }
            x = Math.rint(x);
        }
        if (s.minVal() != null && x < Double.parseDouble(s.minVal()) || s.maxVal() != null && x > Double.parseDouble(s.maxVal())) {
            return expected;
        }
        return null;
    }

    /** The units a value of this setting may carry: memory units for byte-sized ones, time units for durations. */
    private static Map<String, Double> unitTable(String unit) {
        String base = unit.replaceFirst("^\\d+", "");
        return MEMORY.containsKey(base) ? MEMORY : TIME.containsKey(base) ? TIME : null;
    }

    /** Size of the setting's own unit in the table's base ({@code 8kB} is 8192 bytes). */
    private static double baseSize(String unit, Map<String, Double> table) {
        Matcher m = Pattern.compile("(\\d*)(.*)").matcher(unit);
        m.matches();
        double n = m.group(1).isEmpty() ? 1 : Double.parseDouble(m.group(1));
        return n * table.get(m.group(2));
    }
}
