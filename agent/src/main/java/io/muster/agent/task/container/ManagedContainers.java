package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.proto.v1.ContainerStatus;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The containers Muster manages on this host (label {@code muster.managed=true}): their status for
 * heartbeats and inventory, and the bulk stop/remove that drain and decommission use.
 *
 * <p>Threading: thread-safe and stateless; every method blocks on engine calls. Guarantees: only
 * containers that carry {@code muster.managed=true} are ever reported, stopped or removed — the
 * label is checked on the engine's answer as well as in the filter, so an engine that ignored the
 * filter still cannot make us touch someone else's container. Bulk operations try every container
 * and then report all failures together.
 */
public final class ManagedContainers {

    private static final String FILTER = "{\"label\":[\"" + ContainerLabels.MANAGED + "=true\"]}";
    private static final Set<String> STOPPABLE = Set.of("running", "restarting", "paused");
    /** Labels reported upward: which task and service a container belongs to. */
    private static final List<String> REPORTED_LABELS = List.of(ContainerLabels.TASK, ContainerLabels.SERVICE);

    private final DockerEngineClient engine;

    public ManagedContainers(DockerEngineClient engine) {
        this.engine = engine;
    }

    /** Current status of every managed container, running or not, sorted by name. */
    public List<ContainerStatus> list() throws EngineException {
        List<ContainerStatus> out = new ArrayList<>();
        for (Struct summary : managedSummaries()) {
            String id = field(summary, "Id");
            Struct inspect;
            try {
                inspect = engine.call(EngineRequest.get("/containers/" + id + "/json"), AbortSignal.NEVER)
                        .json().getStructValue();
            } catch (EngineException e) {
                if (e.notFound()) {
                    continue; // removed between the list and the inspect
                }
                throw e;
            }
            Struct state = struct(inspect, "State");
            Struct labels = struct(summary, "Labels");
            ContainerStatus.Builder status = ContainerStatus.newBuilder()
                    .setId(id)
                    .setName(name(summary))
                    .setImage(field(summary, "Image"))
                    .setState(field(state, "Status").isEmpty() ? field(summary, "State") : field(state, "Status"))
                    .setStartedAtMs(epochMillis(field(state, "StartedAt")))
                    .setHealth(field(struct(state, "Health"), "Status"));
            for (String key : REPORTED_LABELS) {
                if (labels.containsFields(key)) {
                    status.putLabels(key, labels.getFieldsOrThrow(key).getStringValue());
                }
            }
            out.add(status.build());
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    /**
     * Stops every running managed container, giving each {@code grace} before it is killed.
     * Returns the names stopped; a container that vanished meanwhile is skipped.
     *
     * @throws EngineException listing every container that could not be stopped, after trying all
     */
    public List<String> stopAll(Duration grace) throws EngineException {
        List<String> stopped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Struct summary : managedSummaries()) {
            if (!STOPPABLE.contains(field(summary, "State"))) {
                continue;
            }
            String name = name(summary);
            try {
                engine.call(EngineRequest.post("/containers/" + field(summary, "Id") + "/stop")
                        .withQuery("t", Long.toString(grace.toSeconds()))
                        .withReadTimeout(grace.plus(DockerEngineClient.DEFAULT_READ_TIMEOUT)), AbortSignal.NEVER);
                stopped.add(name);
            } catch (EngineException e) {
                if (!e.notFound()) {
                    failures.add(name + ": " + e.getMessage());
                }
            }
        }
        failIfAny("stop", failures);
        return stopped;
    }

    /**
     * Removes every managed container, running ones included (forced). Returns the names removed.
     *
     * @throws EngineException listing every container that could not be removed, after trying all
     */
    public List<String> removeAll() throws EngineException {
        List<String> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Struct summary : managedSummaries()) {
            String name = name(summary);
            try {
                engine.call(EngineRequest.delete("/containers/" + field(summary, "Id")).withQuery("force", "true"),
                        AbortSignal.NEVER);
                removed.add(name);
            } catch (EngineException e) {
                if (!e.notFound()) {
                    failures.add(name + ": " + e.getMessage());
                }
            }
        }
        failIfAny("remove", failures);
        return removed;
    }

    private List<Struct> managedSummaries() throws EngineException {
        Value answer = engine.call(EngineRequest.get("/containers/json")
                .withQuery("all", "true")
                .withQuery("filters", FILTER), AbortSignal.NEVER).json();
        List<Struct> out = new ArrayList<>();
        if (answer == null) {
            return out;
        }
        for (Value item : answer.getListValue().getValuesList()) {
            Struct summary = item.getStructValue();
            if ("true".equals(field(struct(summary, "Labels"), ContainerLabels.MANAGED))) {
                out.add(summary);
            }
        }
        return out;
    }

    private static void failIfAny(String verb, List<String> failures) throws EngineException {
        if (!failures.isEmpty()) {
            throw new EngineException(EngineException.NOT_REACHABLE,
                    "could not " + verb + " " + failures.size() + " managed container(s): " + String.join("; ", failures));
        }
    }

    private static String name(Struct summary) {
        Value names = summary.getFieldsOrDefault("Names", Value.getDefaultInstance());
        if (names.hasListValue() && names.getListValue().getValuesCount() > 0) {
            String name = names.getListValue().getValues(0).getStringValue();
            return name.startsWith("/") ? name.substring(1) : name;
        }
        return field(summary, "Id");
    }

    private static Struct struct(Struct parent, String field) {
        return parent.getFieldsOrDefault(field, Value.getDefaultInstance()).getStructValue();
    }

    private static String field(Struct parent, String field) {
        return parent.getFieldsOrDefault(field, Value.getDefaultInstance()).getStringValue();
    }

    /** RFC 3339 start time to epoch millis; the engine's zero time ("0001-01-01...") means never. */
    static long epochMillis(String rfc3339) {
        if (rfc3339.isEmpty() || rfc3339.startsWith("0001-01-01")) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(rfc3339).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
