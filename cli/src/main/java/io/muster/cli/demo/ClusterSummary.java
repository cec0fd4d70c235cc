package io.muster.cli.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The members and how the connected hosts are spread over them, from the controller's
 * {@code GET /api/v1/cluster} answer. Pure.
 */
final class ClusterSummary {

    private static final String ROW = "  %-14s %-17s %-17s %-17s %10s  %s";

    private ClusterSummary() {
    }

    /** Hosts connected to any member, as the members report them. */
    static long connectedHosts(JsonObject cluster) {
        long total = 0;
        for (JsonObject member : members(cluster)) {
            total += member.getLong("connectedAgents", 0L);
        }
        return total;
    }

    static List<String> lines(JsonObject cluster) {
        List<JsonObject> members = members(cluster);
        long total = connectedHosts(cluster);
        List<String> lines = new ArrayList<>();
        lines.add("Cluster: " + members.size() + (members.size() == 1 ? " member, " : " members, ")
                + total + (total == 1 ? " host" : " hosts") + " connected");
        lines.add(String.format(Locale.ROOT, ROW, "member", "Hazelcast", "gRPC", "HTTP", "partitions", "hosts"));
        for (JsonObject member : members) {
            long hosts = member.getLong("connectedAgents", 0L);
            String share = total == 0 ? "" : String.format(Locale.ROOT, " (%d%%)", Math.round(100.0 * hosts / total));
            lines.add(String.format(Locale.ROOT, ROW, member.getString("id"), member.getString("address"),
                    member.getString("grpc"), member.getString("http"), member.getValue("partitions"), hosts + share));
        }
        return lines;
    }

    private static List<JsonObject> members(JsonObject cluster) {
        JsonArray array = cluster.getJsonArray("members", new JsonArray());
        List<JsonObject> members = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            members.add(array.getJsonObject(i));
        }
        members.sort(Comparator.comparing(m -> String.valueOf(m.getString("http"))));
        return members;
    }
}
