package io.meridian.core.postgres;

import io.meridian.core.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readies a data directory that another tool made and whose PostgreSQL is running (Patroni's, or a
 * Debian {@code pg_createcluster} cluster) for Meridian's agent, without stopping PostgreSQL: the
 * agent must then find what it finds in a directory it made itself, i.e. a postgresql.conf that
 * includes {@code meridian.conf}, the passfile and socket folder beside the data directory, and a
 * superuser it can log in as over TCP. Nothing here restarts or reloads PostgreSQL.
 */
public final class AdoptedDataDirectory {

    /** Settings of a Debian postgresql.conf that name the files of /etc/postgresql; Meridian's live in the data directory. */
    private static final Set<String> PATH_SETTINGS = Set.of("data_directory", "hba_file", "ident_file", "external_pid_file");
    private static final Pattern SETTING = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*=?\\s*(.*)$");
    private static final Pattern INCLUDE = Pattern.compile("^(\\s*(?:include|include_if_exists|include_dir)\\s*=?\\s*)'([^']*)'(.*)$");

    /**
     * What postmaster.pid says about the running server (see PostgreSQL's pidfile.h: pid, data
     * directory, start time, port, socket directory, listen address, shared memory key, status).
     */
    public record Postmaster(long pid, int port, Path socketDir, String listen) {
    }

    private final NodeConfig.Postgres pg;
    private final NodeFiles files;
    private final OsUser os;

    public AdoptedDataDirectory(NodeConfig node) {
        this.pg = node.postgresql();
        this.files = NodeFiles.of(pg.dataDir(), node.name(), pg.listen().port());
        this.os = new OsUser(pg.osUser());
    }

