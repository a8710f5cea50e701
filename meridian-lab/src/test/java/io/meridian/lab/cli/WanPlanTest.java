package io.meridian.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class WanPlanTest {

    private static final List<String> SEED = List.of("paris", "newyork", "tokyo");

    @Test
    void defaultsAreTheSeedsRoundTrips() {
        WanPlan p = WanPlan.parse(SEED, WanPlan.DEFAULT_RTT, 0, 0);
        assertThat(p.rtt("paris", "newyork")).isEqualTo(80);
        assertThat(p.rtt("tokyo", "paris")).isEqualTo(250);
        assertThat(p.rtt("newyork", "tokyo")).isEqualTo(170);
        assertThat(p.rtt("tokyo", "tokyo")).isZero();
    }

    @Test
    void oneWaySharesAddUpToEachRoundTripForThreeRegions() {
        assertThat(WanPlan.parse(SEED, WanPlan.DEFAULT_RTT, 0, 0).halves())
                .containsExactly(entry("paris", 80.0), entry("newyork", 0.0), entry("tokyo", 170.0));
    }

    @Test
    void missingPairsTakeTheLargestGivenAndSecondsAreAccepted() {
        WanPlan p = WanPlan.parse(List.of("eu-west", "us-east", "ap"), "eu-west-us-east=1s", 5, 100);
        assertThat(p.rtt("eu-west", "us-east")).isEqualTo(1000);
        assertThat(p.rtt("ap", "us-east")).isEqualTo(1000);
        assertThat(p.describe()).contains("jitter 5 ms").contains("100 Mbit/s");
    }

    @Test
    void defaultsIgnoreRegionsTheLabDoesNotHave() {
        WanPlan p = WanPlan.parse(List.of("paris", "tokyo"), WanPlan.DEFAULT_RTT, 0, 0);
        assertThat(p.rttMillis()).containsOnlyKeys("paris-tokyo");
        assertThat(p.halves()).containsEntry("paris", 125.0).containsEntry("tokyo", 125.0);
    }

    @Test
    void badSpecsAreRefusedNamingThePart() {
        assertThatThrownBy(() -> WanPlan.parse(SEED, "paris-lima=80ms", 0, 0))
                .hasMessage("--rtt: paris-lima is not two regions of --regions [paris, newyork, tokyo] joined by '-'");
        assertThatThrownBy(() -> WanPlan.parse(SEED, "paris-tokyo=fast", 0, 0))
                .hasMessage("--rtt: expected REGION-REGION=MILLISms like paris-tokyo=250ms, got \"paris-tokyo=fast\"");
        assertThatThrownBy(() -> WanPlan.parse(SEED, WanPlan.DEFAULT_RTT, -1, 0)).hasMessage("--jitter: expected 0 to 10000 ms, got -1");
    }
}
