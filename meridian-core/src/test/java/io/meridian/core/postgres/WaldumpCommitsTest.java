package io.meridian.core.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Lsn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pg_waldump parser on real PostgreSQL 15 output ({@code waldump/pg15-commits.txt}, run with
 * TZ=UTC as the agent runs it) of: three single-row commits on shop.orders; one transaction that
 * inserts into plain, updates and deletes in shop.orders; one with two subtransactions; one rolled
 * back; a TRUNCATE of plain (a catalog update and a new file); then pg_waldump's closing complaint.
 */
class WaldumpCommitsTest {

    private static WaldumpCommits parse(String resource) throws IOException {
        WaldumpCommits w = new WaldumpCommits();
        try (InputStream in = WaldumpCommitsTest.class.getResourceAsStream(resource)) {
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(w);
        }
        return w;
    }

    @Test
    void everyCommitIsCountedWithItsXidAndTimeAndNoAbort() throws IOException {
        WaldumpCommits w = parse("/waldump/pg15-commits.txt");
        assertThat(w.commits()).extracting(WaldumpCommits.Commit::xid).containsExactly(725L, 726L, 727L, 728L, 729L, 733L);
        assertThat(w.commits().get(0).at()).isEqualTo(Instant.parse("2026-12-06T15:10:31.279614Z"));
        assertThat(w.commits().get(5).at()).isEqualTo(Instant.parse("2026-12-06T15:10:31.772275Z"));
        assertThat(w.commits().get(0).lsn()).isEqualTo(Lsn.parse("0/01529930"));
        assertThat(w.lastLsn()).isEqualTo(Lsn.parse("0/01529F18"));
    }

    @Test
    void relationsAreThoseTheCommittedTransactionsAndTheirSubtransactionsChanged() throws IOException {
        WaldumpCommits w = parse("/waldump/pg15-commits.txt");
        // 1259 is pg_class (TRUNCATE), 16385 shop.orders, 16392 plain before the TRUNCATE gave it 16395;
        // indexes (16390) are not listed, and 16395 was only created, never written by a heap record.
        assertThat(w.relations()).extracting(WaldumpCommits.RelFile::key)
                .containsExactly("1663/5/1259", "1663/5/16385", "1663/5/16392");
        assertThat(w.relations()).noneMatch(WaldumpCommits.RelFile::createdInWal);
    }

    @Test
    void aRelationCreatedInTheDumpedWalIsFlagged() {
        WaldumpCommits w = new WaldumpCommits();
        List.of("rmgr: Storage     len (rec/tot):     42/    42, tx:        740, lsn: 0/03000100, prev 0/030000C8, desc: CREATE base/5/16400",
                "rmgr: Heap        len (rec/tot):     59/    59, tx:        740, lsn: 0/03000130, prev 0/03000100, desc: INSERT+INIT off 1 flags 0x00, blkref #0: rel 1663/5/16400 blk 0",
                "rmgr: Transaction len (rec/tot):     34/    34, tx:        740, lsn: 0/03000170, prev 0/03000130, desc: COMMIT 2026-12-06 15:10:31.5 UTC")
                .forEach(w);
        assertThat(w.relations()).containsExactly(new WaldumpCommits.RelFile(1663, 5, 16400, true));
        assertThat(w.commits().get(0).at()).isEqualTo(Instant.parse("2026-12-06T15:10:31.5Z"));
    }

    @Test
    void outputWithoutRecordsGivesNothing() {
        WaldumpCommits w = new WaldumpCommits();
        w.accept("pg_waldump: error: could not find file \"000000010000000000000003\": No such file or directory");
        assertThat(w.commits()).isEmpty();
        assertThat(w.relations()).isEmpty();
        assertThat(w.lastLsn()).isNull();
    }

    @Test
    void timesInOtherZonesAreRead() {
        assertThat(WaldumpCommits.instant("2026-12-06 16:10:31.279614", "CET"))
                .isEqualTo(Instant.parse("2026-12-06T15:10:31.279614Z"));
        assertThat(WaldumpCommits.instant("2026-12-06 17:10:31", "+02")).isEqualTo(Instant.parse("2026-12-06T15:10:31Z"));
        assertThat(WaldumpCommits.instant("garbage", "UTC")).isNull();
    }
}
