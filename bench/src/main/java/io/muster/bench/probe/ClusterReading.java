package io.muster.bench.probe;

import io.muster.bench.fleet.Member;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** Readings of a member's own entry in {@code /api/v1/cluster}. Thread-safe. */
public final class ClusterReading {

    private ClusterReading() {
    }

    /** The member's own entry (marked {@code "local": true}), or empty when it does not answer. */
    public static Optional<JsonObject> self(MemberApi api, Member member) throws InterruptedException {
        Optional<JsonObject> cluster = api.cluster(member.httpPort());
        if (cluster.isEmpty() || cluster.get().getJsonArray("members") == null) {
            return Optional.empty();
        }
        for (Object entry : cluster.get().getJsonArray("members")) {
            JsonObject m = (JsonObject) entry;
            if (m.getBoolean("local", false)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Agent sessions the member holds now. */
    public static Optional<Long> localConnected(MemberApi api, Member member) throws InterruptedException {
        return self(api, member).map(m -> m.getLong("connectedAgents", 0L));
    }
}
