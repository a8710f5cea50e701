package io.meridian.agent;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.config.DynamicConfig;
import io.meridian.core.postgres.PgState;
import io.meridian.core.postgres.PostgresController;
import io.meridian.core.postgres.PostgresException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * On the leader: exactly one physical slot per other member, so a standby in a far region that
 * falls behind still finds its WAL; a slot whose member has been gone longer than
 * {@code member_slots_ttl} is dropped, so a dead standby cannot hold WAL for ever
 * ({@code max_slot_wal_keep_size} bounds it meanwhile).
 */
final class SlotKeeper {

    private final String self;
    private final Map<String, Long> lastSeenMillis = new HashMap<>();

    SlotKeeper(String self) {
        this.self = self;
    }

    void sync(Cluster c, PgState state, DynamicConfig cfg, PostgresController pg) throws PostgresException {
        long now = System.currentTimeMillis();
        Set<String> wanted = new TreeSet<>();
        for (Member m : c.members()) {
            if (!m.name().equals(self)) {
                String slot = PostgresController.slotName(m.name());
                wanted.add(slot);
                lastSeenMillis.put(slot, now);
            }
        }
        Set<String> existing = new HashSet<>();
        Set<String> droppable = new TreeSet<>();
        for (PgState.SlotInfo s : state.slots()) {
            if (!s.physical()) {
                continue;
            }
            existing.add(s.name());
            if (!wanted.contains(s.name()) && !s.active()) {
                // First sight of a slot this leader never saw a member for: start its clock now.
                long seen = lastSeenMillis.computeIfAbsent(s.name(), k -> now);
                if (now - seen > cfg.memberSlotsTtl() * 1000) {
                    droppable.add(s.name());
                }
            }
        }
        // A slot kept for a member that is still within member_slots_ttl stays wanted.
        Set<String> keep = new TreeSet<>(wanted);
        for (String name : existing) {
            if (!droppable.contains(name)) {
                keep.add(name);
            }
        }
        if (!existing.containsAll(wanted) || !droppable.isEmpty()) {
            pg.syncSlots(keep, droppable);
            droppable.forEach(lastSeenMillis::remove);
        }
    }

    Map<String, Lsn> restartLsns(PgState state) {
        Map<String, Lsn> out = new LinkedHashMap<>();
        for (PgState.SlotInfo s : state.slots()) {
            out.put(s.name(), s.restartLsn());
        }
        return out;
    }
}
