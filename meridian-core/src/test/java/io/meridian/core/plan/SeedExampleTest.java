package io.meridian.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed chapter's sizing, reproduced from its own inputs: 60 GB/day of WAL → 5.7 Mbps minimum,
 * × 3 = 17 Mbps; 1000 ms / 80 ms = 12.5 commits/s; ~645 € a month in one region, ~2335 € in three
 * with ~500 GB/month of transfer (+262 %).
 */
class SeedExampleTest {

    @Test
    void sixtyGigabytesADayNeedFivePointSevenMbpsAndSeventeenWithTheMargin() {
        Bandwidth b = new Bandwidth(Bandwidth.bytesPerSecondOfGbPerDay(60), Bandwidth.DEFAULT_MARGIN);
        // The seed's own arithmetic: 2.5 GB/hour, (2.5 × 8 × 1024) / 3600.
        assertThat(b.minimumMbps()).isCloseTo(2.5 * 8 * 1024 / 3600, within(1e-9));
        assertThat(Figures.twoSignificant(b.minimumMbps())).isEqualTo("5.7");
        assertThat(Figures.twoSignificant(b.recommendedMbps())).isEqualTo("17");
    }

    @ParameterizedTest(name = "{0} GB/day, margin {1}: {2} / {3} Mbps")
    @CsvSource({
            "60,   3, 5.7,  17",
            "24,   3, 2.3,  6.8",
            "60,   2, 5.7,  11",
            "0,    3, 0,    0",
            "1000, 3, 95,   280",
    })
    void bandwidthTable(double gbPerDay, double margin, String min, String recommended) {
        Bandwidth b = new Bandwidth(Bandwidth.bytesPerSecondOfGbPerDay(gbPerDay), margin);
        assertThat(Figures.twoSignificant(b.minimumMbps())).isEqualTo(min);
        assertThat(Figures.twoSignificant(b.recommendedMbps())).isEqualTo(recommended);
    }

    @Test
    void aMarginBelowOneIsRefusedNamingIt() {
        assertThatThrownBy(() -> new Bandwidth(1000, 0.5)).hasMessageContaining("margin").hasMessageContaining("0.5");
    }

    @Test
    void oneSessionSynchronousToNewYorkMakesTwelveAndAHalfCommitsASecond() {
        CommitCeiling c = CommitCeiling.of(SyncMode.REGION_QUORUM, 1, false, "paris",
                List.of(new Standby("newyork-1", "newyork", 80)), 0);
        assertThat(c.floorMillis()).isEqualTo(80);
        assertThat(c.perSessionPerSecond()).isEqualTo(12.5);
        assertThat(Figures.threeSignificant(c.perSessionPerSecond())).isEqualTo("12.5");
        assertThat(c.withSessionsPerSecond(10)).isEqualTo(125);
    }

    @Test
    void theDefaultPriceTableReproducesTheSeedsMonthlyBills() {
        PriceTable prices = PriceTable.defaults();
        MonthlyCost one = MonthlyCost.of(prices, List.of("paris"), 0);
        assertThat(one.instances()).isEqualTo(550);
        assertThat(one.storage()).isCloseTo(70, within(1e-9));
        assertThat(one.backup()).isCloseTo(25, within(1e-9));
        assertThat(Figures.whole(one.total())).isEqualTo("645");

        MonthlyCost three = MonthlyCost.of(prices, List.of("paris", "newyork", "tokyo"), 500);
        assertThat(three.instances()).isEqualTo(1650);
        assertThat(three.storage()).isCloseTo(210, within(1e-9));
        assertThat(three.backup()).isCloseTo(75, within(1e-9));
        assertThat(three.transfer()).isCloseTo(400, within(1e-9));
        assertThat(Figures.whole(three.total())).isEqualTo("2335");
        // "Surcoût: +262 % (×3,6)"
        assertThat(Math.round((three.total() / one.total() - 1) * 100)).isEqualTo(262);
    }

