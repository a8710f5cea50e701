package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.agent.HaDecision.Action;
import io.meridian.agent.HaDecision.Kind;
import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.ClusterStatus;
import io.meridian.core.cluster.Leader;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.core.cluster.SyncState;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.config.DynamicConfigParser;
import io.meridian.core.failover.Candidate;
import io.meridian.core.postgres.PgState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HA cycle's decision as a table: each row names a situation (I am paris-1), the action
 * the loop takes and key words of its reason. Steps (renew, probe, fork check, failsafe) are
 * rows of their own: a row that fills the step's outcome in shows the decision taken after it.
 */
class HaDecisionTest {

    private static final long S = 1_000_000_000L;
    private static final long NOW = 10_000 * S;
    private static final long NOW_MS = 1_800_000_000_000L;
    private static final long MB = 1024 * 1024;
    private static final Lsn AT = new Lsn(100 * MB);
    private static final String SYSID = "7240434620286377512";

    // ---- the world ---------------------------------------------------------------------------

    private static Member member(String name, String region, Role role, long timeline, Lsn lsn, String replication) {
        return new Member(name, region, role, "running", timeline, role == Role.PRIMARY ? lsn : Lsn.ZERO,
                role == Role.PRIMARY ? Lsn.ZERO : lsn, role == Role.PRIMARY ? Lsn.ZERO : lsn, replication, 0,
                "127.0.0.1", 5432, "http://127.0.0.1:8008", MemberTags.DEFAULT, 0);
    }

    private static PgState primaryPg(long timeline) {
        return new PgState(true, false, timeline, AT, Lsn.ZERO, Lsn.ZERO, false, null, -1, false, SYSID,
                List.of(), List.of(), 0);
    }

    private static PgState standbyPg(long timeline, Lsn replayed, boolean streaming) {
        return new PgState(true, true, timeline, Lsn.ZERO, replayed, replayed, streaming, null, 0, false, SYSID,
                List.of(), List.of(), 0);
    }

    private static DynamicConfig config(String json) {
        return DynamicConfigParser.merge("test", DynamicConfig.DEFAULTS, json);
    }

    private static Candidate peer(String name, String region, Lsn lsn) {
        return new Candidate(name, region, MemberTags.DEFAULT, true, true, 1, lsn, true, true);
    }

    /** One situation, built from a healthy default: paris-1 leads a three-region cluster on timeline 1. */
    static final class Case {
        String leader = "paris-1";
        DynamicConfig cfg = DynamicConfig.DEFAULTS;
        List<Member> members = new ArrayList<>(List.of(
                member("paris-1", "paris", Role.PRIMARY, 1, AT, null),
                member("newyork-1", "newyork", Role.REPLICA, 1, AT, "streaming"),
                member("tokyo-1", "tokyo", Role.REPLICA, 1, AT, "streaming")));
        List<TimelineEvent> history = List.of(new TimelineEvent(1, Lsn.ZERO, "bootstrap", 0, "paris-1", null, "paris"));
        SwitchoverRequest switchover;
        SyncState sync;
        long statusTimeline = 1;
        String systemId = SYSID;
        String etcdError;
        boolean clusterKnown = true;
        boolean configValid = true;
        boolean hadValidConfig = true;
        boolean task;
        boolean hasData = true;
        PgState pg = primaryPg(1);
        boolean postmasterAlive;
        String following = "paris-1";
        long lastStreamed;
        long followingSince = NOW - 60 * S;
        long noLeaderSince;
        long primaryDownSince;
        long notAnsweringSince;
        boolean fenceArmed = true;
        long fenceRemaining = 4000;
        String failsafeLeader;
        Boolean renewed;
        Boolean failsafeAnswers;
        List<Candidate> peers;
        HaDecision.Fork fork;

        Case with(Consumer<Case> change) {
            change.accept(this);
            return this;
        }

        /** I am a streaming standby of paris-1 (newyork-1 stays as is; tokyo-1's record is mine). */
        Case standby() {
            pg = standbyPg(1, AT, true);
            lastStreamed = NOW - S;
            fenceArmed = false;
            return this;
        }

