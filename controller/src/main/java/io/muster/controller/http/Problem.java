package io.muster.controller.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * An RFC 9457 problem response: {@code application/problem+json} with type, title, status,
 * detail and instance (the request path), plus optional extension members. Every error the API
 * sends goes through here.
 *
 * @param type   a URN naming the kind of problem; clients branch on it, not on the title
 * @param detail what went wrong with this request, in a sentence fit to show to the caller
 */
public record Problem(String type, String title, int status, String detail, JsonObject extensions) {

    public static final String CONTENT_TYPE = "application/problem+json";
    private static final String PREFIX = "urn:muster:problem:";

    public static Problem of(int status, String kind, String title, String detail) {
        return new Problem(PREFIX + kind, title, status, detail, new JsonObject());
    }

    public static Problem badRequest(String kind, String detail) {
        return of(400, kind, "Bad request", detail);
    }

    public static Problem notFound(String kind, String detail) {
        return of(404, kind, "Not found", detail);
    }

    /** A copy with one more member in the body (e.g. the column of a selector error). */
    public Problem with(String member, Object value) {
        return new Problem(type, title, status, detail, extensions.copy().put(member, value));
    }

    public JsonObject body(String instance) {
        JsonObject body = new JsonObject()
                .put("type", type)
                .put("title", title)
                .put("status", status)
                .put("detail", detail)
                .put("instance", instance);
        extensions.forEach(e -> body.put(e.getKey(), e.getValue()));
        return body;
    }

    /** Ends the exchange with this problem (does nothing if a response was already sent). */
    public void send(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", CONTENT_TYPE)
                .end(body(ctx.request().path()).encode());
    }
}
