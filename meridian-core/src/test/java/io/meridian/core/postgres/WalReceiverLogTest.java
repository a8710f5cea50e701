package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalReceiverLogTest {

    private static final String AUTH = "2026-12-06 15:20:01.123 UTC [4242] FATAL:  could not connect to the primary "
            + "server: connection to server at \"127.0.0.1\", port 40001 failed: FATAL:  password authentication "
            + "failed for user \"replicator\"";
    private static final String REFUSED = "2026-12-06 15:20:06.201 UTC [4250] FATAL:  could not connect to the primary "
            + "server: connection to server at \"127.0.0.1\", port 40001 failed: Connection refused";
    private static final String STREAMING = "2026-12-06 15:21:00.000 UTC [4301] LOG:  started streaming WAL from "
            + "primary at 0/3000000 on timeline 2";
    private static final String CLIENT = "2026-12-06 15:21:01.000 UTC [4302] FATAL:  password authentication failed "
            + "for user \"app\"";
    private static final String FORKED = "2026-12-06 15:22:00.000 UTC [4400] FATAL:  could not start WAL streaming: "
            + "ERROR:  requested starting point 0/5000000 on timeline 1 is not in this server's history";

    @Test
    void findsTheReceiversLastErrorAndLibpqsReason() {
        String line = WalReceiverLog.lastError(List.of(STREAMING, AUTH,
                "\tIs the server running on that host and accepting TCP/IP connections?", CLIENT));
        assertThat(line).isEqualTo(AUTH);
        assertThat(WalReceiverLog.reason(WalReceiverLog.message(line)))
                .isEqualTo("password authentication failed for user \"replicator\"");
        assertThat(WalReceiverLog.reason(WalReceiverLog.message(REFUSED))).isEqualTo("Connection refused");
        assertThat(WalReceiverLog.reason(WalReceiverLog.message(FORKED)))
                .isEqualTo("could not start WAL streaming: requested starting point 0/5000000 on timeline 1 is not in this server's history");
    }

    @Test
    void anErrorBeforeStreamingOrAServerStartIsHistory() {
        assertThat(WalReceiverLog.lastError(List.of(AUTH, STREAMING))).isNull();
        assertThat(WalReceiverLog.lastError(List.of(AUTH,
                "2026-12-06 15:23:00.000 UTC [5000] LOG:  starting PostgreSQL 15.8 on x86_64-pc-linux-gnu"))).isNull();
        assertThat(WalReceiverLog.lastError(List.of(CLIENT))).as("a client's failed login is not the receiver's").isNull();
    }

    @Test
    void aConnectionFailureIsMarkedAndTimedAndGoesStaleWhenItStopsRepeating(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("postgresql.log");
        Files.writeString(log, STREAMING + "\n" + REFUSED + "\n");
        WalReceiverLog receiver = new WalReceiverLog(log);
        long t0 = 1_000_000_000_000L;
        PgState.WalReceiverError first = receiver.current(t0);
        assertThat(first.connecting()).isTrue();
        assertThat(first.reason()).isEqualTo("Connection refused");
        Files.writeString(log, AUTH + "\n", StandardOpenOption.APPEND);
        PgState.WalReceiverError later = receiver.current(t0 + 40_000_000_000L);
        assertThat(later.reason()).isEqualTo("password authentication failed for user \"replicator\"");
        assertThat(later.toString()).isEqualTo("password authentication failed for user \"replicator\" (since 40 s)");
        assertThat(receiver.current(t0 + 40_000_000_000L + WalReceiverLog.STALE_NANOS + 1)).isNull();
        Files.writeString(log, FORKED + "\n", StandardOpenOption.APPEND);
        assertThat(receiver.current(t0 + 100_000_000_000L).connecting()).isFalse();
    }
}
