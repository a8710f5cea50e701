package io.meridian.agent.metrics;

import io.meridian.core.postgres.PgState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Watches the primary's replication slots for ones nobody consumes. An inactive slot still pins WAL
 * on the primary's disk until {@code max_slot_wal_keep_size} invalidates it, so a standby that died
 * quietly shows up here long before the disk fills.
 *
 * <p>PostgreSQL 15 does not record when a slot went inactive, so the guard remembers the first cycle
 * it saw each slot inactive; after an agent restart or a failover the count starts again (it can only
 * under-report). Not thread-safe: call from the HA loop.
 */
public final class SlotGuard {

    /** The seed's threshold: a slot inactive for more than 30 minutes. */
    public static final Duration DEFAULT_THRESHOLD = Duration.ofMinutes(30);

    /**
     * A slot inactive for longer than the threshold.
     *
     * @param slot          slot name
     * @param physical      physical (true) or logical slot
     * @param inactiveFor   how long the guard has seen it inactive
     * @param retainedBytes WAL bytes it keeps on the primary
     * @param walStatus     {@code pg_replication_slots.wal_status}
     */
    public record Warning(String slot, boolean physical, Duration inactiveFor, long retainedBytes, String walStatus) {

        /** One line for the log and the dashboard. */
        public String message() {
            return "replication slot " + slot + " inactive for " + inactiveFor.toMinutes() + " min, retaining "
                    + ByteSize.format(retainedBytes) + " of WAL" + (walStatus == null ? "" : " (wal_status " + walStatus + ")");
        }
    }

    private final Clock clock;
    private final Duration threshold;
    private final Map<String, Instant> inactiveSince = new HashMap<>();

    public SlotGuard(Clock clock) {
        this(clock, DEFAULT_THRESHOLD);
    }

    public SlotGuard(Clock clock, Duration threshold) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (threshold == null || threshold.isNegative()) {
            throw new IllegalArgumentException("slot inactivity threshold must be zero or positive, got " + threshold);
        }
        this.threshold = threshold;
    }

    /**
     * Records this cycle's slots and returns one warning per slot inactive longer than the threshold,
     * in the order given. Pass an empty list on a standby: it forgets everything.
     */
    public List<Warning> check(List<PgState.SlotInfo> slots) {
        Instant now = clock.instant();
        Set<String> present = new HashSet<>();
        List<Warning> warnings = new ArrayList<>();
        for (PgState.SlotInfo slot : slots) {
            present.add(slot.name());
            if (slot.active()) {
                inactiveSince.remove(slot.name());
                continue;
            }
            Instant since = inactiveSince.computeIfAbsent(slot.name(), n -> now);
            Duration inactive = Duration.between(since, now);
            if (inactive.compareTo(threshold) > 0) {
                warnings.add(new Warning(slot.name(), slot.physical(), inactive, slot.retainedBytes(), slot.walStatus()));
            }
        }
        inactiveSince.keySet().retainAll(present);
        return warnings;
    }

    /** How long {@code slot} has been seen inactive, empty when active or unknown. */
    public Optional<Duration> inactiveFor(String slot) {
        Instant since = inactiveSince.get(slot);
        return since == null ? Optional.empty() : Optional.of(Duration.between(since, clock.instant()));
    }

    public Duration threshold() {
        return threshold;
    }
}
