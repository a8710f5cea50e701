package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.console.ClusterTarget;
import io.meridian.core.console.TextTable;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.Dcs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meridian query [MEMBER] -c SQL}: runs SQL on a member, as {@code patronictl query}, with the
 * node file's PostgreSQL superuser (or {@code -U} and {@code $PGPASSWORD}), and prints each result
 * as tab-separated values (the default, for scripts) or a table. As with patronictl, {@code -c}
 * here is the SQL: the node file goes before the verb ({@code meridian -c node.yml query ...}) or
 * as {@code --config}.
 */
@Command(name = "query", description = "Run SQL on a member (the leader by default) and print the rows.")
public final class QueryCommand implements Callable<Integer> {

    /** The cluster options without {@code -c}, which is the SQL here. */
    public static final class Selection extends ClusterSelection {
        @Option(names = "--config", paramLabel = "FILE", description = "A node's YAML file (also accepted as -c before the verb).")
        void configFile(Path file) {
            this.config = file;
        }
    }

    static final class Sql {
        @Option(names = {"-c", "--command"}, paramLabel = "SQL", description = "The SQL to run.")
        String command;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "A file of SQL to run ('-' for standard input).")
        Path file;
    }

    @Mixin
    Selection selection;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MEMBER", description = "The member (default: by --role).")
    String member;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Sql sql;

    @Option(names = {"-r", "--role"}, description = "leader, replica or any (default: leader, or any when MEMBER is given).")
    String role;

    @Option(names = {"-U", "--username"}, description = "PostgreSQL user (default: the node file's superuser; "
            + "its password then comes from $PGPASSWORD).")
    String username;

    @Option(names = {"-d", "--dbname"}, defaultValue = "postgres", description = "Database (default: ${DEFAULT-VALUE}).")
    String dbname;

    @Option(names = "--format", defaultValue = "tsv", description = "tsv, pretty, yaml or json (default: ${DEFAULT-VALUE}).")
    TableFormat format;

    @Override
    public Integer call() throws Exception {
        String text = sqlText();
        ClusterTarget target = selection.resolve();
        Member m;
        try (Dcs dcs = target.openReadFirst()) {
            Cluster c = ClusterVerb.requireInitialized(target, ClusterVerb.load(target, dcs));
            m = MemberChoice.pick(c, member, role);
        }
        Properties p = credentials(selection.nodeFile());
        String url = "jdbc:postgresql://" + (m.host().contains(":") ? "[" + m.host() + "]" : m.host()) + ":" + m.port() + "/" + dbname;
        try (Connection conn = DriverManager.getConnection(url, p); Statement st = conn.createStatement()) {
            boolean isResult = st.execute(text);
            while (true) {
                if (isResult) {
                    try (ResultSet rs = st.getResultSet()) {
                        print(rs);
                    }
                } else if (st.getUpdateCount() == -1) {
                    break;
                }
                isResult = st.getMoreResults();
            }
        } catch (SQLException e) {
            throw new CliException(m.name() + " (" + m.hostPort() + "): " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private String sqlText() {
        if (sql.command != null) {
            return sql.command;
        }
        try {
            return sql.file.toString().equals("-") ? new String(System.in.readAllBytes()) : Files.readString(sql.file);
        } catch (IOException e) {
            throw new CliException("--file: cannot read " + sql.file + ": " + e.getMessage(), e);
        }
    }

    /** The user and password to connect with; the password never comes from the command line. */
    Properties credentials(Path nodeFile) {
        Properties p = new Properties();
        NodeConfig.Postgres pg = null;
        if (nodeFile != null) {
            pg = NodeConfigLoader.load(nodeFile).postgresql();
        }
        NodeConfig.Credentials su = pg == null ? null : pg.superuser();
        String user = username != null ? username : su != null && su.username() != null ? su.username() : "postgres";
        String password = su != null && user.equals(su.username()) ? su.password() : System.getenv("PGPASSWORD");
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        if (pg != null && pg.tls() != null && pg.tls().sslmode() != null) {
            pg.tls().libpqOptions().forEach(p::setProperty);
        }
        p.setProperty("connectTimeout", "5");
        p.setProperty("ApplicationName", "meridian query");
        return p;
    }

    private void print(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.add(md.getColumnLabel(i));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        while (rs.next()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= cols.size(); i++) {
                row.put(cols.get(i - 1), rs.getString(i));
            }
            rows.add(row);
        }
        String out;
        if (format == TableFormat.pretty) {
            TextTable t = new TextTable(cols, Set.of());
            rows.forEach(r -> t.row(r.values().stream().map(v -> v == null ? "" : v.toString()).toList()));
            out = t.render(null);
        } else {
            out = format.render(rows, cols);
        }
        spec.commandLine().getOut().print(out);
    }
}
