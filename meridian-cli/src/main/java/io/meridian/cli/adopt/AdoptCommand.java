package io.meridian.cli.adopt;

import io.meridian.core.console.CliException;
import io.meridian.core.config.ConfigException;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.config.PatroniConfigConverter;
import io.meridian.core.postgres.AdoptedDataDirectory;
import io.meridian.core.postgres.LocalPostgres;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meridian adopt}: brings a running PostgreSQL under Meridian without stopping it, from
 * Patroni's node file (one node at a time, see docs/migrating-from-patroni.md) or from a standalone
 * Debian cluster. Writes the node file; with {@code --take-over} (always for a standalone cluster)
 * readies the data directory and, on the primary, claims the cluster's keys in etcd. Start the
 * agent on the node file afterwards: it takes over PostgreSQL as it runs.
 */
@Command(name = "adopt", description = {"Bring a running PostgreSQL under Meridian without restarting it:",
        "from Patroni's node file (--patroni) or a standalone Debian cluster (--pgdata, --config-dir).",
        "Standalone: MERIDIAN_SUPERUSER_PASSWORD and MERIDIAN_REPLICATION_PASSWORD keep the roles' current",
        "passwords; without them, new ones are set and written to the node file."})
public final class AdoptCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--patroni", paramLabel = "FILE", description = "Patroni's node file (patroni.yml).")
        Path patroni;

        @ArgGroup(exclusive = false)
        Standalone standalone;
    }

    static final class Standalone {
        @Option(names = "--pgdata", required = true, paramLabel = "DIR", description = "The running cluster's data directory.")
        Path pgdata;

        @Option(names = "--config-dir", required = true, paramLabel = "DIR",
                description = "Where its postgresql.conf and pg_hba.conf are, e.g. /etc/postgresql/15/main.")
        Path configDir;
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "meridian.yml",
            description = "Node file to write (mode 0600; default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--region", defaultValue = "main", description = "This node's region (default: ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--dynamic", paramLabel = "FILE", description = {"With --patroni: the output of `patronictl show-config`,",
            "the cluster configuration as it is now, instead of bootstrap.dcs."})
    Path dynamic;

    @Option(names = "--take-over", description = {"With --patroni, after Patroni is stopped on this node: ready the data",
            "directory and, on the primary, claim the cluster's keys in etcd."})
    boolean takeOver;

    @Option(names = "--cluster", description = "Standalone: the new cluster's name.")
    String cluster;

    @Option(names = "--name", description = "Standalone: this member's name (default: the host name).")
    String name;

    @Option(names = "--etcd", split = ",", paramLabel = "URL", description = "Standalone: etcd endpoints, e.g. http://10.0.0.1:2379.")
    List<String> etcd;

    @Option(names = "--restapi", defaultValue = "127.0.0.1:8008", paramLabel = "HOST:PORT",
            description = "Standalone: the agent's REST API address (default: ${DEFAULT-VALUE}).")
    String restapi;

    @Option(names = "--connect-address", paramLabel = "HOST:PORT",
            description = "Standalone: the address other nodes reach PostgreSQL at (default: its listen address).")
    String connectAddress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (source.patroni != null) {
            return fromPatroni(out);
        }
        return standalone(out);
    }

    private int fromPatroni(PrintWriter out) throws IOException {
        String text = read(source.patroni);
        PatroniConfigConverter.Result r = dynamic == null
                ? PatroniConfigConverter.convert(source.patroni.toString(), text, region, Secrets::generate)
                : PatroniConfigConverter.convert(source.patroni.toString(), text, region, Secrets::generate,
                        dynamic.toString(), read(dynamic));
        NodeConfig node = write(r.yaml());
        out.println("wrote " + output + " from " + source.patroni);
        for (String note : r.notes()) {
            out.println(note);
        }
        if (!takeOver) {
            out.println("next: stop Patroni on this node, then run this again with --take-over and start the agent");
            out.flush();
            return 0;
        }
        refuseWhileListening(node);
        try {
            AdoptedDataDirectory.running(node.postgresql().dataDir());
            PgState state = observe(node);
            if (state.inRecovery()) {
                // Checked before any file changes: a standby adopted before its leader must be left as it was.
                ClusterClaim.checkStandby(node, state);
            }
            new AdoptedDataDirectory(node).prepare().forEach(out::println);
            if (state.inRecovery()) {
                out.println("standby on timeline " + state.timeline() + ": start the agent; it re-points the WAL receiver "
                        + "at the leader with a reload");
            } else {
                ClusterClaim.forPrimary(node, state).forEach(out::println);
                out.println("primary on timeline " + state.timeline() + ": start the agent; it takes the leader key "
                        + "without restarting PostgreSQL");
            }
        } catch (PostgresException e) {
            throw new CliException(e.getMessage(), e);
        }
        out.flush();
        return 0;
    }

    private int standalone(PrintWriter out) throws IOException {
        Standalone s = source.standalone;
        if (cluster == null || etcd == null || etcd.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--pgdata needs --cluster NAME and --etcd URL[,URL...]");
        }
        Path data = s.pgdata.toAbsolutePath().normalize();
        try {
            AdoptedDataDirectory.Postmaster pm = AdoptedDataDirectory.running(data);
            String listen = pm.listen().isEmpty() ? "localhost" : pm.listen();
            if (connectAddress == null && Set.of("*", "0.0.0.0", "::").contains(listen)) {
                throw new CliException("PostgreSQL listens on " + listen + ": give --connect-address HOST:PORT, the address "
                        + "other nodes reach it at");
            }
            String version = Files.readString(data.resolve("PG_VERSION")).strip();
            String memberName = name != null ? name : java.net.InetAddress.getLocalHost().getHostName().split("\\.")[0];
            Map<String, Object> nodeTree = StandaloneNodeFile.tree(cluster, memberName, region, etcd, data,
                    Path.of("/usr/lib/postgresql", version, "bin"), listen + ":" + pm.port(), connectAddress,
                    AdoptedDataDirectory.hbaRules(s.configDir.resolve("pg_hba.conf")), restapi);
            NodeConfig node = write(StandaloneNodeFile.yaml(nodeTree));
            out.println("wrote " + output + " for " + data + " (pid " + pm.pid() + ", port " + pm.port() + ")");
            AdoptedDataDirectory dir = new AdoptedDataDirectory(node);
            String kept = System.getenv(StandaloneNodeFile.SUPERUSER_PASSWORD);
            if (kept == null || kept.isEmpty()) {
                dir.setSuperuserPassword(pm);
                out.println("set the password of " + node.postgresql().superuser().username() + " (kept in " + output + ")");
            }
            dir.prepareFromConfigDir(s.configDir).forEach(out::println);
            LocalPostgres pg = new LocalPostgres(node);
            pg.ensureReplicationRole();
            out.println("role " + node.postgresql().replication().username() + " may replicate (created if missing)");
            ClusterClaim.forPrimary(node, observe(node)).forEach(out::println);
            out.println("next: start the agent with " + output + "; it takes the leader key without restarting PostgreSQL");
        } catch (PostgresException e) {
            throw new CliException(e.getMessage(), e);
        }
        out.flush();
        return 0;
    }

    /**
     * Patroni still running on this node would rewrite postgresql.conf without Meridian's include,
     * and holds the REST API's port the agent is about to take: its API answering means "not yet".
     */
    private static void refuseWhileListening(NodeConfig node) {
        io.meridian.core.config.HostPort api = node.restapi().connectAddress();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(api.host(), api.port()), 1000);
        } catch (IOException e) {
            return; // nothing listens: Patroni has stopped
        }
        throw new CliException("something still answers on restapi " + api + ": stop Patroni on this node first "
                + "(patronictl pause, then systemctl stop patroni)");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static PgState observe(NodeConfig node) {
        PgState state = new LocalPostgres(node).observe();
        if (!state.running()) {
            throw new CliException("cannot log in to PostgreSQL at " + node.postgresql().listen() + " as "
                    + node.postgresql().superuser().username() + " over TCP: check pg_hba.conf and the password");
        }
        return state;
    }

    /**
     * Writes the node file 0600 (it holds passwords), owned by the PostgreSQL user the agent runs
     * as, and reads it back as the agent will.
     */
    private NodeConfig write(String yaml) throws IOException {
        Path tmp = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, "# Written by meridian adopt; see docs/configuration.md for every key.\n" + yaml);
        Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        NodeConfig node;
        try {
            node = NodeConfigLoader.load(output);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage() + " (fix " + output + " by hand)", e);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            // The agent runs as the PostgreSQL user (deploy/systemd/meridian-agent.service) and must read it.
            Files.setOwner(output, output.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(node.postgresql().osUser()));
        }
        return node;
    }
}
