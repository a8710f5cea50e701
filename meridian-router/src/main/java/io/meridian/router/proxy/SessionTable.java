package io.meridian.router.proxy;

import io.meridian.router.route.Backend;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every relayed connection, by server: for least-connections choice, for closing the read-write
 * connections of a server that no longer leads, and for routing a CancelRequest to the server
 * that issued the key.
 */
public final class SessionTable {

    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> perNode = new ConcurrentHashMap<>();
    private final Map<Long, Backend> cancelKeys = new ConcurrentHashMap<>();

    void add(Session s) {
        sessions.add(s);
        perNode.computeIfAbsent(s.backend.node(), k -> new AtomicInteger()).incrementAndGet();
    }

    void remove(Session s) {
        if (sessions.remove(s)) {
            perNode.get(s.backend.node()).decrementAndGet();
            Long key = s.cancelKey;
            if (key != null) {
                cancelKeys.remove(key, s.backend);
            }
        }
    }

    void cancelKey(Session s, long key) {
        s.cancelKey = key;
        cancelKeys.put(key, s.backend);
    }

    Backend cancelTarget(long key) {
        return cancelKeys.get(key);
    }

    public int connections(String node) {
        AtomicInteger n = perNode.get(node);
        return n == null ? 0 : n.get();
    }

    public int size() {
        return sessions.size();
    }

    /**
     * Closes every read-write connection whose server is not {@code leaderAddress} (null: no
     * leader, close them all), telling each client why. Returns how many were closed.
     */
    public int closeReadWriteExcept(String leaderNode, String leaderAddress) {
        int closed = 0;
        for (Session s : sessions) {
            if (s.port == PortKind.RW && !isLeader(s.backend, leaderNode, leaderAddress)) {
                s.closeForLeaderChange("meridian router: " + s.backend.node() + " is no longer the leader ("
                        + (leaderNode == null ? "no leader is known right now" : "the leader is now " + leaderNode)
                        + "); reconnect to reach the new leader");
                closed++;
            }
        }
        return closed;
    }

    static boolean isLeader(Backend b, String leaderNode, String leaderAddress) {
        return leaderNode != null && b.node().equals(leaderNode) && b.address().equals(leaderAddress);
    }
}
