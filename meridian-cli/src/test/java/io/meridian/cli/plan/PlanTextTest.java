package io.meridian.cli.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.core.plan.Bandwidth;
import io.meridian.core.plan.PlanInputs;
import io.meridian.core.plan.PriceTable;
import io.meridian.core.plan.Rto;
import io.meridian.core.plan.Standby;
import io.meridian.core.plan.TopologyPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed's example as {@code meridian plan --compare --format markdown} prints it. */
class PlanTextTest {

    @Test
    void theSeedsExampleInMarkdown() {
        double rate = Bandwidth.bytesPerSecondOfGbPerDay(60);
        List<Standby> standbys = List.of(new Standby("newyork-1", "newyork", 80), new Standby("tokyo-1", "tokyo", 250));
        PlanInputs seed = new PlanInputs(rate, 3, "paris", standbys, 1, false, 0, 10,
                new Rto(8.08, "a drill"), Double.NaN, 500);
        Bandwidth bw = new Bandwidth(rate, 3);
        PlanReport report = new PlanReport("seed", "paris-1", "paris", "region_quorum", 1,
                new PlanReport.Measured(86_400, 2, rate * 86_400, rate, rate, rate, "given", "given", null, null, "not measured"),
                List.of(), List.of(new PlanReport.Link("paris", "newyork (newyork-1)", 80, bw.minimumMbps(), bw.recommendedMbps(),
                        bw.minimumMbps(), Bandwidth.gbPerMonth(rate))),
                List.of(new PlanReport.Commit("region_quorum", true, 1, List.of("newyork-1"), 80, 12.5, 10, 125)),
                null, TopologyPlan.compare(seed, PriceTable.defaults()), "aws prices in EUR", 0);
        String md = PlanText.render(report, true);
        assertThat(md).contains("| paris → newyork (newyork-1) | 80 | 5.7 | 17 | 5.7 | 1800 |");
        assertThat(md).contains("| region_quorum (current) | newyork-1 | 80 | 12.5 | 125 (10) |");
        assertThat(md).contains("| single region | 1 | 0 / 0 |").contains("| 645 |");
        assertThat(md).contains("| 3-region region_quorum | 3 | 5.7 / 17 | 80 | 0: every commit is on another region | 8.1 s | 2335 |");
    }
}
