package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/** {@code /api/v1/hosts}: listing by selector, one host, labels, events, lifecycle, history, vitals. */
public final class Hosts {

    private final MusterClient client;

    Hosts(MusterClient client) {
        this.client = client;
    }

    /** Every host, in id order, read page by page as the iteration goes. */
    public Listing<Host> list() {
        return list(null);
    }

    /** The hosts a selector matches ({@code role=web,cpu.cores>=32,load.1m>8}), in id order; null for all. */
    public Listing<Host> list(String selector) {
        return new Listing<>(client, "/api/v1/hosts", new Query().add("selector", selector), Host::of);
    }

    /** One host with its inventory ({@code json().getJsonObject("inventory")}). */
    public Host get(String id) {
        return Host.of(client.get(path(id), new Query()));
    }

    /** Replaces the host's labels; answers the host as it is now. */
    public Host setLabels(String id, Map<String, String> labels) {
        JsonObject body = new JsonObject();
        labels.forEach(body::put);
        return Host.of(client.send("PUT", path(id) + "/labels", body));
    }

    /** The host's events, newest first. */
    public Listing<HostEvent> events(String id) {
        return new Listing<>(client, path(id) + "/events", new Query(), HostEvent::of);
    }

    /** Asks for a lifecycle action: cordon, uncordon, drain, reboot, maintenance, decommission... */
    public LifecycleOutcome lifecycle(String id, String action) {
        return lifecycle(id, new JsonObject().put("action", action));
    }

    /** A lifecycle action with its options, e.g. {@code {"action":"upgrade","version":"0.2.0"}}. */
    public LifecycleOutcome lifecycle(String id, JsonObject request) {
        return LifecycleOutcome.of(client.send("POST", path(id) + "/lifecycle", request));
    }

    /** The host's inventory changes, oldest first (the query's selector does not apply). */
    public Listing<Change> history(String id, HistoryQuery query) {
        return new Listing<>(client, path(id) + "/history", query.toQuery(), Change::of);
    }

    /**
     * The host's downsampled vitals.
     *
     * @param since ISO-8601 instant or age ({@code 6h}); null for the last day
     * @param until null for no end
     */
    public VitalsSeries vitals(String id, String since, String until) {
        return VitalsSeries.of(client.get(path(id) + "/vitals", new Query().add("since", since).add("until", until)));
    }

    private static String path(String id) {
        return "/api/v1/hosts/" + Query.encode(id);
    }
}
