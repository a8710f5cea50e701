package io.meridian.core.postgres;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Why a standby does not stream, read from its server log. pg_stat_wal_receiver has no error column,
 * and its row is gone while the receiver retries, so the log is the only place PostgreSQL says it:
 * the WAL receiver logs one FATAL line per failed attempt (every wal_retrieve_retry_interval, 5 s).
 *
 * <p>Only the log's tail is read, and only lines after the last one saying the server started or the
 * receiver streamed: an error from before those is history. An error line that has not repeated for
 * {@link #STALE_NANOS} is history too (the receiver got further, or is no longer started). The
 * messages are matched in English: Meridian's initdb sets lc_messages to C.
 */
final class WalReceiverLog {

    /** Three retries at the default wal_retrieve_retry_interval (5 s) without a new line. */
    static final long STALE_NANOS = 15_000_000_000L;
    private static final int TAIL_BYTES = 64 * 1024;

    /** What the WAL receiver (walreceiver.c, libpqwalreceiver.c) says when it gives up an attempt. */
    private static final List<String> RECEIVER_ERRORS = List.of(
            "could not connect to the primary server",
            "could not receive database system identifier",
            "database system identifier differs",
            "highest timeline",
            "could not start WAL streaming",
            "could not receive data from WAL stream",
            "could not send data to WAL stream",
            "could not receive timeline history file",
            "unexpected termination of replication stream",
            "terminating walreceiver due to timeout");
    /** Lines after which an older error no longer explains anything. */
    private static final List<String> RESETS = List.of(
            "started streaming WAL from primary", "restarted WAL streaming", "starting PostgreSQL");

    private final Path log;
    private long lastLength = -1;
    private String lastLine;
    private long lineSeenNanos;
    /** An error episode is under way (since {@code episodeSinceNanos}). */
    private boolean inEpisode;
    private long episodeSinceNanos;

    WalReceiverLog(Path log) {
        this.log = log;
    }

    /** The WAL receiver's current error, or null; {@code nowNanos} from {@link System#nanoTime()}. */
    synchronized PgState.WalReceiverError current(long nowNanos) {
        String line = lastErrorLine(nowNanos);
        if (line == null) {
            inEpisode = false;
            return null;
        }
        String message = message(line);
        boolean connecting = message.startsWith("could not connect to the primary server");
        String reason = reason(message);
        if (!inEpisode) {
            episodeSinceNanos = nowNanos;
        }
        inEpisode = true;
        return new PgState.WalReceiverError(reason, connecting, (nowNanos - episodeSinceNanos) / 1e9);
    }

    /** The receiver streams: whatever it said before is over. */
    synchronized void streaming() {
        inEpisode = false;
    }

    private String lastErrorLine(long nowNanos) {
        List<String> lines = tail();
        String line = lines == null ? lastLine : lastError(lines);
        if (line == null) {
            lastLine = null;
            return null;
        }
        if (!line.equals(lastLine)) {
            lastLine = line; // the log prefix carries a timestamp: a repeated error is a new line
            lineSeenNanos = nowNanos;
        }
        return nowNanos - lineSeenNanos > STALE_NANOS ? null : line;
    }

    /** The log's last 64 KiB as lines, or null when it has not changed since the last read. */
    private List<String> tail() {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length == lastLength) {
                return null;
            }
            lastLength = length;
            long from = Math.max(0, length - TAIL_BYTES);
            byte[] buf = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The last WAL receiver error line after the last reset line, or null. */
    static String lastError(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (RESETS.stream().anyMatch(l::contains)) {
                return null;
            }
            String m = message(l);
            if (m != null && RECEIVER_ERRORS.stream().anyMatch(m::startsWith)) {
                return l;
            }
        }
        return null;
    }

    /** The text after a line's {@code FATAL:} or {@code ERROR:}, or null for other lines. */
    static String message(String line) {
        for (String severity : List.of("FATAL:", "ERROR:")) {
            int at = line.indexOf(severity);
            if (at >= 0) {
                return line.substring(at + severity.length()).strip();
            }
        }
        return null;
    }

    /**
     * The part a reader needs: for a failed connection libpq's own last words ("password
     * authentication failed for user ...", "Connection refused"), else the receiver's message.
     */
    static String reason(String message) {
        String r = message;
        if (r.startsWith("could not connect to the primary server")) {
            int failed = r.lastIndexOf(" failed: ");
            r = failed >= 0 ? r.substring(failed + " failed: ".length())
                    : r.substring(r.indexOf(':') + 1);
        }
        return r.replaceAll("(FATAL|ERROR):\\s+", "").replaceAll("\\s{2,}", " ").strip();
    }
}
