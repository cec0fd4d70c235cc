package io.muster.controller.auth;

import io.muster.controller.access.Principal;
import io.muster.controller.access.Role;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.Routes;
import io.muster.controller.http.ProblemException;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * REST for tokens, enrollment tokens, host revocation, the audit log and the cluster CA's
 * certificate ({@value #CA_PEM}, the one route here that needs no token). Who may call what is
 * decided by {@link AuthHandler} before these run. Handlers run on the event loop and only chain
 * futures; bad input is a 400 problem naming the field.
 */
public final class AuthRoutes implements ApiPart {

    // Tokens, enrollment and the audit log concern the whole fleet; a host is revoked within the scope.
    static final Rule CREATE_TOKEN = Rule.admin("tokens.create", Scoping.UNSCOPED_ONLY);
    static final Rule LIST_TOKENS = Rule.admin("tokens.list", Scoping.UNSCOPED_ONLY);
    static final Rule REVOKE_TOKEN = Rule.admin("tokens.revoke", Scoping.UNSCOPED_ONLY);
    static final Rule CREATE_ENROLLMENT_TOKEN = Rule.admin("enrollment-tokens.create", Scoping.UNSCOPED_ONLY);
    static final Rule REVOKE_HOST = Rule.admin("hosts.revoke", Scoping.HOST);
    static final Rule REENROLL_HOST = Rule.admin("hosts.re-enroll", Scoping.HOST);
    static final Rule AUDIT = Rule.admin("audit.list", Scoping.UNSCOPED_ONLY);
    /** The caller's own token: nothing about the fleet, so any role and any scope may ask. */
    static final Rule WHOAMI_RULE = Rule.viewer("whoami", Scoping.NO_FLEET_DATA);
    /** Who the presented token is: id, name, role, scope. */
    public static final String WHOAMI = "/api/v1/whoami";

    /** The cluster CA's certificate in PEM, open to anyone (no token). */
    public static final String CA_PEM = "/api/v1/ca.pem";
    static final long MAX_LIFETIME_SECONDS = 10L * 365 * 24 * 3600;
    static final int MAX_ENROLLMENT_USES = 1_000_000;
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._@:/\\-]{1,100}");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9_.\\-/]{1,128}");

    private final ApiTokens tokens;
    private final EnrollmentTokens enrollment;
    private final Revocations revocations;
    private final AuditLog audit;
    private final String caPem;

    public AuthRoutes(ApiTokens tokens, EnrollmentTokens enrollment, Revocations revocations, AuditLog audit,
                      CertificateAuthority ca) {
        this.caPem = ca.certificatePem();
        this.tokens = tokens;
        this.enrollment = enrollment;
        this.revocations = revocations;
        this.audit = audit;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/tokens", CREATE_TOKEN, this::createToken)
                .get("/api/v1/tokens", LIST_TOKENS, this::listTokens)
                .delete("/api/v1/tokens/:id", REVOKE_TOKEN, this::revokeToken)
                .post("/api/v1/enrollment-tokens", CREATE_ENROLLMENT_TOKEN, this::createEnrollmentToken)
                .post("/api/v1/hosts/:id/revoke", REVOKE_HOST, this::revokeHost)
                .post("/api/v1/hosts/:id/re-enroll", REENROLL_HOST, this::allowReenrollment)
                .get("/api/v1/audit", AUDIT, this::auditPage)
                .get(WHOAMI, WHOAMI_RULE, this::whoami)
                .open(CA_PEM, this::caCertificate);
    }

    // Any valid token may ask who it is: the console shows only what the role and scope allow.
    private void whoami(RoutingContext ctx) {
        Principal principal = Callers.principal(ctx).orElseThrow();
        json(ctx, 200, new JsonObject()
                .put("tokenId", principal.tokenId())
                .put("name", principal.name())
                .put("role", principal.role().wireName())
                .put("scope", principal.scoped() ? principal.scope().toString() : null)
                .put("expiresAt", iso(principal.expiresAt())));
    }

    // Public on purpose: a certificate is no secret, and agents (--ca-cert) and FleetControl
    // clients pin it before they hold any credential.
    private void caCertificate(RoutingContext ctx) {
        ctx.response().setStatusCode(200)
                .putHeader("Content-Type", "application/x-pem-file")
                .putHeader("Cache-Control", "max-age=300")
                .end(caPem);
    }

    private void createToken(RoutingContext ctx) {
        JsonObject body = body(ctx, Set.of("name", "role", "scope", "expiresInSeconds"));
        Object nameValue = body.getValue("name");
        if (!(nameValue instanceof String name) || !NAME.matcher(name).matches()) {
            throw bad("'name' is required: 1 to 100 letters, digits, spaces or . _ @ : / -");
        }
        Object roleValue = body.getValue("role");
        Role role = roleValue instanceof String text ? Role.fromWireName(text).orElse(null) : null;
        if (role == null) {
            throw bad("'role' must be one of viewer, operator, admin");
        }
        Selector scope = scope(body.getValue("scope"));
        Duration lifetime = lifetime(body.getValue("expiresInSeconds"), false);
        tokens.create(name, role, scope, lifetime, actor(ctx))
                .onSuccess(secret -> {
                    ctx.response().putHeader("Location", "/api/v1/tokens/" + secret.id());
                    json(ctx, 201, new JsonObject().put("id", secret.id()).put("token", secret.token()));
                })
                .onFailure(ctx::fail);
    }

    private void listTokens(RoutingContext ctx) {
        tokens.list().onSuccess(list -> {
            JsonArray items = new JsonArray();
            list.forEach(token -> items.add(new JsonObject()
                    .put("id", token.id())
                    .put("name", token.name())
                    .put("role", token.role().wireName())
                    .put("scope", token.scope())
                    .put("expiresAt", iso(token.expiresAt()))
                    .put("revokedAt", iso(token.revokedAt()))
                    .put("createdAt", iso(token.createdAt()))
                    .put("createdBy", token.createdBy())));
            json(ctx, 200, new JsonObject().put("items", items));
        }).onFailure(ctx::fail);
    }

    private void revokeToken(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        tokens.revoke(id).onSuccess(found -> {
            if (found) {
                ctx.response().setStatusCode(204).end();
            } else {
                Problem.notFound("token-not-found", "no token with id '" + id + "'").send(ctx);
            }
        }).onFailure(ctx::fail);
    }

    private void createEnrollmentToken(RoutingContext ctx) {
        JsonObject body = body(ctx, Set.of("expiresInSeconds", "maxUses", "labels"));
        Duration lifetime = lifetime(body.getValue("expiresInSeconds"), true);
        Object usesValue = body.getValue("maxUses", 1);
        if (!(usesValue instanceof Integer uses) || uses < 1 || uses > MAX_ENROLLMENT_USES) {
            throw bad("'maxUses' must be an integer from 1 to " + MAX_ENROLLMENT_USES);
        }
        Map<String, String> labels = labels(body.getValue("labels"));
        enrollment.create(lifetime, uses, labels, actor(ctx))
                .onSuccess(secret -> json(ctx, 201, new JsonObject().put("id", secret.id()).put("token", secret.token())))
                .onFailure(ctx::fail);
    }

    // An enrolled host id cannot be claimed by an enrollment token; this lets one enrollment through.
    private void allowReenrollment(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        enrollment.allowReenrollment(id, actor(ctx)).onSuccess(until -> {
            if (until.isPresent()) {
                json(ctx, 200, new JsonObject().put("id", id).put("reenrollUntil", until.get().toString()));
            } else {
                Problem.notFound("host-not-found", "no host with id '" + id + "'").send(ctx);
            }
        }).onFailure(ctx::fail);
    }

    private void revokeHost(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        revocations.revoke(id, actor(ctx)).onSuccess(found -> {
            if (found) {
                json(ctx, 200, new JsonObject().put("id", id).put("revoked", true));
            } else {
                Problem.notFound("host-not-found", "no host with id '" + id + "'").send(ctx);
            }
        }).onFailure(ctx::fail);
    }

    private void auditPage(RoutingContext ctx) {
        int limit = 100;
        String limitText = ctx.request().getParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > AuditLog.MAX_PAGE) {
                throw new ProblemException(Problem.badRequest("invalid-limit",
                        "limit must be an integer from 1 to " + AuditLog.MAX_PAGE + ", got '" + limitText + "'"));
            }
        }
        Long before = null;
        String cursor = ctx.request().getParam("cursor");
        if (cursor != null) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw new ProblemException(Problem.badRequest("invalid-cursor", "cursor must be the 'next' of a previous page"));
            }
        }
        Instant since = null;
        String sinceText = ctx.request().getParam("since");
        if (sinceText != null) {
            try {
                since = Instant.parse(sinceText);
            } catch (DateTimeParseException e) {
                throw new ProblemException(Problem.badRequest("invalid-since",
                        "since must be an ISO-8601 instant such as 2025-01-31T12:00:00Z, got '" + sinceText + "'"));
            }
        }
        int pageSize = limit;
        audit.page(blankToNull(ctx.request().getParam("actor")), blankToNull(ctx.request().getParam("action")), since, before, pageSize + 1)
                .onSuccess(events -> {
                    JsonArray items = new JsonArray();
                    for (int i = 0; i < Math.min(pageSize, events.size()); i++) {
                        AuditEvent event = events.get(i);
                        items.add(new JsonObject()
                                .put("id", event.id())
                                .put("at", event.at().toString())
                                .put("actor", event.actorId())
                                .put("actorName", event.actorName())
                                .put("action", event.action())
                                .put("target", event.target())
                                .put("outcome", event.outcome())
                                .put("detail", event.detail()));
                    }
                    String next = events.size() > pageSize ? Long.toString(events.get(pageSize - 1).id()) : null;
                    json(ctx, 200, new JsonObject().put("items", items).put("next", next));
                })
                .onFailure(ctx::fail);
    }

    private static JsonObject body(RoutingContext ctx, Set<String> fields) {
        JsonObject body;
        try {
            body = ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw bad("the body must be a JSON object");
        }
        if (body == null) {
            throw bad("the body must be a JSON object");
        }
        for (String field : body.fieldNames()) {
            if (!fields.contains(field)) {
                throw bad("unknown field '" + field + "'; expected " + String.join(", ", fields.stream().sorted().toList()));
            }
        }
        return body;
    }

    private static Selector scope(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw bad("'scope' must be a selector string or null");
        }
        if (text.isBlank()) {
            return null;
        }
        Selector scope;
        try {
            scope = Selector.parse(text);
        } catch (SelectorSyntaxException e) {
            throw new ProblemException(Problem.badRequest("invalid-scope", "scope '" + text + "' is not valid at column "
                    + e.column() + ": expected " + e.expected()).with("column", e.column()));
        }
        scope.keyNotControllerOwned().ifPresent(key -> {
            throw new ProblemException(Problem.badRequest("invalid-scope", ApiTokens.notControllerOwned(key))
                    .with("field", "scope").with("key", key));
        });
        return scope;
    }

    private static Duration lifetime(Object value, boolean required) {
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof Number number) || number.longValue() != number.doubleValue()
                || number.longValue() < 1 || number.longValue() > MAX_LIFETIME_SECONDS) {
            throw bad("'expiresInSeconds' must be an integer from 1 to " + MAX_LIFETIME_SECONDS
                    + (required ? "" : ", or absent for the default of " + ApiTokens.DEFAULT_LIFETIME.toDays() + " days"));
        }
        return Duration.ofSeconds(number.longValue());
    }

    private static Map<String, String> labels(Object value) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (value == null) {
            return labels;
        }
        if (!(value instanceof JsonObject json)) {
            throw bad("'labels' must be an object of string values");
        }
        for (Map.Entry<String, Object> entry : json) {
            if (!LABEL_KEY.matcher(entry.getKey()).matches() || !(entry.getValue() instanceof String text) || text.length() > 256) {
                throw bad("label '" + entry.getKey() + "' needs a key of letters, digits, '_', '.', '-' or '/' and a string value of at most 256 characters");
            }
            labels.put(entry.getKey(), text);
        }
        return labels;
    }

    private static String actor(RoutingContext ctx) {
        return Callers.principal(ctx).map(Principal::tokenId).orElse(null);
    }

    private static ProblemException bad(String detail) {
        return new ProblemException(Problem.badRequest("invalid-request", detail));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
