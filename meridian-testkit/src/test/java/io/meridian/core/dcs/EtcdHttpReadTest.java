package io.meridian.core.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.core.cluster.Cluster;
import io.meridian.core.cluster.Lsn;
import io.meridian.core.cluster.Member;
import io.meridian.core.cluster.MemberTags;
import io.meridian.core.cluster.Role;
import io.meridian.core.cluster.SwitchoverRequest;
import io.meridian.lab.process.FreePorts;
import io.meridian.testkit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The CLI's one-shot read over etcd's JSON gateway returns the record the gRPC client reads. */
class EtcdHttpReadTest {

    @RegisterExtension
    static final EtcdExtension etcd = new EtcdExtension();

    @Test
    void readsTheSameClusterAsTheGrpcClient() throws Exception {
        try (EtcdDcs agent = EtcdDcs.connect(etcd.endpoints(), "/meridian", "http", "paris-1", 6, 5)) {
            assertThat(agent.claimInitialize()).isTrue();
            agent.setSystemId("7000000000000000042");
            agent.touchMember(new Member("paris-1", "paris", Role.PRIMARY, "running", 3, Lsn.parse("0/5000000"), Lsn.ZERO,
                    Lsn.ZERO, null, 0, "127.0.0.1", 5432, "http://127.0.0.1:8008", MemberTags.DEFAULT, 1));
            assertThat(agent.acquireLeader("paris-1")).isTrue();
            assertThat(agent.setSwitchover(new SwitchoverRequest("paris-1", "tokyo-1", 0, 1), 0)).isTrue();
            Cluster grpc = agent.load();
            // A dead endpoint listed first does not stop the read: every endpoint is asked at once.
            String dead = "http://127.0.0.1:" + FreePorts.allocate();
            Cluster http = EtcdHttpRead.load(List.of(dead, etcd.member(0).clientUrl()), "/meridian", "http", null, Duration.ofSeconds(5));
            assertThat(http).isEqualTo(grpc);
            assertThat(http.leader().name()).isEqualTo("paris-1");
            assertThat(http.leader().leaseId()).isNotZero();
            assertThat(http.switchover().candidate()).isEqualTo("tokyo-1");
            // The prefix ends with '/': cluster "htt" is not "http".
            assertThat(EtcdHttpRead.load(etcd.endpoints(), "/meridian", "htt", null, Duration.ofSeconds(5))
                    .members()).isEmpty();
        }
    }

    @Test
    void noAnsweringEndpointIsADcsExceptionNamingEach() {
        String dead = "http://127.0.0.1:" + FreePorts.allocate();
        assertThatThrownBy(() -> EtcdHttpRead.load(List.of(dead), "/meridian", "x", null, Duration.ofSeconds(2)))
                .isInstanceOf(DcsException.class).hasMessageStartingWith(dead + ": ");
    }

    @Test
    void theRangeEndIsThePrefixWithItsLastByteIncremented() {
        assertThat(new String(EtcdHttpRead.rangeEnd("/meridian/c/".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("/meridian/c0");
        assertThat(EtcdHttpRead.rangeEnd(new byte[] {'a', (byte) 0xff})).containsExactly('b');
    }
}
