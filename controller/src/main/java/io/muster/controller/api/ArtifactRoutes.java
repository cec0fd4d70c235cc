package io.muster.controller.api;

import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.artifact.Artifact;
import io.muster.controller.artifact.ArtifactConflictException;
import io.muster.controller.artifact.ArtifactKind;
import io.muster.controller.artifact.ArtifactRejectedException;
import io.muster.controller.artifact.ArtifactStore;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.Routes;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image tarballs and agent builds. Uploads are the raw request body (any content type but
 * multipart), streamed into the store:
 * <ul>
 *   <li>{@code POST /api/v1/images[?sha256=HEX]} -> 201 {"digest","sha256","sizeBytes",...} (200
 *       when the same image was uploaded before); agents fetch {@code GET /api/v1/images/{digest}}
 *       (digest "sha256:HEX") through the container executor's {@code load} action.</li>
 *   <li>{@code POST /api/v1/agent-builds?version=V[&sha256=HEX]} -> 201 (200 for the identical
 *       build again, 409 when V exists with other content); {@code GET /api/v1/agent-builds/{V}}
 *       (metadata) and {@code GET /api/v1/agent-builds/{V}/download}.</li>
 * </ul>
 * Downloads carry {@code Content-Length} and the digest ({@code Digest: sha-256=...},
 * {@code X-Muster-Sha256}).
 */
public final class ArtifactRoutes implements ApiPart {

    // Artifacts are used fleet-wide (any host may load an image, any host may run an agent
    // build): publishing one reaches beyond any scope. Reading one shows no host data.
    static final Rule UPLOAD_IMAGE = Rule.admin("images.upload", Scoping.UNSCOPED_ONLY);
    static final Rule DOWNLOAD_IMAGE = Rule.viewer("images.download", Scoping.NO_FLEET_DATA);
    static final Rule UPLOAD_BUILD = Rule.admin("agent-builds.upload", Scoping.UNSCOPED_ONLY);
    static final Rule READ_BUILD = Rule.viewer("agent-builds.get", Scoping.NO_FLEET_DATA);
    static final Rule DOWNLOAD_BUILD = Rule.viewer("agent-builds.download", Scoping.NO_FLEET_DATA);

    private static final Logger log = LoggerFactory.getLogger(ArtifactRoutes.class);
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final ArtifactStore store;

    public ArtifactRoutes(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/images", UPLOAD_IMAGE, ctx -> upload(ctx, ArtifactKind.IMAGE, null))
                .get("/api/v1/images/:digest", DOWNLOAD_IMAGE, ctx -> download(ctx, ArtifactKind.IMAGE, ctx.pathParam("digest")))
                .post("/api/v1/agent-builds", UPLOAD_BUILD, this::uploadBuild)
                .get("/api/v1/agent-builds/:version", READ_BUILD, this::buildMetadata)
                .get("/api/v1/agent-builds/:version/download", DOWNLOAD_BUILD, ctx ->
                        download(ctx, ArtifactKind.AGENT_BUILD, ctx.pathParam("version")));
    }

    private void uploadBuild(RoutingContext ctx) {
        String version = ctx.request().getParam("version");
        if (version == null || !VERSION.matcher(version).matches()) {
            refuse(ctx, Problem.badRequest("invalid-version", "an agent build needs ?version= (letters, digits, "
                    + "'.', '_', '+', '-'; at most 64 characters)"));
            return;
        }
        upload(ctx, ArtifactKind.AGENT_BUILD, version);
    }

