package io.meridian.cli.ops;

import io.meridian.core.console.CliException;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.Role;
import java.util.List;
import java.util.Locale;

/**
 * Which member {@code dsn} and {@code query} talk to, as patronictl picks it: the named member
 * (which must have the {@code --role} when one is given), else the first member of that role, the
 * leader when no role is given. Replicas are taken least lagging first.
 */
final class MemberChoice {

    /** Patroni's role words and ours; standby counts as replica. */
    static final List<String> ROLES = List.of("leader", "primary", "replica", "standby", "any");

    private MemberChoice() {
    }

    static Member pick(Cluster c, String member, String role) {
        String r = role == null ? (member == null ? "leader" : "any") : role.toLowerCase(Locale.ROOT);
        if (!ROLES.contains(r)) {
            throw new CliException("--role: expected one of " + String.join(", ", ROLES) + ", got \"" + role + "\"");
        }
        if (member != null) {
            Member m = c.member(member).orElseThrow(() -> new CliException("no member named '" + member
                    + "' is alive (members: " + String.join(", ", c.members().stream().map(Member::name).toList()) + ")"));
            if (!has(c, m, r)) {
                throw new CliException(member + " is not the " + r + " (it is " + MemberTable.role(c, m) + ")");
            }
            return m;
        }
        return MemberTable.ordered(c).stream().filter(m -> has(c, m, r)).findFirst()
                .orElseThrow(() -> new CliException("cluster '" + c.name() + "' has no " + r + " member alive"));
    }

    private static boolean has(Cluster c, Member m, String role) {
        return switch (role) {
            case "leader", "primary" -> c.isLeader(m.name());
            case "replica", "standby" -> !c.isLeader(m.name()) && m.role() == Role.REPLICA;
            default -> true;
        };
    }
}
