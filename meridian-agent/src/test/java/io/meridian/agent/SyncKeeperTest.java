package io.meridian.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyncKeeperTest {

    @Test
    void rendersQuorumOverQuotedMemberNames() {
        assertThat(SyncKeeper.render(List.of("newyork-1", "tokyo-1"), 1, false)).isEqualTo("ANY 1 (\"newyork-1\", \"tokyo-1\")");
    }

    @Test
    void noStandbyMeansAsyncUnlessStrict() {
        assertThat(SyncKeeper.render(List.of(), 0, false)).isEmpty();
        assertThat(SyncKeeper.render(List.of(), 1, true)).isEqualTo("ANY 1 (\"" + SyncKeeper.NOBODY + "\")");
    }
}
