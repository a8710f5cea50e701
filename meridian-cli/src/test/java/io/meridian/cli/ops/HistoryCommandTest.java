package io.meridian.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.LostTransactions;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.TimelineEvent;
import io.meridian.core.config.DynamicConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code meridian history}'s text: commits lost in a failover are shown under the table, by failover. */
class HistoryCommandTest {

    @Test
    void aLossIsShownWithTheFailoverThatCausedIt() {
        LostTransactions lost = new LostTransactions("paris-1", 1, 2, Lsn.parse("0/3000198"), Lsn.parse("0/3004000"),
                42, 751, 792, Instant.parse("2026-12-06T11:00:01Z").toEpochMilli(),
                Instant.parse("2026-12-06T11:00:04.5Z").toEpochMilli(), List.of("public.orders", "1663/5/16400"),
                "/var/lib/postgresql/15/main.lost/20261206T110010Z-tl1-to-tl2", 0);
        TimelineEvent boot = new TimelineEvent(1, Lsn.ZERO, "bootstrap", 1, "paris-1", null, "paris");
        TimelineEvent failover = new TimelineEvent(2, Lsn.parse("0/3000198"), "failover", 2, "newyork-1", "paris-1",
                "newyork").withLost(lost);
        Cluster c = new Cluster("lab", 10, "7240434620286377512", DynamicConfig.DEFAULTS, 3, null, List.of(), null,
                null, 0, null, 0, List.of(boot, failover));

        String text = HistoryCommand.render(c);

        assertThat(text).contains("| failover  |").endsWith("TL 2 (failover to newyork-1): paris-1 lost 42 commits"
                + " (xids 751-792, 11:00:01-11:00:04 UTC, public.orders, 1663/5/16400) on timeline 1 past 0/3000198,"
                + " saved in /var/lib/postgresql/15/main.lost/20261206T110010Z-tl1-to-tl2\n");
    }

    @Test
    void aHistoryWithoutLossesIsOnlyTheTable() {
        TimelineEvent boot = new TimelineEvent(1, Lsn.ZERO, "bootstrap", 1, "paris-1", null, "paris");
        Cluster c = new Cluster("lab", 10, "7240434620286377512", DynamicConfig.DEFAULTS, 3, null, List.of(), null,
                null, 0, null, 0, List.of(boot));
        assertThat(HistoryCommand.render(c)).doesNotContain("lost").endsWith("+\n");
    }
}