        /** The leader key is gone (paris-1, the last leader, died) and I am a standby. */
        Case leaderless() {
            standby();
            leader = null;
            members.removeIf(m -> m.name().equals("paris-1"));
            history = List.of(new TimelineEvent(1, Lsn.ZERO, "bootstrap", 0, "london-1", null, "london"));
            noLeaderSince = NOW - 2 * S;
            return this;
        }

        HaDecision.Inputs inputs() {
            Cluster c = clusterKnown ? new Cluster("lab", 10, systemId, cfg, 3,
                    leader == null ? null : new Leader(leader, 9, 1), members, new ClusterStatus(AT, statusTimeline,
                    Map.of()), switchover, 5, sync, 0, history) : null;
            var memory = new HaDecision.Memory(following, lastStreamed, followingSince, noLeaderSince,
                    new HaDecision.Timers(primaryDownSince, notAnsweringSince));
            return new HaDecision.Inputs("paris-1", "paris", MemberTags.DEFAULT, c, etcdError, configValid,
                    hadValidConfig, task, hasData, pg, postmasterAlive, memory, NOW, NOW_MS, fenceArmed,
                    fenceRemaining, failsafeLeader, renewed, failsafeAnswers, peers, fork);
        }
    }

    private static Case given() {
        return new Case();
    }

