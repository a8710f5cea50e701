package io.meridian.lab.wan;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one relay currently does to traffic: per-direction delay and cut, shared jitter and
 * bandwidth. Written by the operator's thread, read by the event loops, hence volatile fields.
 *
 * <p>The bandwidth cap is per direction and shared by every connection through the relay, like a
 * real link: each chunk occupies the link for {@code bytes / rate} after the previous chunk left.
 */
final class LinkShape {

    private volatile long upstreamDelayNanos;
    private volatile long downstreamDelayNanos;
    private volatile long jitterNanos;
    private volatile long bytesPerSecond;
    private volatile boolean upstreamCut;
    private volatile boolean downstreamCut;
    private final AtomicLong upstreamBusyUntil = new AtomicLong();
    private final AtomicLong downstreamBusyUntil = new AtomicLong();

    void delays(long upstreamNanos, long downstreamNanos) {
        this.upstreamDelayNanos = upstreamNanos;
        this.downstreamDelayNanos = downstreamNanos;
    }

    void jitter(long nanos) {
        this.jitterNanos = nanos;
    }

    void bandwidth(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    void cut(boolean upstream, boolean downstream) {
        this.upstreamCut = upstream;
        this.downstreamCut = downstream;
    }

    boolean isCut(boolean upstream) {
        return upstream ? upstreamCut : downstreamCut;
    }

    long delayNanos(boolean upstream) {
        return upstream ? upstreamDelayNanos : downstreamDelayNanos;
    }

    long jitterNanos() {
        return jitterNanos;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * Monotonic time at which {@code bytes} read now arrive at the far end: when the link has
     * finished sending them (bandwidth), plus the propagation delay and a random jitter.
     */
    long arrival(boolean upstream, int bytes, long now) {
        long sentAt = now;
        long rate = bytesPerSecond;
        if (rate > 0) {
            long serialization = bytes * 1_000_000_000L / rate;
            AtomicLong busy = upstream ? upstreamBusyUntil : downstreamBusyUntil;
            sentAt = busy.accumulateAndGet(now, (until, t) -> Math.max(until, t) + serialization);
        }
        long jitter = jitterNanos;
        long random = jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0;
        return sentAt + delayNanos(upstream) + random;
    }
}
