package io.muster.controller.api;

import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.http.SelectorParameter;
import io.muster.controller.store.HostNotFoundException;
import io.muster.controller.store.HostRecord;
import io.muster.controller.store.HostRepository;
import io.muster.controller.store.HostSort;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * /api/v1/hosts: listing with selector, sort and cursor, one host with its inventory, labels, events.
 * Handlers run on the event loop and only chain futures.
 */
public final class HostRoutes implements ApiPart {

    static final Rule LIST = Rule.viewer("hosts.list", Scoping.HOST_QUERY);
    static final Rule GET = Rule.viewer("hosts.get", Scoping.HOST);
    static final Rule SET_LABELS = Rule.operator("hosts.set-labels", Scoping.HOST);
    static final Rule EVENTS = Rule.viewer("hosts.events", Scoping.HOST);

    private static final Logger log = LoggerFactory.getLogger(HostRoutes.class);
    // The same key alphabet as selectors, so every label can be selected on.
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9_.\\-/]{1,128}");
    private static final int MAX_LABEL_VALUE = 256;
    private static final int MAX_LABELS = 64;

    private final HostRepository hosts;
    private final ClusterView cluster;

    public HostRoutes(HostRepository hosts, ClusterView cluster) {
        this.hosts = hosts;
        this.cluster = cluster;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/hosts", LIST, this::list)
                .get("/api/v1/hosts/:id", GET, this::get)
                .put("/api/v1/hosts/:id/labels", SET_LABELS, this::setLabels)
                .get("/api/v1/hosts/:id/events", EVENTS, this::events);
    }

    private void list(RoutingContext ctx) {
        PageRequest page = PageRequest.from(ctx);
        Selector selector = Access.hostSelector(Callers.principal(ctx).orElseThrow(),
                SelectorParameter.parse(ctx.request().getParam("selector")));
        HostSort sort;
        try {
            sort = HostSort.parse(ctx.request().getParam("sort"));
        } catch (IllegalArgumentException e) {
            throw new ProblemException(Problem.badRequest("invalid-sort", e.getMessage()).with("field", "sort"));
        }
        hosts.list(selector, sort, page.limit(), page.cursor())
                .compose(result -> connectedTo(result.items()).map(where -> {
                    JsonArray items = new JsonArray();
                    result.items().forEach(host -> items.add(HostJson.host(host, where.get(host.id()), false)));
                    return new JsonObject().put("items", items).put("next", result.next());
                }))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        render(id, true).onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private void setLabels(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Map<String, String> labels = labels(ctx);
        boolean scoped = Callers.principal(ctx).map(Principal::scoped).orElse(true);
        Future<Void> allowed = scoped ? keepsControllerOwned(id, labels) : Future.succeededFuture();
        allowed.compose(x -> hosts.setLabels(id, labels))
                .compose(x -> render(id, false))
                .onSuccess(body -> json(ctx, 200, body))
                .onFailure(ctx::fail);
    }

    /**
     * A scoped token's scope is made of controller-owned labels, so letting it change them would let
     * a team move hosts into another team's scope (or out of its own): it must leave every
     * {@code muster.io/} label of the host as it is. Unscoped operators and enrollment set them.
     */
    private Future<Void> keepsControllerOwned(String id, Map<String, String> wanted) {
        return hosts.find(id).compose(found -> {
            Map<String, String> current = found.map(HostRecord::labels).orElse(Map.of());
            if (!controllerOwned(current).equals(controllerOwned(wanted))) {
                return Future.failedFuture(new ProblemException(Problem.of(403, "controller-owned-labels", "Forbidden",
                        "a scoped token cannot add, change or remove labels starting with '"
                                + Selector.CONTROLLER_OWNED_PREFIX + "'").with("field", "labels")));
            }
            return Future.succeededFuture();
        });
    }

    private static Map<String, String> controllerOwned(Map<String, String> labels) {
        Map<String, String> owned = new java.util.TreeMap<>();
        labels.forEach((key, value) -> {
            if (Selector.isControllerOwned(key)) {
                owned.put(key, value);
            }
        });
        return owned;
    }

    private void events(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        PageRequest page = PageRequest.from(ctx);
        hosts.events(id, page.limit(), page.cursor())
                .onSuccess(result -> {
                    JsonArray items = new JsonArray();
                    result.items().forEach(event -> items.add(HostJson.event(event)));
                    json(ctx, 200, new JsonObject().put("items", items).put("next", result.next()));
                })
                .onFailure(ctx::fail);
    }

    private Future<JsonObject> render(String id, boolean withInventory) {
        return hosts.find(id).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new HostNotFoundException(id));
            }
            HostRecord host = found.get();
            return connectedTo(List.of(host)).map(where -> HostJson.host(host, where.get(id), withInventory));
        });
    }

    /** Session locations are a live overlay: if the cluster cannot say, hosts still show, unplaced. */
    private Future<Map<String, String>> connectedTo(List<HostRecord> items) {
        if (items.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return cluster.connectedTo(items.stream().map(HostRecord::id).toList())
                .recover(e -> {
                    log.warn("cluster could not say where hosts are connected: {}", e.toString());
                    return Future.succeededFuture(Map.of());
                });
    }

    private static Map<String, String> labels(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new ProblemException(Problem.badRequest("malformed-json",
                    "the body must be a JSON object of string label values: " + firstLine(e.getMessage())));
        }
        if (body == null) {
            throw new ProblemException(Problem.badRequest("malformed-json",
                    "the body must be a JSON object of string label values, e.g. {\"role\":\"web\"}"));
        }
        if (body.size() > MAX_LABELS) {
            throw new ProblemException(Problem.badRequest("invalid-labels",
                    "a host has at most " + MAX_LABELS + " labels, got " + body.size()));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : body) {
            String key = entry.getKey();
            if (!LABEL_KEY.matcher(key).matches()) {
                throw new ProblemException(Problem.badRequest("invalid-labels",
                        "label key '" + key + "' must be 1 to 128 characters of letters, digits, '_', '.', '-' or '/'"));
            }
            if (!(entry.getValue() instanceof String value)) {
                throw new ProblemException(Problem.badRequest("invalid-labels",
                        "label '" + key + "' must have a string value, got " + jsonType(entry.getValue())));
            }
            if (value.length() > MAX_LABEL_VALUE) {
                throw new ProblemException(Problem.badRequest("invalid-labels",
                        "label '" + key + "' is longer than " + MAX_LABEL_VALUE + " characters"));
            }
            labels.put(key, value);
        }
        return labels;
    }

    private static String jsonType(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof JsonObject) {
            return "an object";
        }
        if (value instanceof JsonArray) {
            return "an array";
        }
        return value.getClass().getSimpleName();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
