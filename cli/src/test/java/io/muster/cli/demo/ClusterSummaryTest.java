package io.muster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSummaryTest {

    private static JsonObject member(int i, long agents) {
        return new JsonObject().put("id", "m-" + (5701 + i)).put("address", "127.0.0.1:" + (5701 + i))
                .put("grpc", "127.0.0.1:" + (7070 + i)).put("http", "127.0.0.1:" + (8080 + i))
                .put("partitions", 90).put("connectedAgents", agents).put("local", i == 0);
    }

    @Test
    void lines_showEachMemberAndItsShareOfTheHosts() {
        JsonObject cluster = new JsonObject().put("members", new JsonArray()
                .add(member(2, 25)).add(member(0, 50)).add(member(1, 25)));

        List<String> lines = ClusterSummary.lines(cluster);

        assertThat(ClusterSummary.connectedHosts(cluster)).isEqualTo(100);
        assertThat(lines.get(0)).isEqualTo("Cluster: 3 members, 100 hosts connected");
        assertThat(lines.get(2)).contains("m-5701", "127.0.0.1:7070", "127.0.0.1:8080", "90", "50 (50%)");
        assertThat(lines.get(3)).contains("m-5702", "25 (25%)");
        assertThat(lines.get(4)).contains("m-5703", "25 (25%)");
    }

    @Test
    void lines_noHostsYet_noShares() {
        JsonObject cluster = new JsonObject().put("members", new JsonArray().add(member(0, 0)));

        List<String> lines = ClusterSummary.lines(cluster);

        assertThat(lines.get(0)).isEqualTo("Cluster: 1 member, 0 hosts connected");
        assertThat(lines.get(2)).doesNotContain("%");
    }
}
