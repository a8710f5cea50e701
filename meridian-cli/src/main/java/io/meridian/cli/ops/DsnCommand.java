package io.meridian.cli.ops;

import io.meridian.core.console.ClusterTarget;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.config.NodeConfigLoader;
import io.meridian.core.dcs.Dcs;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian dsn [MEMBER]}: a libpq connection string for a member, as {@code patronictl dsn}
 * ({@code psql "$(meridian dsn --role replica)"}). The user comes from the node file, when there is
 * one; the password never: libpq finds it in {@code ~/.pgpass} or {@code $PGPASSWORD}.
 */
@Command(name = "dsn", description = "Print a libpq connection string for a member (the leader by default); no password.")
public final class DsnCommand extends ClusterVerb {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MEMBER", description = "The member (default: by --role).")
    String member;

    @Option(names = {"-r", "--role"}, description = "leader, replica or any (default: leader, or any when MEMBER is given).")
    String role;

    @Override
    int run(ClusterTarget target, Dcs dcs) {
        Cluster c = requireInitialized(target, load(target, dcs));
        Member m = MemberChoice.pick(c, member, role);
        out().println(dsn(m, superuser(clusterOptions.nodeFile())));
        out().flush();
        return 0;
    }

    static String dsn(Member m, NodeConfig.Credentials who) {
        StringBuilder s = new StringBuilder("host=").append(m.host()).append(" port=").append(m.port());
        if (who != null && who.username() != null) {
            s.append(" user=").append(who.username()).append(" dbname=postgres");
        }
        return s.toString();
    }

    /** The node file's PostgreSQL superuser, or null without a readable node file. */
    static NodeConfig.Credentials superuser(Path nodeFile) {
        if (nodeFile == null) {
            return null;
        }
        try {
            return NodeConfigLoader.load(nodeFile).postgresql().superuser();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
