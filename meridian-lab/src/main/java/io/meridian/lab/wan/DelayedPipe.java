package io.meridian.lab.wan;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One direction of one relayed connection: bytes read from {@code source} wait in a FIFO queue
 * until their arrival time, then are written to {@code destination}. Everything runs on the
 * connection's single event loop, so the queue needs no lock and byte order is kept: each chunk's
 * arrival is at least the previous one's, whatever the delay or jitter.
 *
 * <p>A cut stops reading from the source and holds the queue: the sender's kernel buffers fill
 * and its writes block, the receiver hears nothing, as across a real partition where TCP keeps
 * retransmitting. Nothing is dropped from the middle of a stream (a TCP stream never has holes),
 * and nothing is closed: on heal, the held bytes flow and the connection carries on, unless one
 * end gave up meanwhile on its own timeouts, which is exactly what a drill wants to observe.
 */
final class DelayedPipe {

    /** Stop reading the source while this much is queued (bandwidth cap or long delay). */
    private static final long HIGH_WATER = 1 << 20;
    private static final long LOW_WATER = 256 << 10;

    /** A chunk of bytes, or the source's close (data == null), due at {@code arrival}. */
    private record Chunk(ByteBuf data, long arrival) {
    }

    private final Channel source;
    private final Channel destination;
    private final boolean upstream;
    private final LinkShape shape;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long lastArrival;
    private boolean sourceClosed;
    private boolean throttled;
    private ScheduledFuture<?> timer;
    private volatile long forwarded;

    DelayedPipe(Channel source, Channel destination, boolean upstream, LinkShape shape) {
        this.source = source;
        this.destination = destination;
        this.upstream = upstream;
        this.shape = shape;
    }

    void onRead(ByteBuf data) {
        int bytes = data.readableBytes();
        enqueue(new Chunk(data, shape.arrival(upstream, bytes, System.nanoTime())));
        queuedBytes += bytes;
        if (queuedBytes >= HIGH_WATER) {
            throttled = true;
        }
        refresh();
    }

    /** The source closed or failed: the far end learns it after the bytes before it arrive. */
    void onSourceClosed() {
        if (!sourceClosed) {
            sourceClosed = true;
            enqueue(new Chunk(null, System.nanoTime() + shape.delayNanos(upstream)));
            refresh();
        }
    }

    private void enqueue(Chunk chunk) {
        long arrival = Math.max(chunk.arrival, lastArrival);
        lastArrival = arrival;
        queue.add(new Chunk(chunk.data, arrival));
    }

    /** Re-evaluates reading and delivery after a read, a write, a cut, a heal or a writability change. */
    void refresh() {
        boolean cut = shape.isCut(upstream);
        if (throttled && queuedBytes <= LOW_WATER) {
            throttled = false;
        }
        boolean read = !cut && !sourceClosed && !throttled && destination.isWritable();
        if (source.isActive() && source.config().isAutoRead() != read) {
            source.config().setAutoRead(read);
        }
        if (!cut) {
            pump();
        }
    }

    private void pump() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        long now = System.nanoTime();
        boolean wrote = false;
        while (!queue.isEmpty() && queue.peek().arrival <= now && !shape.isCut(upstream)) {
            Chunk chunk = queue.poll();
            if (chunk.data == null) {
                destination.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                discard();
                return;
            }
            int bytes = chunk.data.readableBytes();
            queuedBytes -= bytes;
            forwarded += bytes;
            destination.write(chunk.data);
            wrote = true;
        }
        if (wrote) {
            destination.flush();
        }
        if (!queue.isEmpty()) {
            long wait = queue.peek().arrival - now;
            timer = destination.eventLoop().schedule(this::refresh, Math.max(wait, 0), TimeUnit.NANOSECONDS);
        }
        if (throttled && queuedBytes <= LOW_WATER) {
            refresh();
        }
    }

    /** Drops whatever is still queued (the destination is gone, or the close was delivered). */
    void discard() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        for (Chunk chunk : queue) {
            ReferenceCountUtil.release(chunk.data);
        }
        queue.clear();
        queuedBytes = 0;
    }

    long forwardedBytes() {
        return forwarded;
    }
}