    record Row(String name, Case given, Kind kind, String words, Predicate<Action> also) {
        Row(String name, Case given, Kind kind, String words) {
            this(name, given, kind, words, a -> true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // ---- leader with the lease
                new Row("01 leader: renew first, with the cluster's ttl", given(), Kind.RENEW, null,
                        a -> a.<Long>param("ttl") == 6000 && a.<Long>param("margin") == 1000),
                new Row("02 leader renewed: no action", given().with(g -> g.renewed = true), Kind.LEAD,
                        "no action: I am the leader with the lease (0/6400000, timeline 1)"),
                new Row("03 renewal failed: demote at once", given().with(g -> g.renewed = false), Kind.DEMOTE,
                        "lost the leader key (lease expired or taken)"),
                new Row("04 lease about to lapse: still renew, never act on a stale lease",
                        given().with(g -> g.fenceRemaining = 150), Kind.RENEW, null),
                new Row("05 lease about to lapse and the renewal fails: demote",
                        given().with(g -> { g.fenceRemaining = 150; g.renewed = false; }), Kind.DEMOTE, "lost the leader key"),
                new Row("06 ttl changed to 30 s mid-lease: the renewal re-arms the fence with 30 s",
                        given().with(g -> g.cfg = config("{\"ttl\": 30, \"loop_wait\": 5, \"retry_timeout\": 10}")),
                        Kind.RENEW, null, a -> a.<Long>param("ttl") == 30_000 && a.<Long>param("margin") == 2700),
                new Row("07 I hold the key but run as a standby: promote",
                        given().with(g -> { g.renewed = true; g.pg = standbyPg(1, AT, false); }), Kind.PROMOTE,
                        "I hold the leader key but was still a standby"),
                new Row("08 switchover naming me as candidate while I lead: clear it",
                        given().with(g -> { g.renewed = true; g.switchover = new SwitchoverRequest("tokyo-1", "paris-1", 0, NOW_MS); }),
                        Kind.CLEAR_SWITCHOVER, "naming me as candidate: I am the leader already"),
                new Row("09 switchover from me: step down", given().with(g -> { g.renewed = true;
                            g.switchover = new SwitchoverRequest("paris-1", "tokyo-1", 0, NOW_MS); }), Kind.STEP_DOWN, null),
                new Row("10 manual failover while I lead: step down", given().with(g -> { g.renewed = true;
                            g.switchover = new SwitchoverRequest(null, "tokyo-1", 0, NOW_MS); }), Kind.STEP_DOWN, null),
                // ---- etcd unreachable
                new Row("11 etcd unreachable, fence armed: keep serving on the lease already renewed",
                        given().with(g -> { g.etcdError = "deadline exceeded"; g.fenceRemaining = 2500; }), Kind.NO_ACTION,
                        "etcd unreachable (deadline exceeded): still leader for 2500 ms on the lease already renewed"),
                new Row("12 etcd unreachable, failsafe on: ask the members first",
                        given().with(g -> { g.etcdError = "down"; g.cfg = config("{\"failsafe_mode\": true}"); }),
                        Kind.ASK_FAILSAFE, null),
                new Row("13 etcd unreachable, failsafe, every member answered: keep the primary, move the fence",
                        given().with(g -> { g.etcdError = "down"; g.cfg = config("{\"failsafe_mode\": true}"); g.failsafeAnswers = true; }),
                        Kind.KEEP_PRIMARY, "failsafe mode, every member answered; keeping the primary",
                        a -> a.<Long>param("ttl") == 6000),
                new Row("14 etcd unreachable, failsafe, a member silent, fence armed: lease time left",
                        given().with(g -> { g.etcdError = "down"; g.cfg = config("{\"failsafe_mode\": true}"); g.failsafeAnswers = false; }),
                        Kind.NO_ACTION, "still leader for 4000 ms"),
                new Row("15 etcd unreachable, failsafe, a member silent, fence run out: stop the primary",
                        given().with(g -> { g.etcdError = "down"; g.cfg = config("{\"failsafe_mode\": true}");
                            g.failsafeAnswers = false; g.fenceArmed = false; }),
                        Kind.STOP_PRIMARY, "demoted, a primary must not outlive its lease"),
                new Row("16 etcd unreachable without failsafe, fence run out: stop the primary",
                        given().with(g -> { g.etcdError = "down"; g.fenceArmed = false; }),
                        Kind.STOP_PRIMARY, "etcd unreachable (down): demoted, a primary must not outlive its lease"),
                new Row("17 etcd unreachable as a standby: nothing to do",
                        given().standby().with(g -> { g.leader = "newyork-1"; g.etcdError = "down"; }),
                        Kind.NO_ACTION, "no action as standby"),
                new Row("18 etcd unreachable before the first read, PostgreSQL stopped",
                        given().with(g -> { g.clusterKnown = false; g.etcdError = "down"; g.fenceArmed = false; g.pg = PgState.STOPPED; }),
                        Kind.NO_ACTION, "no action as stopped node"),
                // ---- an unreadable /config
                new Row("19 config unreadable, never read a valid one, no leader: do not race",
                        given().leaderless().with(g -> { g.configValid = false; g.hadValidConfig = false; }),
                        Kind.NO_ACTION, "never read a valid one: no automatic action"),
                new Row("20 config unreadable, never valid, primary without the key: do not demote",
                        given().with(g -> { g.leader = null; g.configValid = false; g.hadValidConfig = false; g.fenceArmed = false; }),
                        Kind.NO_ACTION, "unreadable"),
                new Row("21 config unreadable, never valid, leader: keep renewing",
                        given().with(g -> { g.configValid = false; g.hadValidConfig = false; }), Kind.RENEW, null),
                new Row("22 config unreadable, never valid, leader renewed: hold the key, change nothing",
                        given().with(g -> { g.configValid = false; g.hadValidConfig = false; g.renewed = true;
                            g.switchover = new SwitchoverRequest("paris-1", "tokyo-1", 0, NOW_MS); }),
                        Kind.NO_ACTION, "holding the leader key; no automatic action"),
                new Row("23 config unreadable, never valid, leader lost the key: no demotion",
                        given().with(g -> { g.configValid = false; g.hadValidConfig = false; g.renewed = false; }),
                        Kind.FORGET, "lost the leader key; no automatic action"),
                new Row("24 config unreadable, never valid, operator task pending: not run",
                        given().standby().with(g -> { g.leader = "newyork-1"; g.following = "newyork-1";
                            g.configValid = false; g.hadValidConfig = false; g.task = true; }),
                        Kind.NO_ACTION, "unreadable"),
                new Row("25 config unreadable after a valid one: decide on the last valid one",
                        given().standby().with(g -> { g.leader = "newyork-1"; g.following = "newyork-1"; g.configValid = false; }),
                        Kind.FORGET, "no action: following newyork-1 (streaming"),
                // ---- maintenance mode
                new Row("26 paused leader: renew", given().with(g -> g.cfg = DynamicConfig.DEFAULTS.withPaused(true)),
                        Kind.RENEW, null),
                new Row("27 paused leader renewed: hold the key, ignore a switchover request",
                        given().with(g -> { g.cfg = DynamicConfig.DEFAULTS.withPaused(true); g.renewed = true;
                            g.switchover = new SwitchoverRequest("paris-1", "tokyo-1", 0, NOW_MS); }),
                        Kind.NO_ACTION, "holding the leader key; no automatic action"),
                new Row("28 paused leader lost the key: no demotion",
                        given().with(g -> { g.cfg = DynamicConfig.DEFAULTS.withPaused(true); g.renewed = false; }),
                        Kind.FORGET, "lost the leader key; no automatic action"),
                new Row("29 paused replica with no leader: no race",
                        given().leaderless().with(g -> g.cfg = DynamicConfig.DEFAULTS.withPaused(true)),
                        Kind.FORGET, "no automatic action (standby)"),
                new Row("30 paused, PostgreSQL down as leader: no restart",
                        given().with(g -> { g.cfg = DynamicConfig.DEFAULTS.withPaused(true); g.leader = "tokyo-1"; g.pg = PgState.STOPPED; }),
                        Kind.FORGET, "PostgreSQL is down; no automatic action"),
                // ---- first checks
                new Row("31 operator task pending: it runs first", given().with(g -> g.task = true), Kind.OPERATOR_TASK, null),
                new Row("32 no data directory: bootstrap or clone", given().with(g -> { g.hasData = false; g.pg = PgState.STOPPED; }),
                        Kind.BOOTSTRAP, null),
                new Row("33 foreign system id: refuse to act", given().with(g -> g.systemId = "6000000000000000001"),
                        Kind.NO_ACTION, "refusing to act: data directory has system id " + SYSID),
                new Row("33b data directory but no /initialize in etcd: refuse to act (adopt first)",
                        given().with(g -> { g.systemId = null; g.leader = null; }),
                        Kind.NO_ACTION, "has no /initialize in etcd; run meridian adopt"),
                // ---- a primary without the key
                new Row("34 primary without key, I was the last leader: take the key back",
                        given().with(g -> g.leader = null), Kind.TAKE_KEY, "took the leader key: I was the last leader"),
                new Row("35 primary without key, not the last leader: demote",
                        given().with(g -> { g.leader = null; g.history = List.of(new TimelineEvent(2, AT, "failover", 0, "tokyo-1", "paris-1", "tokyo")); }),
                        Kind.DEMOTE, "running as primary without the leader key, and I was not the last leader"),
                new Row("36 primary without key, last leader but the cluster moved to a newer timeline: demote",
                        given().with(g -> { g.leader = null; g.statusTimeline = 2; }), Kind.DEMOTE, "not the last leader"),
                new Row("37 primary while another node leads: demote",
                        given().with(g -> g.leader = "tokyo-1"), Kind.DEMOTE, "tokyo-1 holds the leader key"),
                // ---- no leader: the race
                new Row("38 no leader: ask the peers", given().leaderless(), Kind.PROBE_PEERS, null),
                new Row("39 no leader, I rank first: race (catch-up, key, promote)",
                        given().leaderless().with(g -> g.peers = List.of(peer("paris-1", "paris", AT), peer("tokyo-1", "tokyo", AT))),
                        Kind.RACE, "I was the best candidate at 0/6400000 among 2",
                        a -> a.<java.util.Set<String>>param("answered").equals(java.util.Set.of("tokyo-1"))),
                new Row("40 no leader, another ranks first: follow its lead",
                        given().leaderless().with(g -> g.peers = List.of(peer("paris-1", "paris", new Lsn(AT.value() - 10)),
                                peer("tokyo-1", "tokyo", AT))),
                        Kind.NO_ACTION, "no leader: tokyo-1 is the best candidate, following its lead (me: 10 bytes behind"),
                new Row("41 no leader, I stopped streaming long before it vanished: nobody eligible",
                        given().leaderless().with(g -> { g.lastStreamed = NOW - 60 * S;
                            g.peers = List.of(new Candidate("paris-1", "paris", MemberTags.DEFAULT, true, true, 1, AT, false, true)); }),
                        Kind.NO_ACTION, "no leader and no eligible candidate: {paris-1=it was not streaming from the leader}"),
                new Row("42 no leader, the old leader still pings in failsafe mode: no race",
                        given().leaderless().with(g -> { g.cfg = config("{\"failsafe_mode\": true}"); g.failsafeLeader = "london-1"; }),
                        Kind.NO_ACTION, "london-1 answered as leader in failsafe mode within ttl; not racing"),
                new Row("43 sync mode: too few of the synchronous set answer",
                        given().leaderless().with(g -> { g.cfg = config("{\"synchronous_mode\": \"quorum\"}");
                            g.sync = new SyncState("london-1", List.of("newyork-1", "tokyo-1"), 1);
                            g.peers = List.of(peer("paris-1", "paris", AT)); }),
                        Kind.NO_ACTION, "only 0 of the synchronous set"),
                new Row("44 switchover names me though I lag: take over (the old leader shipped everything)",
                        given().leaderless().with(g -> { g.pg = standbyPg(1, new Lsn(AT.value() - 5 * MB), true);
                            g.switchover = new SwitchoverRequest("london-1", "paris-1", 0, NOW_MS - 1000); }),
                        Kind.ACQUIRE_AND_PROMOTE, "I was named by the switchover"),
                new Row("45 manual failover names me but I lag beyond maximum_lag_on_failover: refuse",
                        given().leaderless().with(g -> { g.pg = standbyPg(1, new Lsn(AT.value() - 5 * MB), true);
                            g.switchover = new SwitchoverRequest(null, "paris-1", 0, NOW_MS - 1000); }),
                        Kind.NO_ACTION, "I was asked to take over but may not: 5242880 bytes behind the last leader position (maximum_lag_on_failover"),
                new Row("46 switchover named me but I am on another timeline: refuse even a switchover",
                        given().leaderless().with(g -> { g.statusTimeline = 2;
                            g.switchover = new SwitchoverRequest("london-1", "paris-1", 0, NOW_MS - 1000); }),
                        Kind.NO_ACTION, "may not: on timeline 1, the cluster is on 2"),
                new Row("47 switchover to a lagging candidate that is not me: wait for it",
                        given().leaderless().with(g -> g.switchover = new SwitchoverRequest("london-1", "tokyo-1", 0, NOW_MS - 1000)),
                        Kind.NO_ACTION, "no leader: waiting for tokyo-1 to take over as requested"),
                new Row("48 a switchover request older than 4 × ttl no longer holds the race back",
                        given().leaderless().with(g -> g.switchover = new SwitchoverRequest("london-1", "tokyo-1", 0, NOW_MS - 30_000)),
                        Kind.PROBE_PEERS, null),
                // ---- another node leads
                new Row("49 a new leader: point PostgreSQL at it",
                        given().standby().with(g -> { g.leader = "tokyo-1"; g.following = "paris-1"; }),
                        Kind.FOLLOW, "now following tokyo-1 (127.0.0.1:5432)"),
                new Row("50 following and streaming: no action",
                        given().standby().with(g -> { g.leader = "newyork-1"; g.following = "newyork-1"; }),
                        Kind.FORGET, "no action: following newyork-1 (streaming, replayed 0/6400000, 0 bytes behind)"),
                new Row("51 the leader's member record is missing: wait",
                        given().standby().with(g -> g.leader = "lima-1"), Kind.NO_ACTION, "leader lima-1 has no member record yet; waiting"),
                new Row("52 leader on a newer timeline, not streaming for a lease: read the fork",
                        newerTimelineLeader(), Kind.CHECK_FORK, null),
                new Row("53 ... replayed past the fork: stop for the divergence check",
                        newerTimelineLeader().with(g -> g.fork = new HaDecision.Fork(new Lsn(AT.value() - 100))),
                        Kind.STOP_FOR_FORK_CHECK, "stopped PostgreSQL: not streaming from newyork-1 on timeline 2 while I am on 1"),
                new Row("54 ... nothing replayed past the fork: wait for the WAL receiver",
                        newerTimelineLeader().with(g -> g.fork = new HaDecision.Fork(AT)),
                        Kind.FORGET, "waiting for the WAL receiver: not streaming from newyork-1 yet; its timeline 2 forks from my 1 at 0/6400000"),
                new Row("55 ... fork unknown (no history file): stop for the divergence check",
                        newerTimelineLeader().with(g -> g.fork = new HaDecision.Fork(null)),
                        Kind.STOP_FOR_FORK_CHECK, "checking whether my history forked"),
                new Row("56 leader on a newer timeline, quiet for less than ttl + loop_wait: keep waiting",
                        newerTimelineLeader().with(g -> g.lastStreamed = NOW - 3 * S),
                        Kind.FORGET, "no action: following newyork-1 (not streaming"),
                // ---- PostgreSQL down
                new Row("57 PostgreSQL down as leader: renew first",
                        given().with(g -> g.pg = PgState.STOPPED), Kind.RENEW, null),
                new Row("58 PostgreSQL down as leader for 1 s, within primary_start_timeout (3 s): restart in place",
                        given().with(g -> { g.pg = PgState.STOPPED; g.renewed = true; g.primaryDownSince = NOW - S; }),
                        Kind.RESTART_PRIMARY, "restarted the crashed primary in place",
                        a -> a.timers().primaryDownSince() == NOW - S && a.<Double>param("timeout") == 2.0),
                new Row("59 PostgreSQL down as leader for 4 s, past primary_start_timeout: release the key",
                        given().with(g -> { g.pg = PgState.STOPPED; g.renewed = true; g.primaryDownSince = NOW - 4 * S; }),
                        Kind.RELEASE, "released the leader key: PostgreSQL did not come back within primary_start_timeout 3.0 s"),
                new Row("60 PostgreSQL down as leader and the key is lost: rejoin later",
                        given().with(g -> { g.pg = PgState.STOPPED; g.renewed = false; }),
                        Kind.FORGET, "PostgreSQL is down and I lost the leader key; will rejoin as a standby"),
                new Row("61 postmaster alive but silent for 10 s: hold the key",
                        given().with(g -> { g.pg = PgState.STOPPED; g.renewed = true; g.postmasterAlive = true; g.notAnsweringSince = NOW - 10 * S; }),
                        Kind.NO_ACTION, "PostgreSQL primary is not answering though its postmaster lives (10.0 s); holding the key"),
                new Row("62 postmaster alive but silent past max(30 s, 5 × ttl): stop and release",
                        given().with(g -> { g.pg = PgState.STOPPED; g.renewed = true; g.postmasterAlive = true; g.notAnsweringSince = NOW - 31 * S; }),
                        Kind.STOP_AND_RELEASE, "stopped PostgreSQL and released the leader key: it has not answered for 31 s"),
                new Row("63 replica down, a leader to follow: start as its standby (rewind if forked)",
                        given().standby().with(g -> { g.leader = "newyork-1"; g.pg = PgState.STOPPED; }),
                        Kind.START_STANDBY, null, a -> a.<Member>param("leader").name().equals("newyork-1")),
                new Row("64 down, no leader, I was the last one: start as primary",
                        given().with(g -> { g.leader = null; g.pg = PgState.STOPPED; }),
                        Kind.START_PRIMARY, "no leader, and I was the last one"),
                new Row("65 down, no leader, not the last one: wait",
                        given().leaderless().with(g -> g.pg = PgState.STOPPED),
                        Kind.FORGET, "PostgreSQL is down and there is no leader to follow; waiting"),
                new Row("66 down, no leader, a switchover names another: wait for it",
                        given().leaderless().with(g -> { g.pg = PgState.STOPPED;
                            g.switchover = new SwitchoverRequest("london-1", "tokyo-1", 0, NOW_MS); }),
                        Kind.FORGET, "waiting for tokyo-1 to take over as requested"),
                new Row("67 replica's postmaster alive but not answering: wait",
                        given().standby().with(g -> { g.leader = "newyork-1"; g.pg = PgState.STOPPED; g.postmasterAlive = true; }),
                        Kind.FORGET, "PostgreSQL is starting or not answering yet (postmaster alive); waiting")
        ).map(Arguments::of);
    }

    /** newyork-1 leads on timeline 2; I am on 1, not streaming for 20 s. */
    private static Case newerTimelineLeader() {
        return given().standby().with(g -> {
            g.leader = "newyork-1";
            g.following = "newyork-1";
            g.members.set(1, member("newyork-1", "newyork", Role.PRIMARY, 2, AT, null));
            g.pg = standbyPg(1, AT, false);
            g.lastStreamed = NOW - 20 * S;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(Row row) {
        Action a = HaDecision.decide(row.given().inputs());
        assertThat(a.kind()).as(a.reason()).isEqualTo(row.kind());
        if (row.words() != null) {
            assertThat(a.reason()).contains(row.words());
        }
        assertThat(row.also().test(a)).as("params %s timers %s", a.params(), a.timers()).isTrue();
    }
}
