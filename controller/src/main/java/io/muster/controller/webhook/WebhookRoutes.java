package io.muster.controller.webhook;

import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.http.SelectorParameter;
import io.muster.controller.event.FleetEvent;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /api/v1/webhooks}: create, list, read, delete webhooks and page their deliveries. Admin
 * and unscoped only: a webhook sees the whole fleet. The secret is returned once, by the create call.
 */
public final class WebhookRoutes implements ApiPart {

    static final Rule CREATE = Rule.admin("webhooks.create", Scoping.UNSCOPED_ONLY);
    static final Rule LIST = Rule.admin("webhooks.list", Scoping.UNSCOPED_ONLY);
    static final Rule GET = Rule.admin("webhooks.get", Scoping.UNSCOPED_ONLY);
    static final Rule DELETE = Rule.admin("webhooks.delete", Scoping.UNSCOPED_ONLY);
    static final Rule DELIVERIES = Rule.admin("webhooks.deliveries", Scoping.UNSCOPED_ONLY);

    private static final Set<String> FIELDS = Set.of("url", "types", "selector", "secret");
    private static final Set<String> STATES = Set.of("pending", "delivered", "parked");
    private static final int DEFAULT_PAGE = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WebhookStore store;

    public WebhookRoutes(WebhookStore store) {
        this.store = store;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/webhooks", CREATE, this::create)
                .get("/api/v1/webhooks", LIST, this::list)
                .get("/api/v1/webhooks/:id", GET, this::get)
                .delete("/api/v1/webhooks/:id", DELETE, this::delete)
                .get("/api/v1/webhooks/:id/deliveries", DELIVERIES, this::deliveries);
    }

    private void create(RoutingContext ctx) {
        JsonObject body = body(ctx);
        String url = url(body.getValue("url"));
        List<String> types = types(body.getValue("types"));
        Selector selector = selector(body.getValue("selector"));
        String secret = secret(body.getValue("secret"));
        store.create(url, types, selector, secret, Callers.actor(ctx)).onSuccess(hook -> {
            ctx.response().putHeader("Location", "/api/v1/webhooks/" + hook.id());
            json(ctx, 201, view(hook).put("secret", hook.secret()));
        }).onFailure(ctx::fail);
    }

    private void list(RoutingContext ctx) {
        store.list().onSuccess(hooks -> {
            JsonArray items = new JsonArray();
            hooks.forEach(hook -> items.add(view(hook)));
            json(ctx, 200, new JsonObject().put("items", items));
        }).onFailure(ctx::fail);
    }

    private void get(RoutingContext ctx) {
        UUID id = id(ctx);
        store.find(id).onSuccess(hook -> {
            if (hook.isPresent()) {
                json(ctx, 200, view(hook.get()));
            } else {
                notFound(id).send(ctx);
            }
        }).onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        UUID id = id(ctx);
        store.delete(id).onSuccess(found -> {
            if (found) {
                ctx.response().setStatusCode(204).end();
            } else {
                notFound(id).send(ctx);
            }
        }).onFailure(ctx::fail);
    }

    private void deliveries(RoutingContext ctx) {
        UUID id = id(ctx);
        String state = ctx.request().getParam("state");
        if (state != null && !STATES.contains(state)) {
            throw bad("invalid-state", "state must be one of pending, delivered, parked; got '" + state + "'");
        }
        int limit = limit(ctx.request().getParam("limit"));
        Long before = cursor(ctx.request().getParam("cursor"));
        store.find(id).compose(hook -> {
            if (hook.isEmpty()) {
                notFound(id).send(ctx);
                return io.vertx.core.Future.<Void>succeededFuture();
            }
            return store.deliveries(id, state, before, limit + 1).map(page -> {
                JsonArray items = new JsonArray();
                page.stream().limit(limit).forEach(d -> items.add(new JsonObject()
                        .put("id", d.id())
                        .put("eventId", Long.toString(d.eventId()))
                        .put("eventType", d.eventType())
                        .put("state", d.state())
                        .put("attempts", d.attempts())
                        .put("lastStatus", d.lastStatus())
                        .put("lastError", d.lastError())
                        .put("nextAttemptAt", "pending".equals(d.state()) ? iso(d.nextAttemptAt()) : null)
                        .put("createdAt", iso(d.createdAt()))
                        .put("finishedAt", iso(d.finishedAt()))));
                String next = page.size() > limit ? Long.toString(page.get(limit - 1).id()) : null;
                json(ctx, 200, new JsonObject().put("items", items).put("next", next));
                return null;
            });
        }).onFailure(ctx::fail);
    }

    private static JsonObject view(Webhook hook) {
        return new JsonObject()
                .put("id", hook.id().toString())
                .put("url", hook.url())
                .put("types", new JsonArray(new ArrayList<>(hook.types())))
                .put("selector", hook.selector())
                .put("createdBy", hook.createdBy())
                .put("createdAt", iso(hook.createdAt()));
    }

    private static JsonObject body(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            body = null;
        }
        if (body == null) {
            throw bad("invalid-webhook", "the body must be a JSON object with \"url\"");
        }
        for (String field : body.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw bad("invalid-webhook", "unknown field '" + field + "'; expected selector, secret, types, url");
            }
        }
        return body;
    }

    private static String url(Object value) {
        if (!(value instanceof String text) || text.isBlank()) {
            throw bad("invalid-webhook", "'url' is required: an absolute http:// or https:// URL");
        }
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || text.length() > 2048) {
                throw new URISyntaxException(text, "not an absolute http(s) URL");
            }
            return text;
        } catch (URISyntaxException e) {
            throw bad("invalid-webhook", "'url' must be an absolute http:// or https:// URL of at most 2048 characters, got '"
                    + text + "'");
        }
    }

    private static List<String> types(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw bad("invalid-webhook", "'types' must be an array of event types or filters like \"host.*\"");
        }
        List<String> types = new ArrayList<>();
        for (Object item : array) {
            if (!(item instanceof String type) || !FleetEvent.validFilter(type)) {
                throw bad("invalid-webhook", "'types' holds '" + item + "': expected an event type (host.online), "
                        + "a family (host.*) or *");
            }
            types.add(type);
        }
        return types;
    }

    private static Selector selector(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw bad("invalid-webhook", "'selector' must be a selector string");
        }
        return SelectorParameter.parse(text);
    }

    private static String secret(Object value) {
        if (value == null) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return HexFormat.of().formatHex(bytes);
        }
        if (!(value instanceof String text) || text.length() < 16 || text.length() > 256) {
            throw bad("invalid-webhook", "'secret' must be a string of 16 to 256 characters, or absent for a generated one");
        }
        return text;
    }

    private static UUID id(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(notFound(text));
        }
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= WebhookStore.MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw bad("invalid-limit", "limit must be an integer from 1 to " + WebhookStore.MAX_PAGE + ", got '" + text + "'");
    }

    private static Long cursor(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw bad("invalid-cursor", "cursor must be the 'next' of the previous page, got '" + text + "'");
        }
    }

    private static Problem notFound(Object id) {
        return Problem.notFound("webhook-not-found", "no webhook with id '" + id + "'");
    }

    private static ProblemException bad(String kind, String detail) {
        return new ProblemException(Problem.badRequest(kind, detail));
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