    @Test
    void theComparisonOfTheSeedsClusterGivesItsBillsAndItsCommitFloor() {
        PlanInputs seed = new PlanInputs(Bandwidth.bytesPerSecondOfGbPerDay(60), 3, "paris",
                List.of(new Standby("newyork-1", "newyork", 80), new Standby("tokyo-1", "tokyo", 250)),
                1, false, 0, 10, Rto.unknown("no drill"), Double.NaN, 500);
        List<TopologyRow> rows = TopologyPlan.compare(seed, PriceTable.defaults());
        TopologyRow single = rows.get(0);
        TopologyRow quorum = rows.stream().filter(r -> r.topology().equals("three_region_quorum")).findFirst().orElseThrow();
        assertThat(Figures.whole(single.cost().total())).isEqualTo("645");
        assertThat(Figures.whole(quorum.cost().total())).isEqualTo("2335");
        assertThat(quorum.commitFloorMillis()).isEqualTo(80);
        assertThat(quorum.rpoBytes()).isZero();
        assertThat(Figures.twoSignificant(quorum.bandwidthMinMbps())).isEqualTo("5.7");
        assertThat(Figures.twoSignificant(quorum.bandwidthRecommendedMbps())).isEqualTo("17");
    }

    @Test
    void transferComputedFromTheWalIsWhatTheStreamsCarryNotTheSeedsGuess() {
        // 60 GB/day to each of two other regions is 3600 GB a month, not ~500.
        PlanInputs seed = new PlanInputs(Bandwidth.bytesPerSecondOfGbPerDay(60), 3, "paris",
                List.of(new Standby("newyork-1", "newyork", 80), new Standby("tokyo-1", "tokyo", 250)),
                1, false, 0, 10, Rto.unknown("no drill"), Double.NaN, Double.NaN);
        TopologyRow async = TopologyPlan.compare(seed, PriceTable.defaults()).get(1);
        assertThat(async.cost().transferGb()).isCloseTo(3600, within(1e-6));
        assertThat(async.cost().transfer()).isCloseTo(2880, within(1e-6));
    }

    @Test
    void aRegionsPricesReplaceTheDefaultsKeyByKey() {
        PriceTable t = PriceTable.parse(("provider: x\ncurrency: EUR\nnode: {instance: big, storage_gb: 100, backup_gb: 0}\n"
                + "prices: {instances: {big: 100}, storage_per_gb_month: 1, backup_per_gb_month: 0, transfer_per_gb: 0.1}\n"
                + "regions: {tokyo: {instances: {big: 200}}}\n").getBytes(StandardCharsets.UTF_8), "p.yml");
        assertThat(t.nodeMonthly("paris")).isEqualTo(200);
        assertThat(t.nodeMonthly("tokyo")).isEqualTo(300);
        assertThat(t.in("tokyo").transferPerGb()).isEqualTo(0.1);
    }

    @Test
    void aRegionWithoutTheNodesInstancePriceIsRefusedNamingItsKey() {
        assertThatThrownBy(() -> PriceTable.parse(("provider: x\ncurrency: EUR\nnode: {instance: big, storage_gb: 1, backup_gb: 1}\n"
                + "prices: {instances: {big: 1}, storage_per_gb_month: 1, backup_per_gb_month: 0, transfer_per_gb: 0.1}\n"
                + "regions: {tokyo: {instances: {big: null}}}\n").getBytes(StandardCharsets.UTF_8), "p.yml"))
                .hasMessageContaining("p.yml: key regions.tokyo.instances: no price for node.instance big");
    }

    @Test
    void aPriceTableWithoutTheNodesInstancePriceIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> PriceTable.parse(("provider: x\ncurrency: EUR\nnode: {instance: big, storage_gb: 1, backup_gb: 1}\n"
                + "prices: {instances: {small: 1}, storage_per_gb_month: 1, backup_per_gb_month: 0, transfer_per_gb: 0.1}\n")
                .getBytes(StandardCharsets.UTF_8), "p.yml"))
                .hasMessageContaining("p.yml").hasMessageContaining("prices.instances").hasMessageContaining("big");
        assertThatThrownBy(() -> PriceTable.parse("provider: x\nprice: 3\n".getBytes(StandardCharsets.UTF_8), "p.yml"))
                .hasMessageContaining("p.yml").hasMessageContaining("price");
    }
}
