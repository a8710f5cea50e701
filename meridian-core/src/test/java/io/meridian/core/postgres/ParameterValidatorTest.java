package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.postgres.ParameterValidator.Setting;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which parameter values may be written, over a snapshot of PostgreSQL 15's pg_settings rows. */
class ParameterValidatorTest {

    /** Rows as PostgreSQL 15 reports them (SELECT name, vartype, unit, min_val, max_val, enumvals FROM pg_settings). */
    private static final Map<String, Setting> PG15 = Map.of(
            "shared_buffers", new Setting("shared_buffers", "integer", "8kB", "16", "1073741823", null),
            "work_mem", new Setting("work_mem", "integer", "kB", "64", "2147483647", null),
            "max_connections", new Setting("max_connections", "integer", null, "1", "262143", null),
            "statement_timeout", new Setting("statement_timeout", "integer", "ms", "0", "2147483647", null),
            "checkpoint_completion_target", new Setting("checkpoint_completion_target", "real", null, "0", "1", null),
            "log_statement", new Setting("log_statement", "enum", null, null, null, List.of("none", "ddl", "mod", "all")),
            "fsync", new Setting("fsync", "bool", null, null, null, null),
            "application_name", new Setting("application_name", "string", null, null, null, null),
            "archive_command", new Setting("archive_command", "string", null, null, null, null),
            "wal_level", new Setting("wal_level", "enum", null, null, null, List.of("minimal", "replica", "logical")));

    record Row(String name, String parameter, String value, Set<String> allowedShell, Map<String, Setting> settings,
               String refusal) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        Set<String> none = Set.of();
        return Stream.of(
                new Row("01 a plain memory value with a unit", "shared_buffers", "256MB", none, PG15, null),
                new Row("02 a memory value in the setting's own unit", "shared_buffers", "16384", none, PG15, null),
                new Row("03 a word for a number", "shared_buffers", "lots", none, PG15, "expected a whole number (in 8kB"),
                new Row("04 below the minimum after unit conversion", "shared_buffers", "64kB", none, PG15, "from 16 to 1073741823"),
                new Row("05 a time unit on a memory setting", "work_mem", "5s", none, PG15, "expected a whole number"),
                new Row("06 a fraction of kB on an integer without unit", "work_mem", "64.5", none, PG15, "expected a whole number"),
                new Row("07 a plain integer in range", "max_connections", "200", none, PG15, null),
                new Row("08 above the maximum", "max_connections", "300000", none, PG15, "from 1 to 262143"),
                new Row("09 a unit on a unitless integer", "max_connections", "20MB", none, PG15, "expected a whole number"),
                new Row("10 a time value with its unit", "statement_timeout", "30s", none, PG15, null),
                new Row("11 a real in range", "checkpoint_completion_target", "0.9", none, PG15, null),
                new Row("12 a real out of range", "checkpoint_completion_target", "1.5", none, PG15, "expected a number"),
                new Row("13 an enum value, any case", "log_statement", "DDL", none, PG15, null),
                new Row("14 not one of the enum's values", "log_statement", "everything", none, PG15, "expected one of none, ddl, mod, all"),
                new Row("15 a boolean word", "fsync", "off", none, PG15, null),
                new Row("16 not a boolean", "fsync", "maybe", none, PG15, "expected on or off"),
                new Row("17 a string takes anything", "application_name", "x y z", none, PG15, null),
                new Row("18 a name PostgreSQL does not know", "no_such_param", "1", none, PG15, "unknown to PostgreSQL"),
                new Row("19 an extension's custom setting", "pg_stat_statements.max", "1000", none, PG15, null),
                new Row("20 a managed setting", "port", "5433", none, PG15, "managed by Meridian"),
                new Row("21 managed whatever the case", "Primary_Conninfo", "host=x", none, PG15, "managed by Meridian"),
                new Row("22 a shell command not allowed", "archive_command", "rm -rf /", none, PG15, "allow_shell_parameters"),
                new Row("23 a shell command the node file allows", "archive_command", "cp %p /arch/%f", Set.of("archive_command"), PG15, null),
                new Row("24 another shell setting is still refused", "restore_command", "cp /arch/%f %p", Set.of("archive_command"), PG15, "shell command"),
                new Row("25 wal_level below replica", "wal_level", "minimal", none, PG15, "replica or logical"),
                new Row("26 wal_level logical", "wal_level", "logical", none, PG15, null),
                new Row("27 no WAL senders", "max_wal_senders", "0", none, PG15, "at least 1"),
                new Row("28 without pg_settings: names pass", "no_such_param", "1", none, null, null),
                new Row("29 without pg_settings: managed still refused", "hot_standby", "off", none, null, "managed by Meridian"),
                new Row("30 without pg_settings: shell still refused", "ssl_passphrase_command", "echo x", none, null, "shell command")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(Row row) {
        List<String> refusals = ParameterValidator.refusals(Map.of(row.parameter(), row.value()), row.settings(), row.allowedShell());
        if (row.refusal() == null) {
            assertThat(refusals).isEmpty();
        } else {
            assertThat(refusals).singleElement().asString().startsWith("parameters." + row.parameter() + ": ")
                    .contains(row.refusal());
        }
    }
}
