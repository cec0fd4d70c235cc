package io.muster.controller.task;

import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the body of {@code POST /api/v1/tasks} into a {@link TaskRequest}, or says in one sentence
 * what is wrong with it. Pure and thread-safe; does no I/O (whether the target matches any host is
 * decided when the runs are written).
 */
public final class TaskRequestParser {

    /** Largest accepted spec, as compact JSON. */
    public static final int MAX_SPEC_BYTES = 64 * 1024;
    public static final int DEFAULT_TIMEOUT_SECONDS = 300;
    /** A week: anything longer is a mistake, not a task. */
    public static final int MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
    /** Explicit host lists beyond this belong in a selector. */
    public static final int MAX_EXPLICIT_HOSTS = 100_000;

    private static final Set<String> FIELDS = Set.of("target", "kind", "spec", "timeoutSeconds", "dryRun");

    /**
     * @throws InvalidTaskRequestException saying what is wrong (malformed JSON, unknown kind,
     *     malformed selector with its column, empty target, oversized spec, bad timeout, wrong types)
     */
    public TaskRequest parse(Buffer body) {
        JsonObject json;
        try {
            Object value = body == null || body.length() == 0 ? null : body.toJsonValue();
            if (!(value instanceof JsonObject)) {
                throw new InvalidTaskRequestException("the request body must be a JSON object");
            }
            json = (JsonObject) value;
        } catch (DecodeException e) {
            throw new InvalidTaskRequestException("the request body is not valid JSON");
        }
        return parse(json);
    }

    public TaskRequest parse(JsonObject json) {
        for (String field : json.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidTaskRequestException("unknown field '" + field + "'; expected " + String.join(", ", List.of(
                        "target", "kind", "spec", "timeoutSeconds", "dryRun")));
            }
        }
        TaskKind kind = kind(json.getValue("kind"));
        JsonObject spec = spec(json.getValue("spec"));
        kind.checkSpec(spec);
        int timeout = timeout(json.getValue("timeoutSeconds"));
        boolean dryRun = dryRun(json.getValue("dryRun"));
        TaskTarget target = target(json.getValue("target"));
        return new TaskRequest(target, kind, spec, timeout, dryRun);
    }

    private static TaskKind kind(Object value) {
        if (value == null) {
            throw new InvalidTaskRequestException("'kind' is required: one of " + kindNames());
        }
        if (!(value instanceof String)) {
            throw new InvalidTaskRequestException("'kind' must be a string: one of " + kindNames());
        }
        return TaskKind.fromWireName((String) value).orElseThrow(() -> new InvalidTaskRequestException(
                "unknown kind '" + value + "'; expected one of " + kindNames()));
    }

    private static String kindNames() {
        List<String> names = new ArrayList<>();
        for (TaskKind kind : TaskKind.values()) {
            names.add(kind.wireName());
        }
        return String.join(", ", names);
    }

    private static JsonObject spec(Object value) {
        if (value == null) {
            throw new InvalidTaskRequestException("'spec' is required (a JSON object)");
        }
        if (!(value instanceof JsonObject)) {
            throw new InvalidTaskRequestException("'spec' must be a JSON object");
        }
        JsonObject spec = (JsonObject) value;
        int size = spec.toBuffer().length();
        if (size > MAX_SPEC_BYTES) {
            throw new InvalidTaskRequestException("'spec' is " + size + " bytes; the limit is " + MAX_SPEC_BYTES);
        }
        return spec;
    }

    private static int timeout(Object value) {
        if (value == null) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        if (!(value instanceof Integer || value instanceof Long)) {
            throw new InvalidTaskRequestException("'timeoutSeconds' must be a whole number of seconds");
        }
        long seconds = ((Number) value).longValue();
        if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
            throw new InvalidTaskRequestException("'timeoutSeconds' must be between 1 and " + MAX_TIMEOUT_SECONDS
                    + ", got " + seconds);
        }
        return (int) seconds;
    }

    private static boolean dryRun(Object value) {
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean)) {
            throw new InvalidTaskRequestException("'dryRun' must be true or false");
        }
        return (Boolean) value;
    }

    private static TaskTarget target(Object value) {
        if (value == null) {
            throw new InvalidTaskRequestException("'target' is required: {\"selector\":\"...\"} or {\"hosts\":[...]}");
        }
        if (!(value instanceof JsonObject)) {
            throw new InvalidTaskRequestException("'target' must be an object: {\"selector\":\"...\"} or {\"hosts\":[...]}");
        }
        JsonObject target = (JsonObject) value;
        Object selector = target.getValue("selector");
        Object hosts = target.getValue("hosts");
        for (String field : target.fieldNames()) {
            if (!field.equals("selector") && !field.equals("hosts")) {
                throw new InvalidTaskRequestException("unknown field 'target." + field + "'; expected selector or hosts");
            }
        }
        if (selector != null && hosts != null) {
            throw new InvalidTaskRequestException("'target' has both 'selector' and 'hosts'; give one of them");
        }
        if (selector != null) {
            return bySelector(selector);
        }
        if (hosts != null) {
            return byHosts(hosts);
        }
        throw new InvalidTaskRequestException("'target' is empty: give {\"selector\":\"...\"} or {\"hosts\":[...]}");
    }

    private static TaskTarget bySelector(Object value) {
        if (!(value instanceof String)) {
            throw new InvalidTaskRequestException("'target.selector' must be a string");
        }
        String text = (String) value;
        // The empty selector means every host; a task on the whole fleet must be asked for explicitly.
        if (text.isBlank()) {
            throw new InvalidTaskRequestException("'target.selector' is empty; to reach every host say so, "
                    + "e.g. \"hostname~*\"");
        }
        try {
            return new TaskTarget.BySelector(Selector.parse(text));
        } catch (SelectorSyntaxException e) {
            throw new InvalidTaskRequestException("malformed selector at column " + e.column() + ": expected "
                    + e.expected(), e.column());
        }
    }

    private static TaskTarget byHosts(Object value) {
        if (!(value instanceof JsonArray)) {
            throw new InvalidTaskRequestException("'target.hosts' must be an array of host ids");
        }
        JsonArray array = (JsonArray) value;
        if (array.isEmpty()) {
            throw new InvalidTaskRequestException("'target.hosts' is empty: name at least one host");
        }
        if (array.size() > MAX_EXPLICIT_HOSTS) {
            throw new InvalidTaskRequestException("'target.hosts' has " + array.size() + " ids; the limit is "
                    + MAX_EXPLICIT_HOSTS + " (use a selector)");
        }
        List<String> ids = new ArrayList<>(array.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Object id = array.getValue(i);
            if (!(id instanceof String) || ((String) id).isBlank()) {
                throw new InvalidTaskRequestException("'target.hosts[" + i + "]' must be a non-blank host id");
            }
            if (!seen.add((String) id)) {
                throw new InvalidTaskRequestException("'target.hosts' names '" + id + "' twice");
            }
            ids.add((String) id);
        }
        return new TaskTarget.ByHosts(ids);
    }
}
