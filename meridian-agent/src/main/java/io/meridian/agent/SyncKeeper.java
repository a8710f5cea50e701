package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.NodeConfig;
import io.meridian.core.dcs.Dcs;
import io.meridian.core.dcs.DcsException;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * On the leader: keeps {@code synchronous_standby_names} and {@code /sync} in step so that every
 * acknowledged commit is on a standby that a failover will find.
 *
 * <p>Modes: {@code quorum} waits for {@code synchronous_node_count} of all streaming standbys
 * ({@code ANY n (...)}); {@code region_quorum} counts only standbys outside the leader's region, so
 * losing the leader's whole region loses no acknowledged commit, and a commit waits for the nearest
 * other region, never the farthest.
 *
 * <p>Safety rule: a commit acknowledged under {@code ANY q (S)} is on q members of S. A failover
 * that sees |S| − q + 1 members of S and promotes the most advanced one finds it. {@code /sync} may
 * therefore list a superset of the active set with a smaller or equal quorum, never less. A change
 * goes: widen {@code /sync} to the union, switch PostgreSQL to the new set, and narrow {@code /sync}
 * only once the new set has confirmed the position at which the switch happened.
 */
final class SyncKeeper {

    /** A name no standby uses: in strict mode with no standby left, commits wait rather than go async. */
    static final String NOBODY = "meridian-no-sync-standby";

    private final NodeConfig node;
    private List<String> active;
    private int activeQuorum = -1;
    private Lsn switchedAt = Lsn.ZERO;
    /** When this node was promoted (monotonic nanos), or 0. */
    private long promotedAtNanos;
    /** Standbys whose agents answered the race that made us leader, or null when no race was run. */
    private Set<String> answeredRace;

    SyncKeeper(NodeConfig node) {
        this.node = node;
    }

    /** Forget what PostgreSQL was set to (after a promotion or restart): the next cycle sets it again. */
    void reset() {
        active = null;
        activeQuorum = -1;
    }

    /**
     * Just promoted: the standbys are re-pointing at us and none streams yet. Counting only those
     * that stream would start the new primary with no synchronous standby, acknowledging commits
     * no other region holds for the seconds they take to reconnect. For one {@code ttl} it counts
     * the standbys it expects back instead, so those first commits wait for one of them: those
     * whose agents answered the race ({@code answered}), when a race made us leader. A standby
     * that died with the old leader still has a member record saying it runs, until its lease
     * ends; put in the set, it would count towards the |S| − q + 1 a next failover must see, and
     * that failover, if this primary died within the lease, would wait for a node that is gone.
     *
     * @param answered standbys that answered over REST before we took the key, or null (a
     *                 switchover or a named failover: no race, member records are all there is)
     */
    void promoted(Set<String> answered) {
        reset();
        promotedAtNanos = System.nanoTime();
        answeredRace = answered == null ? null : Set.copyOf(answered);
    }

    /** @return a sentence when something changed, else null */
    String apply(Cluster c, PgState state, DynamicConfig cfg, Dcs dcs, PostgresController pg)
            throws DcsException, PostgresException {
        boolean on = !"off".equals(cfg.synchronousMode());
        boolean expecting = promotedAtNanos != 0
                && System.nanoTime() - promotedAtNanos < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(cfg.ttlMillis());
        List<String> wanted = on ? candidates(c, state, cfg, node.name(), node.region(), expecting ? Expecting.of(answeredRace) : null) : List.of();
        int quorum = !on ? 0 : cfg.synchronousStrict() ? cfg.synchronousNodeCount()
                : Math.min(cfg.synchronousNodeCount(), wanted.size());
        SyncState rec = c.sync();
        if (!wanted.equals(active) || quorum != activeQuorum) {
            Set<String> union = new TreeSet<>(wanted);
            if (node.name().equals(rec.leader())) {
                union.addAll(rec.members());
            }
            if (active != null) {
                union.addAll(active);
            }
            int q = activeQuorum < 0 ? quorum : Math.min(activeQuorum, quorum);
            if (node.name().equals(rec.leader()) && !rec.members().isEmpty()) {
                q = Math.min(q, rec.quorum());
            }
            SyncState widened = new SyncState(node.name(), List.copyOf(union), q);
            if (!widened.equals(rec) && !dcs.setSync(widened, c.syncVersion())) {
                return "sync set changed in etcd meanwhile; will look again";
            }
            pg.setSynchronousStandbyNames(render(wanted, quorum, cfg.synchronousStrict() && on));
            active = wanted;
            activeQuorum = quorum;
            switchedAt = state.writeLsn();
            return "synchronous_standby_names = '" + render(wanted, quorum, cfg.synchronousStrict() && on) + "' ("
                    + cfg.synchronousMode() + ")";
        }
        SyncState target = new SyncState(node.name(), wanted, quorum);
        if (!target.equals(rec) && confirmed(state, wanted, quorum)) {
            dcs.setSync(target, c.syncVersion());
            return "sync set in etcd narrowed to " + wanted + " (quorum " + quorum + ")";
        }
        return null;
    }

    /** Just promoted: which standbys are expected back (see {@link #promoted}). */
    record Expecting(Set<String> answered) {
        static Expecting of(Set<String> answered) {
            return new Expecting(answered);
        }

        boolean expects(Member m) {
            return m.role() == io.meridian.core.cluster.Role.REPLICA && m.isRunning()
                    && (answered == null || answered.contains(m.name()));
        }
    }

    /**
     * Standbys that may count: promotable, in region_quorum outside our region, and streaming from
     * us now, or, just promoted ({@code expecting} not null), expected back.
     */
    static List<String> candidates(Cluster c, PgState state, DynamicConfig cfg, String self, String selfRegion,
                                   Expecting expecting) {
        Set<String> streaming = new TreeSet<>();
        for (PgState.ReplicaConnection r : state.replicas()) {
            if ("streaming".equals(r.state())) {
                streaming.add(r.applicationName());
            }
        }
        List<String> out = new ArrayList<>();
        for (Member m : c.members()) {
            boolean counts = streaming.contains(m.name()) || (expecting != null && expecting.expects(m));
            if (m.name().equals(self) || !counts || !m.tags().promotable()) {
                continue;
            }
            if ("region_quorum".equals(cfg.synchronousMode()) && selfRegion.equals(m.region())) {
                continue;
            }
            out.add(m.name());
        }
        return out;
    }

    /** At least {@code quorum} of {@code members} flushed past the position of the last switch. */
    private boolean confirmed(PgState state, List<String> members, int quorum) {
        int n = 0;
        for (PgState.ReplicaConnection r : state.replicas()) {
            if (members.contains(r.applicationName()) && r.flushLsn().compareTo(switchedAt) >= 0) {
                n++;
            }
        }
        return n >= quorum;
    }

    static String render(List<String> members, int quorum, boolean strict) {
        if (quorum <= 0) {
            return "";
        }
        List<String> names = members.isEmpty() && strict ? List.of(NOBODY) : members;
        if (names.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("ANY ").append(quorum).append(" (");
        for (int i = 0; i < names.size(); i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(names.get(i).replace("\"", "")).append('"');
        }
        return b.append(')').toString();
    }
}
