package io.meridian.lab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabStateTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsWithSnakeCaseNamesAndNoSecrets() throws Exception {
        LabState s = new LabState(LabState.FORMAT_VERSION, "lab", "/meridian", dir.toString(), 1,
                new LabState.Etcd(List.of("http://127.0.0.1:2379"),
                        List.of(new LabState.EtcdMember("paris", "paris", "http://127.0.0.1:2379", "http://127.0.0.1:2380", 42, "/d"))),
                List.of(new LabState.Node("paris-1", "paris", "/x/node.yml", 5432, 8008, "/x/data", "/x/agent.log", 77)),
                new LabState.Wan("http://127.0.0.1:9000", 99, Map.of("paris-tokyo", 250)), null, null);
        s.write();
        String json = Files.readString(LabState.file(dir));
        assertThat(json).contains("\"pg_port\" : 5432", "\"agent_pid\" : 77", "\"control_url\"", "\"rtt_ms\"", "\"dashboard_url\" : null");
        LabState back = LabState.read(dir);
        assertThat(back).isEqualTo(s);
        assertThat(back.withNode(back.nodes().get(0).withAgentPid(-1)).nodes().get(0).agentPid()).isEqualTo(-1);
    }

    @Test
    void labNetworkGivesEachNodeItsOwnEtcdFirstAndRelaysOnlyWithWan() {
        LabPlan plan = new LabPlan(dir, "lab", List.of("paris", "newyork", "tokyo"));
        LabNetwork direct = LabNetwork.allocate(plan, null);
        assertThat(direct.etcdEndpointsFor(1).get(0)).isEqualTo(direct.directEtcdEndpoints().get(1));
        assertThat(direct.pgConnectPort(0)).isEqualTo(direct.pgPort(0));
        assertThat(direct.links(null).relays()).isEmpty();

        WanPlan wan = WanPlan.parse(plan.regions(), WanPlan.DEFAULT_RTT, 0, 0);
        LabNetwork relayed = LabNetwork.allocate(plan, wan);
        assertThat(relayed.pgConnectPort(0)).isNotEqualTo(relayed.pgPort(0));
        assertThat(relayed.etcdEndpointsFor(0)).hasSize(3).doesNotContainAnyElementsOf(relayed.directEtcdEndpoints().subList(1, 3));
        WanLinks links = relayed.links(wan);
        assertThat(links.entries()).hasSize(9);
        assertThat(links.relays()).hasSize(6).anySatisfy(r -> {
            assertThat(r.from()).isEqualTo("paris");
            assertThat(r.to()).isEqualTo("tokyo");
            assertThat(r.rttMillis()).isEqualTo(250);
        });
    }
}