    private void upload(RoutingContext ctx, ArtifactKind kind, String key) {
        String contentType = ctx.request().getHeader("Content-Type");
        if (contentType != null && contentType.toLowerCase().startsWith("multipart/")) {
            refuse(ctx, Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the file as the raw request body (e.g. Content-Type: application/octet-stream), not multipart"));
            return;
        }
        String expected = ctx.request().getParam("sha256");
        if (expected != null && !SHA256.matcher(expected).matches()) {
            refuse(ctx, Problem.badRequest("invalid-digest", "sha256 must be 64 hexadecimal characters"));
            return;
        }
        String uploadedBy = Callers.actor(ctx);
        store.upload(kind, key, expected, uploadedBy, ctx.request()).onComplete(ar -> {
                if (ar.succeeded()) {
                    Artifact artifact = ar.result().artifact();
                    log.info("{} {} stored ({} bytes, sha256 {}) by {}", kind.wireName(), artifact.key(),
                            artifact.sizeBytes(), artifact.sha256(), uploadedBy);
                    ctx.response().setStatusCode(ar.result().created() ? 201 : 200)
                            .putHeader("Content-Type", "application/json").end(json(artifact).encode());
                } else if (ar.cause() instanceof ArtifactRejectedException rejected) {
                    refuse(ctx, Problem.of(rejected.status(), "invalid-artifact",
                            rejected.status() == 413 ? "Content too large" : "Bad request", rejected.getMessage()));
                } else if (ar.cause() instanceof ArtifactConflictException conflict) {
                    refuse(ctx, Problem.of(409, "artifact-conflict", "Conflict", conflict.getMessage()));
                } else {
                    ctx.fail(ar.cause());
                }
        });
    }

    /** Answers before the body was read: the connection is closed after, so the rest is not parsed as a request. */
    private static void refuse(RoutingContext ctx, Problem problem) {
        if (!ctx.request().isEnded()) {
            ctx.response().putHeader("Connection", "close");
        }
        problem.send(ctx);
    }

    private void buildMetadata(RoutingContext ctx) {
        String version = ctx.pathParam("version");
        store.find(ArtifactKind.AGENT_BUILD, version).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                Problem.notFound("agent-build-not-found", "no agent build with version '" + version + "'").send(ctx);
            } else {
                ctx.response().putHeader("Content-Type", "application/json").end(json(ar.result().get()).encode());
            }
        });
    }

    private void download(RoutingContext ctx, ArtifactKind kind, String key) {
        if (kind == ArtifactKind.IMAGE && !DIGEST.matcher(key).matches()) {
            Problem.badRequest("invalid-digest", "an image is addressed by its digest, sha256:<64 hex characters>").send(ctx);
            return;
        }
        store.find(kind, key).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            if (ar.result().isEmpty()) {
                Problem.notFound(kind.wireName() + "-not-found", "no " + kind.wireName() + " '" + key + "'").send(ctx);
                return;
            }
            Artifact artifact = ar.result().get();
            HttpServerResponse response = ctx.response()
                    .putHeader("Content-Type", kind == ArtifactKind.IMAGE ? "application/x-tar" : "application/java-archive")
                    .putHeader("Content-Length", Long.toString(artifact.sizeBytes()))
                    .putHeader("Digest", "sha-256=" + java.util.Base64.getEncoder().encodeToString(
                            java.util.HexFormat.of().parseHex(artifact.sha256())))
                    .putHeader("X-Muster-Sha256", artifact.sha256());
            store.copyTo(artifact, response).onComplete(copied -> {
                if (copied.succeeded()) {
                    response.end();
                } else {
                    log.warn("download of {} {} failed: {}", kind.wireName(), key, copied.cause().toString());
                    response.reset();
                }
            });
        });
    }

    static JsonObject json(Artifact artifact) {
        JsonObject json = new JsonObject()
                .put("kind", artifact.kind().wireName())
                .put("sha256", artifact.sha256())
                .put("digest", artifact.digest())
                .put("sizeBytes", artifact.sizeBytes())
                .put("uploadedBy", artifact.uploadedBy())
                .put("uploadedAt", artifact.uploadedAt().toInstant().toString());
        if (artifact.kind() == ArtifactKind.AGENT_BUILD) {
            json.put("version", artifact.key())
                    .put("download", "/api/v1/agent-builds/" + artifact.key() + "/download");
        } else {
            json.put("download", "/api/v1/images/" + artifact.digest());
        }
        return json;
    }
}
