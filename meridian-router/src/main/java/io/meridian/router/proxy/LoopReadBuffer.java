package io.meridian.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Reads into one direct buffer per event loop whenever the previous read's bytes have all been
 * passed on, which is the usual case: {@link RelayHandler} sends what it reads before the loop reads
 * again, and then holds nothing. A read that finds the buffer still referenced (its bytes queued
 * behind a slow peer, or kept by a TLS handler) gets a pooled buffer of the adaptive size instead,
 * so reuse never depends on anyone's timing: reference counts decide.
 *
 * <p>Saves the pool's allocation and release per relayed message, and the same memory serves every
 * message of the loop, so it stays in the CPU cache. Idle connections hold no buffer; each loop
 * holds one of {@value #CAPACITY} bytes (HAProxy's bufsize is 16 KiB per direction per stream).
 */
final class LoopReadBuffer implements RecvByteBufAllocator {

    static final int CAPACITY = 64 * 1024;

    private static final FastThreadLocal<ByteBuf> BUFFER = new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
            return PooledByteBufAllocator.DEFAULT.directBuffer(CAPACITY, CAPACITY);
        }

        @Override
        protected void onRemoval(ByteBuf buf) {
            buf.release();
        }
    };

    private final AdaptiveRecvByteBufAllocator fallback = new AdaptiveRecvByteBufAllocator();

    @Override
    public Handle newHandle() {
        return new ReuseHandle((ExtendedHandle) fallback.newHandle());
    }

    private static final class ReuseHandle extends DelegatingHandle implements ExtendedHandle {

        ReuseHandle(ExtendedHandle sizes) {
            super(sizes);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf own = BUFFER.get();
            if (own.refCnt() == 1) {
                return own.clear().retain();
            }
            return super.allocate(alloc);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
