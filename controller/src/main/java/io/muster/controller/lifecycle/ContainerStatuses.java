package io.muster.controller.lifecycle;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.muster.proto.v1.ContainerStatus;
import io.muster.proto.v1.Heartbeat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Muster-managed containers each host reports on its heartbeats. The owner keeps the latest
 * list per host in memory and writes to PostgreSQL only the hosts whose list changed since the
 * last write, all of them in ONE statement per {@code flushInterval}: a fleet of steady hosts costs
 * no writes at all. Every member reads the stored lists, so {@code GET /hosts/{id}/containers}
 * works wherever it lands (at most one flush interval behind).
 *
 * <p>Thread-safe: {@link #heartbeat} is called on gRPC threads and never blocks.
 */
public final class ContainerStatuses implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerStatuses.class);
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);

    private static final String WRITE = "UPDATE hosts h SET containers = v.containers::jsonb, containers_at = v.at "
            + "FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v(id, containers, at) WHERE h.id = v.id";
    private static final String READ = "SELECT containers, containers_at FROM hosts WHERE id = $1";

    /** Hosts reported on this member: the last list seen. */
    private final Map<String, List<ContainerStatus>> latest = new ConcurrentHashMap<>();
    /** Lists not yet written, by host. */
    private final Map<String, Pending> dirty = new ConcurrentHashMap<>();
    private final Vertx vertx;
    private final Pool pool;
    private final long timer;
    private volatile boolean flushing;

    private record Pending(List<ContainerStatus> containers, Instant at) {
    }

    /** The containers of a host as last stored, and when they were reported. */
    public record Snapshot(JsonArray containers, OffsetDateTime reportedAt) {
    }

    public ContainerStatuses(Vertx vertx, Pool pool, Duration flushInterval) {
        this.vertx = vertx;
        this.pool = pool;
        this.timer = vertx.setPeriodic(flushInterval.toMillis(), id -> flush());
    }

    /** Records the heartbeat's containers when the agent reported them and they changed. */
    public void heartbeat(String hostId, Heartbeat heartbeat) {
        if (!heartbeat.getContainersReported()) {
            return;
        }
        List<ContainerStatus> containers = heartbeat.getContainersList();
        List<ContainerStatus> before = latest.put(hostId, containers);
        if (!containers.equals(before)) {
            dirty.put(hostId, new Pending(containers, Instant.ofEpochMilli(heartbeat.getSentAtMs() > 0
                    ? heartbeat.getSentAtMs() : System.currentTimeMillis())));
        }
    }

    /** The session of the host ended here: the next owner starts from the stored list. */
    public void forget(String hostId) {
        latest.remove(hostId);
    }

    /** The stored list of a host; empty when the host is unknown. */
    public Future<Optional<Snapshot>> find(String hostId) {
        return pool.preparedQuery(READ).execute(Tuple.of(hostId)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row row = rows.iterator().next();
            Object stored = row.getValue("containers");
            JsonArray containers = stored instanceof JsonArray array ? array : new JsonArray();
            return Optional.of(new Snapshot(containers, row.getOffsetDateTime("containers_at")));
        });
    }

    /** Writes the changed lists now (one statement). */
    public Future<Void> flush() {
        if (flushing || dirty.isEmpty()) {
            return Future.succeededFuture();
        }
        flushing = true;
        Map<String, Pending> batch = new HashMap<>();
        for (String hostId : new ArrayList<>(dirty.keySet())) {
            Pending pending = dirty.remove(hostId);
            if (pending != null) {
                batch.put(hostId, pending);
            }
        }
        int n = batch.size();
        String[] ids = new String[n];
        String[] lists = new String[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        int i = 0;
        for (Map.Entry<String, Pending> entry : batch.entrySet()) {
            ids[i] = entry.getKey();
            lists[i] = json(entry.getValue().containers()).encode();
            at[i] = OffsetDateTime.ofInstant(entry.getValue().at(), ZoneOffset.UTC);
            i++;
        }
        return pool.preparedQuery(WRITE).execute(Tuple.of(ids, lists, at)).<Void>mapEmpty().onComplete(ar -> {
            flushing = false;
            if (ar.failed()) {
                log.warn("could not write the containers of {} hosts; retrying: {}", n, ar.cause().toString());
                batch.forEach(dirty::putIfAbsent);
            }
        });
    }

    static JsonArray json(List<ContainerStatus> containers) {
        JsonArray out = new JsonArray();
        for (ContainerStatus status : containers) {
            try {
                JsonObject object = new JsonObject(JsonFormat.printer().print(status));
                out.add(new JsonObject()
                        .put("id", status.getId())
                        .put("name", status.getName())
                        .put("image", status.getImage())
                        .put("state", status.getState())
                        .put("startedAt", status.getStartedAtMs() > 0
                                ? Instant.ofEpochMilli(status.getStartedAtMs()).toString() : null)
                        .put("health", status.getHealth())
                        .put("labels", object.getJsonObject("labels", new JsonObject())));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
    }
}