    /** The running postmaster of {@code dataDir}; an error when none runs, since adoption keeps it running. */
    public static Postmaster running(Path dataDir) throws PostgresException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        } catch (IOException e) {
            throw new PostgresException(dataDir + ": no running PostgreSQL (cannot read " + pidFile + ": " + e.getMessage()
                    + "); start it first, adoption keeps it running");
        }
        if (lines.size() < 6 || !lines.get(0).trim().matches("\\d+")) {
            throw new PostgresException(pidFile + ": expected PostgreSQL's postmaster.pid, got " + lines.size() + " lines");
        }
        long pid = Long.parseLong(lines.get(0).trim());
        if (!Files.exists(Path.of("/proc", Long.toString(pid)))) {
            throw new PostgresException(pidFile + ": names pid " + pid + ", which is not running; start PostgreSQL first");
        }
        String socket = lines.get(4).trim();
        return new Postmaster(pid, Integer.parseInt(lines.get(3).trim()), socket.isEmpty() ? null : Path.of(socket),
                lines.get(5).trim());
    }

    /** The rules of a pg_hba.conf, comments and blank lines left out: what the node file's {@code pg_hba} carries on. */
    public static List<String> hbaRules(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String rule = line.replaceFirst("#.*$", "").strip().replaceAll("\\s+", " ");
            if (!rule.isEmpty()) {
                out.add(rule);
            }
        }
        return out;
    }

    /**
     * Socket folder, log and passfile beside the data directory, and the include of meridian.conf
     * at the end of the data directory's postgresql.conf (Patroni's, rewritten by Patroni at each of
     * its starts: run this after Patroni has stopped). Returns what was done, one line each.
     */
    public List<String> prepare() throws PostgresException {
        List<String> done = new ArrayList<>();
        new DataDirectory(files, os).prepareRuntime(pg.replication(), pg.superuser());
        done.add("wrote the passfile " + files.passfile() + " and the socket folder " + files.socketDir());
        Path conf = files.data().resolve("postgresql.conf");
        if (appendOnce(conf, ConfigRenderer.INCLUDE_LINE)) {
            done.add("appended " + ConfigRenderer.INCLUDE_LINE + " to " + conf);
        }
        return done;
    }

    /**
     * A Debian cluster keeps its configuration in {@code configDir}: copies postgresql.conf (less the
     * settings naming /etc paths, its includes made absolute) and pg_ident.conf into the data
     * directory, so that the agent's {@code pg_ctl start -D} finds them; points the running
     * postmaster's own postgresql.conf at meridian.conf so a reload sees Meridian's settings; and
     * sets start.conf to manual so that the postgresql service no longer starts it.
     */
    public List<String> prepareFromConfigDir(Path configDir) throws PostgresException {
        List<String> done = new ArrayList<>();
        Path source = configDir.resolve("postgresql.conf");
        try {
            StringBuilder copy = new StringBuilder("# Copied by meridian adopt from " + source
                    + "; the settings naming files under " + configDir + " are left out.\n");
            for (String line : Files.readAllLines(source)) {
                copy.append(dataDirLine(line, configDir)).append('\n');
            }
            copy.append(ConfigRenderer.INCLUDE_LINE).append('\n');
            os.writeFile(files.data().resolve("postgresql.conf"), copy.toString(), "rw-------");
            done.add("copied " + source + " into " + files.data() + ", ending with " + ConfigRenderer.INCLUDE_LINE);
            Path ident = configDir.resolve("pg_ident.conf");
            if (Files.exists(ident)) {
                os.writeFile(files.data().resolve("pg_ident.conf"), Files.readString(ident), "rw-------");
                done.add("copied " + ident + " into " + files.data());
            }
            String live = "include_if_exists = '" + files.meridianConf() + "'";
            if (appendOnce(source, live)) {
                done.add("appended " + live + " to " + source + " (the running server's own file, read at each reload)");
            }
            Path start = configDir.resolve("start.conf");
            if (Files.exists(start)) {
                Files.writeString(start, "# Started by Meridian's agent since meridian adopt.\nmanual\n");
                done.add("set " + start + " to manual: the postgresql service no longer starts this cluster");
            }
        } catch (IOException e) {
            throw new PostgresException("adopt the configuration of " + configDir + ": " + e.getMessage(), e);
        }
        done.addAll(prepare());
        return done;
    }

    /** One line of /etc's postgresql.conf as the data directory's copy holds it. */
    static String dataDirLine(String line, Path configDir) {
        Matcher m = SETTING.matcher(line);
        if (m.matches() && PATH_SETTINGS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
            return "#" + line + "    # left out by meridian adopt";
        }
        Matcher inc = INCLUDE.matcher(line);
        if (!inc.matches()) {
            return line;
        }
        Path target = configDir.resolve(inc.group(2));
        if (!inc.group(1).strip().startsWith("include_dir")) {
            return inc.group(1) + "'" + target + "'" + inc.group(3);
        }
        // The folder's files are inlined: include_dir of a folder that a clone's host lacks stops
        // PostgreSQL from starting, and the data directory travels to other hosts with pg_basebackup.
        StringBuilder out = new StringBuilder("#" + line + "    # inlined below by meridian adopt");
        try (var list = Files.list(target)) {
            for (Path f : list.filter(x -> x.getFileName().toString().endsWith(".conf")
                    && !x.getFileName().toString().startsWith(".")).sorted().toList()) {
                out.append("\n# from ").append(f).append('\n').append(Files.readString(f).stripTrailing());
            }
        } catch (IOException e) {
            out.append("\n# (").append(target).append(" could not be read: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }

    /**
     * Gives the superuser the node file's password, through the running server's Unix socket as
     * the OS user (Debian's {@code local all postgres peer}): a Debian cluster's postgres role has
     * none, and the agent logs in over TCP. Only the SCRAM verifier, hashed here, reaches the
     * server, in a 0600 file rather than on a command line.
     */
    public void setSuperuserPassword(Postmaster pm) throws PostgresException {
        if (pm.socketDir() == null) {
            throw new PostgresException(files.data() + ": PostgreSQL listens on no Unix socket; set the superuser's "
                    + "password yourself and run adopt again");
        }
        Path sql = files.home().resolve("." + files.data().getFileName() + ".adopt.sql");
        try {
            os.writeFile(sql, org.postgresql.util.PasswordUtil.genAlterUserPasswordSQL(pg.superuser().username(),
                    pg.superuser().password().toCharArray(), "scram-sha-256") + ";\n", "rw-------");
            PgCommand.Result r = new PgCommand(os, System.getenv()).run(List.of(pg.bin("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-h", pm.socketDir().toString(), "-p", Integer.toString(pm.port()), "-U", pg.superuser().username(),
                    "-d", "postgres", "-f", sql.toString()), Duration.ofSeconds(30));
            if (!r.ok()) {
                throw r.failure("set the password of " + pg.superuser().username());
            }
        } catch (IOException | java.sql.SQLException e) {
            throw new PostgresException("set the password of " + pg.superuser().username() + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(sql);
            } catch (IOException ignored) {
                // holds a verifier only, mode 0600
            }
        }
    }

    /** Appends {@code line} unless the file already holds it; true when appended. */
    private boolean appendOnce(Path file, String line) throws PostgresException {
        try {
            String text = Files.readString(file);
            if (text.lines().anyMatch(l -> l.strip().equals(line))) {
                return false;
            }
            Files.writeString(file, (text.endsWith("\n") || text.isEmpty() ? "" : "\n") + line + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            return true;
        } catch (IOException e) {
            throw new PostgresException("append to " + file + ": " + e.getMessage(), e);
        }
    }
}
